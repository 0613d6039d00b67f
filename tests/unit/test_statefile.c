/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/statefile.c: the state file text, format and parse,
 * round trips, truncation, bit flips and targeted mutations. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ck_run.h"
#include "snap_fixture.h"

/* ---- helpers ---------------------------------------------------------- */

/* The n stats of arrays a and b (of one type): the same `have` bits and
 * the same figures. */
#define assert_same_figures(a, b, n)                                                               \
    do {                                                                                           \
        for (size_t k_ = 0; k_ < (n); k_++) {                                                      \
            ck_assert_uint_eq((a)[k_].have, (b)[k_].have);                                         \
            ck_assert_mem_eq((a)[k_].v, (b)[k_].v, sizeof((a)[k_].v));                             \
        }                                                                                          \
    } while (0)

static void snap_assert_equal(const struct vm_snapshot *a, const struct vm_snapshot *b)
{
    size_t i, j;

    ck_assert_uint_eq(a->n, b->n);
    ck_assert_int_eq(a->boot.tv_sec, b->boot.tv_sec);
    ck_assert_int_eq(a->boot.tv_nsec, b->boot.tv_nsec);
    ck_assert_int_eq(a->wall.tv_sec, b->wall.tv_sec);
    ck_assert_int_eq(a->wall.tv_nsec, b->wall.tv_nsec);
    for (i = 0; i < a->n; i++) {
        const struct vm_dom_stats *x = &a->dom[i], *y = &b->dom[i];

        ck_assert_pstr_eq(x->name, y->name);
        ck_assert_str_eq(x->uuid, y->uuid);
        ck_assert_int_eq(x->id, y->id);
        ck_assert_int_eq(x->have_state, y->have_state);
        ck_assert_int_eq(x->state, y->state);
        ck_assert_int_eq(x->reason, y->reason);
        ck_assert_uint_eq(x->groups, y->groups);
        assert_same_figures(&x->cpu, &y->cpu, 1);
        assert_same_figures(&x->balloon, &y->balloon, 1);
        ck_assert_uint_eq(x->vcpu_current, y->vcpu_current);
        ck_assert_uint_eq(x->vcpu_maximum, y->vcpu_maximum);
        ck_assert_uint_eq(x->nvcpu, y->nvcpu);
        assert_same_figures(x->vcpu, y->vcpu, x->nvcpu);
        ck_assert_uint_eq(x->nblock, y->nblock);
        for (j = 0; j < x->nblock; j++) {
            ck_assert_pstr_eq(x->block[j].name, y->block[j].name);
            ck_assert_pstr_eq(x->block[j].path, y->block[j].path);
        }
        assert_same_figures(x->block, y->block, x->nblock);
        ck_assert_uint_eq(x->nnet, y->nnet);
        for (j = 0; j < x->nnet; j++)
            ck_assert_pstr_eq(x->net[j].name, y->net[j].name);
        assert_same_figures(x->net, y->net, x->nnet);
        ck_assert_pstr_eq(x->error, y->error);
    }
}

/* One sample as vm_statefile_format takes it. */
#define ONE(snap) ((const struct vm_snapshot *const[]){(snap)})

/* The formatted test snapshot (owned string). */
static char *formatted(size_t *len)
{
    struct vm_snapshot s;
    struct vm_buf b = VM_BUF_INIT;

    make_snapshot(&s, 0);
    vm_statefile_format(ONE(&s), 1, &test_meta, &b);
    vm_snapshot_clear(&s);
    ck_assert(!b.oom);
    *len = b.len;
    return vm_buf_steal(&b);
}

/* FNV-1a 64, written again here so that the tests can build files whose
 * checksum is right but whose content is wrong. */
static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Replace the first `from` in the body of `text` by `to` and write a
 * matching end line. Returns an owned string. */
static char *mutate_and_seal(const char *text, const char *from, const char *to)
{
    struct vm_buf b = VM_BUF_INIT;
    const char *end = strstr(text, "\nend ");
    const char *hit;
    size_t bodylen;

    ck_assert_ptr_nonnull(end);
    bodylen = (size_t)(end - text) + 1;
    hit = strstr(text, from);
    ck_assert_msg(hit && hit < text + bodylen, "'%s' not in the formatted text", from);
    vm_buf_append_len(&b, text, (size_t)(hit - text));
    vm_buf_append(&b, to);
    vm_buf_append_len(&b, hit + strlen(from), bodylen - (size_t)(hit - text) - strlen(from));
    vm_buf_printf(&b, "end %016" PRIx64 "\n", fnv(b.s, b.len));
    ck_assert(!b.oom);
    return vm_buf_steal(&b);
}

static int parse_text(const char *text, size_t len, const struct vm_state_meta *m, const char **why)
{
    struct vm_state_ring s;
    struct vm_err err = {""};
    int r;

    memset(&s, 0xaa, sizeof(s)); /* parse must overwrite, not free */
    r = vm_statefile_parse(text, len, m, &s, why, &err);
    if (r != 1) {
        for (size_t k = 0; k < VM_STATE_RING_MAX; k++)
            ck_assert_ptr_null(s.snap[k].dom);
        ck_assert_uint_eq(s.n, 0);
    }
    vm_state_ring_clear(&s);
    return r;
}

/* ---- format and parse ------------------------------------------------- */

/* Format snaps[0..n), parse the text back and format that: the same
 * samples and the same text. Returns the text (owned). */
static char *roundtrip_n(const struct vm_snapshot *const *snaps, size_t n,
                         const struct vm_state_meta *m)
{
    struct vm_state_ring back;
    const struct vm_snapshot *again[VM_STATE_RING_MAX];
    struct vm_buf a = VM_BUF_INIT, b = VM_BUF_INIT;
    struct vm_err err = {""};
    const char *why = "unset";

    vm_statefile_format(snaps, n, m, &a);
    ck_assert(!a.oom);
    ck_assert_int_eq(vm_statefile_parse(a.s, a.len, m, &back, &why, &err), 1);
    ck_assert_ptr_null(why);
    ck_assert_uint_eq(back.n, n);
    for (size_t k = 0; k < n; k++) {
        snap_assert_equal(snaps[k], &back.snap[k]);
        again[k] = &back.snap[k];
    }
    vm_statefile_format(again, back.n, m, &b);
    ck_assert_str_eq(a.s, b.s);
    vm_state_ring_clear(&back);
    vm_buf_clear(&b);
    return vm_buf_steal(&a);
}

static char *roundtrip(const struct vm_snapshot *s, const struct vm_state_meta *m)
{
    return roundtrip_n(ONE(s), 1, m);
}

START_TEST(test_roundtrip)
{
    struct vm_snapshot s;
    char *text;

    make_snapshot(&s, 0);
    text = roundtrip(&s, &test_meta);
    /* one record per line: hostile names stay inside their field */
    ck_assert_ptr_null(strstr(text, "|"));
    ck_assert_ptr_null(strstr(text, "\t"));
    ck_assert_ptr_null(strstr(text, "'"));
    ck_assert_ptr_null(strstr(text, "\xc3"));
    vm_snapshot_clear(&s);
    free(text);
}
END_TEST

START_TEST(test_roundtrip_empty)
{
    struct vm_snapshot s;
    struct vm_state_ring back;
    struct vm_state_meta m = {"", "", ""};
    const char *why = NULL;
    char *text;

    memset(&s, 0, sizeof(s));
    text = roundtrip(&s, &m);
    /* "" is not NULL: another plugin name does not match */
    m.plugin = "x";
    ck_assert_int_eq(vm_statefile_parse(text, strlen(text), &m, &back, &why, NULL), 0);
    ck_assert_str_eq(why, "state file is for another plugin");
    vm_state_ring_clear(&back);
    free(text);
}
END_TEST

/* The smallest possible records (zeros, NULL strings, empty UUID) pass
 * the count plausibility bounds. */
START_TEST(test_roundtrip_minimal)
{
    struct vm_snapshot s;
    size_t i;

    memset(&s, 0, sizeof(s));
    s.n = 5;
    s.dom = xcalloc(s.n, sizeof(*s.dom));
    for (i = 0; i < s.n; i++) {
        struct vm_dom_stats *d = &s.dom[i];

        d->nvcpu = i;
        d->vcpu = xcalloc(i + 1, sizeof(*d->vcpu));
        d->nblock = i;
        d->block = xcalloc(i + 1, sizeof(*d->block));
        d->nnet = i;
        d->net = xcalloc(i + 1, sizeof(*d->net));
    }
    free(roundtrip(&s, &test_meta));
    vm_snapshot_clear(&s);
}
END_TEST

/* Up to VM_STATE_RING_MAX samples, newest first, each its own. */
START_TEST(test_ring_roundtrip)
{
    struct vm_snapshot s[VM_STATE_RING_MAX];
    const struct vm_snapshot *p[VM_STATE_RING_MAX];
    size_t k;
    char *text;

    for (k = 0; k < VM_STATE_RING_MAX; k++) {
        make_snapshot(&s[k], 10 * k);
        s[k].boot.tv_sec -= (time_t)k; /* 5, 4, 3, 2 s */
        s[k].wall.tv_sec -= (time_t)k;
        p[k] = &s[k];
    }
    for (size_t n = 1; n <= VM_STATE_RING_MAX; n++) {
        text = roundtrip_n(p, n, &test_meta);
        ck_assert_ptr_nonnull(strstr(text, "\nversion 3\n"));
        free(text);
    }
    for (k = 0; k < VM_STATE_RING_MAX; k++)
        vm_snapshot_clear(&s[k]);
}
END_TEST

/* Samples out of order, or two of one moment: not ours, not used. */
START_TEST(test_ring_order)
{
    struct vm_snapshot a, b;
    struct vm_buf t = VM_BUF_INIT;
    const char *why = NULL;

    make_snapshot(&a, 1);
    make_snapshot(&b, 2);
    b.boot.tv_nsec++; /* b is newer: wrong as the second */
    vm_statefile_format((const struct vm_snapshot *const[]){&a, &b}, 2, &test_meta, &t);
    ck_assert_int_eq(parse_text(t.s, t.len, &test_meta, &why), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    vm_buf_truncate(&t, 0);
    b.boot.tv_nsec--; /* the same moment */
    vm_statefile_format((const struct vm_snapshot *const[]){&a, &b}, 2, &test_meta, &t);
    ck_assert_int_eq(parse_text(t.s, t.len, &test_meta, &why), 0);
    vm_buf_truncate(&t, 0);
    b.boot.tv_sec--; /* older: right */
    vm_statefile_format((const struct vm_snapshot *const[]){&a, &b}, 2, &test_meta, &t);
    ck_assert_int_eq(parse_text(t.s, t.len, &test_meta, &why), 1);
    /* the second sample from the future, the first not */
    vm_buf_truncate(&t, 0);
    a.boot.tv_sec = 99999999999;
    vm_statefile_format((const struct vm_snapshot *const[]){&a, &b}, 2, &test_meta, &t);
    ck_assert_int_eq(parse_text(t.s, t.len, &test_meta, &why), 0);
    ck_assert_str_eq(why, "state file is from the future");
    vm_buf_clear(&t);
    vm_snapshot_clear(&a);
    vm_snapshot_clear(&b);
}
END_TEST

/* What version 2 wrote (no "samples" line, one sample) reads as a ring of
 * one: an upgrade keeps the previous sample. */
START_TEST(test_version2_read)
{
    struct vm_snapshot s;
    struct vm_state_ring back;
    size_t len;
    char *text = formatted(&len);
    char *v2a = mutate_and_seal(text, "version 3\n", "version 2\n");
    char *v2 = mutate_and_seal(v2a, "samples 1\n", "");
    const char *why = "unset";

    ck_assert_ptr_null(strstr(v2, "samples"));
    ck_assert_int_eq(vm_statefile_parse(v2, strlen(v2), &test_meta, &back, &why, NULL), 1);
    ck_assert_ptr_null(why);
    ck_assert_uint_eq(back.n, 1);
    make_snapshot(&s, 0);
    snap_assert_equal(&s, &back.snap[0]);
    vm_snapshot_clear(&s);
    vm_state_ring_clear(&back);
    /* a version 2 file with the new line is no version 2 file */
    ck_assert_int_eq(parse_text(v2a, strlen(v2a), &test_meta, &why), 0);
    free(v2);
    free(v2a);
    free(text);
}
END_TEST

/* A balloon line of 12 values (written before hugetlb_pgalloc/pgfail were
 * read) reads with the two missing; 13 values or a presence bit beyond
 * the 12 is corrupt. */
START_TEST(test_balloon12_read)
{
    struct vm_snapshot s;
    struct vm_state_ring back;
    struct vm_buf line = VM_BUF_INIT, old = VM_BUF_INIT, bad = VM_BUF_INIT;
    size_t len, f;
    char *text = formatted(&len), *v12, *v13, *bit12;
    const char *why = "unset";

    make_snapshot(&s, 0);
    ck_assert_uint_eq(s.dom[0].balloon.have >> 12, 0);
    vm_buf_printf(&line, "\nballoon %" PRIu32, s.dom[0].balloon.have);
    vm_buf_append(&old, vm_buf_str(&line));
    vm_buf_printf(&bad, "\nballoon %" PRIu32, s.dom[0].balloon.have | 1u << 12);
    for (f = 0; f < VM_BAL_NR; f++) {
        vm_buf_printf(&line, " %" PRIu64, s.dom[0].balloon.v[f]);
        if (f < 12) {
            vm_buf_printf(&old, " %" PRIu64, s.dom[0].balloon.v[f]);
            vm_buf_printf(&bad, " %" PRIu64, s.dom[0].balloon.v[f]);
        }
    }
    vm_buf_append(&line, "\n");
    vm_buf_append(&old, "\n");
    vm_buf_append(&bad, "\n");
    v12 = mutate_and_seal(text, vm_buf_str(&line), vm_buf_str(&old));
    ck_assert_int_eq(vm_statefile_parse(v12, strlen(v12), &test_meta, &back, &why, NULL), 1);
    ck_assert_ptr_null(why);
    s.dom[0].balloon.v[VM_BAL_HUGETLB_PGALLOC] = s.dom[0].balloon.v[VM_BAL_HUGETLB_PGFAIL] = 0;
    snap_assert_equal(&s, &back.snap[0]);
    vm_state_ring_clear(&back);
    /* one value short of the new line is neither */
    old.len -= 1;
    vm_buf_printf(&old, " %" PRIu64 "\n", s.dom[0].balloon.v[12]);
    v13 = mutate_and_seal(text, vm_buf_str(&line), vm_buf_str(&old));
    ck_assert_int_eq(parse_text(v13, strlen(v13), &test_meta, &why), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    bit12 = mutate_and_seal(text, vm_buf_str(&line), vm_buf_str(&bad));
    ck_assert_int_eq(parse_text(bit12, strlen(bit12), &test_meta, &why), 0);
    vm_snapshot_clear(&s);
    vm_buf_clear(&line);
    vm_buf_clear(&old);
    vm_buf_clear(&bad);
    free(v12);
    free(v13);
    free(bit12);
    free(text);
}
END_TEST

/* Every proper prefix of a valid file is rejected. */
START_TEST(test_truncate_everywhere)
{
    size_t len, k;
    char *text = formatted(&len);
    const char *why;

    ck_assert_int_eq(parse_text(text, len, &test_meta, &why), 1);
    for (k = 0; k < len; k++) {
        why = NULL;
        ck_assert_msg(parse_text(text, k, &test_meta, &why) == 0, "prefix of %zu/%zu accepted", k,
                      len);
        ck_assert_ptr_nonnull(why);
    }
    free(text);
}
END_TEST

/* Every single-byte change is rejected (three kinds of flips). */
static const unsigned char flip_masks[] = {0x01, 0x20, 0x80};

START_TEST(test_flip_everywhere)
{
    size_t len, k;
    char *text = formatted(&len);
    const char *why;

    for (k = 0; k < len; k++) {
        text[k] ^= (char)flip_masks[_i];
        ck_assert_msg(parse_text(text, len, &test_meta, &why) == 0, "flip 0x%02x at %zu accepted",
                      flip_masks[_i], k);
        text[k] ^= (char)flip_masks[_i];
    }
    ck_assert_int_eq(parse_text(text, len, &test_meta, &why), 1);
    free(text);
}
END_TEST

/* Content errors behind a correct checksum: the parser itself is strict. */
static const struct {
    const char *from, *to, *why;
} mutations[] = {
    {"version 3\n", "version 4\n", "state file has another format version"},
    /* what an upgrade leaves behind is no trouble, only no sample */
    {"version 3\n", "version 1\n", "no previous sample"},
    {"version 3\n", "version 03\n", "state file is corrupt"},
    {"version 3\n", "version -1\n", "state file is corrupt"},
    /* version 2 has no "samples" line */
    {"version 3\n", "version 2\n", "state file is corrupt"},
    {"samples 1\n", "samples 0\n", "state file is corrupt"},
    {"samples 1\n", "samples 2\n", "state file is corrupt"},
    {"samples 1\n", "samples 5\n", "state file is corrupt"},
    {"samples 1\n", "samples 01\n", "state file is corrupt"},
    {"samples 1\n", "", "state file is corrupt"},
    {"plugin =check_vcpu\n", "plugin =check_vdisk\n", "state file is for another plugin"},
    {"plugin =check_vcpu\n", "plugin -\n", "state file is corrupt"},
    {"uri =test:///default\n", "uri =test:///other\n", "state file is for another URI"},
    {"uri =test:///default\n", "uri =test:///default \n", "state file is corrupt"},
    {"boot =" TEST_BOOT, "boot =0c3a1d2e-1111-4222-8333-944455556667",
     "state file is from before a reboot"},
    {"boot =" TEST_BOOT, "boot =", "state file is from before a reboot"},
    {"time 5 123456789 ", "time 99999999999 123456789 ", "state file is from the future"},
    {" 1700000000 42\n", " 99999999999 42\n", "state file is from the future"},
    {"time 5 123456789 ", "time 5 1000000000 ", "state file is corrupt"},
    {"time 5 123456789 ", "time 5 ", "state file is corrupt"},
    {"time 5 123456789 ", "time 9223372036854775808 0 ", "state file is corrupt"},
    {"domains 2\n", "domains 3\n", "state file is corrupt"},
    {"domains 2\n", "domains 1\n", "state file is corrupt"},
    {"domains 2\n", "domains 18446744073709551615\n", "state file is corrupt"},
    {"domains 2\n", "domains 99999999999999999999\n", "state file is corrupt"},
    {"domains 2\n", "domains 2 \n", "state file is corrupt"},
    {"domains 2\n", "domains 2\r\n", "state file is corrupt"},
    {"domains 2\n", "domains  2\n", "state file is corrupt"},
    {"domains 2\n", "domains +2\n", "state file is corrupt"},
    {"vcpus 2 4 3\n", "vcpus 2 4 4\n", "state file is corrupt"},
    {"vcpus 2 4 3\n", "vcpus 2 4 2\n", "state file is corrupt"},
    {"vcpus 2 4 3\n", "vcpus 2 4 1000000000\n", "state file is corrupt"},
    {"vcpus 2 4 3\n", "vcpus 2 4294967296 3\n", "state file is corrupt"},
    {"blocks 3\n", "blocks 65537\n", "state file is corrupt"},
    {"blocks 3\n", "blocks 2\n", "state file is corrupt"},
    {"nets 2\n", "nets 3\n", "state file is corrupt"},
    {"cpu 7 ", "cpu 8 ", "state file is corrupt"},
    {"cpu 7 ", "cpu -7 ", "state file is corrupt"},
    {"cpu 7 ", "cpu 07 ", "state file is corrupt"},
    {"cpu 7 ", "cpu 0x7 ", "state file is corrupt"},
    {"cpu 7 1000 2000 3000\n", "cpu 7 1000 2000\n", "state file is corrupt"},
    {"cpu 7 1000 2000 3000\n", "cpu 7 1000 2000 3000 4000\n", "state file is corrupt"},
    {"cpu 7 1000 2000 3000\n", "", "state file is corrupt"},
    {"cpu 7 1000 2000 3000\n", "cpu 7 1000 2000 3000\ncpu 7 1000 2000 3000\n",
     "state file is corrupt"},
    {"18446744073709551615 ", "18446744073709551616 ", "state file is corrupt"},
    {"18446744073709551615 ", "-1 ", "state file is corrupt"},
    {"state 1 1 5\n", "state 2 1 5\n", "state file is corrupt"},
    {"state 1 1 5\n", "state 1 -1 5\n", "state file is corrupt"},
    {"f 7 =web", "f -0 =web", "state file is corrupt"},
    {"f 7 =web", "f -2 =web", "state file is corrupt"},
    {"f 7 =web", "f 2147483648 =web", "state file is corrupt"},
    {"f 7 =web", "f 7 web", "state file is corrupt"},
    {"=web%7C01", "=web|01", "state file is corrupt"},
    {"=web%7C01", "=web%7c01", "state file is corrupt"},
    {"=web%7C01", "=web%00", "state file is corrupt"},
    {"=web%7C01", "=web%G1", "state file is corrupt"},
    {"=web%7C01", "=web%7", "state file is corrupt"},
    {"dom =6695eb01", "dom =6695eb01-6695eb01-6695eb01-6695eb01", "state file is corrupt"},
    {"dom =6695eb01", "dom -", "state file is corrupt"},
    {"error -\n", "error\n", "state file is corrupt"},
    {"error -\n", "error - x\n", "state file is corrupt"},
    {"error -\n", "error -\nbogus\n", "state file is corrupt"},
    {"groups 63\n", "groups 63 1\n", "state file is corrupt"},
};

START_TEST(test_mutations)
{
    size_t len;
    char *text = formatted(&len);
    char *bad = mutate_and_seal(text, mutations[_i].from, mutations[_i].to);
    const char *why = NULL;

    ck_assert_msg(parse_text(bad, strlen(bad), &test_meta, &why) == 0, "accepted: %s -> %s",
                  mutations[_i].from, mutations[_i].to);
    ck_assert_str_eq(why, mutations[_i].why);
    free(bad);
    free(text);
}
END_TEST

/* The resealing itself is right: a no-op mutation parses. */
START_TEST(test_mutation_control)
{
    size_t len;
    char *text = formatted(&len);
    char *same = mutate_and_seal(text, "domains 2\n", "domains 2\n");
    const char *why = NULL;

    ck_assert_str_eq(same, text);
    ck_assert_int_eq(parse_text(same, strlen(same), &test_meta, &why), 1);
    /* and the identity checks can be skipped */
    free(same);
    same = mutate_and_seal(text, "uri =test:///default\n", "uri =other\n");
    ck_assert_int_eq(parse_text(same, strlen(same), NULL, &why), 1);
    ck_assert_int_eq(parse_text(same, strlen(same), &test_meta, &why), 0);
    free(same);
    free(text);
}
END_TEST

/* Damage to the frame (no resealing). */
/* The ring of four, formatted (owned), its samples in s[] (cleared by
 * the caller): values 0, 10, 20, 30; 0, 1, 2, 3 s older. */
static char *ring_text(struct vm_snapshot *s, size_t *len)
{
    const struct vm_snapshot *p[VM_STATE_RING_MAX];
    struct vm_buf b = VM_BUF_INIT;

    for (size_t k = 0; k < VM_STATE_RING_MAX; k++) {
        make_snapshot(&s[k], 10 * k);
        s[k].boot.tv_sec -= (time_t)k;
        s[k].wall.tv_sec -= (time_t)k;
        p[k] = &s[k];
    }
    vm_statefile_format(p, VM_STATE_RING_MAX, &test_meta, &b);
    ck_assert(!b.oom);
    *len = b.len;
    return vm_buf_steal(&b);
}

static int index_text(const char *text, struct vm_state_ring *r, const char **why)
{
    struct vm_err err = {""};

    memset(r, 0xaa, sizeof(*r)); /* index must overwrite, not free */
    return vm_statefile_index(xstrdup(text), strlen(text), &test_meta, r, why, &err);
}

/* Read lazily: the time lines at once, each sample's domains when asked,
 * the same as vm_statefile_parse gives. */
START_TEST(test_index_lazy)
{
    struct vm_snapshot s[VM_STATE_RING_MAX];
    struct vm_state_ring r;
    const char *why = "unset";
    size_t len, k;
    char *text = ring_text(s, &len);

    ck_assert_int_eq(index_text(text, &r, &why), 1);
    ck_assert_ptr_null(why);
    ck_assert_uint_eq(r.n, VM_STATE_RING_MAX);
    for (k = 0; k < r.n; k++) {
        ck_assert(!r.read[k]);
        ck_assert_ptr_null(r.snap[k].dom);
        ck_assert_int_eq(r.snap[k].boot.tv_sec, s[k].boot.tv_sec);
        ck_assert_int_eq(r.snap[k].wall.tv_nsec, s[k].wall.tv_nsec);
        ck_assert_int_eq(strncmp(r.text[k], "time ", 5), 0);
    }
    /* the texts tile the body: header, then sample after sample, then end */
    ck_assert_ptr_eq(r.text[0], r.buf + (strstr(text, "\nsamples 4\n") - text) + 11);
    for (k = 1; k < r.n; k++)
        ck_assert_ptr_eq(r.text[k], r.text[k - 1] + r.len[k - 1]);
    ck_assert_ptr_eq(r.text[3] + r.len[3], r.buf + (strstr(text, "\nend ") - text) + 1);
    for (k = r.n; k-- > 0;) {
        ck_assert_int_eq(vm_state_ring_read(&r, k, &why, NULL), 1);
        ck_assert(r.read[k]);
        snap_assert_equal(&s[k], &r.snap[k]);
    }
    vm_state_ring_clear(&r);
    for (k = 0; k < VM_STATE_RING_MAX; k++)
        vm_snapshot_clear(&s[k]);
    free(text);
}
END_TEST

/* A corrupt line in an older sample: vm_statefile_parse refuses the file
 * as before; read lazily, the sample is refused when it is read, and the
 * newer ones read. A corrupt time line, or one time line too many, is
 * refused at once. */
START_TEST(test_index_corrupt_older)
{
    struct vm_snapshot s[VM_STATE_RING_MAX];
    struct vm_state_ring r;
    const char *why = NULL;
    size_t len, k;
    char *text = ring_text(s, &len);
    /* sample 3 (values +30): a leading zero in its cpu line */
    char *bad = mutate_and_seal(text, "\ncpu 7 1030 ", "\ncpu 7 01030 ");
    char *badtime = mutate_and_seal(text, "\ntime 2 ", "\ntime 02 ");
    char *extra = mutate_and_seal(text, "\nerror ", "\ntime 1 0 1 0\nerror ");

    ck_assert_int_eq(parse_text(bad, strlen(bad), &test_meta, &why), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    ck_assert_int_eq(index_text(bad, &r, &why), 1);
    ck_assert_uint_eq(r.n, VM_STATE_RING_MAX);
    for (k = 0; k < 3; k++)
        ck_assert_int_eq(vm_state_ring_read(&r, k, &why, NULL), 1);
    ck_assert_int_eq(vm_state_ring_read(&r, 3, &why, NULL), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    ck_assert(!r.read[3]);
    ck_assert_ptr_null(r.snap[3].dom);
    ck_assert_uint_eq(r.snap[3].n, 0);
    vm_state_ring_clear(&r);

    ck_assert_int_eq(parse_text(badtime, strlen(badtime), &test_meta, &why), 0);
    ck_assert_int_eq(index_text(badtime, &r, &why), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    ck_assert_uint_eq(r.n, 0);
    ck_assert_ptr_null(r.buf);
    ck_assert_int_eq(parse_text(extra, strlen(extra), &test_meta, &why), 0);
    ck_assert_int_eq(index_text(extra, &r, &why), 0);
    ck_assert_uint_eq(r.n, 0);

    free(extra);
    free(badtime);
    free(bad);
    for (k = 0; k < VM_STATE_RING_MAX; k++)
        vm_snapshot_clear(&s[k]);
    free(text);
}
END_TEST

/* Kept samples written from their text: the file is the one formatting
 * them again gives, byte for byte. */
START_TEST(test_format_items_verbatim)
{
    struct vm_snapshot s[VM_STATE_RING_MAX], fresh;
    struct vm_state_ring r;
    struct vm_state_item items[VM_STATE_RING_MAX];
    struct vm_buf a = VM_BUF_INIT, b = VM_BUF_INIT;
    const char *why = NULL;
    size_t len, k;
    char *text = ring_text(s, &len);

    ck_assert_int_eq(index_text(text, &r, &why), 1);
    make_snapshot(&fresh, 99);
    fresh.boot.tv_sec += 1;
    items[0] = (struct vm_state_item){&fresh, NULL, 0};
    for (k = 1; k < VM_STATE_RING_MAX; k++)
        items[k] = (struct vm_state_item){&r.snap[k - 1], r.text[k - 1], r.len[k - 1]};
    vm_statefile_format_items(items, VM_STATE_RING_MAX, &test_meta, &a);
    vm_statefile_format((const struct vm_snapshot *const[]){&fresh, &s[0], &s[1], &s[2]},
                        VM_STATE_RING_MAX, &test_meta, &b);
    ck_assert(!a.oom && !b.oom);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert_mem_eq(a.s, b.s, a.len);
    ck_assert_int_eq(parse_text(a.s, a.len, &test_meta, &why), 1);
    vm_buf_clear(&a);
    vm_buf_clear(&b);
    vm_state_ring_clear(&r);
    vm_snapshot_clear(&fresh);
    for (k = 0; k < VM_STATE_RING_MAX; k++)
        vm_snapshot_clear(&s[k]);
    free(text);
}
END_TEST

START_TEST(test_frame)
{
    size_t len;
    char *text = formatted(&len);
    struct vm_buf b = VM_BUF_INIT;
    const char *why;
    char *p;

    /* uppercase checksum hex */
    p = strstr(text, "\nend ") + 5;
    vm_buf_append(&b, text);
    for (size_t i = 0; i < 16; i++)
        if (b.s[p - text + i] >= 'a' && b.s[p - text + i] <= 'f')
            b.s[p - text + i] = (char)(b.s[p - text + i] - 'a' + 'A');
    if (strcmp(b.s, text) != 0)
        ck_assert_int_eq(parse_text(b.s, b.len, &test_meta, &why), 0);
    vm_buf_clear(&b);
    /* a byte after the end line, a second end line, no final newline */
    vm_buf_append(&b, text);
    vm_buf_append(&b, "x");
    ck_assert_int_eq(parse_text(b.s, b.len, &test_meta, &why), 0);
    vm_buf_truncate(&b, len);
    vm_buf_append(&b, strstr(text, "\nend ") + 1);
    ck_assert_int_eq(parse_text(b.s, b.len, &test_meta, &why), 0);
    ck_assert_str_eq(why, "state file is corrupt");
    vm_buf_clear(&b);
    ck_assert_int_eq(parse_text(text, len - 1, &test_meta, &why), 0);
    /* a NUL inside */
    vm_buf_append(&b, text);
    b.s[40] = '\0';
    ck_assert_int_eq(parse_text(b.s, b.len, &test_meta, &why), 0);
    vm_buf_clear(&b);
    /* garbage */
    ck_assert_int_eq(parse_text("", 0, &test_meta, &why), 0);
    ck_assert_int_eq(parse_text("\x7f"
                                "ELF\x02\x01\x01",
                                7, &test_meta, &why),
                     0);
    ck_assert_str_eq(why, "state file is not a state file of this plugin suite");
    ck_assert_int_eq(parse_text("# monitoring-plugins-libvirt state\n", 35, &test_meta, &why), 0);
    ck_assert_int_eq(parse_text(NULL, 0, &test_meta, &why), 0);
    free(text);
}
END_TEST
VM_CK_MAIN_TCASE("statefile", "format", 60, NULL, NULL, VM_CK_TEST(test_roundtrip),
                 VM_CK_TEST(test_roundtrip_empty), VM_CK_TEST(test_roundtrip_minimal),
                 VM_CK_TEST(test_ring_roundtrip), VM_CK_TEST(test_ring_order),
                 VM_CK_TEST(test_version2_read), VM_CK_TEST(test_balloon12_read),
                 VM_CK_TEST(test_truncate_everywhere),
                 VM_CK_LOOP(test_flip_everywhere, sizeof(flip_masks)),
                 VM_CK_LOOP(test_mutations, VM_CK_N(mutations)), VM_CK_TEST(test_mutation_control),
                 VM_CK_TEST(test_frame), VM_CK_TEST(test_index_lazy),
                 VM_CK_TEST(test_index_corrupt_older), VM_CK_TEST(test_format_items_verbatim))
