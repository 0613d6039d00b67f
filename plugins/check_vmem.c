/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vmem: guest memory usage from virtio-balloon statistics. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "common.h"
#include "domxml.h"
#include "mem_calc.h"

/* Stats older than this are questioned; beyond it, the domain's own stats
 * period decides (3 periods), so a slow period is not called stale. */
#define VMEM_STALE_FLOOR_S 30

enum vmem_basis { VMEM_BASIS_AUTO, VMEM_BASIS_USABLE, VMEM_BASIS_FREE };
enum { VMEM_OPT_BASIS, VMEM_OPT_MAX_AGE, VMEM_OPT_PRESSURE };
/* The pressure metrics are in enum vm_mem_rate's order, from VMEM_SWAP_IN. */
enum {
    VMEM_USED,
    VMEM_RSS,
    VMEM_LIMIT,
    VMEM_SWAP_IN,
    VMEM_SWAP_OUT,
    VMEM_SWAP,
    VMEM_MAJFLT,
    VMEM_HUGETLB_PGFAIL
};

struct vmem_opts {
    enum vmem_basis basis;
    long max_age_s; /* -1 = auto, 0 = off */
    bool pressure;  /* --pressure: the rates even when it takes an in-run sample */
};

#define VMEM_RATE_ABSENT                                                                           \
    "the guest reports no such counter, or it did not report between the two samples"

static const struct vm_metric_def vmem_metrics[] = {
    [VMEM_USED] = {"used", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                   "guest memory in use: percent of `available` (-w 80), "
                   "or a size (-w 6GiB)"},
    [VMEM_RSS] = {"rss", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                  "host memory the QEMU process holds: percent of the "
                  "domain's maximum memory, or a size",
                  NULL, "the driver gives no rss or maximum memory"},
    [VMEM_LIMIT] = {"limit", VM_RANGE_ALLOW_PERCENT,
                    "rss in % of the tightest memtune limit (hard/soft)", NULL,
                    "no memtune limit: the domain sets no hard_limit or soft_limit"},
    [VMEM_SWAP_IN] = {"swap_in", VM_RANGE_ALLOW_SIZE, "bytes per second the guest swaps in", NULL,
                      VMEM_RATE_ABSENT},
    [VMEM_SWAP_OUT] = {"swap_out", VM_RANGE_ALLOW_SIZE, "bytes per second the guest swaps out",
                       NULL, VMEM_RATE_ABSENT},
    [VMEM_SWAP] = {"swap", VM_RANGE_ALLOW_SIZE, "swap_in + swap_out, bytes per second (-w 1MiB)",
                   NULL, VMEM_RATE_ABSENT},
    [VMEM_MAJFLT] = {"majflt", 0, "major page faults (read from disk) per second", NULL,
                     VMEM_RATE_ABSENT},
    [VMEM_HUGETLB_PGFAIL] = {"hugetlb_pgfail", 0, "failed hugepage allocations per second", NULL,
                             VMEM_RATE_ABSENT},
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
    {"pressure", 0, false, NULL,
     "report swap, major fault and hugetlb rates even when there is no "
     "previous sample: then the check samples twice (--interval apart). "
     "A threshold on them implies it. Without either the rates come from "
     "the previous check's sample only",
     VMEM_OPT_PRESSURE},
};

static int vmem_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vmem_opts *o = ctx;
    unsigned long long u;
    int c;

    switch (key) {
    case VMEM_OPT_BASIS: /* the words in enum vmem_basis's order, after auto */
        if ((c = vm_opt_choice("--basis", arg, (const char *[]){"usable", "free"}, 2, err)) < 0)
            return -1;
        o->basis = (enum vmem_basis)(VMEM_BASIS_USABLE + c);
        return 0;
    case VMEM_OPT_MAX_AGE:
        if (vm_parse_uint(arg, 0, 365ull * 86400, &u, "--max-age", err) < 0)
            return -1;
        o->max_age_s = (long)u;
        return 0;
    case VMEM_OPT_PRESSURE:
        o->pressure = true;
        return 0;
    }
    return vm_err_set(err, "internal error: unknown option");
}

/* Stale stats: returns the age limit broken, or 0 when fresh. *period is
 * the domain's stats period when the XML was read for it, else -1. Only
 * an old figure costs the XML round trip (vm_mem_stale_limit says why). */
static long vmem_stale(const struct vm_eval *ev, const struct vmem_opts *o, long age, long *period)
{
    *period = -1;
    if (o->max_age_s == 0 || age <= (o->max_age_s > 0 ? o->max_age_s : VMEM_STALE_FLOOR_S))
        return 0;
    return vm_mem_stale_limit(o->max_age_s, VMEM_STALE_FLOOR_S, age, vm_eval_domxml(ev, NULL),
                              period);
}

/* Figure v as perfdata DOM:label (min 0), judged on metric mi (-1: not
 * judged); NAN: neither. */
static void vmem_fig(struct vm_item *it, const struct vm_eval *ev, const char *label, double v,
                     const char *uom, int mi)
{
    const char *parts[] = {ev->name, label};
    enum vm_status st = vm_eval_metric(it, ev, vmem_metrics, parts, 2, v, uom, mi, NAN, false);
    struct vm_buf w = VM_BUF_INIT;

    if (st == VM_OK || mi < 0 || isnan(v))
        return;
    /* The summary names the broken figure ("swap_Bps 5.74 MiB/s"), not the used one. */
    if (mi <= VMEM_SWAP && *uom != '%')
        vm_human_rate(&w, v);
    else
        vm_buf_printf(&w, *uom == '%' ? "%.1f%%" : "%.1f/s", v);
    vm_item_note(it, st, "%s %s", label, vm_buf_str(&w));
    vm_buf_clear(&w);
}

/* Sample twice in this run only when the pressure rates are asked for. */
static bool vmem_in_run(void *ctx, const struct vm_cli *cli)
{
    const struct vmem_opts *o = ctx;

    for (int m = VMEM_LIMIT + 1; !o->pressure && m <= VMEM_HUGETLB_PGFAIL; m++)
        if (vm_thresh_is_set(&cli->th[m]))
            return true;
    return o->pressure;
}

/* -t bounds --interval only when this run may take the in-run sample. */
static int vmem_validate(void *ctx, const struct vm_cli *cli, struct vm_err *err)
{
    return vmem_in_run(ctx, cli) ? vm_cli_check_interval(cli, err) : 0;
}

/* The pressure rates: judged, as perfdata, and in the detail (`d`). */
static void vmem_pressure(const struct vm_eval *ev, struct vm_item *it, struct vm_buf *d)
{
    static const char *const labels[VM_MEM_NRATES] = {"swap_in_Bps", "swap_out_Bps", "swap_Bps",
                                                      "majflt_ps", "hugetlb_pgfail_ps"};
    const struct vm_rate_pair *p = ev->pair;
    struct vm_mem_rates r;

    if (!p) /* no sampling behind this evaluation */
        return;
    if (!p->prev) {
        vm_mem_rates_pending(d, ev->cli->no_state, p->note);
        return;
    }
    vm_mem_rates_compute(&p->prev->balloon, &p->cur->balloon, p->elapsed_s, &r);
    for (unsigned k = 0; r.why == VM_MEM_RATES_OK && k < VM_MEM_NRATES; k++)
        vmem_fig(it, ev, labels[k], r.v[k], "", VMEM_SWAP_IN + (int)k);
    vm_buf_append(d, "; ");
    vm_mem_rates_describe(d, &r);
}

/* RSS against the <memtune> limit: only when a threshold asks, as the
 * XML costs a libvirt call. */
static void vmem_limit(const struct vm_eval *ev, struct vm_item *it, struct vm_buf *d)
{
    const struct vm_bal_stats *b = &ev->cur->balloon;
    const struct vm_thresh *t = &ev->cli->th[VMEM_LIMIT];
    struct vm_err err = {""};
    const struct vm_domxml *x;
    struct vm_mem_limit l;

    if (!vm_thresh_is_set(t))
        return;
    if (!VM_HAS(*b, VM_BAL_RSS)) {
        vm_buf_append(d, "; limit not judged: the driver gives no rss");
    } else if (!(x = vm_eval_domxml(ev, &err))) {
        vm_buf_printf(d, "; limit not judged: %s", err.msg);
    } else if (vm_mem_limit_pick(&x->memtune, b->v[VM_BAL_RSS], &l) < 0) {
        vm_buf_append(d, "; no memtune limit");
    } else {
        vmem_fig(it, ev, "limit", l.pct, "%", VMEM_LIMIT);
        vm_buf_append(d, "; ");
        vm_mem_limit_describe(d, &l);
    }
}

static void vmem_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vmem_opts *o = ev->ctx;
    const struct vm_bal_stats *b = &ev->cur->balloon;
    const struct vm_thresh *th = ev->cli->th;
    struct vm_buf figs = VM_BUF_INIT, more = VM_BUF_INIT;
    struct vm_mem_fig bal[VM_MEM_NFIGS];
    struct vm_err err = {""};
    struct vm_item *it;
    bool usable;
    double avail, used, pct;
    enum vm_status st_used;
    long age, limit, period;

    if (!VM_HAS(*b, VM_BAL_AVAILABLE) || b->v[VM_BAL_AVAILABLE] == 0) {
        /* why: the domain XML tells */
        vm_mem_why_missing(&more, vm_eval_domxml(ev, &err), err.msg, ev->name);
        goto nodata;
    }
    usable = o->basis == VMEM_BASIS_USABLE ||
             (o->basis == VMEM_BASIS_AUTO && VM_HAS(*b, VM_BAL_USABLE));
    if (!VM_HAS(*b, usable ? VM_BAL_USABLE : VM_BAL_UNUSED)) {
        vm_eval_nodata(ev, rep, "the guest reports no '%s' memory figure for --basis=%s",
                       usable ? "usable" : "unused", usable ? "usable" : "free");
        return;
    }
    if (VM_HAS(*b, VM_BAL_LAST_UPDATE)) {
        if (b->v[VM_BAL_LAST_UPDATE] == 0) {
            vm_eval_nodata(ev, rep,
                           "the guest has not reported memory stats yet (last-update is 0)");
            return;
        }
        age = (long)(ev->now - (time_t)b->v[VM_BAL_LAST_UPDATE]);
        limit = vmem_stale(ev, o, age, &period);
        if (limit) {
            vm_mem_why_stale(&more, age, limit, period, ev->name);
            goto nodata;
        }
    }

    avail = (double)b->v[VM_BAL_AVAILABLE] * 1024.0;
    used = vm_mem_used(b, usable);
    pct = 100.0 * used / avail;
    it = vm_report_add(rep, VM_OK, ev->name);
    if (!it)
        return;
    {
        /* One threshold pair, shown in bytes on `used` and in percent on
         * used_pct (judged once, on `used`). */
        const char *used_l[] = {ev->name, "used"}, *pct_l[] = {ev->name, "used_pct"};
        struct vm_metric_out m = {.label = used_l,
                                  .nlabel = 2,
                                  .value = used,
                                  .uom = "B",
                                  .th = &th[VMEM_USED],
                                  .min = 0,
                                  .max = avail,
                                  .total = avail};

        st_used = vm_item_metric(it, &m);
        m.label = pct_l;
        m.value = pct;
        m.uom = "%";
        m.max = 100;
        m.bytes = used;
        m.show_only = true;
        vm_item_metric(it, &m);
    }
    if (VM_HAS(*b, VM_BAL_RSS) && VM_HAS(*b, VM_BAL_MAXIMUM) && b->v[VM_BAL_MAXIMUM] > 0) {
        /* judged against the maximum; its perfdata is the plain figure below */
        struct vm_metric_out m_rss = {.metric = "rss",
                                      .value = (double)b->v[VM_BAL_RSS] * 1024.0,
                                      .uom = "B",
                                      .th = &th[VMEM_RSS],
                                      .total = (double)b->v[VM_BAL_MAXIMUM] * 1024.0};

        enum vm_status st = vm_item_metric(it, &m_rss);

        if (st != VM_OK) { /* named in the summary, like a pressure breach */
            vm_human_bytes(&figs, m_rss.value);
            vm_item_note(it, st, "rss %s", vm_buf_str(&figs));
            vm_buf_truncate(&figs, 0);
        }
    }
    for (size_t k = 0, n = vm_mem_balloon_figs(b, bal); k < n; k++)
        vmem_fig(it, ev, bal[k].label, bal[k].value, bal[k].uom, -1);
    vm_buf_append(&more, "; ");
    if (!vm_mem_balloon_describe(&more, b))
        vm_buf_clear(&more);
    vmem_limit(ev, it, &more);
    vmem_pressure(ev, it, &more);

    /* "97.7% used (3.91 GiB of 4.00 GiB": the same figures in both */
    vm_human_pct(&figs, pct);
    vm_buf_append(&figs, " used (");
    vm_human_bytes_pair(&figs, used, " of ", avail);
    /* The summary names a broken rss, limit or pressure figure when it,
     * not the used figure, makes the item's state. */
    if (it->why.len && it->why_status == it->status &&
        vm_status_rank(st_used) < vm_status_rank(it->status))
        vm_item_brief(it, "%s", vm_buf_str(&it->why));
    else
        vm_item_brief(it, "%s, basis %s)", vm_buf_str(&figs), usable ? "usable" : "free");
    vm_item_detail(it, "%s, basis %s%s)%s%s", vm_buf_str(&figs), usable ? "usable" : "free",
                   o->basis == VMEM_BASIS_AUTO && !usable ? ": guest reports no usable figure" : "",
                   ev->paused ? "; domain is paused, figures are from before the pause" : "",
                   vm_buf_str(&more));
    vm_buf_clear(&figs);
    vm_buf_clear(&more);
    return;
nodata:
    vm_eval_nodata(ev, rep, "%s", vm_buf_str(&more));
    vm_buf_clear(&more);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vmem_opts opts = {VMEM_BASIS_AUTO, -1, false};
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
                .rates = true, /* the pressure rates; vmem_in_run decides the wait */
                .rates_optional = true,
                .groups = VM_GROUP_STATE | VM_GROUP_BALLOON,
            },
        .ctx = &opts,
        .opt = vmem_opt,
        .validate = vmem_validate,
        .in_run = vmem_in_run,
        .evaluate = vmem_evaluate,
    };

    return vm_plugin_main(&plugin, argc, argv);
}
#endif
