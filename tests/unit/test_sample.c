/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the pure parts of lib/sample.c: the rate and the check
 * that two samples of a domain belong together. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ck_run.h"
#include "sample.h"

/* ---- vm_rate ---------------------------------------------------------- */

static const struct {
    uint64_t prev, cur;
    double elapsed;
    int rc;
    double want; /* when rc == 0 */
    const char *what;
} rates[] = {
    {100, 200, 1.0, 0, 100.0, "normal"},
    {1000, 4000, 2.0, 0, 1500.0, "normal over 2 s"},
    {5, 5, 0.5, 0, 0.0, "no change"},
    {0, 0, 1.0, 0, 0.0, "zero counters"},
    {100, 200, 0.0, -1, 0, "zero elapsed"},
    {100, 200, -1.0, -1, 0, "negative elapsed"},
    {100, 200, -1e-9, -1, 0, "tiny negative elapsed"},
    {200, 100, 1.0, -1, 0, "reset: counter went down"},
    {1, 0, 1.0, -1, 0, "reset by one"},
    {UINT64_MAX, 0, 1.0, -1, 0, "reset from the top (a wrong way round subtraction would be huge)"},
    {0, UINT64_MAX, 1.0, 0, 18446744073709551615.0, "the whole range"},
    {UINT64_MAX - 1, UINT64_MAX, 1.0, 0, 1.0, "near UINT64_MAX"},
    {UINT64_MAX - 1000, UINT64_MAX, 10.0, 0, 100.0, "near UINT64_MAX over 10 s"},
    {1, 2, 1e-9, 0, 1e9, "1 ns elapsed"},
    {0, 1, 3.0, 0, 1.0 / 3.0, "no integer truncation: 1 over 3 s"},
    {0, 1000000000, 3.0, 0, 1e9 / 3.0, "1e9 ns over 3 s"},
    {0, 2, 4.0, 0, 0.5, "below one per second"},
    {48772617035ULL, 48772617035ULL + 1500000000ULL, 1.5, 0, 1e9, "one CPU busy"},
};

START_TEST(test_rate)
{
    double out = 12345.0;
    int rc = vm_rate(rates[_i].prev, rates[_i].cur, rates[_i].elapsed, &out);

    ck_assert_msg(rc == rates[_i].rc, "%s: rc %d", rates[_i].what, rc);
    if (rc == 0) {
        double tol = fabs(rates[_i].want) * 1e-12;

        ck_assert_msg(fabs(out - rates[_i].want) <= tol, "%s: %.17g, want %.17g", rates[_i].what,
                      out, rates[_i].want);
        ck_assert_msg(out >= 0, "%s: negative rate", rates[_i].what);
    } else {
        ck_assert_msg(out == 12345.0, "%s: *out written on error", rates[_i].what);
    }
}
END_TEST

START_TEST(test_rate_not_finite)
{
    double out = 1.0;

    ck_assert_int_eq(vm_rate(1, 2, NAN, &out), -1);
    ck_assert_int_eq(vm_rate(1, 2, INFINITY, &out), -1);
    ck_assert_int_eq(vm_rate(1, 2, -INFINITY, &out), -1);
    ck_assert(out == 1.0);
}
END_TEST

/* ---- vm_sample_consistent --------------------------------------------- */

struct dom_fixture {
    struct vm_dom_stats d;
    struct vm_vcpu_stats vcpu[2];
    struct vm_block_stats block[2];
    struct vm_net_stats net[1];
    char bname[2][8];
    char nname[8];
};

static void fixture_init(struct dom_fixture *f)
{
    size_t i, k;

    memset(f, 0, sizeof(*f));
    strcpy(f->d.uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    f->d.id = 3;
    for (k = 0; k < VM_CPU_NR; k++)
        f->d.cpu.v[k] = 1000 + k;
    f->d.cpu.have = (1u << VM_CPU_NR) - 1;
    for (k = 0; k < VM_BAL_NR; k++)
        f->d.balloon.v[k] = 500 + k;
    f->d.balloon.have = (1u << VM_BAL_NR) - 1;
    for (i = 0; i < 2; i++) {
        for (k = 0; k < VM_VCPU_NR; k++)
            f->vcpu[i].v[k] = 100 + k;
        f->vcpu[i].have = (1u << VM_VCPU_NR) - 1;
        strcpy(f->bname[i], i ? "vdb" : "vda");
        f->block[i].name = f->bname[i];
        for (k = 0; k < VM_BLK_NR; k++)
            f->block[i].v[k] = 10000 * (i + 1) + k;
        f->block[i].have = (1u << VM_BLK_NR) - 1;
    }
    strcpy(f->nname, "vnet0");
    f->net[0].name = f->nname;
    for (k = 0; k < VM_NET_NR; k++)
        f->net[0].v[k] = 7000 + k;
    f->net[0].have = (1u << VM_NET_NR) - 1;
    f->d.vcpu = f->vcpu;
    f->d.nvcpu = 2;
    f->d.block = f->block;
    f->d.nblock = 2;
    f->d.net = f->net;
    f->d.nnet = 1;
}

enum change {
    LOWERED, /* the counter of .lowered */
    SAME,
    ALL_UP,
    ID_CHANGED,
    UUID_CHANGED,
    CPU_DOWN_BUT_MISSING,
    VCPU_HOTPLUG,
    BLK_CAPACITY_DOWN,
    BLK_REORDERED,
    BLK_REMOVED,
    BLK_NEW_NAME,
    NET_NEW_NAME,
    BALLOON_DOWN,
    NOT_RUNNING_BOTH,
};

/* A counter of the new sample, of one part: the domain's cpu (i 0), or
 * vCPU, disk or interface i; figure k. */
enum part { PART_CPU, PART_VCPU, PART_BLK, PART_NET };

static uint64_t *counter(struct dom_fixture *f, enum part part, size_t i, unsigned k)
{
    switch (part) {
    case PART_CPU:
        return &f->d.cpu.v[k];
    case PART_VCPU:
        return &f->vcpu[i].v[k];
    case PART_BLK:
        return &f->block[i].v[k];
    case PART_NET:
        break;
    }
    return &f->net[i].v[k];
}

static const struct {
    enum change c;
    bool consistent;
    const char *what;
    struct {
        enum part part;
        size_t i;
        unsigned k;
        bool to_zero; /* else one less */
    } lowered;        /* of LOWERED: a reset, unless the figure is a gauge */
} changes[] = {
    {SAME, true, "identical samples", {0}},
    {ALL_UP, true, "every counter went up", {0}},
    {ID_CHANGED, false, "domain ID changed", {0}},
    {UUID_CHANGED, false, "another domain", {0}},
    {LOWERED, false, "cpu.time went down", {PART_CPU, 0, VM_CPU_TIME, false}},
    {LOWERED, false, "cpu.user went down", {PART_CPU, 0, VM_CPU_USER, true}},
    {CPU_DOWN_BUT_MISSING, true, "a lower value that the new sample does not have", {0}},
    {LOWERED, false, "vcpu.1.time went down", {PART_VCPU, 1, VM_VCPU_TIME, false}},
    {LOWERED, false, "vcpu.0.wait went down", {PART_VCPU, 0, VM_VCPU_WAIT, false}},
    {LOWERED, false, "vcpu.1.delay went down", {PART_VCPU, 1, VM_VCPU_DELAY, false}},
    {LOWERED, true, "vcpu state is a gauge", {PART_VCPU, 0, VM_VCPU_STATE, true}},
    {VCPU_HOTPLUG, true, "a vCPU fewer", {0}},
    {LOWERED, false, "block rd.bytes went down", {PART_BLK, 0, VM_BLK_RD_BYTES, false}},
    {LOWERED, false, "block errors went down", {PART_BLK, 1, VM_BLK_ERRORS, false}},
    {LOWERED, false, "block fl.times went down", {PART_BLK, 1, VM_BLK_FL_TIMES, false}},
    {BLK_CAPACITY_DOWN, true, "capacity is a gauge", {0}},
    {LOWERED, true, "allocation is a gauge (discard)", {PART_BLK, 0, VM_BLK_ALLOCATION, true}},
    {BLK_REORDERED, true, "disks matched by name, not position", {0}},
    {BLK_REMOVED, true, "a disk unplugged", {0}},
    {BLK_NEW_NAME, true, "a new disk with small counters", {0}},
    {LOWERED, false, "net rx.bytes went down", {PART_NET, 0, VM_NET_RX_BYTES, false}},
    {NET_NEW_NAME, true, "a new interface with small counters", {0}},
    {LOWERED, false, "net tx.drop went down", {PART_NET, 0, VM_NET_TX_DROP, false}},
    {BALLOON_DOWN, true, "balloon values are not checked", {0}},
    {NOT_RUNNING_BOTH, true, "shut off twice: nothing to compare", {0}},
};

START_TEST(test_consistent)
{
    struct dom_fixture p, c;
    uint64_t *v;
    size_t k;

    fixture_init(&p);
    fixture_init(&c);
    switch (changes[_i].c) {
    case LOWERED:
        v = counter(&c, changes[_i].lowered.part, changes[_i].lowered.i, changes[_i].lowered.k);
        *v = changes[_i].lowered.to_zero ? 0 : *v - 1;
        break;
    case SAME:
        break;
    case ALL_UP:
        for (k = 0; k < VM_CPU_NR; k++)
            c.d.cpu.v[k] += 5;
        c.vcpu[0].v[VM_VCPU_TIME] += 1;
        c.block[1].v[VM_BLK_WR_BYTES] += 4096;
        c.net[0].v[VM_NET_TX_BYTES] += 1;
        break;
    case ID_CHANGED:
        c.d.id = 4;
        break;
    case UUID_CHANGED:
        c.d.uuid[0] = '7';
        break;
    case CPU_DOWN_BUT_MISSING:
        c.d.cpu.v[VM_CPU_TIME] = 0;
        c.d.cpu.have &= ~(1u << VM_CPU_TIME);
        break;
    case VCPU_HOTPLUG:
        c.d.nvcpu = 1;
        break;
    case BLK_CAPACITY_DOWN:
        c.block[0].v[VM_BLK_CAPACITY] = 1;
        c.block[0].v[VM_BLK_PHYSICAL] = 1;
        break;
    case BLK_REORDERED:
        /* vdb (larger counters) first now: by position it would go down */
        c.block[0] = p.block[1];
        c.block[1] = p.block[0];
        break;
    case BLK_REMOVED:
        c.d.nblock = 1;
        c.block[0] = p.block[1];
        break;
    case BLK_NEW_NAME:
        strcpy(c.bname[1], "vdc");
        c.block[1].v[VM_BLK_RD_BYTES] = 0;
        break;
    case NET_NEW_NAME:
        strcpy(c.nname, "vnet1");
        c.net[0].v[VM_NET_RX_BYTES] = 0;
        break;
    case BALLOON_DOWN:
        c.d.balloon.v[VM_BAL_SWAP_IN] = 0;
        c.d.balloon.v[VM_BAL_USABLE] = 0;
        break;
    case NOT_RUNNING_BOTH:
        memset(&p.d, 0, sizeof(p.d));
        memset(&c.d, 0, sizeof(c.d));
        p.d.id = c.d.id = -1;
        break;
    }
    ck_assert_msg(vm_sample_consistent(&p.d, &c.d) == changes[_i].consistent, "%s",
                  changes[_i].what);
}
END_TEST

START_TEST(test_consistent_null)
{
    struct dom_fixture p;

    fixture_init(&p);
    ck_assert(!vm_sample_consistent(NULL, &p.d));
    ck_assert(!vm_sample_consistent(&p.d, NULL));
    ck_assert(vm_sample_consistent(&p.d, &p.d));
}
END_TEST

/* An empty struct vm_sampling can be freed, twice. */
START_TEST(test_sampling_free_empty)
{
    struct vm_sampling s;

    memset(&s, 0, sizeof(s));
    vm_sampling_clear(&s);
    vm_sampling_clear(&s);
    vm_sampling_clear(NULL);
}
END_TEST

START_TEST(test_pair_delta)
{
    uint64_t p[2] = {5, 7}, c[2] = {9, 6}, out = 99;

    ck_assert_int_eq(vm_pair_delta(p, 3, c, 3, 0, &out), 0);
    ck_assert_uint_eq(out, 4);
    ck_assert_int_eq(vm_pair_delta(p, 3, c, 3, 1, &out), -1); /* went down: a reset */
    ck_assert_int_eq(vm_pair_delta(p, 2, c, 3, 0, &out), -1);
    ck_assert_int_eq(vm_pair_delta(p, 3, c, 2, 0, &out), -1);
    ck_assert_int_eq(vm_pair_delta(p, 1, c, 1, 0, &out), 0);
    ck_assert_uint_eq(out, 4);
}
END_TEST

START_TEST(test_pair_rate)
{
    uint64_t p[2] = {5, 7}, c[2] = {9, 6};
    double out = -1;

    ck_assert_int_eq(vm_pair_rate(p, 3, c, 3, 0, 2.0, &out), 0);
    ck_assert_double_eq(out, 2.0);
    ck_assert_int_eq(vm_pair_rate(p, 3, c, 3, 1, 2.0, &out), -1); /* a reset */
    ck_assert_int_eq(vm_pair_rate(p, 2, c, 3, 0, 2.0, &out), -1); /* absent before */
    ck_assert_int_eq(vm_pair_rate(p, 3, c, 3, 0, 0.0, &out), -1); /* no time */
    ck_assert_double_eq(vm_pair_rate_or_nan(p, 3, c, 3, 0, 4.0), 1.0);
    ck_assert(isnan(vm_pair_rate_or_nan(p, 3, c, 2, 0, 4.0)));
}
END_TEST

/* ---- the window: which saved sample is a rate's base ------------------ */

#define W_YOUNG "previous sample too recent for --min-window"
#define W_OLD "previous sample too old"
#define W_FUTURE "previous sample is from the future"
#define W_NONE "no previous sample"

static const struct {
    double age[4]; /* newest first */
    size_t n;
    double window, max_age;
    int want;
    const char *why;
} picks[] = {
    /* the bug: a check 10 ms after another */
    {{0.01}, 1, 5, 3600, -1, W_YOUNG},
    /* the next older sample is old enough: it is the base */
    {{0.01, 6.0}, 2, 5, 3600, 1, NULL},
    {{0.01, 1.0, 2.0, 5.5}, 4, 5, 3600, 3, NULL},
    {{1, 2, 5.5, 9}, 4, 5, 3600, 2, NULL}, /* the youngest old enough */
    {{5.0}, 1, 5, 3600, 0, NULL},          /* inclusive */
    {{4.999}, 1, 5, 3600, -1, W_YOUNG},
    {{300}, 1, 5, 3600, 0, NULL}, /* a scheduled check */
    {{3600}, 1, 5, 3600, 0, NULL},
    {{3601}, 1, 5, 3600, -1, W_OLD},
    {{0.2, 4000}, 2, 5, 3600, -1, W_YOUNG}, /* the young one is usable soonest */
    {{-1}, 1, 5, 3600, -1, W_FUTURE},
    {{0}, 1, 5, 3600, -1, W_FUTURE}, /* not older than the new one */
    {{NAN}, 1, 5, 3600, -1, W_FUTURE},
    {{-1, 7}, 2, 5, 3600, 1, NULL},
    {{0}, 0, 5, 3600, -1, W_NONE},
    {{0.001}, 1, 0, 3600, 0, NULL}, /* no window: any age above 0 */
    {{0.001}, 1, 0.001, 3600, 0, NULL},
};

START_TEST(test_window_pick)
{
    const char *why = "unset";
    int got = vm_window_pick(picks[_i].age, picks[_i].n, picks[_i].window, picks[_i].max_age, &why);

    ck_assert_msg(got == picks[_i].want, "case %d: picked %d, not %d", _i, got, picks[_i].want);
    if (picks[_i].why)
        ck_assert_str_eq(why, picks[_i].why);
}
END_TEST

/* ---- the window: which samples the state keeps ------------------------ */

static const struct {
    double age[6]; /* newest first, age[0] = 0 the new sample */
    size_t n, max_keep;
    double window, max_age;
    const char *keep; /* '1' kept */
} keeps[] = {
    {{0}, 1, 4, 5, 3600, "1"},
    /* a scheduled check: the previous one stays for a retry soon after */
    {{0, 300}, 2, 4, 5, 3600, "11"},
    /* a retry 20 ms after: both older ones stay */
    {{0, 0.02, 300}, 3, 4, 5, 3600, "111"},
    /* the youngest old enough is the anchor, older ones go */
    {{0, 1, 5.5, 9}, 4, 4, 5, 3600, "1110"},
    /* between the anchor and the new one, one every window/3 */
    {{0, 0.02, 1.0, 2.0, 5.1}, 5, 4, 5, 3600, "11011"},
    /* at most max_keep, the older in-between first */
    {{0, 0.5, 2.2, 3.9, 5.6, 7}, 6, 4, 5, 3600, "101110"},
    /* none old enough yet: the oldest is the anchor */
    {{0, 1, 2, 3}, 4, 4, 5, 3600, "1101"},
    /* too old for any base */
    {{0, 4000}, 2, 4, 5, 3600, "10"},
    {{0, 2, 4000}, 3, 4, 5, 3600, "110"},
    /* not older than the new one (a clock step), or NaN */
    {{0, 0, 3}, 3, 4, 5, 3600, "101"},
    {{0, NAN, 6}, 3, 4, 5, 3600, "101"},
    {{0, 1, 6}, 3, 1, 5, 3600, "100"},
    {{0, 1, 6}, 3, 2, 5, 3600, "101"},
};

START_TEST(test_window_keep)
{
    bool keep[6];
    char got[7] = "";
    size_t i, k = vm_window_keep(keeps[_i].age, keeps[_i].n, keeps[_i].window, keeps[_i].max_age,
                                 keeps[_i].max_keep, keep);
    size_t ones = 0;

    for (i = 0; i < keeps[_i].n; i++) {
        got[i] = keep[i] ? '1' : '0';
        ones += keep[i];
    }
    ck_assert_msg(strcmp(got, keeps[_i].keep) == 0, "case %d: kept %s, not %s", _i, got,
                  keeps[_i].keep);
    ck_assert_uint_eq(k, ones);
    ck_assert_uint_le(k, keeps[_i].max_keep);
}
END_TEST

START_TEST(test_window_keep_empty)
{
    bool keep[1] = {true};

    ck_assert_uint_eq(vm_window_keep(NULL, 0, 5, 3600, 4, keep), 0);
    ck_assert_uint_eq(vm_window_keep((const double[]){0}, 1, 5, 3600, 0, keep), 0);
    ck_assert(!keep[0]);
}
END_TEST

/* The two rules together over many checks: checks `period` apart (a retry
 * loop, or a schedule), in-run sampling 1 s when no base fits. Every
 * figure from the state is over at least the window and, once a sample is
 * old enough, never sampled in-run again; the ring stays within its
 * bound, and the windows stay short of window + 2 steps + a period. */
static const struct {
    double period, window;
} sims[] = {
    {0.02, 5}, {0.3, 5}, {1, 5}, {2.5, 5}, {4.9, 5}, {60, 5}, {0.05, 0.5},
};

START_TEST(test_window_simulated)
{
    const double w = sims[_i].window, period = sims[_i].period, interval = 1;
    double ring[VM_STATE_RING_MAX], t = 0, longest = 0, cand[1 + VM_STATE_RING_MAX];
    double age[VM_STATE_RING_MAX];
    bool keep[1 + VM_STATE_RING_MAX];
    size_t n = 0, runs = 0, in_run_late = 0, bad = 0;
    const char *why;

    /* Plain checks in the loop, one assertion after: a Check assertion
     * costs a write to its pipe, and this loop runs thousands of times. */
    while (t < 20 * w + 20 * period) {
        size_t i, m = 0;
        int b;

        for (i = 0; i < n; i++)
            age[i] = t - ring[i];
        b = vm_window_pick(age, n, w, 3600, &why);
        if (b < 0) {
            t += interval; /* in-run: the pair is 1 s apart, the base a sample older */
            for (i = 0; i < n; i++)
                age[i] = t - ring[i];
            b = vm_window_pick(age, n, w, 3600, &why);
            if (t > 2 * w + 2 * interval + period)
                in_run_late++;
        }
        if (b >= 0) {
            bad += !(age[b] >= w); /* a base under the window */
            if (age[b] > longest)
                longest = age[b];
        }
        /* save: the new sample and the ring */
        cand[m++] = t;
        for (i = 0; i < n; i++)
            cand[m++] = ring[i];
        for (i = 0; i < m; i++)
            cand[i] = t - cand[i];
        bad += vm_window_keep(cand, m, w, 3600, VM_STATE_RING_MAX, keep) > VM_STATE_RING_MAX;
        bad += !keep[0];
        for (i = n = 0; i < m; i++)
            if (keep[i])
                ring[n++] = t - cand[i];
        for (i = 1; i < n; i++)
            bad += !(ring[i] < ring[i - 1]); /* out of order */
        t += period;
        runs++;
    }
    ck_assert_msg(bad == 0, "period %.3f: %zu broken rules", period, bad);
    ck_assert_msg(in_run_late == 0, "period %.3f: %zu late checks sampled in-run", period,
                  in_run_late);
    ck_assert_msg(longest <= w + 2 * w / 3 + period + interval + 1e-9,
                  "period %.3f: a window of %.2f s", period, longest);
    ck_assert_uint_gt(runs, 10);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("sample");

    VM_CK_TCASE(s, "rate", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_LOOP(test_rate, VM_CK_N(rates)),
                VM_CK_TEST(test_rate_not_finite), VM_CK_TEST(test_pair_delta),
                VM_CK_TEST(test_pair_rate));

    VM_CK_TCASE(s, "consistent", VM_CK_TIMEOUT_S, NULL, NULL,
                VM_CK_LOOP(test_consistent, VM_CK_N(changes)), VM_CK_TEST(test_consistent_null),
                VM_CK_TEST(test_sampling_free_empty));

    VM_CK_TCASE(s, "window", VM_CK_TIMEOUT_S, NULL, NULL,
                VM_CK_LOOP(test_window_pick, VM_CK_N(picks)),
                VM_CK_LOOP(test_window_keep, VM_CK_N(keeps)), VM_CK_TEST(test_window_keep_empty),
                VM_CK_LOOP(test_window_simulated, VM_CK_N(sims)));
    return s;
}

VM_CK_MAIN(make_suite)
