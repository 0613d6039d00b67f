/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vcpu: guest CPU usage from two samples of libvirt's CPU counters. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "cpu_calc.h"
#include "domxml.h"

enum { VCPU_USAGE, VCPU_CORES, VCPU_OVERHEAD, VCPU_STEAL, VCPU_VCPU, VCPU_CAP };
enum { VCPU_OPT_PER_VCPU, VCPU_OPT_CAP };

struct vcpu_opts {
    bool per_vcpu;
    bool cap;               /* read <cputune> from the domain XML */
    unsigned from_cpu_time; /* domains whose usage fell back to cpu.time (for vcpu_finish) */
};

static const struct vm_metric_def vcpu_metrics[] = {
    [VCPU_USAGE] = {"usage", VM_RANGE_ALLOW_PERCENT,
                    "the guest's CPU usage in % of its vCPUs (100 = all\n"
                    "                              busy), from the vCPUs' own time"},
    [VCPU_CORES] = {"cores", 0,
                    "host cores the whole domain uses, QEMU's own\n"
                    "                              threads too (like top: 1.5 = one and a half)"},
    [VCPU_OVERHEAD] =
        {"overhead", 0,
         "host cores QEMU uses beside the guest's vCPUs\n"
         "                              (emulator and I/O threads): cores - vCPU time"},
    [VCPU_STEAL] = {"steal", VM_RANGE_ALLOW_PERCENT,
                    "% of time vCPUs were ready but waited for a host\n"
                    "                              CPU (vcpu.N.delay; needs bulk stats)",
                    NULL, "libvirt gives no vcpu.N.delay here"},
    [VCPU_VCPU] = {"vcpu_max", VM_RANGE_ALLOW_PERCENT,
                   "usage of the busiest single vCPU, in % (also: vcpu)", "vcpu"},
    [VCPU_CAP] = {"cap", VM_RANGE_ALLOW_PERCENT,
                  "usage in % of the <cputune> limit nearest to\n"
                  "                              being hit, for domains that have one\n"
                  "                              (implies --cap)",
                  NULL, "no domain has a <cputune> limit"},
};

static const struct vm_opt_def vcpu_opts_def[] = {
    {"per-vcpu", 0, false, NULL, "list every vCPU's usage (long output and perfdata)",
     VCPU_OPT_PER_VCPU},
    {"cap", 0, false, NULL,
     "read each domain's <cputune> limits (<quota> per\n"
     "vCPU, <global_quota> for the whole domain) and\n"
     "report usage against the one nearest to being hit\n"
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
    if (vm_thresh_is_set(&cli->th[VCPU_CAP]))
        o->cap = true;
    return 0;
}

/* One figure of the item, judged against threshold `mi` (-1: none; with
 * show_only only shown) and in perfdata as DOM:label. */
static void vcpu_metric(struct vm_item *it, const struct vm_eval *ev, const char *label, double v,
                        const char *uom, int mi, double max, bool show_only)
{
    const char *parts[] = {ev->name, label};

    vm_eval_metric(it, ev, vcpu_metrics, parts, 2, v, uom, mi, max, show_only);
}

static void vcpu_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    struct vcpu_opts *o = ev->ctx;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_dom_stats *a, *b;
    struct vm_buf detail = VM_BUF_INIT, how = VM_BUF_INIT, per = VM_BUF_INIT;
    double cpu_ns, guest_ns, usage, cores, guest, overhead = NAN, steal = NAN, busiest = NAN;
    double user = NAN, sys = NAN, v;
    struct vm_cpu_cap cap = {NAN, 0, NULL};
    unsigned nvcpu, busiest_n = 0, nsteal = 0;
    bool from_vcpu;
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
    cores = cpu_ns / VM_NS_PER_S;
    /* usage is the guest's: its vCPUs' time, so 100% means every vCPU
     * busy; cores is the host's whole cost, and overhead the difference,
     * what QEMU spends beside the guest. Without vCPU times, usage is
     * cpu.time (which can pass 100% a little) and there is no overhead. */
    from_vcpu = vm_cpu_guest_rate(pr, nvcpu, &guest_ns) == 0;
    if (from_vcpu) {
        guest = guest_ns / VM_NS_PER_S;
        usage = vm_cpu_pct(guest_ns / nvcpu);
        /* The two counters are read apart (vm_cpu_pct): a negative
         * difference is that skew, not a figure. */
        overhead = cores > guest ? cores - guest : 0;
    } else {
        guest = cores;
        usage = 100.0 * cores / nvcpu;
        o->from_cpu_time++;
    }
    if (VM_PAIR_RATE(a->cpu, b->cpu, VM_CPU_USER, pr->elapsed_s, &v) == 0)
        user = 100.0 * v / VM_NS_PER_S / nvcpu;
    if (VM_PAIR_RATE(a->cpu, b->cpu, VM_CPU_SYSTEM, pr->elapsed_s, &v) == 0)
        sys = 100.0 * v / VM_NS_PER_S / nvcpu;
    /* Per vCPU: the busiest one, and steal summed over all of them. The
     * array may be sparse (hotplug): only vCPUs present in both count. */
    for (i = 0; i < b->nvcpu && i < a->nvcpu; i++) {
        if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_TIME, pr->elapsed_s, &v) == 0) {
            v = vm_cpu_pct(v);
            if (isnan(busiest) || v > busiest) {
                busiest = v;
                busiest_n = (unsigned)i;
            }
        }
        if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_DELAY, pr->elapsed_s, &v) == 0) {
            steal = (isnan(steal) ? 0 : steal) + 100.0 * v / VM_NS_PER_S;
            nsteal++;
        }
    }
    if (nsteal)
        steal /= nsteal;
    if (o->cap)
        cap = vm_cpu_cap_find(vm_eval_domxml(ev, NULL), nvcpu, guest, cores);

    it = vm_report_add(rep, VM_OK, ev->name);
    if (!it)
        goto cleanup;
    /* 100 bounds usage only when it is the vCPUs' own time */
    vcpu_metric(it, ev, "usage", usage, "%", VCPU_USAGE, from_vcpu ? 100 : NAN, false);
    vcpu_metric(it, ev, "cores", cores, "", VCPU_CORES, nvcpu, false);
    vcpu_metric(it, ev, "steal", steal, "%", VCPU_STEAL, 100, false);
    vcpu_metric(it, ev, "vcpu_max", busiest, "%", VCPU_VCPU, 100, false);
    vcpu_metric(it, ev, "cap", cap.pct, "%", VCPU_CAP, NAN, false);
    vcpu_metric(it, ev, "overhead", overhead, "", VCPU_OVERHEAD, NAN, false);
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
            vcpu_metric(it, ev, label, vm_cpu_pct(v), "%", VCPU_VCPU, 100, true);
            vm_buf_printf(&per, "%s%zu at %.1f%%", per.len ? ", " : ", each vCPU: ", i,
                          vm_cpu_pct(v));
        }
    }

    vm_item_brief(it, "%.1f%% of %u vCPU%s", usage, nvcpu, nvcpu == 1 ? "" : "s");
    vm_buf_printf(&detail, "%.1f%% of %u vCPU%s (%.2f cores)", usage, nvcpu, nvcpu == 1 ? "" : "s",
                  cores);
    if (!isnan(busiest))
        vm_buf_printf(&detail, ", busiest vCPU %u at %.1f%%", busiest_n, busiest);
    vm_buf_append(&detail, vm_buf_str(&per)); /* --per-vcpu: each one, in order */
    if (!isnan(steal))
        vm_buf_printf(&detail, ", steal %.1f%%", steal);
    if (!isnan(user) && !isnan(sys))
        vm_buf_printf(&detail, ", user %.1f%% system %.1f%%", user, sys);
    /* said when it shows at two decimals (0.00 is no news) */
    if (overhead >= 0.005)
        vm_buf_printf(&detail, ", QEMU overhead %.2f cores", overhead);
    if (!isnan(cap.pct))
        vm_buf_printf(&detail, ", %.1f%% of its %.2f-core cap (%s)", cap.pct, cap.cores, cap.which);
    else if (o->cap)
        vm_buf_append(&detail, ", no CPU cap");
    if (ev->paused)
        vm_buf_append(&detail, "; domain is paused");
    vm_pair_describe(&how, pr);
    vm_item_detail(it, "%s; %s", vm_buf_str(&detail), vm_buf_str(&how));

cleanup:
    vm_buf_clear(&detail);
    vm_buf_clear(&how);
    vm_buf_clear(&per);
}

/* One line for the run, not one per domain: whose usage is not the
 * guest's own vCPU time. */
static void vcpu_finish(void *ctx, struct vm_buf *note)
{
    const struct vcpu_opts *o = ctx;

    if (o->from_cpu_time)
        vm_buf_printf(note,
                      "note: libvirt gave no time per vCPU for %u domain%s: usage there is "
                      "cpu.time, QEMU's own threads included, and has no overhead\n",
                      o->from_cpu_time, o->from_cpu_time == 1 ? "" : "s");
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vcpu_opts opts = {false, false, 0};
    const struct vm_plugin plugin = {
        .def =
            {
                .name = "check_vcpu",
                .service = "VCPU",
                .purpose = "Check guest CPU usage of KVM/QEMU domains over a read-only libvirt\n"
                           "connection. Usage is a rate between two samples of the guest's CPU\n"
                           "time: the previous check's sample when it is recent (no waiting),\n"
                           "else two samples --interval apart in this run.",
                .notes = "usage: 100% means every vCPU of the domain was busy. It is the\n"
                         "guest's own time, the sum of vcpu.N.time, and never passes 100% (the\n"
                         "vCPU counters count in 10 ms clock ticks and are read a moment apart\n"
                         "from the clock; that skew is cut off). cores: the whole domain's host\n"
                         "cost, cpu.time, emulator and I/O threads too (top's figure / 100).\n"
                         "overhead: cores minus the vCPUs' time, in host cores (0.05 = 5% of\n"
                         "one core): what QEMU spends beside the guest (device emulation, I/O\n"
                         "threads). A driver that gives no time per vCPU leaves usage from\n"
                         "cpu.time (it can then pass 100% a little) and no overhead; a last\n"
                         "line says so.\n"
                         "cap (--cap): usage against the <cputune> limit nearest to being hit,\n"
                         "named in the text: <quota>/<period> bounds each vCPU (quota x vCPUs /\n"
                         "period cores for the vCPUs' time), <global_quota>/<global_period> the\n"
                         "whole domain (judged on cores). <emulator_quota> and <iothread_quota>\n"
                         "bound only QEMU's own threads, not the guest, and are not a cap.\n"
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
        .finish = vcpu_finish,
    };

    return vm_plugin_main(&plugin, argc, argv);
}
#endif
