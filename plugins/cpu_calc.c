/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cpu_calc: check_vcpu's arithmetic: rates of the vCPU threads' time and
 * the <cputune> limit nearest to being hit. */
#include <config.h>

#include <math.h>
#include <stddef.h>

#include "cpu_calc.h"

/* One <cputune> CFS limit in cores: quota µs of CPU time per period µs
 * (0: the kernel's and libvirt's default, 100 ms); 0 when there is none
 * (quota 0) or it is unlimited (quota < 0). */
static double cpu_quota_cores(long long quota_us, unsigned long long period_us)
{
    return quota_us > 0 ? (double)quota_us / (period_us ? (double)period_us : 100000.0) : 0;
}

/* The <cputune> limit nearest to being hit, of those that bound the
 * guest: <quota> bounds each vCPU thread, so nvcpu of them bound the
 * guest's vCPU time (guest_cores); <global_quota> bounds the whole
 * domain's cgroup, QEMU's own threads too (cores). <emulator_quota> and
 * <iothread_quota> bound only QEMU's threads, not the guest: not a cap. */
struct vm_cpu_cap vm_cpu_cap_find(const struct vm_domxml *x, unsigned nvcpu, double guest_cores,
                                  double cores)
{
    struct vm_cpu_cap c = {NAN, 0, NULL};
    const struct {
        double lim, used;
        const char *which;
    } cand[] = {
        {x ? cpu_quota_cores(x->quota_us, x->period_us) * nvcpu : 0, guest_cores,
         "quota, per vCPU"},
        {x ? cpu_quota_cores(x->global_quota_us, x->global_period_us) : 0, cores,
         "global_quota, whole domain"},
    };

    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
        double pct = 100.0 * cand[i].used / cand[i].lim;

        if (cand[i].lim <= 0 || (!isnan(c.pct) && pct <= c.pct))
            continue;
        c = (struct vm_cpu_cap){pct, cand[i].lim, cand[i].which};
    }
    return c;
}

/* % of one CPU from a vCPU thread's time rate (ns/s). A vCPU busy the
 * whole time can read a little above the elapsed time: QEMU's libvirt
 * driver counts a vCPU thread's time in the kernel's clock ticks
 * (utime + stime of /proc/PID/task/TID/stat, 10 ms at USER_HZ 100: one
 * tick is 1% of a 1 s window), and it reads the vCPUs, cpu.time and our
 * clock one after another. No thread runs longer than the wall clock:
 * the excess is that skew, and is cut at 100. */
double vm_cpu_pct(double ns_per_s)
{
    double v = 100.0 * ns_per_s / VM_NS_PER_S;

    return v > 100.0 ? 100.0 : v;
}

/* The guest's own CPU time as a rate (ns/s): the sum of its vCPU threads'
 * time (vcpu.N.time in bulk stats, virDomainGetVcpus' cpuTime else), which
 * leaves out the emulator and I/O threads that cpu.time counts. -1 when
 * not all nvcpu vCPUs have it in both samples (a driver without it, a vCPU
 * plugged in between): then usage is taken from cpu.time. */
int vm_cpu_guest_rate(const struct vm_rate_pair *pr, unsigned nvcpu, double *out)
{
    const struct vm_dom_stats *a = pr->prev, *b = pr->cur;
    unsigned n = 0;
    double v, sum = 0;

    for (size_t i = 0; i < b->nvcpu && i < a->nvcpu; i++)
        if (VM_PAIR_RATE(a->vcpu[i], b->vcpu[i], VM_VCPU_TIME, pr->elapsed_s, &v) == 0) {
            sum += v;
            n++;
        }
    if (n == 0 || n != nvcpu)
        return -1;
    *out = sum;
    return 0;
}
