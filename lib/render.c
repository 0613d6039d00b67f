/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render: a report → summary line, perfdata, long output, within a budget. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "render.h"

/* ---- breaches ----------------------------------------------------------- */

/* A figure as a breach prints it: in percent, in the size unit its limit
 * was written in ("405.5MiB" against "405MiB"), or plain with the metric's
 * unit. `piece` is the endpoint it is compared with, as written. */
static void breach_value(struct vm_buf *out, const struct vm_breach *b, const char *piece)
{
    const char *sfx = piece + strlen(piece);
    double v = b->value, unit = 0;
    char one[16];
    enum vm_unit u;
    struct vm_err why;

    if (strcmp(b->uom, "%") == 0) {
        vm_buf_printf(out, "%.1f%%", v);
        return;
    }
    if (strcmp(b->uom, "B") == 0) {
        while (sfx > piece &&
               ((sfx[-1] >= 'A' && sfx[-1] <= 'Z') || (sfx[-1] >= 'a' && sfx[-1] <= 'z')))
            sfx--;
        /* the suffix's multiple, as the range parser reads it */
        if (*sfx && snprintf(one, sizeof(one), "1%s", sfx) < (int)sizeof(one) &&
            vm_num_parse(one, strlen(one), VM_RANGE_ALLOW_SIZE, &unit, &u, &why) == 0 && unit > 0) {
            vm_buf_printf(out, "%.1f%s", v / unit, sfx);
            return;
        }
    }
    vm_buf_printf(out, "%.*f", v == floor(v) || fabs(v) >= 100 ? 0 : fabs(v) >= 10 ? 1 : 2, v);
    if (*b->uom)
        vm_buf_printf(out, " %s", b->uom);
}

/* "write_iops 33332 > 1 (warning)", "used 50.0% in @40:60 (warning)". */
static void breach_format(struct vm_buf *out, const struct vm_breach *b)
{
    struct vm_buf canon = VM_BUF_INIT, piece = VM_BUF_INIT;
    const char *text, *colon, *rel;
    bool above = !b->limit.end_inf && b->value > b->limit.end;

    if (!b->text)
        vm_range_format(&b->limit, &canon);
    text = b->text ? b->text : vm_buf_str(&canon);
    colon = strchr(text, ':');
    if (b->limit.inside) {
        rel = "in";
        vm_buf_append(&piece, text);
    } else if (above) {
        rel = ">";
        vm_buf_append(&piece, colon ? colon + 1 : text);
    } else {
        rel = "<";
        if (colon)
            vm_buf_append_len(&piece, text, (size_t)(colon - text));
        else
            vm_buf_append(&piece, "0");
    }
    /* a bare number on a percent figure is a percent: say so */
    if (!b->limit.inside && strcmp(b->uom, "%") == 0 && piece.len &&
        vm_buf_str(&piece)[piece.len - 1] != '%')
        vm_buf_append(&piece, "%");
    vm_report_clean_text(out, b->metric);
    vm_buf_append(out, " ");
    breach_value(out, b, vm_buf_str(&piece));
    vm_buf_printf(out, " %s ", rel);
    vm_report_clean_text(out, vm_buf_str(&piece));
    vm_buf_printf(out, " (%s)", b->status == VM_CRITICAL ? "critical" : "warning");
    vm_buf_clear(&canon);
    vm_buf_clear(&piece);
}

/* ---- rendering ---------------------------------------------------------- */

static enum vm_status norm(enum vm_status s)
{
    return (unsigned)s <= VM_UNKNOWN ? s : VM_UNKNOWN;
}

static int cmp_worst_first(const void *a, const void *b)
{
    const struct vm_item *x = *(const struct vm_item *const *)a;
    const struct vm_item *y = *(const struct vm_item *const *)b;
    int rx = vm_status_rank(norm(x->status)), ry = vm_status_rank(norm(y->status));

    if (rx != ry)
        return rx > ry ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct label_ref {
    const char *label;
    size_t idx; /* entry number in insertion order */
};

static int cmp_label(const void *a, const void *b)
{
    const struct label_ref *x = a, *y = b;
    int c = strcmp(x->label, y->label);

    return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const char *item_text(const struct vm_item *it, bool brief_first)
{
    const char *a = brief_first ? it->brief : it->detail, *b = brief_first ? it->detail : it->brief;

    return a && *a ? a : b && *b ? b : NULL;
}

/* Everything render builds before deciding what fits. Lines and entries
 * carry whether they belong to an OK item: those go first under a budget. */
struct render {
    struct vm_item **order; /* worst first, then by seq */
    size_t *base;           /* per item (array index): its first entry number */
    size_t *dup;            /* per entry number: 0, or the "~N" suffix */
    struct vm_buf head;     /* "SERVICE STATE - summary" */
    struct vm_buf perf;     /* all entries back to back, in output order */
    size_t *perf_end;       /* end offset of each entry in perf */
    bool *perf_ok;          /* per entry in output order: its item is OK */
    bool *perf_keep;
    size_t nperf;
    struct vm_buf lines; /* the remark's line, then the items', each ending in '\n' */
    size_t *line_end;
    bool *line_ok;
    bool *line_keep;
    size_t nlines;
    enum vm_status worst;
};

static void render_free(struct render *x)
{
    free(x->order);
    free(x->base);
    free(x->dup);
    free(x->perf_end);
    free(x->perf_ok);
    free(x->perf_keep);
    free(x->line_end);
    free(x->line_ok);
    free(x->line_keep);
    vm_buf_clear(&x->head);
    vm_buf_clear(&x->perf);
    vm_buf_clear(&x->lines);
}

/* Labels of distinct names never collide (vm_perf_label is one-to-one);
 * the same label twice (one device listed twice, two interfaces with the
 * same MAC) does: the second and later get "~2", "~3"... in insertion
 * order within what collides, so a graph keeps its label when states (and
 * so the output order) change or other domains come and go. '~' never
 * occurs in a label (names' '~' is escaped), so a suffixed one cannot
 * collide again. */
static int assign_dups(const struct vm_report *r, struct render *x)
{
    struct label_ref *refs = vm_calloc(x->nperf, sizeof(*refs));
    size_t k = 0, run = 1;

    if (!refs)
        return -1;
    for (size_t i = 0; i < r->nitems; i++) {
        x->base[i] = k;
        for (size_t j = 0; j < r->items[i].nperf; j++, k++) {
            refs[k].label = r->items[i].perf[j].label;
            refs[k].idx = k;
        }
    }
    qsort(refs, x->nperf, sizeof(*refs), cmp_label);
    for (k = 1; k < x->nperf; k++) {
        run = strcmp(refs[k].label, refs[k - 1].label) == 0 ? run + 1 : 1;
        if (run > 1)
            x->dup[refs[k].idx] = run;
    }
    free(refs);
    return 0;
}

/* One named item of a summary group: "name (brief)". */
static void summary_name(struct vm_buf *out, const struct vm_item *it)
{
    vm_report_clean_text(out, it->name);
    if (it->brief && *it->brief) {
        vm_buf_append(out, " (");
        vm_report_clean_text(out, it->brief);
        vm_buf_append(out, ")");
    }
}

/* The summary; groups name items while the line stays within `cap` bytes
 * (each group names at least one). */
static void summary(const struct vm_report *r, struct render *x, size_t cap)
{
    const char *noun = r->noun ? r->noun : "item";
    static const enum vm_status groups[] = {VM_CRITICAL, VM_WARNING, VM_UNKNOWN};
    size_t count[4] = {0}, pos = 0;
    struct vm_buf name = VM_BUF_INIT;
    const char *sep = "";

    if (r->nitems == 0) {
        vm_buf_printf(&x->head, "no %ss to check", noun);
        return;
    }
    if (r->nitems == 1) {
        vm_report_clean_text(&x->head, r->items[0].name);
        if (item_text(&r->items[0], true)) {
            vm_buf_append(&x->head, ": ");
            vm_report_clean_text(&x->head, item_text(&r->items[0], true));
        }
        return;
    }
    for (size_t i = 0; i < r->nitems; i++)
        count[norm(r->items[i].status)]++;
    if (count[VM_OK] == r->nitems) {
        vm_buf_printf(&x->head, "%zu %ss OK", r->nitems, noun);
        return;
    }
    /* `order` holds the groups back to back in exactly this order. */
    for (size_t g = 0; g < 3; g++) {
        size_t n = count[groups[g]], i;

        if (n == 0)
            continue;
        vm_buf_printf(&x->head, "%s%zu %s: ", sep, n, vm_status_name(groups[g]));
        sep = "; ";
        for (i = 0; i < n; i++) {
            vm_buf_truncate(&name, 0);
            summary_name(&name, x->order[pos + i]);
            if (i > 0 && x->head.len + 2 + name.len > cap)
                break;
            vm_buf_printf(&x->head, "%s%s", i ? ", " : "", vm_buf_str(&name));
        }
        if (i < n)
            vm_buf_printf(&x->head, ", +%zu more", n - i);
        pos += n;
    }
    if (count[VM_OK])
        vm_buf_printf(&x->head, "; %zu OK", count[VM_OK]);
    if (name.oom)
        x->head.oom = true;
    vm_buf_clear(&name);
}

static void perf_entry(struct vm_buf *out, const struct vm_perf *p, size_t dup)
{
    struct vm_buf label = VM_BUF_INIT;
    struct vm_perf q = *p;

    if (dup == 0) {
        vm_perf_format(out, p);
        return;
    }
    vm_buf_printf(&label, "%s~%zu", p->label, dup);
    q.label = label.s;
    if (label.oom)
        out->oom = true;
    else
        vm_perf_format(out, &q);
    vm_buf_clear(&label);
}

/* One item's long-output line; a non-OK one opens with what it broke. */
static void item_line(struct vm_buf *out, const struct vm_item *it)
{
    const char *text = item_text(it, false);
    enum vm_status st = norm(it->status);

    vm_buf_printf(out, "[%s] ", vm_status_name(st));
    vm_report_clean_text(out, it->name);
    if ((st != VM_OK && it->nbreach) || text)
        vm_buf_append(out, ": ");
    for (size_t j = 0; st != VM_OK && j < it->nbreach; j++) {
        vm_buf_append(out, j ? ", " : "");
        breach_format(out, &it->breach[j]);
    }
    if (st != VM_OK && it->nbreach && text)
        vm_buf_append(out, "; ");
    if (text)
        vm_report_clean_text(out, text);
    vm_buf_append(out, "\n");
}

/* Build head, entries and lines; -1 when memory ran out anywhere. */
static int render_build(const struct vm_report *r, struct render *x, size_t cap)
{
    size_t nitems = r->nitems, k = 0, nl = nitems + 1;

    if (r->oom)
        return -1;
    for (size_t i = 0; i < nitems; i++) {
        if (r->items[i].oom)
            return -1;
        x->nperf += r->items[i].nperf;
    }
    x->order = vm_calloc(nitems, sizeof(*x->order));
    x->base = vm_calloc(nitems, sizeof(*x->base));
    x->line_end = vm_calloc(nl, sizeof(*x->line_end));
    x->line_ok = vm_calloc(nl, sizeof(*x->line_ok));
    x->line_keep = vm_calloc(nl, sizeof(*x->line_keep));
    x->dup = vm_calloc(x->nperf, sizeof(*x->dup));
    x->perf_end = vm_calloc(x->nperf, sizeof(*x->perf_end));
    x->perf_ok = vm_calloc(x->nperf, sizeof(*x->perf_ok));
    x->perf_keep = vm_calloc(x->nperf, sizeof(*x->perf_keep));
    if (!x->order || !x->base || !x->line_end || !x->line_ok || !x->line_keep || !x->dup ||
        !x->perf_end || !x->perf_ok || !x->perf_keep || assign_dups(r, x) < 0)
        return -1;
    for (size_t i = 0; i < nitems; i++)
        x->order[i] = &r->items[i];
    qsort(x->order, nitems, sizeof(*x->order), cmp_worst_first);
    x->worst = nitems > 0 ? norm(x->order[0]->status) : VM_UNKNOWN;
    if (r->remark)
        x->worst = vm_status_worst(x->worst, norm(r->remark_status));

    vm_buf_printf(&x->head, "%s %s - ", r->service ? r->service : "", vm_status_name(x->worst));
    if (r->remark && r->remark_status != VM_OK)
        vm_buf_printf(&x->head, "%s; ", r->remark);
    summary(r, x, cap);
    if (r->nskip && r->nitems) {
        vm_buf_append(&x->head, "; ");
        vm_report_skipped(r, &x->head);
        vm_buf_append(&x->head, ", skipped");
    }
    if (r->remark) {
        if (r->remark_status != VM_OK)
            vm_buf_printf(&x->lines, "[%s] %s\n", vm_status_name(norm(r->remark_status)),
                          r->remark);
        else
            vm_buf_printf(&x->lines, "note: %s\n", r->remark);
        x->line_end[x->nlines++] = x->lines.len;
    }
    for (size_t i = 0; i < nitems; i++) {
        const struct vm_item *it = x->order[i];
        size_t base = x->base[it - r->items];
        bool ok = norm(it->status) == VM_OK;

        item_line(&x->lines, it);
        x->line_ok[x->nlines] = ok;
        x->line_end[x->nlines++] = x->lines.len;
        for (size_t j = 0; j < it->nperf; j++) {
            perf_entry(&x->perf, &it->perf[j], x->dup[base + j]);
            x->perf_ok[k] = ok;
            x->perf_end[k++] = x->perf.len;
        }
    }
    return x->head.oom || x->perf.oom || x->lines.oom ? -1 : 0;
}

/* The last line when something was left out; its length, 0 when nothing was. */
static size_t trim_note(char *s, size_t size, size_t budget, size_t lines, size_t perfs)
{
    int n;

    if (lines == 0 && perfs == 0) {
        *s = '\0';
        return 0;
    }
    n = snprintf(
        s, size,
        "[output trimmed to fit %zu bytes: %zu line%s and %zu perfdata value%s left out]\n", budget,
        lines, lines == 1 ? "" : "s", perfs, perfs == 1 ? "" : "s");
    return n > 0 ? (size_t)n : 0;
}

static size_t span(const size_t *end, size_t i)
{
    return end[i] - (i ? end[i - 1] : 0);
}

/* What is kept of the lines and entries, and the bytes they take. */
struct keep {
    size_t nl, np;         /* lines and entries kept */
    size_t lbytes, pbytes; /* their bytes: lines with '\n', entries without separators */
    size_t next[4];        /* per pass of keep_drop_one: where its search goes on */
};

static size_t keep_size(const struct keep *k, size_t head, size_t note)
{
    return head + 1 + note + k->lbytes + (k->np ? 3 + k->pbytes + (k->np - 1) : 0);
}

/* Drop one line or entry, what matters least first: OK lines, OK
 * entries, non-OK entries, non-OK lines (the remark's last), each from
 * the end. Each pass goes on where it stopped (what lies behind is
 * dropped or not its kind), so trimming 2,000 domains' output is linear,
 * not a search from the end per entry. Returns false when nothing is
 * left to drop. */
static bool keep_drop_one(struct render *x, struct keep *k)
{
    for (int pass = 0; pass < 4; pass++) {
        bool lines = pass == 0 || pass == 3, ok = pass < 2;
        bool *keep = lines ? x->line_keep : x->perf_keep;
        const bool *isok = lines ? x->line_ok : x->perf_ok;

        while (k->next[pass] > 0) {
            size_t i = --k->next[pass];

            if (!keep[i] || isok[i] != ok)
                continue;
            keep[i] = false;
            if (lines) {
                k->nl--;
                k->lbytes -= span(x->line_end, i);
            } else {
                k->np--;
                k->pbytes -= span(x->perf_end, i);
            }
            return true;
        }
    }
    return false;
}
static enum vm_status render_budget(struct vm_report *r, size_t budget, size_t asked,
                                    struct vm_buf *out);

enum vm_status vm_render_report(struct vm_report *r, size_t budget, struct vm_buf *out)
{
    size_t tlen = r->trailer ? strlen(r->trailer) : 0;
    bool trailer = tlen && !(budget && tlen + VM_RENDER_MIN_SUMMARY > budget);
    enum vm_status st;

    st = render_budget(r, trailer && budget ? budget - tlen : budget, budget, out);
    if (trailer)
        vm_buf_append(out, r->trailer);
    return st;
}

/* The output without the trailer, within `budget`; `asked` is the budget
 * the user set, for the note. */
static enum vm_status render_budget(struct vm_report *r, size_t budget, size_t asked,
                                    struct vm_buf *out)
{
    struct render x;
    struct keep k;
    size_t start = out->len, head, note;
    bool ellipsis = false;
    char text[160] = "";

    memset(&x, 0, sizeof(x));
    if (render_build(r, &x, asked ? asked / 4 : (size_t)-1) < 0)
        goto oom;

    k.nl = x.nlines;
    k.np = x.nperf;
    k.lbytes = x.lines.len;
    k.pbytes = x.perf.len;
    k.next[0] = k.next[3] = x.nlines;
    k.next[1] = k.next[2] = x.nperf;
    for (size_t i = 0; i < x.nlines; i++)
        x.line_keep[i] = true;
    for (size_t i = 0; i < x.nperf; i++)
        x.perf_keep[i] = true;
    head = x.head.len;
    note = 0;
    while (budget &&
           (note = trim_note(text, sizeof(text), asked, x.nlines - k.nl, x.nperf - k.np),
            keep_size(&k, head, note) > budget) &&
           keep_drop_one(&x, &k))
        ;
    if (budget && keep_size(&k, head, note) > budget) {
        /* Not even the bare summary fits beside the note (everything else
         * is gone by now). The summary matters more: a short note, or
         * none, and if need be the summary is cut at a character boundary,
         * marked with "...". */
        note = strlen(strcpy(text, "[output trimmed]\n"));
        if (keep_size(&k, head, note) > budget)
            note = 0;
        if (head + 1 > budget) {
            ellipsis = budget > 8;
            head = budget - 1 - (ellipsis ? 3 : 0);
            while (head > 0 && ((unsigned char)x.head.s[head] & 0xC0) == 0x80)
                head--;
        }
    }

    vm_buf_append_len(out, vm_buf_str(&x.head), head);
    if (ellipsis)
        vm_buf_append(out, "...");
    for (size_t i = 0, n = 0; i < x.nperf; i++) {
        if (!x.perf_keep[i])
            continue;
        vm_buf_append(out, n++ ? " " : " | ");
        vm_buf_append_len(out, x.perf.s + x.perf_end[i] - span(x.perf_end, i), span(x.perf_end, i));
    }
    vm_buf_append(out, "\n");
    for (size_t i = 0; i < x.nlines; i++)
        if (x.line_keep[i])
            vm_buf_append_len(out, x.lines.s + x.line_end[i] - span(x.line_end, i),
                              span(x.line_end, i));
    vm_buf_append_len(out, text, note);
    if (out->oom)
        goto oom;
    render_free(&x);
    return x.worst;

oom:
    render_free(&x);
    /* Whatever was half written goes; the short line fits in what the
     * buffer already holds in every case but the very first append. */
    out->oom = false;
    vm_buf_truncate(out, start);
    vm_buf_printf(out, "%s UNKNOWN - out of memory\n", r->service ? r->service : "");
    return VM_UNKNOWN;
}
