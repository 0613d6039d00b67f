/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vcpu: guest CPU usage from two samples of libvirt's CPU counters. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "domxml.h"

#define NS_PER_S 1e9

enum { VCPU_USAGE, VCPU_CORES, VCPU_STEAL, VCPU_VCPU, VCPU_CAP };
enum { VCPU_OPT_PER_VCPU, VCPU_OPT_CAP };

struct vcpu_opts {
    bool per_vcpu;
    bool cap; /* read <cputune> from the domain XML */
};

static const struct vm_metric_def vcpu_metrics[] = {
    [VCPU_USAGE] = {"usage", VM_RANGE_ALLOW_PERCENT,
                    "CPU usage in % of the domain's vCPUs (100 = all busy)"},
    [VCPU_CORES] = {"cores", 0, "host cores in use (like top: 1.5 = one and a half)"},
    [VCPU_STEAL] = {"steal", VM_RANGE_ALLOW_PERCENT,
                    "% of time vCPUs were ready but waited for a host\n"
                    "                              CPU (vcpu.N.delay; needs bulk stats)"},
    [VCPU_VCPU] = {"vcpu", VM_RANGE_ALLOW_PERCENT, "usage of the busiest single vCPU, in %"},
    [VCPU_CAP] = {"cap", VM_RANGE_ALLOW_PERCENT,
                  "usage in % of the <cputune> quota/period limit, for "
                  "domains that have one (implies --cap)"},
};

static const struct vm_opt_def vcpu_opts_def[] = {
    {"per-vcpu", 0, false, NULL, "list every vCPU's usage (long output and perfdata)",
     VCPU_OPT_PER_VCPU},
    {"cap", 0, false, NULL,
     "read each domain's <cputune> quota and report usage against it "
     "(one more libvirt call per domain)",
     VCPU_OPT_CAP},
};

static int vcpu_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vcpu_opts *o = ctx;

    (void)arg;
    if (key == VCPU_OPT_PER_VCPU)
        o->per_vcpu = true;
    else if (key == VCPU_OPT_CAP)
        o->cap = true;
    else
        return vm_err_set(err, "internal error: unknown option");
    return 0;
}

static int vcpu_validate(void *ctx, const struct vm_cli *cli, struct vm_err *err)
{
    struct vcpu_opts *o = ctx;

    (void)err;
    if (cli->th[VCPU_CAP].has_warn || cli->th[VCPU_CAP].has_crit)
        o->cap = true;
    return 0;
}

/* The domain's CPU limit in cores from <cputune>, or 0 when it has none. */
static double vcpu_cap_cores(const struct vm_eval *ev, unsigned nvcpu)
{
    const struct vm_domxml *x = vm_eval_domxml(ev, NULL);
    double cores = 0;

    if (x && x->quota_us > 0) {
        /* libvirt's <quota> limits each vCPU thread per <period>
         * (default 100 ms). */
        double period = x->period_us ? (double)x->period_us : 100000.0;

        cores = (double)x->quota_us / period * (double)nvcpu;
    }
    return cores;
}

/* One figure of the item, judged against threshold `mi` (-1: none; with
 * show_only only shown) and in perfdata as DOM:label. */
static void vcpu_metric(struct vm_item *it, const struct vm_eval *ev, const char *label, double v,
                        const char *uom, int mi, double max, bool show_only)
{
    const char *parts[] = {ev->name, label};
    struct vm_metric_out m = {.metric = mi < 0 ? NULL : vcpu_metrics[mi].name,
                              .label = parts,
                              .nlabel = 2,
                              .value = v,
                              .uom = uom,
                              .th = mi < 0 ? NULL : &ev->cli->th[mi],
                              .min = 0,
                              .max = max,
                              .show_only = show_only};

    vm_item_metric(it, &m);
}

static void vcpu_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vcpu_opts *o = ev->ctx;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_dom_stats *a, *b;
    struct vm_buf detail = VM_BUF_INIT, how = VM_BUF_INIT;
    double cpu_ns, usage, cores, steal = NAN, busiest = NAN, user = NAN, sys = NAN, cap = NAN;
    double cap_cores = 0, v;
    unsigned nvcpu, busiest_n = 0, nsteal = 0;
    struct vm_item *it;
    size_t i;

    if (!pr || !pr->prev) {
        vm_eval_nodata(ev, rep, "no valid pair of samples: %s",
                       pr && pr->note ? pr->note : "no previous sample");
        return;
    }
    a = pr->prev;
    b = pr->cur;
    nvcpu = b->vcpu_current ? b->vcpu_current : (unsigned)b->nvcpu;
    if (VM_PAIR_RATE(a->cpu, b->cpu, VM_CPU_TIME, pr->elapsed_s, &cpu_ns) < 0 || nvcpu == 0) {
        vm_eval_nodata(ev, rep, "no CPU time from libvirt for this domain");
        return;
    }
    cores = cpu_ns / NS_PER_S;
    usage = 100.0 * cores / nvcpu;
    if (VM_PAIR_RATE(a->cpu, b->cpu, VM_CPU_USER, pr->elapsed_s, &v) == 0)
        user = 100.0 * v / NS_PER_S / nvcpu;
    if (VM_PAIR_RATE(a->cpu, b->cpu, VM_CPU_SYSTEM, pr->elapsed_s, &v) == 0)
        sys = 100.0 * v / NS_PER_S / nvcpu;
    /* Per vCPU: the busiest one, and steal summed over all of them. The
     * array may be sparse (hotplug): only vCPUs present in both count. */
    for (i = 0; i < b->nvcpu && i < a->nvcpu; i++) {
        if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_TIME, pr->elapsed_s, &v) == 0) {
            v = 100.0 * v / NS_PER_S;
            if (isnan(busiest) || v > busiest) {
                busiest = v;
                busiest_n = (unsigned)i;
            }
        }
        if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_DELAY, pr->elapsed_s, &v) == 0) {
            steal = (isnan(steal) ? 0 : steal) + 100.0 * v / NS_PER_S;
            nsteal++;
        }
    }
    if (nsteal)
        steal /= nsteal;
    if (o->cap && (cap_cores = vcpu_cap_cores(ev, nvcpu)) > 0)
        cap = 100.0 * cores / cap_cores;

    it = vm_report_add(rep, VM_OK, ev->name);
    if (!it)
        goto cleanup;
    vcpu_metric(it, ev, "usage", usage, "%", VCPU_USAGE, 100, false);
    vcpu_metric(it, ev, "cores", cores, "", VCPU_CORES, nvcpu, false);
    vcpu_metric(it, ev, "steal", steal, "%", VCPU_STEAL, 100, false);
    vcpu_metric(it, ev, "vcpu_max", busiest, "%", VCPU_VCPU, 100, false);
    vcpu_metric(it, ev, "cap", cap, "%", VCPU_CAP, NAN, false);
    vcpu_metric(it, ev, "user", user, "%", -1, 100, false);
    vcpu_metric(it, ev, "system", sys, "%", -1, 100, false);
    vcpu_metric(it, ev, "cpu_time", (double)b->cpu.v[VM_CPU_TIME], "c", -1, NAN, false);
    if (o->per_vcpu) {
        for (i = 0; i < b->nvcpu && i < a->nvcpu; i++) {
            char label[32];

            if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_TIME, pr->elapsed_s, &v) < 0)
                continue;
            snprintf(label, sizeof(label), "vcpu%zu", i);
            /* judged as vcpu_max, the busiest */
            vcpu_metric(it, ev, label, 100.0 * v / NS_PER_S, "%", VCPU_VCPU, 100, true);
        }
    }

    vm_item_brief(it, "%.1f%% of %u vCPU%s", usage, nvcpu, nvcpu == 1 ? "" : "s");
    vm_buf_printf(&detail, "%.1f%% of %u vCPU%s (%.2f cores)", usage, nvcpu, nvcpu == 1 ? "" : "s",
                  cores);
    if (!isnan(busiest))
        vm_buf_printf(&detail, ", busiest vCPU %u at %.1f%%", busiest_n, busiest);
    if (!isnan(steal))
        vm_buf_printf(&detail, ", steal %.1f%%", steal);
    if (!isnan(user) && !isnan(sys))
        vm_buf_printf(&detail, ", user %.1f%% system %.1f%%", user, sys);
    if (!isnan(cap))
        vm_buf_printf(&detail, ", %.1f%% of its %.2f-core cap", cap, cap_cores);
    else if (o->cap)
        vm_buf_append(&detail, ", no CPU cap");
    if (ev->paused)
        vm_buf_append(&detail, "; domain is paused");
    vm_pair_describe(&how, pr);
    vm_item_detail(it, "%s; %s", vm_buf_str(&detail), vm_buf_str(&how));

cleanup:
    vm_buf_clear(&detail);
    vm_buf_clear(&how);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vcpu_opts opts = {false, false};
    const struct vm_plugin plugin = {
        .def =
            {
                .name = "check_vcpu",
                .service = "VCPU",
                .purpose = "Check guest CPU usage of KVM/QEMU domains over a read-only libvirt\n"
                           "connection. Usage is a rate between two samples of the domain's CPU\n"
                           "time: the previous check's sample when it is recent (no waiting),\n"
                           "else two samples --interval apart in this run.",
                .notes = "usage: 100% means every vCPU of the domain was busy. It counts the\n"
                         "whole QEMU process (emulator and I/O threads too), so it can pass\n"
                         "100% a little. cores: the same as host cores (top's figure / 100).\n"
                         "A domain restarted between samples (its counters went back) is\n"
                         "measured afresh in this run, never reported with a wrapped value.",
                .example = "command[check_vcpu]=/usr/lib/nagios/plugins/check_vcpu "
                           "--all -w 85 -c 95",
                .metrics = vcpu_metrics,
                .nmetrics = sizeof(vcpu_metrics) / sizeof(vcpu_metrics[0]),
                .opts = vcpu_opts_def,
                .nopts = sizeof(vcpu_opts_def) / sizeof(vcpu_opts_def[0]),
                .rates = true,
                .groups = VM_GROUP_STATE | VM_GROUP_CPU | VM_GROUP_VCPU,
            },
        .ctx = &opts,
        .opt = vcpu_opt,
        .validate = vcpu_validate,
        .evaluate = vcpu_evaluate,
    };

    return vm_plugin_main(&plugin, argc, argv);
}
#endif
