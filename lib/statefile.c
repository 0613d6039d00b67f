/* SPDX-License-Identifier: GPL-3.0-or-later */
/* statefile: the state file format.
 *
 * The file format (version 3) is plain text, one record per line, fields
 * separated by one space, every line ending in '\n':
 *
 *   # monitoring-plugins-libvirt state
 *   version 3
 *   plugin =check_vcpu
 *   uri =qemu:///system
 *   boot =<boot_id>
 *   samples <n>                          1..VM_STATE_RING_MAX, then per
 *   time <boottime s> <ns> <wall s> <ns> sample, newest first:
 *   domains <n>
 *   then per domain:
 *     dom =<uuid> <id> =<name>|-
 *     state <have 0|1> <state> <reason>
 *     groups <groups>
 *     cpu <have> <3 values>
 *     balloon <have> <14 values>          (12 before the hugetlb pair)
 *     vcpus <current> <maximum> <n>      followed by n lines:
 *     vcpu <have> <4 values>
 *     blocks <n>                         followed by n lines:
 *     block =<name>|- =<path>|- <have> <12 values>
 *     nets <n>                           followed by n lines:
 *     net =<name>|- <have> <8 values>
 *     error =<text>|-
 *   end <FNV-1a 64 of every byte before this line, 16 lowercase hex>
 *
 * Strings ("-" for NULL, "=" and the bytes escaped) and numbers (the
 * domain ID may be -1) are fields as stateline.h defines them; stateline.c
 * writes and reads the fields, this file the records. `have` is the
 * presence bit mask. The values of every field are written, present or
 * not, so each line has a fixed number of fields.
 *
 * Version 2 is the same without the "samples" line: one sample. It is read
 * (a ring of one), so an upgrade does not cost the previous sample. A
 * balloon line of 12 values (before hugetlb_pgalloc and hugetlb_pgfail
 * were read) is read too, the two missing: the same reason. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "num.h"
#include "statefile.h"
#include "stateline.h"

#define STATE_MAGIC "# monitoring-plugins-libvirt state"
#define STATE_MAX_ITEMS 65536 /* vCPUs, disks or interfaces per domain */

/* The oldest version read: its records are this version's. */
#define STATE_OLDEST_READ 2
/* The balloon fields a file written before the hugetlb pair holds: the
 * first ones of enum vm_bal_field. */
#define STATE_BAL_OLD_NR 12

/* What a record holds is the format: a change to a count below changes the
 * lines the codec writes, so bump VM_STATE_VERSION and STATE_OLDEST_READ
 * with it (an older file then reads as "no previous sample") and update
 * this check. */
_Static_assert(VM_STATE_VERSION == 3 && STATE_OLDEST_READ == 2 && VM_CPU_NR == 3 &&
                   VM_BAL_NR == 14 && STATE_BAL_OLD_NR == 12 && VM_VCPU_NR == 4 &&
                   VM_BLK_NR == 12 && VM_NET_NR == 8,
               "the state file format changed: bump VM_STATE_VERSION");
_Static_assert(4 + VM_BLK_NR <= VM_STATELINE_MAX_FIELDS &&
                   3 + VM_NET_NR <= VM_STATELINE_MAX_FIELDS &&
                   2 + VM_BAL_NR <= VM_STATELINE_MAX_FIELDS,
               "a record line has more fields than a line may hold");

static const char *const why_corrupt = "state file is corrupt";

#define FNV64_PRIME 0x100000001b3ULL

uint64_t vm_statefile_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV64_PRIME;
    }
    return h;
}

/* ---- format ----------------------------------------------------------- */

static void state_format_dom(const struct vm_dom_stats *d, struct vm_buf *out)
{
    size_t i;

    vm_buf_append(out, "dom");
    vm_stateline_put_str(out, d->uuid);
    vm_buf_printf(out, " %d", d->id);
    vm_stateline_put_str(out, d->name);
    vm_buf_printf(out, "\nstate %d %d %d\n", d->have_state ? 1 : 0, d->state, d->reason);
    vm_buf_printf(out, "groups %u\n", d->groups);
    vm_buf_append(out, "cpu");
    vm_stateline_put_values(out, d->cpu.have, d->cpu.v, VM_CPU_NR);
    vm_buf_append(out, "balloon");
    vm_stateline_put_values(out, d->balloon.have, d->balloon.v, VM_BAL_NR);
    vm_buf_printf(out, "vcpus %u %u %zu\n", d->vcpu_current, d->vcpu_maximum, d->nvcpu);
    for (i = 0; i < d->nvcpu; i++) {
        vm_buf_append(out, "vcpu");
        vm_stateline_put_values(out, d->vcpu[i].have, d->vcpu[i].v, VM_VCPU_NR);
    }
    vm_buf_printf(out, "blocks %zu\n", d->nblock);
    for (i = 0; i < d->nblock; i++) {
        vm_buf_append(out, "block");
        vm_stateline_put_str(out, d->block[i].name);
        vm_stateline_put_str(out, d->block[i].path);
        vm_stateline_put_values(out, d->block[i].have, d->block[i].v, VM_BLK_NR);
    }
    vm_buf_printf(out, "nets %zu\n", d->nnet);
    for (i = 0; i < d->nnet; i++) {
        vm_buf_append(out, "net");
        vm_stateline_put_str(out, d->net[i].name);
        vm_stateline_put_values(out, d->net[i].have, d->net[i].v, VM_NET_NR);
    }
    vm_buf_append(out, "error");
    vm_stateline_put_str(out, d->error);
    vm_buf_append_len(out, "\n", 1);
}

void vm_state_ring_clear(struct vm_state_ring *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n && i < VM_STATE_RING_MAX; i++)
        vm_snapshot_clear(&r->snap[i]);
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

static void state_format_snap(const struct vm_snapshot *snap, struct vm_buf *out)
{
    size_t i;

    vm_buf_printf(out, "time %lld %ld %lld %ld\n", (long long)snap->boot.tv_sec,
                  (long)snap->boot.tv_nsec, (long long)snap->wall.tv_sec, (long)snap->wall.tv_nsec);
    vm_buf_printf(out, "domains %zu\n", snap->n);
    for (i = 0; i < snap->n; i++)
        state_format_dom(&snap->dom[i], out);
}

void vm_statefile_format_items(const struct vm_state_item *items, size_t n,
                               const struct vm_state_meta *m, struct vm_buf *out)
{
    size_t start = out->len, i;
    uint64_t h;

    vm_buf_printf(out, "%s\nversion %d\nplugin", STATE_MAGIC, VM_STATE_VERSION);
    vm_stateline_put_str(out, m->plugin ? m->plugin : "");
    vm_buf_append(out, "\nuri");
    vm_stateline_put_str(out, m->uri ? m->uri : "");
    vm_buf_append(out, "\nboot");
    vm_stateline_put_str(out, m->boot_id);
    vm_buf_printf(out, "\nsamples %zu\n", n);
    for (i = 0; i < n; i++) {
        if (items[i].text) /* a sample kept: its lines as a previous run wrote them */
            vm_buf_append_len(out, items[i].text, items[i].len);
        else
            state_format_snap(items[i].snap, out);
    }
    if (out->oom)
        return;
    h = vm_statefile_fnv1a(VM_FNV1A_INIT, out->s + start, out->len - start);
    vm_buf_printf(out, "end %016" PRIx64 "\n", h);
}

void vm_statefile_format(const struct vm_snapshot *const *snaps, size_t n,
                         const struct vm_state_meta *m, struct vm_buf *out)
{
    struct vm_state_item items[VM_STATE_RING_MAX];
    size_t i;

    for (i = 0; i < n && i < VM_STATE_RING_MAX; i++)
        items[i] = (struct vm_state_item){snaps[i], NULL, 0};
    vm_statefile_format_items(items, i, m, out);
}

/* ---- parse ------------------------------------------------------------ */

/* The shortest lines each item can have (all fields "0", strings "-"). */
#define MIN_DOM_BYTES 100 /* dom...error: nine lines, ~113 bytes */
#define MIN_VCPU_BYTES 15 /* "vcpu 0 0 0 0 0\n" */
#define MIN_BLOCK_BYTES 36
#define MIN_NET_BYTES 24

/* The item lines after a "vcpus", "blocks" or "nets" line: each parser
 * takes one line into its item and returns 1, 0 (corrupt) or -1 (out of
 * memory). state_parse_dom reads the lines of one domain likewise. */
static int state_parse_vcpu(struct vm_stateline *c, void *item)
{
    struct vm_vcpu_stats *v = item;

    return vm_stateline_next(c) && vm_stateline_field_is(&c->t[0], "vcpu") &&
           vm_stateline_get_values(c, 1, VM_VCPU_NR, &v->have, v->v);
}

static int state_parse_block(struct vm_stateline *c, void *item)
{
    struct vm_block_stats *b = item;
    int r;

    if (!vm_stateline_next(c) || c->nt < 3 || !vm_stateline_field_is(&c->t[0], "block"))
        return 0;
    if ((r = vm_stateline_get_str(&c->t[1], &b->name)) != 1 ||
        (r = vm_stateline_get_str(&c->t[2], &b->path)) != 1)
        return r;
    return vm_stateline_get_values(c, 3, VM_BLK_NR, &b->have, b->v);
}

static int state_parse_net(struct vm_stateline *c, void *item)
{
    struct vm_net_stats *e = item;
    int r;

    if (!vm_stateline_next(c) || c->nt < 2 || !vm_stateline_field_is(&c->t[0], "net"))
        return 0;
    if ((r = vm_stateline_get_str(&c->t[1], &e->name)) != 1)
        return r;
    return vm_stateline_get_values(c, 2, VM_NET_NR, &e->have, e->v);
}

/* A list: a line "<word> <head...> <count>", then <count> item lines. */
struct item_list {
    const char *word;
    size_t nhead;     /* unsigned fields before the count */
    uint64_t max;     /* most items */
    size_t min_bytes; /* the shortest lines of one item */
    size_t size;      /* of one item */
    /* reads one item: 1, 0 (corrupt) or -1 (out of memory) */
    int (*one)(struct vm_stateline *c, void *item);
};

/* Read list l: the head fields into *head[], the items into *items and
 * *nitems, zeroed, so that a partly read array frees cleanly. The count
 * must fit the rest of the text (min_bytes per item): a corrupt count
 * cannot make us allocate a fortune. Returns 1, 0 or -1. */
static int state_parse_items(struct vm_stateline *c, const struct item_list *l,
                             unsigned *const *head, void **items, size_t *nitems)
{
    uint64_t n;
    size_t i;
    char *p;
    int r;

    if (!vm_stateline_expect(c, l->word, l->nhead + 1))
        return 0;
    for (i = 0; i < l->nhead; i++)
        if (!vm_stateline_get_uint(&c->t[1 + i], head[i]))
            return 0;
    if (!vm_stateline_get_u64(&c->t[1 + l->nhead], l->max, &n) ||
        n > (uint64_t)(c->end - c->p) / l->min_bytes)
        return 0;
    if (n == 0)
        return 1;
    p = vm_calloc((size_t)n, l->size);
    if (!p)
        return -1;
    *items = p;
    *nitems = (size_t)n;
    for (i = 0; i < *nitems; i++)
        if ((r = l->one(c, p + i * l->size)) != 1)
            return r;
    return 1;
}

/* A domain's device lists, in the order of their lines. */
static const struct item_list dev_lists[] = {
    {"vcpus", 2, STATE_MAX_ITEMS, MIN_VCPU_BYTES, sizeof(struct vm_vcpu_stats), state_parse_vcpu},
    {"blocks", 0, STATE_MAX_ITEMS, MIN_BLOCK_BYTES, sizeof(struct vm_block_stats),
     state_parse_block},
    {"nets", 0, STATE_MAX_ITEMS, MIN_NET_BYTES, sizeof(struct vm_net_stats), state_parse_net},
};

/* One domain's lines. Returns 1, 0 (corrupt) or -1 (out of memory). */
static int state_parse_dom(struct vm_stateline *c, void *item)
{
    struct vm_dom_stats *d = item;
    unsigned *const vcpu_head[] = {&d->vcpu_current, &d->vcpu_maximum};
    void *items[3] = {NULL, NULL, NULL};
    size_t *const counts[3] = {&d->nvcpu, &d->nblock, &d->nnet};
    uint64_t v;
    int r;

    if (!vm_stateline_next(c) || c->nt != 4 || !vm_stateline_field_is(&c->t[0], "dom"))
        return 0;
    if ((r = vm_stateline_get_str_fixed(&c->t[1], d->uuid, sizeof(d->uuid))) != 1)
        return r;
    if (!vm_stateline_get_int(&c->t[2], -1, INT_MAX, &d->id))
        return 0;
    if ((r = vm_stateline_get_str(&c->t[3], &d->name)) != 1)
        return r;
    if (!vm_stateline_expect(c, "state", 3) || !vm_stateline_get_u64(&c->t[1], 1, &v) ||
        !vm_stateline_get_int(&c->t[2], 0, INT_MAX, &d->state) ||
        !vm_stateline_get_int(&c->t[3], 0, INT_MAX, &d->reason))
        return 0;
    d->have_state = v == 1;
    if (!vm_stateline_expect(c, "groups", 1) || !vm_stateline_get_uint(&c->t[1], &d->groups))
        return 0;
    if (!vm_stateline_next(c) || !vm_stateline_field_is(&c->t[0], "cpu") ||
        !vm_stateline_get_values(c, 1, VM_CPU_NR, &d->cpu.have, d->cpu.v))
        return 0;
    if (!vm_stateline_next(c) || !vm_stateline_field_is(&c->t[0], "balloon") ||
        !vm_stateline_get_values(c, 1, c->nt == 2 + STATE_BAL_OLD_NR ? STATE_BAL_OLD_NR : VM_BAL_NR,
                                 &d->balloon.have, d->balloon.v))
        return 0;

    r = 1;
    for (size_t k = 0; r == 1 && k < 3; k++)
        r = state_parse_items(c, &dev_lists[k], k == 0 ? vcpu_head : NULL, &items[k], counts[k]);
    d->vcpu = items[0];
    d->block = items[1];
    d->net = items[2];
    if (r != 1)
        return r;
    if (!vm_stateline_expect(c, "error", 1))
        return 0;
    return vm_stateline_get_str(&c->t[1], &d->error);
}

static const struct item_list dom_list = {
    .word = "domains",
    .max = SIZE_MAX,
    .min_bytes = MIN_DOM_BYTES,
    .size = sizeof(struct vm_dom_stats),
    .one = state_parse_dom,
};

/* Check the frame: magic, version, the checksum line. Sets c to the body
 * (everything before the end line) and *version. Returns NULL or the
 * reason. */
static const char *state_parse_frame(const char *text, size_t len, struct vm_stateline *c,
                                     int *version)
{
    static const char magic[] = STATE_MAGIC "\n";
    const char *endline;
    uint64_t h = 0;
    size_t i;

    if (len < sizeof(magic) - 1 || memcmp(text, magic, sizeof(magic) - 1) != 0)
        return "state file is not a state file of this plugin suite";
    if (memchr(text, '\0', len))
        return why_corrupt;
    c->p = text + sizeof(magic) - 1;
    c->end = text + len;
    if (!vm_stateline_expect(c, "version", 1) ||
        !vm_stateline_get_int(&c->t[1], 0, INT_MAX, version))
        return why_corrupt;
    /* A much older file is what an upgrade leaves: nothing is wrong with
     * it, this version just cannot use it. */
    if (*version < STATE_OLDEST_READ)
        return "no previous sample";
    if (*version > VM_STATE_VERSION)
        return "state file has another format version";

    /* The last line: "end " + 16 lowercase hex digits + "\n". */
    if (len < 21 + (size_t)(c->p - text) || text[len - 1] != '\n')
        return why_corrupt;
    endline = text + len - 21;
    if (endline[-1] != '\n' || memcmp(endline, "end ", 4) != 0)
        return why_corrupt;
    for (i = 0; i < 16; i++) {
        char ch = endline[4 + i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;

        if (v < 0)
            return why_corrupt;
        h = h << 4 | (uint64_t)v;
    }
    if (h != vm_statefile_fnv1a(VM_FNV1A_INIT, text, (size_t)(endline - text)))
        return why_corrupt;
    c->end = endline;
    return NULL;
}

/* The next line is `word =<text>`; with `want`, the text must be it (else
 * *why = mismatch). Returns 1, 0 (not usable) or -1 (out of memory). */
static int state_parse_meta(struct vm_stateline *c, const char *word, const char *want,
                            const char *mismatch, const char **why)
{
    char *str = NULL;
    int r;

    if (!vm_stateline_expect(c, word, 1) || (r = vm_stateline_get_str(&c->t[1], &str)) == 0 ||
        (r == 1 && !str))
        return 0;
    if (r == 1 && want && strcmp(str, want) != 0) {
        *why = mismatch;
        r = 0;
    }
    free(str);
    return r;
}

/* A sample's time line, older than `newer` (NULL for the first) and not
 * later than now. Returns 1 or 0 (not usable, *why set). */
static int state_parse_time(struct vm_stateline *c, const struct vm_snapshot *newer,
                            struct vm_snapshot *s, const char **why)
{
    struct timespec now, wall;
    uint64_t v[4];

    *why = why_corrupt;
    if (!vm_stateline_expect(c, "time", 4) || !vm_stateline_get_u64(&c->t[1], INT64_MAX, &v[0]) ||
        !vm_stateline_get_u64(&c->t[2], 999999999, &v[1]) ||
        !vm_stateline_get_u64(&c->t[3], INT64_MAX, &v[2]) ||
        !vm_stateline_get_u64(&c->t[4], 999999999, &v[3]))
        return 0;
    if ((uint64_t)(time_t)v[0] != v[0] || (uint64_t)(time_t)v[2] != v[2])
        return 0;
    s->boot.tv_sec = (time_t)v[0];
    s->boot.tv_nsec = (long)v[1];
    s->wall.tv_sec = (time_t)v[2];
    s->wall.tv_nsec = (long)v[3];
    /* Newest first, strictly: a file that says otherwise was not written
     * by us, and its order is what picks a rate's base. */
    if (newer && !vm_clock_after(&newer->boot, &s->boot))
        return 0;
    /* A sample from the future cannot be a previous one: a clock went
     * back, or the file is not what it claims. */
    clock_gettime(CLOCK_BOOTTIME, &now);
    clock_gettime(CLOCK_REALTIME, &wall);
    if (vm_clock_after(&s->boot, &now) || vm_clock_after(&s->wall, &wall)) {
        *why = "state file is from the future";
        return 0;
    }
    return 1;
}

/* A sample's domains: the rest of c's body, exactly. Returns 1, 0
 * (corrupt) or -1 (out of memory); s is filled as far as it was read. */
static int state_parse_doms(struct vm_stateline *c, struct vm_snapshot *s)
{
    void *doms = NULL;
    int r;

    r = state_parse_items(c, &dom_list, NULL, &doms, &s->n);
    s->dom = doms;
    return r == 1 && c->p != c->end ? 0 : r;
}

/* The end of the sample whose lines start at p: the next "time" line or
 * the end of the body. No other record starts with that word. */
static const char *state_sample_end(const char *p, const char *end)
{
    while (p < end && !((size_t)(end - p) > 5 && memcmp(p, "time ", 5) == 0)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        p = nl ? nl + 1 : end;
    }
    return p;
}

int vm_state_ring_read(struct vm_state_ring *r, size_t k, const char **why, struct vm_err *err)
{
    struct vm_stateline c;
    int rc;

    *why = NULL;
    if (k >= r->n || r->read[k] || !r->text[k])
        return 1;
    /* text[k] starts with its time line, read already. */
    c.p = (const char *)memchr(r->text[k], '\n', r->len[k]) + 1;
    c.end = r->text[k] + r->len[k];
    rc = state_parse_doms(&c, &r->snap[k]);
    if (rc == 1) {
        r->read[k] = true;
        return 1;
    }
    vm_snapshot_clear(&r->snap[k]);
    if (rc < 0) {
        vm_err_set(err, "out of memory reading the state file");
        return -1;
    }
    *why = why_corrupt;
    return 0;
}

/* vm_statefile_index on a text it does not take over (`text` may be
 * borrowed: the caller sets out->buf). */
static int state_index(const char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err)
{
    struct vm_stateline c;
    struct vm_state_ring ring;
    uint64_t nsamples = 1;
    int r, rc = 0, version = 0;
    size_t i;

    memset(out, 0, sizeof(*out));
    memset(&ring, 0, sizeof(ring));
    *why = why_corrupt;
    if (!text)
        return 0;
    if ((*why = state_parse_frame(text, len, &c, &version)) != NULL)
        return 0;
    *why = why_corrupt;

    /* plugin, uri, boot: compared with m as we go. */
    if ((r = state_parse_meta(&c, "plugin", m ? (m->plugin ? m->plugin : "") : NULL,
                              "state file is for another plugin", why)) != 1 ||
        (r = state_parse_meta(&c, "uri", m ? (m->uri ? m->uri : "") : NULL,
                              "state file is for another URI", why)) != 1 ||
        (r = state_parse_meta(&c, "boot", m ? m->boot_id : NULL,
                              "state file is from before a reboot", why)) != 1) {
        if (r < 0)
            goto oom;
        goto cleanup;
    }
    if (version >= 3 &&
        (!vm_stateline_expect(&c, "samples", 1) ||
         !vm_stateline_get_u64(&c.t[1], VM_STATE_RING_MAX, &nsamples) || nsamples == 0))
        goto cleanup;
    for (i = 0; i < nsamples; i++) {
        const char *start = c.p;
        struct vm_stateline body;

        ring.n = i + 1; /* what was read so far frees cleanly */
        if (!state_parse_time(&c, i ? &ring.snap[i - 1] : NULL, &ring.snap[i], why))
            goto cleanup;
        body.p = c.p;
        body.end = c.p = state_sample_end(c.p, c.end);
        if (version < 3) {
            /* Version 2: read now, and formatted anew when saved (its
             * balloon lines may be of the older length). */
            if ((r = state_parse_doms(&body, &ring.snap[i])) < 0)
                goto oom;
            if (r == 0) {
                *why = why_corrupt;
                goto cleanup;
            }
            ring.read[i] = true;
        } else {
            ring.text[i] = start;
            ring.len[i] = (size_t)(c.p - start);
        }
    }
    if (c.p != c.end) {
        *why = why_corrupt;
        goto cleanup;
    }

    *out = ring;
    memset(&ring, 0, sizeof(ring));
    *why = NULL;
    rc = 1;
    goto cleanup;

oom:
    rc = vm_err_set(err, "out of memory reading the state file");
    *why = NULL;
cleanup:
    vm_state_ring_clear(&ring);
    return rc;
}

int vm_statefile_index(char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err)
{
    int rc = state_index(text, len, m, out, why, err);

    if (rc == 1)
        out->buf = text;
    else
        free(text);
    return rc;
}

int vm_statefile_parse(const char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err)
{
    int rc = state_index(text, len, m, out, why, err);
    size_t i;

    for (i = 0; rc == 1 && i < out->n; i++)
        rc = vm_state_ring_read(out, i, why, err);
    if (rc != 1) {
        vm_state_ring_clear(out);
        return rc;
    }
    /* The text is the caller's: nothing may point into it. */
    memset(out->text, 0, sizeof(out->text));
    memset(out->len, 0, sizeof(out->len));
    return 1;
}
