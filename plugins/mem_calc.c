/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mem_calc: check_vmem's pressure, limit and balloon arithmetic. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "human.h"
#include "mem_calc.h"
#include "sample.h"

double vm_mem_used(const struct vm_bal_stats *b, bool usable)
{
    uint64_t a = b->v[VM_BAL_AVAILABLE], f = b->v[usable ? VM_BAL_USABLE : VM_BAL_UNUSED];

    /* Guard the unsigned subtraction: a guest can report usable > total
     * for a moment while the balloon moves. */
    return f >= a ? 0.0 : (double)(a - f) * 1024.0;
}

void vm_mem_rates_compute(const struct vm_bal_stats *prev, const struct vm_bal_stats *cur,
                          double elapsed_s, struct vm_mem_rates *out)
{
    static const enum vm_bal_field fields[VM_MEM_NRATES] = {
        [VM_MEM_SWAP_IN] = VM_BAL_SWAP_IN,
        [VM_MEM_SWAP_OUT] = VM_BAL_SWAP_OUT,
        [VM_MEM_SWAP] = VM_BAL_NR, /* derived */
        [VM_MEM_MAJFLT] = VM_BAL_MAJOR_FAULT,
        [VM_MEM_HUGETLB_PGFAIL] = VM_BAL_HUGETLB_PGFAIL,
    };
    unsigned k;

    for (k = 0; k < VM_MEM_NRATES; k++)
        out->v[k] = NAN;
    out->why = VM_MEM_RATES_OK;
    out->elapsed_s = elapsed_s;
    if (VM_HAS(*prev, VM_BAL_LAST_UPDATE) && VM_HAS(*cur, VM_BAL_LAST_UPDATE) &&
        prev->v[VM_BAL_LAST_UPDATE] && cur->v[VM_BAL_LAST_UPDATE]) {
        if (cur->v[VM_BAL_LAST_UPDATE] <= prev->v[VM_BAL_LAST_UPDATE]) {
            out->why = VM_MEM_RATES_NO_UPDATE;
            return;
        }
        out->elapsed_s = (double)(cur->v[VM_BAL_LAST_UPDATE] - prev->v[VM_BAL_LAST_UPDATE]);
    }
    for (k = 0; k < VM_MEM_NRATES; k++) {
        enum vm_bal_field f = fields[k];

        if (f == VM_BAL_NR || !VM_HAS(*prev, f) || !VM_HAS(*cur, f))
            continue;
        if (cur->v[f] < prev->v[f]) {
            for (k = 0; k < VM_MEM_NRATES; k++)
                out->v[k] = NAN;
            out->why = VM_MEM_RATES_RESET;
            return;
        }
        vm_rate(prev->v[f], cur->v[f], out->elapsed_s, &out->v[k]);
    }
    out->v[VM_MEM_SWAP_IN] *= 1024.0; /* KiB; NAN stays NAN */
    out->v[VM_MEM_SWAP_OUT] *= 1024.0;
    out->v[VM_MEM_SWAP] = out->v[VM_MEM_SWAP_IN] + out->v[VM_MEM_SWAP_OUT];
}

int vm_mem_limit_pick(const struct vm_memtune *mt, uint64_t rss_kib, struct vm_mem_limit *out)
{
    out->name = NULL;
    out->limit_b = out->pct = NAN;
    out->rss_b = (double)rss_kib * 1024.0;
    if (mt->hard_limit && (!mt->soft_limit || mt->hard_limit <= mt->soft_limit)) {
        out->name = "hard_limit";
        out->limit_b = (double)mt->hard_limit;
    } else if (mt->soft_limit) {
        out->name = "soft_limit";
        out->limit_b = (double)mt->soft_limit;
    } else {
        return -1;
    }
    out->pct = 100.0 * out->rss_b / out->limit_b;
    return 0;
}

/* The balloon figures in perfdata order: the sizes (KiB from libvirt)
 * first, then MEM_NCOUNTERS counters. */
static const struct {
    enum vm_bal_field field;
    const char *label;
} mem_figs[] = {
    {VM_BAL_AVAILABLE, "available"},     {VM_BAL_UNUSED, "unused"},   {VM_BAL_USABLE, "usable"},
    {VM_BAL_DISK_CACHES, "disk_caches"}, {VM_BAL_RSS, "rss"},         {VM_BAL_CURRENT, "actual"},
    {VM_BAL_MAXIMUM, "maximum"},         {VM_BAL_SWAP_IN, "swap_in"}, {VM_BAL_SWAP_OUT, "swap_out"},
    {VM_BAL_MAJOR_FAULT, "major_fault"}};
#define MEM_NCOUNTERS 3
_Static_assert(sizeof(mem_figs) / sizeof(mem_figs[0]) == VM_MEM_NFIGS, "VM_MEM_NFIGS");

size_t vm_mem_balloon_figs(const struct vm_bal_stats *b, struct vm_mem_fig *out)
{
    size_t n = 0;

    for (size_t k = 0; k < VM_MEM_NFIGS; k++) {
        enum vm_bal_field f = mem_figs[k].field;
        bool counter = k >= VM_MEM_NFIGS - MEM_NCOUNTERS;

        if (VM_HAS(*b, f))
            out[n++] = (struct vm_mem_fig){
                mem_figs[k].label, (double)b->v[f] * (counter ? 1 : 1024.0), counter ? "c" : "B"};
    }
    return n;
}

double vm_mem_balloon_held(const struct vm_bal_stats *b)
{
    if (!VM_HAS(*b, VM_BAL_CURRENT) || !VM_HAS(*b, VM_BAL_MAXIMUM) ||
        b->v[VM_BAL_CURRENT] >= b->v[VM_BAL_MAXIMUM])
        return 0;
    return (double)(b->v[VM_BAL_MAXIMUM] - b->v[VM_BAL_CURRENT]) * 1024.0;
}

void vm_mem_rates_describe(struct vm_buf *out, const struct vm_mem_rates *r)
{
    if (r->why == VM_MEM_RATES_RESET) {
        vm_buf_append(out, "pressure rates from the next check (counters went back: the "
                           "guest restarted)");
        return;
    }
    if (r->why == VM_MEM_RATES_NO_UPDATE) {
        vm_buf_append(out, "pressure rates not known: the guest has not reported since the "
                           "previous sample");
        return;
    }
    vm_buf_append(out, "swap ");
    if (isnan(r->v[VM_MEM_SWAP])) {
        vm_buf_append(out, "not reported");
    } else {
        vm_human_rate(out, r->v[VM_MEM_SWAP_IN]);
        vm_buf_append(out, " in, ");
        vm_human_rate(out, r->v[VM_MEM_SWAP_OUT]);
        vm_buf_append(out, " out");
    }
    if (isnan(r->v[VM_MEM_MAJFLT]))
        vm_buf_append(out, ", major faults not reported");
    else
        vm_buf_printf(out, ", %.1f major faults/s", r->v[VM_MEM_MAJFLT]);
    if (isnan(r->v[VM_MEM_HUGETLB_PGFAIL]))
        vm_buf_append(out, ", hugetlb_pgfail not reported");
    else
        vm_buf_printf(out, ", %.1f failed hugepage allocations/s", r->v[VM_MEM_HUGETLB_PGFAIL]);
    vm_buf_append(out, " (over ");
    vm_human_duration(out, r->elapsed_s);
    vm_buf_append(out, " of guest reports)");
}

void vm_mem_limit_describe(struct vm_buf *out, const struct vm_mem_limit *l)
{
    vm_buf_append(out, "rss ");
    vm_human_bytes(out, l->rss_b);
    vm_buf_append(out, " = ");
    vm_human_pct(out, l->pct);
    vm_buf_printf(out, " of %s ", l->name);
    vm_human_bytes(out, l->limit_b);
}

bool vm_mem_balloon_describe(struct vm_buf *out, const struct vm_bal_stats *b)
{
    double held = vm_mem_balloon_held(b);

    if (!(held > 0))
        return false;
    vm_buf_append(out, "balloon holds ");
    vm_human_bytes_pair(out, held, " of ", (double)b->v[VM_BAL_MAXIMUM] * 1024.0);
    vm_buf_append(out, " back");
    return true;
}

void vm_mem_why_missing(struct vm_buf *out, const struct vm_domxml *x, const char *xml_err,
                        const char *name)
{
    if (!x) {
        vm_buf_printf(out, "the guest reports no memory statistics (domain XML unreadable: %s)",
                      xml_err);
    } else if (x->balloon != VM_BALLOON_PRESENT) {
        vm_buf_append(out, "no memory stats: the domain has no balloon device "
                           "(memballoon model='none'); add <memballoon model='virtio'>"
                           "<stats period='10'/></memballoon> to the domain XML");
    } else if (x->stats_period == 0) {
        vm_buf_printf(out,
                      "no memory stats: balloon stats period is not set; run "
                      "'virsh dommemstat %s --period 10 --live --config' or add "
                      "<stats period='10'/> inside <memballoon>",
                      name);
    } else {
        vm_buf_append(out, "no memory stats although the stats period is ");
        vm_human_duration(out, x->stats_period);
        vm_buf_append(out, ": the guest's virtio balloon driver is not reporting (Linux: load "
                           "virtio_balloon; Windows: install virtio-win and start the Balloon "
                           "service BLNSVR)");
    }
}

long vm_mem_stale_limit(long max_age_s, long floor_s, long age, const struct vm_domxml *x,
                        long *period)
{
    long limit = max_age_s > 0 ? max_age_s : floor_s;

    /* The XML tells a guest that stopped reporting from one that was
     * never asked to (no period: the driver reports once when it loads,
     * and the figure then freezes). */
    *period = -1;
    if (x && x->balloon == VM_BALLOON_PRESENT) {
        *period = (long)x->stats_period;
        if (max_age_s < 0 && 3L * x->stats_period > limit)
            limit = 3L * x->stats_period;
    }
    return age > limit ? limit : 0;
}

void vm_mem_rates_pending(struct vm_buf *out, bool no_state, const char *note)
{
    if (no_state) {
        vm_buf_append(out, "; no pressure rates with --no-state (--pressure measures them in-run)");
        return;
    }
    vm_buf_append(out, "; pressure rates from the next check");
    if (note && strcmp(note, "no previous sample") != 0)
        vm_buf_printf(out, " (%s)", note);
}

void vm_mem_why_stale(struct vm_buf *out, long age, long limit, long period, const char *name)
{
    vm_buf_append(out, "memory stats are stale: last updated ");
    vm_human_duration(out, (double)age);
    if (period == 0) {
        vm_buf_printf(out,
                      " ago, once when the guest's balloon driver loaded, because the balloon "
                      "stats period is not set; run 'virsh dommemstat %s --period 10 --live "
                      "--config' or add <stats period='10'/> inside <memballoon>",
                      name);
        return;
    }
    vm_buf_append(out, " ago (limit ");
    vm_human_duration(out, (double)limit);
    vm_buf_append(out, "); the guest stopped reporting or stats polling was switched off "
                       "(--max-age changes the limit)");
}
