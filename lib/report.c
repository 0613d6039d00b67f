/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report: the items of a run, their metrics, notes and skips (render.c
 * turns them into output). */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "report.h"

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
    free(r->judged);
    free(r->remark);
    for (size_t i = 0; i < r->nskip; i++)
        free(r->skip[i].why);
    free(r->skip);
    r->skip = NULL;
    r->nskip = 0;
    r->judged = NULL;
    r->remark = NULL;
    r->th = NULL;
    r->nth = 0;
    r->remark_status = VM_OK;
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
    it->rep = r;
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
    /* the figure's own name where it has a label (read_latency under a
     * shared latency threshold), else the threshold's */
    const char *name = m->label && m->nlabel ? m->label[m->nlabel - 1] : m->metric ? m->metric : "";
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
    b->text = limit == &m->th->crit ? m->th->crit_text : m->th->warn_text;
    /* A size figure is judged in percent unless the range is a size. */
    b->uom = limit->unit == VM_UNIT_BYTES                                ? "B"
             : limit->unit == VM_UNIT_PERCENT || m->total > 0            ? "%"
             : m->uom && strcmp(m->uom, "B") != 0 && strcmp(m->uom, "c") ? m->uom
                                                                         : "";
    b->status = st;
    it->nbreach++;
}

void vm_report_thresholds(struct vm_report *r, const struct vm_thresh *th, size_t n)
{
    free(r->judged);
    r->judged = n ? vm_calloc(n, sizeof(*r->judged)) : NULL;
    r->th = r->judged ? th : NULL;
    r->nth = r->judged ? n : 0;
    if (n && !r->judged)
        r->oom = true;
}

bool vm_report_judged(const struct vm_report *r, size_t i)
{
    return i < r->nth && r->judged[i];
}

/* th met a figure: mark it when it is one of the run's pairs. */
static void item_judged(struct vm_item *it, const struct vm_thresh *th)
{
    const struct vm_report *r = it->rep;

    if (r && r->nth && th >= r->th && th < r->th + r->nth)
        r->judged[th - r->th] = true;
}

void vm_report_remark(struct vm_report *r, enum vm_status st, const char *text)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_report_clean_text(&b, text);
    free(r->remark);
    r->remark = vm_buf_steal(&b);
    r->remark_status = r->remark ? st : VM_OK;
    if (!r->remark)
        r->oom = true;
}

void vm_report_skip(struct vm_report *r, const char *why)
{
    bool failed = false;
    size_t i;

    for (i = 0; i < r->nskip; i++)
        if (strcmp(r->skip[i].why, why) == 0)
            break;
    if (i == r->nskip) {
        r->skip = grow(r->skip, r->nskip, sizeof(*r->skip), &failed);
        if (failed || !(r->skip[i].why = vm_strdup(why))) {
            r->oom = true;
            return;
        }
        r->skip[r->nskip++].n = 0;
    }
    r->skip[i].n++;
}

void vm_report_skipped(const struct vm_report *r, struct vm_buf *out)
{
    for (size_t i = 0; i < r->nskip; i++) {
        vm_buf_printf(out, "%s%zu ", i ? ", " : "", r->skip[i].n);
        vm_report_clean_text(out, r->skip[i].why);
    }
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
        item_judged(it, m->th);
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
void vm_report_trailer(struct vm_report *r, const char *line)
{
    free(r->trailer);
    r->trailer = line && *line ? vm_strdup(line) : NULL; /* on failure: no trailer */
}
