/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report: items → summary line, perfdata, long output, within a budget. */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "report.h"

#define SUMMARY_NAMES 3 /* names listed per state in the summary */

void vm_report_init(struct vm_report *r, const char *service, const char *noun)
{
    memset(r, 0, sizeof(*r));
    r->service = service;
    r->noun = noun;
}

void vm_report_clear(struct vm_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nitems; i++) {
        struct vm_item *it = &r->items[i];

        free(it->name);
        free(it->brief);
        free(it->detail);
        vm_buf_clear(&it->why);
        for (size_t j = 0; j < it->nbreach; j++)
            free(it->breach[j].metric);
        free(it->breach);
        for (size_t j = 0; j < it->nperf; j++)
            vm_perf_clear(&it->perf[j]);
        free(it->perf);
    }
    free(r->items);
    free(r->trailer);
    r->trailer = NULL;
    r->items = NULL;
    r->nitems = 0;
    r->oom = false;
}

/* The arrays here keep only a count. Their capacity is the count rounded up
 * to a power of two (at least 4), so they grow when the count reaches one:
 * appends stay amortised O(1). */
static void *grow(void *arr, size_t n, size_t size, bool *failed)
{
    void *p;

    if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
        return arr;
    p = vm_reallocarray(arr, n < 4 ? 4 : n * 2, size);
    if (!p)
        *failed = true;
    return p ? p : arr;
}

struct vm_item *vm_report_add(struct vm_report *r, enum vm_status status, const char *name)
{
    struct vm_item *it = NULL;
    char *copy = vm_strdup(name ? name : "");
    bool failed = !copy;

    if (!failed)
        r->items = grow(r->items, r->nitems, sizeof(*r->items), &failed);
    if (failed)
        goto cleanup;
    it = &r->items[r->nitems];
    memset(it, 0, sizeof(*it));
    it->status = status;
    it->name = copy;
    it->seq = r->nitems++;
    copy = NULL;

cleanup:
    if (failed)
        r->oom = true;
    free(copy);
    return it;
}

static void item_set(struct vm_item *it, char **field, const char *fmt, va_list ap)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_buf_vprintf(&b, fmt, ap);
    if (b.oom) {
        vm_buf_clear(&b);
        it->oom = true;
        return;
    }
    free(*field);
    *field = vm_buf_steal(&b);
    if (!*field)
        it->oom = true;
}

void vm_item_brief(struct vm_item *it, const char *fmt, ...)
{
    va_list ap;

    if (!it)
        return;
    va_start(ap, fmt);
    item_set(it, &it->brief, fmt, ap);
    va_end(ap);
}

void vm_item_detail(struct vm_item *it, const char *fmt, ...)
{
    va_list ap;

    if (!it)
        return;
    va_start(ap, fmt);
    item_set(it, &it->detail, fmt, ap);
    va_end(ap);
}

void vm_item_perf(struct vm_item *it, const char *const *label_parts, size_t nparts, double value,
                  const char *uom, const struct vm_thresh *th, double min, double max)
{
    struct vm_buf label = VM_BUF_INIT;
    struct vm_perf *p;
    bool failed = false;

    if (!it)
        return;
    vm_perf_label(&label, label_parts, nparts);
    it->perf = grow(it->perf, it->nperf, sizeof(*it->perf), &failed);
    if (failed || label.oom) {
        it->oom = true;
        vm_buf_clear(&label);
        return;
    }
    p = &it->perf[it->nperf++];
    memset(p, 0, sizeof(*p));
    p->label = vm_buf_steal(&label); /* never empty: vm_perf_label writes at least "_" */
    p->value = value;
    p->uom = uom ? uom : "";
    if (th)
        p->th = *th;
    p->has_min = isfinite(min);
    p->min = min;
    p->has_max = isfinite(max);
    p->max = max;
}

void vm_item_note(struct vm_item *it, enum vm_status st, const char *fmt, ...)
{
    va_list ap;
    int cmp;

    if (!it)
        return;
    it->status = vm_status_worst(it->status, st);
    cmp = vm_status_rank(st) - vm_status_rank(it->why_status);
    if (st == VM_OK || cmp < 0)
        return;
    if (cmp > 0) {
        it->why_status = st;
        vm_buf_truncate(&it->why, 0);
    } else if (it->why.len) {
        vm_buf_append(&it->why, ", ");
    }
    va_start(ap, fmt);
    vm_buf_vprintf(&it->why, fmt, ap);
    va_end(ap);
    if (it->why.oom)
        it->oom = true;
}

static void item_breach(struct vm_item *it, const struct vm_metric_out *m, double value,
                        const struct vm_range *limit, enum vm_status st)
{
    const char *name = m->metric ? m->metric : m->nlabel ? m->label[m->nlabel - 1] : "";
    struct vm_breach *b;
    bool failed = false;

    it->breach = grow(it->breach, it->nbreach, sizeof(*it->breach), &failed);
    if (failed) {
        it->oom = true;
        return;
    }
    b = &it->breach[it->nbreach];
    b->metric = vm_strdup(name ? name : "");
    if (!b->metric) {
        it->oom = true;
        return;
    }
    b->value = value;
    b->limit = *limit;
    b->status = st;
    it->nbreach++;
}

enum vm_status vm_item_metric(struct vm_item *it, const struct vm_metric_out *m)
{
    bool sized = m->total > 0, in_bytes = m->uom && strcmp(m->uom, "B") == 0;
    const struct vm_range *broke = NULL;
    enum vm_status st = VM_OK;

    if (!it || isnan(m->value))
        return VM_OK;
    if (m->th && !m->show_only) {
        /* A size figure is judged in percent and in bytes, each range in
         * its own unit; a plain one by its value. */
        double pct = sized && in_bytes ? 100.0 * m->value / m->total : m->value;
        double bytes = sized && !in_bytes ? m->bytes : m->value;

        st = vm_thresh_eval_sized(m->th, pct, bytes, &broke);
        if (broke)
            item_breach(it, m, broke->unit == VM_UNIT_BYTES ? bytes : pct, broke, st);
        it->status = vm_status_worst(it->status, st);
    }
    if (m->label) {
        struct vm_thresh t;

        if (m->th && sized)
            t = vm_thresh_in_unit(m->th, m->total, in_bytes);
        vm_item_perf(it, m->label, m->nlabel, m->value, m->uom, m->th && sized ? &t : m->th, m->min,
                     m->max);
    }
    return st;
}

void vm_report_clean_text(struct vm_buf *out, const char *text)
{
    const char *p = text ? text : "";

    while (*p) {
        size_t n = 0;

        while (p[n] && p[n] != '|' && (unsigned char)p[n] >= 0x20 && p[n] != 0x7f)
            n++;
        vm_buf_append_len(out, p, n);
        p += n;
        if (*p) {
            vm_buf_append(out, *p == '|' ? VM_ERR_PIPE : " ");
            p++;
        }
    }
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

/* Everything render builds before deciding what fits. */
struct render {
    struct vm_item **order; /* worst first, then by seq */
    size_t *base;           /* per item (array index): its first entry number */
    size_t *dup;            /* per entry number: 0, or the "~N" suffix */
    struct vm_buf head;     /* "SERVICE STATE - summary" */
    struct vm_buf perf;     /* all entries back to back, in output order */
    size_t *perf_end;       /* end offset of each entry in perf */
    size_t nperf;
    struct vm_buf lines; /* the long-output lines, each ending in '\n' */
    size_t *line_end;
    size_t nlines;
    enum vm_status worst;
};

static void render_free(struct render *x)
{
    free(x->order);
    free(x->base);
    free(x->dup);
    free(x->perf_end);
    free(x->line_end);
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

static void summary(const struct vm_report *r, struct render *x)
{
    const char *noun = r->noun ? r->noun : "item";
    static const enum vm_status groups[] = {VM_CRITICAL, VM_WARNING, VM_UNKNOWN};
    size_t count[4] = {0}, pos = 0;
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
        size_t n = count[groups[g]];

        if (n == 0)
            continue;
        vm_buf_printf(&x->head, "%s%zu %s: ", sep, n, vm_status_name(groups[g]));
        sep = "; ";
        for (size_t i = 0; i < n && i < SUMMARY_NAMES; i++) {
            const struct vm_item *it = x->order[pos + i];

            if (i > 0)
                vm_buf_append(&x->head, ", ");
            vm_report_clean_text(&x->head, it->name);
            if (it->brief && *it->brief) {
                vm_buf_append(&x->head, " (");
                vm_report_clean_text(&x->head, it->brief);
                vm_buf_append(&x->head, ")");
            }
        }
        if (n > SUMMARY_NAMES)
            vm_buf_printf(&x->head, ", +%zu more", n - SUMMARY_NAMES);
        pos += n;
    }
    if (count[VM_OK])
        vm_buf_printf(&x->head, "; %zu OK", count[VM_OK]);
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

/* Build head, entries and lines; -1 when memory ran out anywhere. */
static int render_build(const struct vm_report *r, struct render *x)
{
    size_t nitems = r->nitems, k = 0;

    if (r->oom)
        return -1;
    for (size_t i = 0; i < nitems; i++) {
        if (r->items[i].oom)
            return -1;
        x->nperf += r->items[i].nperf;
    }
    x->order = vm_calloc(nitems, sizeof(*x->order));
    x->base = vm_calloc(nitems, sizeof(*x->base));
    x->line_end = vm_calloc(nitems, sizeof(*x->line_end));
    x->dup = vm_calloc(x->nperf, sizeof(*x->dup));
    x->perf_end = vm_calloc(x->nperf, sizeof(*x->perf_end));
    if (!x->order || !x->base || !x->line_end || !x->dup || !x->perf_end || assign_dups(r, x) < 0)
        return -1;
    for (size_t i = 0; i < nitems; i++)
        x->order[i] = &r->items[i];
    qsort(x->order, nitems, sizeof(*x->order), cmp_worst_first);
    x->worst = nitems > 0 ? norm(x->order[0]->status) : VM_UNKNOWN;

    vm_buf_printf(&x->head, "%s %s - ", r->service ? r->service : "", vm_status_name(x->worst));
    summary(r, x);
    for (size_t i = 0; i < nitems; i++) {
        const struct vm_item *it = x->order[i];
        size_t base = x->base[it - r->items];

        vm_buf_printf(&x->lines, "[%s] ", vm_status_name(norm(it->status)));
        vm_report_clean_text(&x->lines, it->name);
        if (item_text(it, false)) {
            vm_buf_append(&x->lines, ": ");
            vm_report_clean_text(&x->lines, item_text(it, false));
        }
        vm_buf_append(&x->lines, "\n");
        x->line_end[x->nlines++] = x->lines.len;
        for (size_t j = 0; j < it->nperf; j++) {
            perf_entry(&x->perf, &it->perf[j], x->dup[base + j]);
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

/* Bytes of the output with the first `nl` lines and `np` entries. */
static size_t render_size(const struct render *x, size_t head, size_t nl, size_t np, size_t note)
{
    size_t n = head + 1 + note;

    if (np > 0)
        n += 3 + x->perf_end[np - 1] + (np - 1);
    if (nl > 0)
        n += x->line_end[nl - 1];
    return n;
}

void vm_report_trailer(struct vm_report *r, const char *line)
{
    free(r->trailer);
    r->trailer = line && *line ? vm_strdup(line) : NULL; /* on failure: no trailer */
}

static enum vm_status render_budget(struct vm_report *r, size_t budget, struct vm_buf *out);

enum vm_status vm_report_render(struct vm_report *r, size_t budget, struct vm_buf *out)
{
    size_t tlen = r->trailer ? strlen(r->trailer) : 0;
    bool trailer = tlen && !(budget && tlen + VM_REPORT_MIN_SUMMARY > budget);
    enum vm_status st;

    st = render_budget(r, trailer && budget ? budget - tlen : budget, out);
    if (trailer)
        vm_buf_append(out, r->trailer);
    return st;
}

/* The output without the trailer, within `budget`. */
static enum vm_status render_budget(struct vm_report *r, size_t budget, struct vm_buf *out)
{
    struct render x;
    size_t start = out->len, nl, np, head, note;
    bool ellipsis = false;
    char text[160] = "";

    memset(&x, 0, sizeof(x));
    if (render_build(r, &x) < 0)
        goto oom;

    /* Drop long-output lines from the end, then entries from the end. */
    nl = x.nlines;
    np = x.nperf;
    head = x.head.len;
    note = 0;
    while (budget &&
           (note = trim_note(text, sizeof(text), budget, x.nlines - nl, x.nperf - np),
            render_size(&x, head, nl, np, note) > budget) &&
           (nl || np)) {
        if (nl)
            nl--;
        else
            np--;
    }
    if (budget && render_size(&x, head, 0, 0, note) > budget) {
        /* Not even the bare summary fits beside the note (everything else
         * is gone by now). The summary matters more: a short note, or
         * none, and if need be the summary is cut at a character boundary,
         * marked with "...". */
        note = strlen(strcpy(text, "[output trimmed]\n"));
        if (render_size(&x, head, 0, 0, note) > budget)
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
    for (size_t k = 0; k < np; k++) {
        size_t from = k ? x.perf_end[k - 1] : 0;

        vm_buf_append(out, k ? " " : " | ");
        vm_buf_append_len(out, x.perf.s + from, x.perf_end[k] - from);
    }
    vm_buf_append(out, "\n");
    vm_buf_append_len(out, vm_buf_str(&x.lines), nl ? x.line_end[nl - 1] : 0);
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
