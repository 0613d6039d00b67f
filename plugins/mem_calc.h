/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mem_calc: check_vmem's arithmetic beyond "used": the pressure rates
 * between two balloon samples, RSS against the <memtune> limits, what the
 * balloon holds back. Pure functions of stats and XML structs: no
 * libvirt, no output (the wording is check_vmem's). */
#ifndef VM_MEM_CALC_H
#define VM_MEM_CALC_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "domxml.h"
#include "stats.h"

/* Pure: bytes in use, available - usable (usable true: MemAvailable) or
 * available - unused (MemFree); never below 0. Both figures present. */
double vm_mem_used(const struct vm_bal_stats *b, bool usable);

enum vm_mem_rate {
    VM_MEM_SWAP_IN,        /* bytes/s read from swap (libvirt's KiB x 1024) */
    VM_MEM_SWAP_OUT,       /* bytes/s written to swap */
    VM_MEM_SWAP,           /* in + out; NAN unless both */
    VM_MEM_MAJFLT,         /* major page faults/s */
    VM_MEM_HUGETLB_PGFAIL, /* failed hugepage allocations/s */
    VM_MEM_NRATES
};

enum vm_mem_rates_why {
    VM_MEM_RATES_OK,        /* v[] hold the rates (NAN: a field either sample lacks) */
    VM_MEM_RATES_NO_UPDATE, /* the guest has not reported since the older sample */
    VM_MEM_RATES_RESET,     /* a counter went back: the guest restarted counting */
};

struct vm_mem_rates {
    double v[VM_MEM_NRATES]; /* NAN: none */
    double elapsed_s;        /* the window the rates are over */
    enum vm_mem_rates_why why;
};

/* Pure: the rates between balloon samples prev and cur, taken elapsed_s
 * apart. The guest refreshes these counters once per stats period, so
 * when both samples carry balloon.last-update the window is the time
 * between the guest's two reports, not between the reads: a read twice
 * within one period sees the same report (NO_UPDATE), and a window of
 * reads 300 s apart may hold 290 or 310 s of the guest's counting. */
void vm_mem_rates_compute(const struct vm_bal_stats *prev, const struct vm_bal_stats *cur,
                          double elapsed_s, struct vm_mem_rates *out);

struct vm_mem_limit {
    const char *name; /* "hard_limit" or "soft_limit" (static); NULL: none set */
    double limit_b;
    double rss_b;
    double pct; /* rss in % of the limit */
};

/* Pure: the host RSS of QEMU (rss_kib) against the tightest limit set of
 * hard_limit (the host's OOM killer ends QEMU there) and soft_limit (the
 * host reclaims down to it under pressure). swap_hard_limit bounds memory
 * plus swap, not RSS, and is not one of them. Returns 0, or -1 when
 * neither is set (out->name NULL). */
int vm_mem_limit_pick(const struct vm_memtune *mt, uint64_t rss_kib, struct vm_mem_limit *out);

/* Pure: r in words, appended to out: "swap 1.00 KiB/s in, 0 B/s out, 2.0
 * major faults/s, 0.0 failed hugepage allocations/s (over 5 min 0 s of
 * guest reports)", a figure the guest lacks "not reported"; for a why
 * other than OK only the reason. */
void vm_mem_rates_describe(struct vm_buf *out, const struct vm_mem_rates *r);

/* Pure: why there are no rates on a check without a previous sample
 * (`note`: the pair's, may be NULL), appended to out as "; ...": short,
 * as it is on every line of a first check. */
void vm_mem_rates_pending(struct vm_buf *out, bool no_state, const char *note);

/* Pure: "rss 3.00 GiB = 75.0% of hard_limit 4.00 GiB". */
void vm_mem_limit_describe(struct vm_buf *out, const struct vm_mem_limit *l);

/* Pure: "balloon holds 1.00 GiB of 4.00 GiB back" appended when it holds
 * any back (vm_mem_balloon_held); returns whether it did. */
bool vm_mem_balloon_describe(struct vm_buf *out, const struct vm_bal_stats *b);

/* One balloon figure as perfdata: sizes in bytes (uom "B", libvirt gives
 * KiB), the counters as "c"; label static. */
struct vm_mem_fig {
    const char *label;
    double value;
    const char *uom;
};
#define VM_MEM_NFIGS 10

/* Pure: the figures the guest reports, in perfdata order (sizes first);
 * returns how many of out[VM_MEM_NFIGS] it filled. */
size_t vm_mem_balloon_figs(const struct vm_bal_stats *b, struct vm_mem_fig *out);

/* Pure: the bytes the balloon holds back from the guest (maximum -
 * current), 0 when it holds none or either figure is missing. */
double vm_mem_balloon_held(const struct vm_bal_stats *b);

/* Pure: why a guest gives no `available` figure, from its domain XML
 * facts (x NULL: the XML could not be read, xml_err says why); `name` is
 * the domain's, for the virsh command that fixes it. */
void vm_mem_why_missing(struct vm_buf *out, const struct vm_domxml *x, const char *xml_err,
                        const char *name);

/* Pure: the age limit that stats `age` seconds old break, or 0. The limit
 * is max_age_s when > 0, else (auto) three stats periods of x, at least
 * floor_s. *period: x's stats period when x has a balloon, else -1 (x
 * NULL: unknown). */
long vm_mem_stale_limit(long max_age_s, long floor_s, long age, const struct vm_domxml *x,
                        long *period);

/* Pure: why stats `age` s old are stale (limit, period: vm_mem_stale_limit). */
void vm_mem_why_stale(struct vm_buf *out, long age, long limit, long period, const char *name);

#endif
