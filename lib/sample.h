/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sample: the two-sample engine behind every rate.
 *
 * A rate is (new - old) / elapsed with `elapsed` measured on CLOCK_BOOTTIME
 * (not the configured interval), computed in double after checking that the
 * counter did not go down. A counter that went down, a changed domain ID, a
 * previous sample too old or from the future means "no valid previous
 * sample" for that domain: never a wrapped or negative rate.
 *
 * vm_sample_run() uses a previous run's snapshot from the state folder
 * when it is valid, so a scheduled check costs one libvirt round trip and no
 * sleep. Domains without a valid previous sample are sampled twice in this
 * run, `interval` seconds apart. The newest snapshot is saved for the next
 * run, with the older ones later runs may still need (vm_window_keep).
 *
 * The minimum window: a saved sample younger than `min_window` is never a
 * base. Two checks milliseconds apart on one state file (a retry, the
 * commands of one plugin in nrpe.cfg sharing a key) would otherwise divide
 * a counter step of 1 by 0.01 s. The state keeps a few samples spanning
 * the window, so such a check answers from an older one that is old
 * enough; without one it samples in-run. The in-run pair is `interval`
 * apart (default 1 s), which may be less than `min_window`: that window is
 * measured by this run on one monotonic clock, not a guess, and making a
 * check sleep 5 s is worse than a 1 s average. So the rule is: a saved
 * base is at least `min_window` old; an in-run base is `interval` old.
 *
 * Time base: a snapshot's `boot` is CLOCK_BOOTTIME, stamped by collect.c
 * when the counters are read: it keeps counting while the host is
 * suspended, like the guests' counters, and is comparable across runs on
 * one boot (the state file records boot_id). */
#ifndef VM_SAMPLE_H
#define VM_SAMPLE_H

#include <math.h>
#include <stdbool.h>

#include "collect.h"
#include "err.h"
#include "state.h"
#include "stats.h"

/* Pure: rate per second of a cumulative counter. Returns 0 and *out, or -1
 * when cur < prev (reset) or elapsed is not > 0. */
int vm_rate(uint64_t prev, uint64_t cur, double elapsed_s, double *out);

/* Pure: how much counter `field` grew between two value arrays with
 * presence bits (any of the stats structs' v[]/have). Returns 0 and *out,
 * or -1 when either side lacks the field or the counter went down. */
int vm_pair_delta(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur, uint32_t cur_have,
                  unsigned field, uint64_t *out);

/* Pure: the same as a rate per second over elapsed_s (vm_rate). */
int vm_pair_rate(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur, uint32_t cur_have,
                 unsigned field, double elapsed_s, double *out);

/* vm_pair_rate of one field of two stats structs: VM_PAIR_RATE(a->cpu,
 * b->cpu, VM_CPU_TIME, el, &v). VM_PAIR_RATE_OR_NAN gives the rate, or NAN
 * when there is none (also when `pprev` is NULL: no previous device). */
#define VM_PAIR_RATE(pstruct, cstruct, field, elapsed, out)                                        \
    vm_pair_rate((pstruct).v, (pstruct).have, (cstruct).v, (cstruct).have, (field), (elapsed),     \
                 (out))
double vm_pair_rate_or_nan(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur,
                           uint32_t cur_have, unsigned field, double elapsed_s);
#define VM_PAIR_RATE_OR_NAN(pprev, cstruct, field, elapsed)                                        \
    ((pprev) ? vm_pair_rate_or_nan((pprev)->v, (pprev)->have, (cstruct).v, (cstruct).have,         \
                                   (field), (elapsed))                                             \
             : NAN)

/* Pure: true when every counter present in both prev and cur (cpu, vcpu,
 * block, net) did not decrease and the domain id is the same. */
bool vm_sample_consistent(const struct vm_dom_stats *prev, const struct vm_dom_stats *cur);

/* Pure: the base for a rate among saved samples age_s[0..n) seconds older
 * than the new one (newest first): the first that is at least
 * min_window_s and at most max_age_s old. Returns its index, or -1 with
 * *why (static text): "previous sample too recent for --min-window" when
 * some sample was too young for the window, else "previous sample too
 * old", else "previous sample is from the future", else (n == 0) "no
 * previous sample". */
int vm_window_pick(const double *age_s, size_t n, double min_window_s, double max_age_s,
                   const char **why);

/* Pure: which samples a state file keeps, so that later runs find a base
 * old enough and not much older. age_s[0..n) are ages before the new
 * sample, newest first: age_s[0] is the new sample itself (0), the others
 * the saved ones, increasing. Kept: the new sample; the youngest that is
 * min_window_s old (the base from now on; anything older is never picked
 * again), else the oldest younger one (the first to become old enough);
 * between the two, samples at least min_window_s / (max_keep - 1) apart,
 * oldest first, up to max_keep in all. Nothing older than max_age_s nor
 * not older than the new one. Sets keep[0..n), returns how many. */
size_t vm_window_keep(const double *age_s, size_t n, double min_window_s, double max_age_s,
                      size_t max_keep, bool *keep);

struct vm_sample_opts {
    double interval_s;   /* in-run gap when no valid previous sample (default 1) */
    double max_age_s;    /* previous sample older than this is not used (default 3600) */
    double min_window_s; /* previous sample younger than this is not used (default 5) */
    double wait_s;       /* each snapshot's collection deadline (vm_stats_collect) */
    bool no_state;       /* --no-state: always sample in-run, touch no files */
    /* Never sample in-run: a pair only from a saved sample, none without
     * one (note says why); the sample is still saved for the next run. For
     * rates a check gives when they come free (check_vmem's pressure). */
    bool no_in_run;
    const char *state_dir; /* --state-dir or NULL */
    const char *plugin;    /* for the key and the file header */
    const char *uri;
    char *const *key_args; /* strings that make the key (the selection options) */
    size_t nkey_args;
};

/* Which sample a pair's prev is. Zero and nonzero read as "from the
 * state" or not. */
enum vm_pair_base {
    VM_BASE_IN_RUN = 0, /* this run's first sample, or none */
    VM_BASE_PREVIOUS,   /* the newest saved sample: the previous check's */
    VM_BASE_EARLIER,    /* an older saved one: the newest was too recent (--min-window) */
};

/* The pointers point into the struct vm_sampling that holds the pair: do
 * not copy that struct by value. */
struct vm_rate_pair {
    const struct vm_dom_stats *prev; /* NULL: no valid pair (why in `note`) */
    const struct vm_dom_stats *cur;
    double elapsed_s;
    enum vm_pair_base from_state; /* nonzero: prev was a previous run's sample */
    const char *note;             /* static text: why in-run sampling was needed, or NULL */
};

struct vm_sampling {
    struct vm_state_ring saved; /* previous runs' (possibly empty), newest first */
    struct vm_snapshot first;   /* in-run first sample (empty when not taken) */
    struct vm_snapshot cur;     /* newest */
    struct vm_rate_pair *pairs; /* one per cur.dom[i] */
    size_t npairs;
    bool slept; /* an in-run interval was needed */
    double slept_s;
    const char *state_note;  /* static text when the state folder could not be used, else NULL */
    struct vm_err state_err; /* the details behind state_note ("" when none) */
};

/* Run the engine for doms[0..n). The state is a cache: a state folder
 * that cannot be used (symlink, wrong owner, loose mode, not a folder, a
 * bad HOME) is neither read nor written, and one that cannot be written
 * (lock or save failing: read-only, full) is not the base; the run then
 * samples in-run, and state_note/state_err say why (with the fix). A
 * corrupt file just means "no previous sample".
 *
 * *out is overwritten (it is freeable with vm_sampling_clear on return,
 * whatever the result). The lock is waited for up to 2 s; without it the
 * previous sample is still read but nothing is saved. A lock that cannot be
 * taken or a save that fails is not an error: state_note says so, state_err
 * has the details. A lock another run holds past the wait leaves
 * state_note NULL (that run saves its sample) and only state_err set. Only domains that have a counter (cpu, vcpu, block, net)
 * (or a balloon counter: swap, faults, hugetlb) and no valid previous
 * sample cause the in-run interval, unless o->no_in_run; a shut-off
 * domain does not. Pair notes are static texts such as "no previous
 * sample", "previous sample too old", "previous sample too recent
 * (--min-window)", "domain ID changed: domain
 * restarted", "counters went back: domain restarted", "state file is
 * corrupt", "state is off (--no-state)", "domain restarted during
 * sampling". `xml` is the run's domain XML cache over doms (see
 * vm_stats_collect). */
int vm_sample_run(virDomainPtr *doms, size_t n, unsigned groups, struct vm_domxml_cache *xml,
                  const struct vm_sample_opts *o, struct vm_sampling *out, struct vm_err *err);
void vm_sampling_clear(struct vm_sampling *s); /* NULL accepted */

#endif
