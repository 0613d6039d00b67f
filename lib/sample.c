/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sample: the two-sample engine behind every rate. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "busy.h"
#include "clock.h"
#include "sample.h"

#define SAMPLE_LOCK_WAIT_MS 2000u
#define SAMPLE_MAX_SLEEP_S 86400.0
/* Why a folder the run could not lock or save in is no base. */
#define SAMPLE_UNWRITABLE "the state folder cannot be written"

int vm_rate(uint64_t prev, uint64_t cur, double elapsed_s, double *out)
{
    /* Compare before subtracting: an unsigned difference of a smaller new
     * value would wrap to ~1.8e19. Divide in double, last. */
    if (!(elapsed_s > 0) || !isfinite(elapsed_s) || cur < prev)
        return -1;
    *out = (double)(cur - prev) / elapsed_s;
    return 0;
}

int vm_pair_delta(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur, uint32_t cur_have,
                  unsigned field, uint64_t *out)
{
    if (!((prev_have >> field) & 1u) || !((cur_have >> field) & 1u) || cur[field] < prev[field])
        return -1;
    *out = cur[field] - prev[field];
    return 0;
}

int vm_pair_rate(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur, uint32_t cur_have,
                 unsigned field, double elapsed_s, double *out)
{
    uint64_t d;

    if (vm_pair_delta(prev, prev_have, cur, cur_have, field, &d) < 0)
        return -1;
    return vm_rate(prev[field], cur[field], elapsed_s, out);
}

double vm_pair_rate_or_nan(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur,
                           uint32_t cur_have, unsigned field, double elapsed_s)
{
    double v;

    return vm_pair_rate(prev, prev_have, cur, cur_have, field, elapsed_s, &v) == 0 ? v : NAN;
}

/* Every field of v[] marked in `counters` that both sides have must not
 * have gone down, nor (when max_delta is given) gone up by more than
 * max_delta[field]. */
static bool values_monotonic(const uint64_t *pv, uint32_t phave, const uint64_t *cv, uint32_t chave,
                             uint32_t counters, unsigned nfields, const double *max_delta)
{
    unsigned f;

    for (f = 0; f < nfields; f++) {
        uint32_t bit = 1u << f;

        if (!(counters & bit) || !(phave & bit) || !(chave & bit))
            continue;
        if (cv[f] < pv[f] || (max_delta && (double)(cv[f] - pv[f]) > max_delta[f]))
            return false;
    }
    return true;
}

/* Counters that grew faster than any hardware can make them grow are not a
 * sample to take a rate from: a broken driver or a corrupt previous sample
 * (0 then 1.8e19) would otherwise give a rate of billions of percent. Per
 * second at most: CPU time of 16384 CPUs (ns); 2^40 bytes (8.8 Tbit/s) per
 * disk or interface; 2^32 requests, packets, errors or drops; I/O time
 * (ns) of 65536 requests in flight. */
#define SAMPLE_MAX_CPUS 16384.0
#define SAMPLE_MAX_BYTES_PER_S 1099511627776.0
#define SAMPLE_MAX_OPS_PER_S 4294967296.0
#define SAMPLE_MAX_INFLIGHT 65536.0

/* The counter checks of vm_sample_consistent; with elapsed_s >= 0 also the
 * plausibility bounds above. */
static bool counters_ok(const struct vm_dom_stats *prev, const struct vm_dom_stats *cur,
                        double elapsed_s)
{
    /* Cumulative fields only: vcpu state and the block sizes are gauges
     * that may go down legitimately. */
    const uint32_t cpu_counters = (1u << VM_CPU_NR) - 1;
    const uint32_t vcpu_counters = 1u << VM_VCPU_TIME | 1u << VM_VCPU_WAIT | 1u << VM_VCPU_DELAY;
    const uint32_t blk_counters = ((1u << VM_BLK_NR) - 1) &
                                  ~(1u << VM_BLK_ALLOCATION | 1u << VM_BLK_CAPACITY |
                                    1u << VM_BLK_PHYSICAL);
    const uint32_t net_counters = (1u << VM_NET_NR) - 1;
    const bool bound = elapsed_s >= 0;
    const double cpu_ns = elapsed_s * 1e9 * SAMPLE_MAX_CPUS;
    const double bytes = elapsed_s * SAMPLE_MAX_BYTES_PER_S, ops = elapsed_s * SAMPLE_MAX_OPS_PER_S;
    const double io_ns = elapsed_s * 1e9 * SAMPLE_MAX_INFLIGHT;
    const double cpu_max[VM_CPU_NR] = {cpu_ns, cpu_ns, cpu_ns};
    const double vcpu_max[VM_VCPU_NR] = {0, cpu_ns, cpu_ns, cpu_ns};
    double blk_max[VM_BLK_NR] = {0}, net_max[VM_NET_NR];
    size_t i;

    blk_max[VM_BLK_RD_REQS] = blk_max[VM_BLK_WR_REQS] = blk_max[VM_BLK_FL_REQS] = ops;
    blk_max[VM_BLK_ERRORS] = ops;
    blk_max[VM_BLK_RD_BYTES] = blk_max[VM_BLK_WR_BYTES] = bytes;
    blk_max[VM_BLK_RD_TIMES] = blk_max[VM_BLK_WR_TIMES] = blk_max[VM_BLK_FL_TIMES] = io_ns;
    for (i = 0; i < VM_NET_NR; i++)
        net_max[i] = i == VM_NET_RX_BYTES || i == VM_NET_TX_BYTES ? bytes : ops;

    if (!values_monotonic(prev->cpu.v, prev->cpu.have, cur->cpu.v, cur->cpu.have, cpu_counters,
                          VM_CPU_NR, bound ? cpu_max : NULL))
        return false;
    for (i = 0; i < prev->nvcpu && i < cur->nvcpu; i++)
        if (!values_monotonic(prev->vcpu[i].v, prev->vcpu[i].have, cur->vcpu[i].v,
                              cur->vcpu[i].have, vcpu_counters, VM_VCPU_NR,
                              bound ? vcpu_max : NULL))
            return false;
    for (i = 0; i < cur->nblock; i++) {
        const struct vm_block_stats *c = &cur->block[i];
        const struct vm_block_stats *p = vm_stats_block_find(prev, c->name, i);

        if (p && !values_monotonic(p->v, p->have, c->v, c->have, blk_counters, VM_BLK_NR,
                                   bound ? blk_max : NULL))
            return false;
    }
    for (i = 0; i < cur->nnet; i++) {
        const struct vm_net_stats *c = &cur->net[i];
        const struct vm_net_stats *p = vm_stats_net_find(prev, c->name, i);

        if (p && !values_monotonic(p->v, p->have, c->v, c->have, net_counters, VM_NET_NR,
                                   bound ? net_max : NULL))
            return false;
    }
    return true;
}

bool vm_sample_consistent(const struct vm_dom_stats *prev, const struct vm_dom_stats *cur)
{
    if (!prev || !cur)
        return false;
    /* A new ID means a new QEMU process: every counter restarted. */
    if (prev->id != cur->id)
        return false;
    if (prev->uuid[0] && cur->uuid[0] && strcmp(prev->uuid, cur->uuid) != 0)
        return false;
    return counters_ok(prev, cur, -1);
}

/* ---- the window ------------------------------------------------------- */

int vm_window_pick(const double *age_s, size_t n, double min_window_s, double max_age_s,
                   const char **why)
{
    bool young = false, old = false, future = false;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!(age_s[i] > 0)) /* also NaN */
            future = true;
        else if (age_s[i] < min_window_s)
            young = true;
        else if (!(age_s[i] <= max_age_s))
            old = true;
        else
            return (int)i;
    }
    /* The one that soonest gives a base: a young one, in a few seconds. */
    *why = young    ? "previous sample too recent for --min-window"
           : old    ? "previous sample too old"
           : future ? "previous sample is from the future"
                    : "no previous sample";
    return -1;
}

size_t vm_window_keep(const double *age_s, size_t n, double min_window_s, double max_age_s,
                      size_t max_keep, bool *keep)
{
    size_t i, a = 0, kept;
    double step, last;

    for (i = 0; i < n; i++)
        keep[i] = false;
    if (n == 0 || max_keep == 0)
        return 0;
    keep[0] = true;
    /* The anchor: the youngest sample old enough, else the oldest. */
    for (i = 1; i < n && !(age_s[i] > max_age_s); i++) {
        if (!(age_s[i] > 0)) /* not older than the new one: a clock step */
            continue;
        a = i;
        if (age_s[i] >= min_window_s)
            break;
    }
    if (a == 0 || max_keep == 1)
        return 1;
    keep[a] = true;
    kept = 2;
    /* Between the anchor and the new one, a sample every step: the base
     * a later check finds is then at most about one step older than the
     * window. Spacing by differences keeps the choice stable from run to
     * run (it does not move with the age of the new sample). */
    step = min_window_s / (double)(max_keep - 1);
    last = age_s[a];
    for (i = a - 1; i >= 1 && kept < max_keep; i--) {
        if (age_s[i] > 0 && last - age_s[i] >= step) {
            keep[i] = true;
            kept++;
            last = age_s[i];
        }
    }
    return kept;
}

/* ---- the engine ------------------------------------------------------- */

/* Sleep `s` seconds, resuming after signals; returns the time it took. */
static double sleep_interval(double s)
{
    struct timespec req, rem, t0, t1;

    clock_gettime(CLOCK_BOOTTIME, &t0);
    if (s > 0) {
        if (s > SAMPLE_MAX_SLEEP_S)
            s = SAMPLE_MAX_SLEEP_S;
        req.tv_sec = (time_t)s;
        req.tv_nsec = (long)((s - (double)req.tv_sec) * 1e9);
        if (req.tv_nsec > 999999999L)
            req.tv_nsec = 999999999L;
        while (nanosleep(&req, &rem) < 0 && errno == EINTR)
            req = rem;
    }
    clock_gettime(CLOCK_BOOTTIME, &t1);
    return vm_clock_diff(&t1, &t0);
}

/* Any cumulative counter at all? A domain without one (shut off, vanished)
 * gains nothing from a second sample. */
static bool has_counters(const struct vm_dom_stats *d)
{
    size_t i;

    const uint32_t bal_counters = 1u << VM_BAL_SWAP_IN | 1u << VM_BAL_SWAP_OUT |
                                  1u << VM_BAL_MAJOR_FAULT | 1u << VM_BAL_MINOR_FAULT |
                                  1u << VM_BAL_HUGETLB_PGALLOC | 1u << VM_BAL_HUGETLB_PGFAIL;

    if (d->cpu.have || (d->balloon.have & bal_counters))
        return true;
    for (i = 0; i < d->nvcpu; i++)
        if (d->vcpu[i].have & ~(1u << VM_VCPU_STATE))
            return true;
    for (i = 0; i < d->nblock; i++)
        if (d->block[i].have)
            return true;
    for (i = 0; i < d->nnet; i++)
        if (d->net[i].have)
            return true;
    return false;
}

/* The saved samples' ages before s->cur, newest first. */
static void saved_ages(const struct vm_sampling *s, double *age)
{
    for (size_t k = 0; k < s->saved.n; k++)
        age[k] = vm_clock_diff(&s->cur.boot, &s->saved.snap[k].boot);
}

/* Read the domains of the saved samples pair_from_state will look at for
 * s->cur: the newest up to the base vm_window_pick chooses. The others
 * stay text (the save copies them). One found corrupt makes the state
 * unusable, as a corrupt file does at load: *load_why says so. Returns 0,
 * or -1 out of memory. */
static int saved_read_base(struct vm_sampling *s, const struct vm_sample_opts *o,
                           const char **load_why, struct vm_err *err)
{
    double age[VM_STATE_RING_MAX];
    const char *why = NULL;
    int b, r;

    saved_ages(s, age);
    b = vm_window_pick(age, s->saved.n, o->min_window_s, o->max_age_s, &why);
    for (int k = 0; k <= b; k++) {
        if ((r = vm_state_ring_read(&s->saved, (size_t)k, &why, err)) < 0)
            return -1;
        if (r == 0) {
            vm_state_ring_clear(&s->saved);
            *load_why = why;
            return 0;
        }
    }
    return 0;
}

/* No saved sample is p's base (yet), for the static reason `why`. */
static void pair_no_base(struct vm_rate_pair *p, const char *why)
{
    p->prev = NULL;
    p->from_state = VM_BASE_IN_RUN;
    p->elapsed_s = 0;
    p->note = why;
}

/* Try the saved samples for cur->dom[i]: the youngest old enough
 * (vm_window_pick). Sets the pair and returns true, or leaves prev NULL
 * with the reason in note. */
static bool pair_from_state(struct vm_sampling *s, const char *load_why,
                            const struct vm_sample_opts *o, size_t i)
{
    struct vm_rate_pair *p = &s->pairs[i];
    const struct vm_dom_stats *c = &s->cur.dom[i];
    const struct vm_dom_stats *old = NULL;
    double age[VM_STATE_RING_MAX];
    const char *why = NULL;
    size_t k;
    int b;

    p->cur = c;
    pair_no_base(p, load_why ? load_why : "no previous sample");
    if (s->saved.n == 0)
        return false;
    saved_ages(s, age);
    if ((b = vm_window_pick(age, s->saved.n, o->min_window_s, o->max_age_s, &why)) < 0) {
        p->note = why;
        return false;
    }
    /* Every sample from the base on must hold the domain: one without it
     * is from a check that libvirt skipped it in (busy.h) or that did not
     * select it, and an average across that gap is what sample_save keeps
     * out. */
    for (k = 0; k <= (size_t)b; k++)
        if (!(old = vm_snapshot_find(&s->saved.snap[k], c->uuid, i))) {
            p->note = "no previous sample of this domain";
            return false;
        }
    if (old->id != c->id)
        p->note = "domain ID changed: domain restarted";
    else if (!vm_sample_consistent(old, c))
        p->note = "counters went back: domain restarted";
    else if (!counters_ok(old, c, age[b]))
        p->note = "implausible counter jump: previous sample not used";
    else {
        p->prev = old;
        p->elapsed_s = age[b];
        p->from_state = b > 0 ? VM_BASE_EARLIER : VM_BASE_PREVIOUS;
        p->note = NULL;
        return true;
    }
    return false;
}

/* After the in-run interval: a previous run's sample when now valid (the
 * average since then: the interval may have made one old enough), else
 * the first sample of this run. */
static void pair_after_sleep(struct vm_sampling *s, const char *load_why,
                             const struct vm_sample_opts *o, size_t i)
{
    struct vm_rate_pair *p = &s->pairs[i];
    const struct vm_dom_stats *f;

    if (pair_from_state(s, load_why, o, i))
        return;
    f = vm_snapshot_find(&s->first, p->cur->uuid, i);
    if (!f) {
        p->note = "domain was not in the first sample";
    } else if (!vm_sample_consistent(f, p->cur)) {
        p->note = "domain restarted during sampling";
    } else if (!counters_ok(f, p->cur, vm_clock_diff(&s->cur.boot, &s->first.boot))) {
        p->note = "implausible counter jump during sampling";
    } else {
        p->prev = f;
        p->elapsed_s = vm_clock_diff(&s->cur.boot, &s->first.boot);
        /* p->note keeps why the state was not used. */
    }
}

/* Save cur with the saved samples later runs may need (vm_window_keep),
 * but not the domains libvirt skipped: a partial record must not become
 * the next run's base, and once the guest answers again the next check
 * samples it afresh rather than averaging across the stall. `ring` is
 * what the file held when this run took the lock: samples of overlapping
 * runs are kept, not replaced. */
static int sample_save(struct vm_state_dir *dir, const char *key, const struct vm_state_meta *meta,
                       const struct vm_state_ring *ring, const struct vm_snapshot *cur,
                       unsigned groups, const struct vm_sample_opts *o, struct vm_err *err)
{
    struct vm_state_item cand[1 + VM_STATE_RING_MAX], save[1 + VM_STATE_RING_MAX];
    double age[1 + VM_STATE_RING_MAX];
    bool keep[1 + VM_STATE_RING_MAX];
    struct vm_snapshot fresh = *cur; /* shallow: the members stay cur's */
    size_t i, k = 0, n = 0;
    int rc;

    fresh.dom = NULL;
    for (i = 0; i < cur->n; i++)
        if (vm_busy_for(&cur->dom[i], groups))
            break;
    if (i < cur->n) {
        if (!(fresh.dom = vm_calloc(cur->n, sizeof(*fresh.dom))))
            return vm_err_set(err, "out of memory");
        for (i = 0; i < cur->n; i++)
            if (!vm_busy_for(&cur->dom[i], groups))
                fresh.dom[k++] = cur->dom[i];
        fresh.n = k;
    }
    cand[n++] = (struct vm_state_item){fresh.dom ? &fresh : cur, NULL, 0};
    /* The saved samples go back as they were read, not formatted again. */
    for (i = 0; i < ring->n; i++)
        cand[n++] = (struct vm_state_item){&ring->snap[i], ring->text[i], ring->len[i]};
    for (i = 0; i < n; i++)
        age[i] = vm_clock_diff(&cur->boot, &cand[i].snap->boot);
    vm_window_keep(age, n, o->min_window_s, o->max_age_s, VM_STATE_RING_MAX, keep);
    for (i = k = 0; i < n; i++)
        if (keep[i])
            save[k++] = cand[i];
    rc = vm_state_save_items(dir, key, meta, save, k, err);
    free(fresh.dom);
    return rc;
}

static int make_pairs(struct vm_sampling *s, struct vm_err *err)
{
    free(s->pairs);
    s->npairs = 0;
    s->pairs = vm_calloc(s->cur.n, sizeof(*s->pairs));
    if (!s->pairs)
        return vm_err_set(err, "out of memory");
    s->npairs = s->cur.n;
    return 0;
}

/* CPU time that did not move at all between two samples of a running
 * domain: its QEMU is stopped or stuck (an idle guest still costs some).
 * Its figures stand, but libvirt may tell why (busy.h). */
static void sample_read_stalled(virDomainPtr *doms, struct vm_sampling *out)
{
    for (size_t i = 0; i < out->npairs; i++) {
        const struct vm_rate_pair *p = &out->pairs[i];
        uint64_t d;

        if (p->prev && !p->cur->busy.have_control && p->cur->state == VIR_DOMAIN_RUNNING &&
            vm_pair_delta(p->prev->cpu.v, p->prev->cpu.have, p->cur->cpu.v, p->cur->cpu.have,
                          VM_CPU_TIME, &d) == 0 &&
            d == 0)
            vm_stats_read_control(doms[i], &out->cur.dom[i].busy);
    }
}

/* The in-run second sample, --interval after the first (out->cur). */
static int sample_in_run(virDomainPtr *doms, size_t n, unsigned groups, struct vm_domxml_cache *xml,
                         const struct vm_sample_opts *o, const char *load_why,
                         struct vm_sampling *out, struct vm_err *err)
{
    vm_snapshot_clear(&out->first);
    out->first = out->cur;
    memset(&out->cur, 0, sizeof(out->cur));
    out->slept = true;
    out->slept_s = sleep_interval(o->interval_s);
    if (vm_stats_collect(doms, n, groups, o->wait_s, o->uri, xml, &out->cur, err) < 0 ||
        make_pairs(out, err) < 0 || saved_read_base(out, o, &load_why, err) < 0)
        return -1;
    for (size_t i = 0; i < out->cur.n; i++)
        pair_after_sleep(out, load_why, o, i);
    return 0;
}

/* The saved samples are not to be a base after all: forget them, and
 * sample in-run from the current one. */
static int sample_again(virDomainPtr *doms, size_t n, unsigned groups, struct vm_domxml_cache *xml,
                        const struct vm_sample_opts *o, struct vm_sampling *out, struct vm_err *err)
{
    vm_state_ring_clear(&out->saved);
    if (sample_in_run(doms, n, groups, xml, o, SAMPLE_UNWRITABLE, out, err) < 0)
        return -1;
    sample_read_stalled(doms, out);
    return 0;
}

/* The same without a second sample (o->no_in_run): no pair at all. */
static void sample_forget(struct vm_sampling *out)
{
    for (size_t i = 0; i < out->npairs; i++)
        pair_no_base(&out->pairs[i], SAMPLE_UNWRITABLE);
}

int vm_sample_run(virDomainPtr *doms, size_t n, unsigned groups, struct vm_domxml_cache *xml,
                  const struct vm_sample_opts *o, struct vm_sampling *out, struct vm_err *err)
{
    struct vm_state_dir dir = {-1, NULL};
    struct vm_state_ring latest = {0};
    const struct vm_state_ring *base = &out->saved;
    struct vm_state_meta meta;
    char key[160];
    const char *load_why = NULL;
    bool need_second = false, lock_busy = false;
    int lockfd = -1, rc = -1;
    size_t i;

    memset(out, 0, sizeof(*out));
    /* The state is a cache: it only saves a sleep. A folder that is unsafe
     * (symlink, owner, mode) is neither read nor written, and one that
     * cannot be written is not the base either (its newest sample could be
     * frozen for as long as --max-state-age); the run then samples in-run
     * and state_note says why. */
    if (!o->no_state) {
        if (vm_state_dir_open(&dir, o->state_dir, &out->state_err) < 0) {
            out->state_note = load_why = "the state folder cannot be used";
            goto sample;
        }
        vm_state_key(o->plugin, o->uri, o->key_args, o->nkey_args, key, sizeof(key));
        vm_state_meta_init(&meta, o->plugin, o->uri);
        /* Without the lock this run still reads (saves are atomic renames)
         * but does not write: the run holding it will, so a busy lock is
         * nothing to tell the admin; a lock that cannot be taken is. */
        lockfd = vm_state_lock(&dir, key, SAMPLE_LOCK_WAIT_MS, &out->state_err);
        lock_busy = lockfd < 0 && errno == EWOULDBLOCK;
        if (lockfd < 0 && !lock_busy) {
            out->state_note = "the state lock could not be taken";
            load_why = SAMPLE_UNWRITABLE;
        } else if (vm_state_load_lazy(&dir, key, &meta, &out->saved, &load_why, err) < 0) {
            goto cleanup;
        }
    } else {
        load_why = "state is off (--no-state)";
    }

sample:
    if (vm_stats_collect(doms, n, groups, o->wait_s, o->uri, xml, &out->cur, err) < 0 ||
        make_pairs(out, err) < 0 || saved_read_base(out, o, &load_why, err) < 0)
        goto cleanup;
    /* A domain libvirt skipped gets no second sample: its figures would be
     * as partial in this run, and the check answers for it at once. */
    for (i = 0; i < out->cur.n; i++)
        if (!pair_from_state(out, load_why, o, i) && has_counters(&out->cur.dom[i]) &&
            !vm_busy_for(&out->cur.dom[i], groups))
            need_second = true;

    if (need_second && !o->no_in_run &&
        sample_in_run(doms, n, groups, xml, o, load_why, out, err) < 0)
        goto cleanup;

    sample_read_stalled(doms, out);
    /* The run that held the lock has saved by now, most likely: one more
     * try, and the samples to keep are then the file's as it is now. */
    if (lock_busy && (lockfd = vm_state_lock(&dir, key, 0, &out->state_err)) >= 0) {
        const char *why;

        if (vm_state_load_lazy(&dir, key, &meta, &latest, &why, &out->state_err) < 0) {
            vm_state_unlock(lockfd);
            lockfd = -1;
        }
        base = &latest;
    }
    if (lockfd >= 0 &&
        sample_save(&dir, key, &meta, base, &out->cur, groups, o, &out->state_err) < 0) {
        out->state_note = "the state file could not be saved";
        /* A folder that takes no new sample (full, read-only) keeps an old
         * one: not a base. Measure in this run instead. */
        for (i = 0; i < out->npairs && !out->pairs[i].from_state; i++)
            ;
        if (i < out->npairs && o->no_in_run)
            sample_forget(out);
        else if (i < out->npairs && sample_again(doms, n, groups, xml, o, out, err) < 0)
            goto cleanup;
    }
    rc = 0;

cleanup:
    vm_state_ring_clear(&latest);
    vm_state_unlock(lockfd);
    vm_state_dir_clear(&dir);
    return rc;
}

void vm_sampling_clear(struct vm_sampling *s)
{
    if (!s)
        return;
    vm_state_ring_clear(&s->saved);
    vm_snapshot_clear(&s->first);
    vm_snapshot_clear(&s->cur);
    free(s->pairs);
    memset(s, 0, sizeof(*s));
}
