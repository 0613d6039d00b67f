/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cpu_calc: check_vcpu's arithmetic (pure: no libvirt, no output; the
 * wording is check_vcpu's). */
#ifndef VM_CPU_CALC_H
#define VM_CPU_CALC_H

#include "domxml.h"
#include "sample.h"

#define VM_NS_PER_S 1e9

struct vm_cpu_cap {
    double pct;        /* usage in % of the limit; NAN: no limit */
    double cores;      /* the limit, in cores */
    const char *which; /* static: which <cputune> limit it is */
};

/* The <cputune> limit nearest to being hit, of those that bound the guest
 * (x may be NULL: none): nvcpu vCPUs using guest_cores of vCPU time,
 * cores for the whole domain. pct NAN: no limit. */
struct vm_cpu_cap vm_cpu_cap_find(const struct vm_domxml *x, unsigned nvcpu, double guest_cores,
                                  double cores);

/* % of one CPU from a vCPU thread's time rate (ns/s), cut at 100. */
double vm_cpu_pct(double ns_per_s);

/* The guest's own CPU time as a rate (ns/s), the sum over its vCPU
 * threads, into *out; -1 when not all nvcpu vCPUs have it in both
 * samples. */
int vm_cpu_guest_rate(const struct vm_rate_pair *pr, unsigned nvcpu, double *out);

#endif
