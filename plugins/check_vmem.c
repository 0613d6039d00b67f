/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vmem: guest memory usage from virtio-balloon statistics. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "domxml.h"

/* Stats older than this are questioned; beyond it, the domain's own stats
 * period decides (3 periods), so a slow period is not called stale. */
#define VMEM_STALE_FLOOR_S 30

enum vmem_basis { VMEM_BASIS_AUTO, VMEM_BASIS_USABLE, VMEM_BASIS_FREE };
enum { VMEM_OPT_BASIS, VMEM_OPT_MAX_AGE };
enum { VMEM_USED, VMEM_RSS };

struct vmem_opts {
    enum vmem_basis basis;
    long max_age_s; /* -1 = auto, 0 = off */
};

static const struct vm_metric_def vmem_metrics[] = {
    [VMEM_USED] = {"used", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                   "guest memory in use: percent of `available` (-w 80), "
                   "or a size (-w 6GiB)"},
    [VMEM_RSS] = {"rss", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                  "host memory the QEMU process holds: percent of the "
                  "domain's maximum memory, or a size",
                  NULL, "the driver gives no rss or maximum memory"},
};

static const struct vm_opt_def vmem_opts_def[] = {
    {"basis", 0, true, "usable|free",
     "usable: used = available - usable (the guest's MemAvailable; page "
     "cache is not \"used\"); free: used = available - unused (MemFree).\n"
     "Default: usable, or free when the guest does not report usable",
     VMEM_OPT_BASIS},
    {"max-age", 0, true, "SECONDS",
     "stats older than this are stale (UNKNOWN); 0 = never stale. "
     "Default: 3 stats periods, at least 30 s",
     VMEM_OPT_MAX_AGE},
};

static int vmem_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vmem_opts *o = ctx;
    unsigned long long u;

    switch (key) {
    case VMEM_OPT_BASIS:
        if (strcasecmp(arg, "usable") == 0)
            o->basis = VMEM_BASIS_USABLE;
        else if (strcasecmp(arg, "free") == 0)
            o->basis = VMEM_BASIS_FREE;
        else
            return vm_err_set(err, "invalid --basis '%s': use usable or free", arg);
        return 0;
    case VMEM_OPT_MAX_AGE:
        if (vm_parse_uint(arg, 0, 365ull * 86400, &u, "--max-age", err) < 0)
            return -1;
        o->max_age_s = (long)u;
        return 0;
    }
    return vm_err_set(err, "internal error: unknown option");
}

/* Why is `available` missing? The domain XML tells (read-only is fine). */
static void vmem_explain_missing(const struct vm_eval *ev, struct vm_report *rep)
{
    struct vm_err err = {""};
    const struct vm_domxml *x = vm_eval_domxml(ev, &err);

    if (!x) {
        vm_eval_nodata(
            ev, rep, "the guest reports no memory statistics (domain XML unreadable: %s)", err.msg);
    } else if (x->balloon != VM_BALLOON_PRESENT) {
        vm_eval_nodata(ev, rep,
                       "no memory stats: the domain has no balloon device "
                       "(memballoon model='none'); add <memballoon model='virtio'>"
                       "<stats period='10'/></memballoon> to the domain XML");
    } else if (x->stats_period == 0) {
        vm_eval_nodata(ev, rep,
                       "no memory stats: balloon stats period is not set; run "
                       "'virsh dommemstat %s --period 10 --live --config' or add "
                       "<stats period='10'/> inside <memballoon>",
                       ev->name);
    } else {
        struct vm_buf p = VM_BUF_INIT;

        vm_human_duration(&p, x->stats_period);
        vm_eval_nodata(ev, rep,
                       "no memory stats although the stats period is %s: the guest's "
                       "virtio balloon driver is not reporting (Linux: load virtio_balloon; "
                       "Windows: install virtio-win and start the Balloon service BLNSVR)",
                       vm_buf_str(&p));
        vm_buf_clear(&p);
    }
}

/* Stale stats: returns the age limit broken, or 0 when fresh. *period is
 * the domain's stats period when the XML was read for it, else -1. */
static long vmem_stale(const struct vm_eval *ev, const struct vmem_opts *o, long age, long *period)
{
    const struct vm_domxml *x;
    long limit;

    *period = -1;
    if (o->max_age_s == 0 || age <= (o->max_age_s > 0 ? o->max_age_s : VMEM_STALE_FLOOR_S))
        return 0;
    /* Only an old figure costs the XML round trip: it tells a guest that
     * stopped reporting from one that was never asked to (no period: the
     * driver reports once when it loads, and the figure then freezes). */
    limit = o->max_age_s > 0 ? o->max_age_s : VMEM_STALE_FLOOR_S;
    if ((x = vm_eval_domxml(ev, NULL)) && x->balloon == VM_BALLOON_PRESENT) {
        *period = (long)x->stats_period;
        if (o->max_age_s < 0 && 3L * x->stats_period > limit)
            limit = 3L * x->stats_period;
    }
    return age > limit ? limit : 0;
}

/* A balloon figure as perfdata, when the guest reports it: sizes (KiB
 * from libvirt) in bytes, counters as c. */
static void vmem_perf(struct vm_item *it, const char *name, const char *metric,
                      const struct vm_bal_stats *b, enum vm_bal_field f, bool counter)
{
    const char *parts[] = {name, metric};
    struct vm_metric_out m = {
        .label = parts, .nlabel = 2, .uom = counter ? "c" : "B", .min = 0, .max = NAN};

    m.value = !VM_HAS(*b, f) ? NAN : counter ? (double)b->v[f] : (double)b->v[f] * 1024.0;
    vm_item_metric(it, &m);
}

/* Stale stats: UNKNOWN, saying how old they are and why that may be. */
static void vmem_stale_nodata(const struct vm_eval *ev, struct vm_report *rep, long age, long limit,
                              long period)
{
    struct vm_buf a = VM_BUF_INIT, l = VM_BUF_INIT;

    vm_human_duration(&a, (double)age);
    vm_human_duration(&l, (double)limit);
    if (period == 0)
        vm_eval_nodata(ev, rep,
                       "memory stats are stale: last updated %s ago, once when the "
                       "guest's balloon driver loaded, because the balloon stats period is "
                       "not set; run 'virsh dommemstat %s --period 10 --live --config' or add "
                       "<stats period='10'/> inside <memballoon>",
                       vm_buf_str(&a), ev->name);
    else
        vm_eval_nodata(ev, rep,
                       "memory stats are stale: last updated %s ago (limit %s); the "
                       "guest stopped reporting or stats polling was switched off "
                       "(--max-age changes the limit)",
                       vm_buf_str(&a), vm_buf_str(&l));
    vm_buf_clear(&a);
    vm_buf_clear(&l);
}

static void vmem_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vmem_opts *o = ev->ctx;
    const struct vm_bal_stats *b = &ev->cur->balloon;
    const struct vm_thresh *th = ev->cli->th;
    struct vm_buf figs = VM_BUF_INIT;
    struct vm_item *it;
    bool usable;
    double avail, used, pct;
    long age, limit, period;

    if (!VM_HAS(*b, VM_BAL_AVAILABLE) || b->v[VM_BAL_AVAILABLE] == 0) {
        vmem_explain_missing(ev, rep);
        return;
    }
    usable = o->basis == VMEM_BASIS_USABLE ||
             (o->basis == VMEM_BASIS_AUTO && VM_HAS(*b, VM_BAL_USABLE));
    if (!VM_HAS(*b, usable ? VM_BAL_USABLE : VM_BAL_UNUSED)) {
        vm_eval_nodata(ev, rep, "the guest reports no '%s' memory figure for --basis=%s",
                       usable ? "usable" : "unused", usable ? "usable" : "free");
        return;
    }
    if (VM_HAS(*b, VM_BAL_LAST_UPDATE)) {
        age = b->v[VM_BAL_LAST_UPDATE] == 0 ? -1
                                            : (long)(ev->now - (time_t)b->v[VM_BAL_LAST_UPDATE]);
        if (age < 0 && b->v[VM_BAL_LAST_UPDATE] == 0) {
            vm_eval_nodata(ev, rep,
                           "the guest has not reported memory stats yet (last-update is 0)");
            return;
        }
        limit = vmem_stale(ev, o, age, &period);
        if (limit) {
            vmem_stale_nodata(ev, rep, age, limit, period);
            return;
        }
    }

    avail = (double)b->v[VM_BAL_AVAILABLE] * 1024.0;
    /* Guard the unsigned subtraction: a guest can report usable > total
     * for a moment while the balloon moves. */
    {
        uint64_t a = b->v[VM_BAL_AVAILABLE], f = b->v[usable ? VM_BAL_USABLE : VM_BAL_UNUSED];
        used = f >= a ? 0.0 : (double)(a - f) * 1024.0;
    }
    pct = 100.0 * used / avail;
    it = vm_report_add(rep, VM_OK, ev->name);
    if (!it)
        return;
    {
        /* One threshold pair, shown in bytes on `used` and in percent on
         * used_pct (judged once, on `used`). */
        const char *used_l[] = {ev->name, "used"}, *pct_l[] = {ev->name, "used_pct"};
        struct vm_metric_out m_used = {.label = used_l,
                                       .nlabel = 2,
                                       .value = used,
                                       .uom = "B",
                                       .th = &th[VMEM_USED],
                                       .min = 0,
                                       .max = avail,
                                       .total = avail};
        struct vm_metric_out m_pct = {.label = pct_l,
                                      .nlabel = 2,
                                      .value = pct,
                                      .uom = "%",
                                      .th = &th[VMEM_USED],
                                      .min = 0,
                                      .max = 100,
                                      .total = avail,
                                      .bytes = used,
                                      .show_only = true};

        vm_item_metric(it, &m_used);
        vm_item_metric(it, &m_pct);
    }
    if (VM_HAS(*b, VM_BAL_RSS) && VM_HAS(*b, VM_BAL_MAXIMUM) && b->v[VM_BAL_MAXIMUM] > 0) {
        /* judged against the maximum; its perfdata is the plain figure below */
        struct vm_metric_out m_rss = {.metric = "rss",
                                      .value = (double)b->v[VM_BAL_RSS] * 1024.0,
                                      .uom = "B",
                                      .th = &th[VMEM_RSS],
                                      .total = (double)b->v[VM_BAL_MAXIMUM] * 1024.0};

        vm_item_metric(it, &m_rss);
    }
    vmem_perf(it, ev->name, "available", b, VM_BAL_AVAILABLE, false);
    vmem_perf(it, ev->name, "unused", b, VM_BAL_UNUSED, false);
    vmem_perf(it, ev->name, "usable", b, VM_BAL_USABLE, false);
    vmem_perf(it, ev->name, "disk_caches", b, VM_BAL_DISK_CACHES, false);
    vmem_perf(it, ev->name, "rss", b, VM_BAL_RSS, false);
    vmem_perf(it, ev->name, "actual", b, VM_BAL_CURRENT, false);
    vmem_perf(it, ev->name, "swap_in", b, VM_BAL_SWAP_IN, true);
    vmem_perf(it, ev->name, "swap_out", b, VM_BAL_SWAP_OUT, true);
    vmem_perf(it, ev->name, "major_fault", b, VM_BAL_MAJOR_FAULT, true);

    /* "97.7% used (3.91 GiB of 4.00 GiB": the same figures in both */
    vm_human_pct(&figs, pct);
    vm_buf_append(&figs, " used (");
    vm_human_bytes_pair(&figs, used, " of ", avail);
    vm_item_brief(it, "%s, basis %s)", vm_buf_str(&figs), usable ? "usable" : "free");
    vm_item_detail(it, "%s, basis %s%s)%s", vm_buf_str(&figs), usable ? "usable" : "free",
                   o->basis == VMEM_BASIS_AUTO && !usable ? ": guest reports no usable figure" : "",
                   ev->paused ? "; domain is paused, figures are from before the pause" : "");
    vm_buf_clear(&figs);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vmem_opts opts = {VMEM_BASIS_AUTO, -1};
    const struct vm_plugin plugin = {
        .def =
            {
                .name = "check_vmem",
                .service = "VMEM",
                .purpose = "Check guest memory usage of KVM/QEMU domains from virtio-balloon\n"
                           "statistics (virsh dommemstat), over a read-only libvirt connection.\n"
                           "Thresholds are percent of the guest's `available` memory unless\n"
                           "given as sizes (B, K/KiB, M/MiB, G/GiB, T/TiB; 1024-based).",
                .notes = "The guest must report balloon stats: a virtio <memballoon> with\n"
                         "<stats period='10'/> (or 'virsh dommemstat DOMAIN --period 10 --live'),\n"
                         "and the balloon driver in the guest (Windows: the BLNSVR service).\n"
                         "Without them the answer is UNKNOWN and says which part is missing.",
                .example = "command[check_vmem]=/usr/lib/nagios/plugins/check_vmem "
                           "--all -w 85 -c 95",
                .metrics = vmem_metrics,
                .nmetrics = sizeof(vmem_metrics) / sizeof(vmem_metrics[0]),
                .opts = vmem_opts_def,
                .nopts = sizeof(vmem_opts_def) / sizeof(vmem_opts_def[0]),
                .rates = false,
                .groups = VM_GROUP_STATE | VM_GROUP_BALLOON,
            },
        .ctx = &opts,
        .opt = vmem_opt,
        .evaluate = vmem_evaluate,
    };

    return vm_plugin_main(&plugin, argc, argv);
}
#endif
