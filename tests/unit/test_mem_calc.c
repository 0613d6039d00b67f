/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mem_calc (check_vmem's pressure, limit and balloon arithmetic), with
 * hand-built balloon stats: no libvirt connection. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_run.h"
#include "mem_calc.h"

#define BIT(f) (1u << (f))
#define COUNTERS                                                                                   \
    (BIT(VM_BAL_SWAP_IN) | BIT(VM_BAL_SWAP_OUT) | BIT(VM_BAL_MAJOR_FAULT) |                        \
     BIT(VM_BAL_HUGETLB_PGFAIL))

/* Counters: swap in/out (KiB), major faults, hugetlb failures; last-update. */
static struct vm_bal_stats bal(uint64_t in, uint64_t out, uint64_t majflt, uint64_t pgfail,
                               uint64_t last_update, uint32_t have)
{
    struct vm_bal_stats b;

    memset(&b, 0, sizeof(b));
    b.v[VM_BAL_SWAP_IN] = in;
    b.v[VM_BAL_SWAP_OUT] = out;
    b.v[VM_BAL_MAJOR_FAULT] = majflt;
    b.v[VM_BAL_HUGETLB_PGFAIL] = pgfail;
    b.v[VM_BAL_LAST_UPDATE] = last_update;
    b.have = have | (last_update ? BIT(VM_BAL_LAST_UPDATE) : 0);
    return b;
}

static void assert_rate(double got, double want)
{
    if (isnan(want))
        ck_assert_msg(isnan(got), "got %g, want none", got);
    else
        ck_assert_msg(fabs(got - want) < 1e-9, "got %g, want %g", got, want);
}

/* The rates of p and c, elapsed_s apart: the answer `why` over the window
 * `window`, with the rates want[] (NAN: none). */
static void assert_rates(const struct vm_bal_stats *p, const struct vm_bal_stats *c,
                         double elapsed_s, enum vm_mem_rates_why why, double window,
                         const double want[VM_MEM_NRATES])
{
    struct vm_mem_rates r;

    vm_mem_rates_compute(p, c, elapsed_s, &r);
    ck_assert_int_eq(r.why, why);
    if (why == VM_MEM_RATES_OK)
        assert_rate(r.elapsed_s, window);
    for (unsigned k = 0; k < VM_MEM_NRATES; k++)
        assert_rate(r.v[k], want[k]);
}

#define RATES(...) ((const double[VM_MEM_NRATES]){__VA_ARGS__})
#define NO_RATES RATES(NAN, NAN, NAN, NAN, NAN)

START_TEST(rates_over_the_read_window)
{
    struct vm_bal_stats p = bal(100, 50, 7, 1, 0, COUNTERS), c = bal(110, 70, 27, 3, 0, COUNTERS);

    /* no last-update: the reads' window, KiB as bytes */
    assert_rates(&p, &c, 10.0, VM_MEM_RATES_OK, 10.0, RATES(1024.0, 2048.0, 3072.0, 2.0, 0.2));
}
END_TEST

START_TEST(rates_over_the_guest_reports)
{
    struct vm_bal_stats p = bal(0, 0, 0, 0, 1000, COUNTERS), c = bal(0, 0, 290, 0, 1290, COUNTERS);

    /* reads 300 s apart, reports 290 s apart: the guest counted for 290 */
    assert_rates(&p, &c, 300.0, VM_MEM_RATES_OK, 290.0, RATES(0.0, 0.0, 0.0, 1.0, 0.0));
    /* the same report twice (a read within one stats period): no rate */
    c = bal(0, 0, 0, 0, 1000, COUNTERS);
    assert_rates(&p, &c, 1.0, VM_MEM_RATES_NO_UPDATE, 0, NO_RATES);
    /* a report from before the older one: no rate either */
    c = bal(0, 0, 0, 0, 999, COUNTERS);
    assert_rates(&p, &c, 1.0, VM_MEM_RATES_NO_UPDATE, 0, NO_RATES);
}
END_TEST

START_TEST(rates_missing_and_reset)
{
    struct vm_bal_stats p = bal(100, 50, 7, 0, 0, COUNTERS & ~BIT(VM_BAL_HUGETLB_PGFAIL));
    struct vm_bal_stats c = bal(100, 60, 9, 5, 0, COUNTERS);

    /* hugetlb_pgfail only in the newer sample: none; the others stand */
    assert_rates(&p, &c, 2.0, VM_MEM_RATES_OK, 2.0, RATES(0.0, 5120.0, 5120.0, 1.0, NAN));
    /* one swap side missing: no swap sum */
    c.have &= ~BIT(VM_BAL_SWAP_IN);
    assert_rates(&p, &c, 2.0, VM_MEM_RATES_OK, 2.0, RATES(NAN, 5120.0, NAN, 1.0, NAN));
    /* a counter went back (the guest rebooted): no rate at all */
    c = bal(100, 60, 3, 5, 0, COUNTERS);
    assert_rates(&p, &c, 2.0, VM_MEM_RATES_RESET, 0, NO_RATES);
    /* nothing reported at all */
    p = bal(0, 0, 0, 0, 0, 0);
    assert_rates(&p, &p, 2.0, VM_MEM_RATES_OK, 2.0, NO_RATES);
}
END_TEST

static const struct {
    uint64_t hard, soft, swap, rss_kib;
    int rc;
    const char *name;
    double pct;
    const char *words; /* vm_mem_limit_describe's; NULL: not checked */
} lim[] = {
    {4ULL << 30, 0, 0, 3ULL << 20, 0, "hard_limit", 75.0,
     "rss 3.00 GiB = 75.0% of hard_limit 4.00 GiB"},
    {0, 2ULL << 30, 0, 3ULL << 20, 0, "soft_limit", 150.0, NULL},
    {4ULL << 30, 2ULL << 30, 0, 1ULL << 20, 0, "soft_limit", 50.0, NULL}, /* the tighter one */
    /* a tie: the one that kills */
    {2ULL << 30, 2ULL << 30, 0, 1ULL << 20, 0, "hard_limit", 50.0, NULL},
    {2ULL << 30, 4ULL << 30, 0, 1ULL << 20, 0, "hard_limit", 50.0, NULL},
    /* swap_hard_limit alone does not bound RSS */
    {0, 0, 8ULL << 30, 1ULL << 20, -1, NULL, NAN, NULL},
    {0, 0, 0, 1ULL << 20, -1, NULL, NAN, NULL},
};

START_TEST(limit_pick)
{
    struct vm_memtune mt = {lim[_i].hard, lim[_i].soft, lim[_i].swap};
    struct vm_mem_limit l;
    struct vm_buf b = VM_BUF_INIT;

    ck_assert_int_eq(vm_mem_limit_pick(&mt, lim[_i].rss_kib, &l), lim[_i].rc);
    ck_assert_pstr_eq(l.name, lim[_i].name);
    assert_rate(l.pct, lim[_i].pct);
    assert_rate(l.rss_b, (double)lim[_i].rss_kib * 1024.0);
    if (lim[_i].words) {
        vm_mem_limit_describe(&b, &l);
        ck_assert_str_eq(vm_buf_str(&b), lim[_i].words);
    }
    vm_buf_clear(&b);
}
END_TEST

START_TEST(balloon_held)
{
    struct vm_bal_stats b;
    struct vm_buf t = VM_BUF_INIT;

    memset(&b, 0, sizeof(b));
    b.v[VM_BAL_CURRENT] = 3ULL << 20;
    b.v[VM_BAL_MAXIMUM] = 4ULL << 20;
    ck_assert(vm_mem_balloon_held(&b) == 0); /* neither reported */
    b.have = BIT(VM_BAL_CURRENT);
    ck_assert(vm_mem_balloon_held(&b) == 0);
    b.have |= BIT(VM_BAL_MAXIMUM);
    ck_assert(vm_mem_balloon_held(&b) == 1073741824.0);
    ck_assert(vm_mem_balloon_describe(&t, &b));
    ck_assert_str_eq(vm_buf_str(&t), "balloon holds 1.00 GiB of 4.00 GiB back");
    b.v[VM_BAL_CURRENT] = 4ULL << 20; /* at the maximum: nothing held, nothing said */
    ck_assert(vm_mem_balloon_held(&b) == 0);
    ck_assert(!vm_mem_balloon_describe(&t, &b));
    ck_assert_str_eq(vm_buf_str(&t), "balloon holds 1.00 GiB of 4.00 GiB back");
    b.v[VM_BAL_CURRENT] = 5ULL << 20; /* above it (a driver's own count): none */
    ck_assert(vm_mem_balloon_held(&b) == 0);
    vm_buf_clear(&t);
}
END_TEST

START_TEST(used)
{
    struct vm_bal_stats b;

    memset(&b, 0, sizeof(b));
    b.v[VM_BAL_AVAILABLE] = 4ULL << 20;
    b.v[VM_BAL_USABLE] = 1ULL << 20;
    b.v[VM_BAL_UNUSED] = 3ULL << 20;
    ck_assert(vm_mem_used(&b, true) == 3221225472.0);
    ck_assert(vm_mem_used(&b, false) == 1073741824.0);
    b.v[VM_BAL_USABLE] = 5ULL << 20; /* usable above the total for a moment */
    ck_assert(vm_mem_used(&b, true) == 0.0);
}
END_TEST

START_TEST(rates_in_words)
{
    struct vm_bal_stats p = bal(0, 0, 0, 0, 1000, COUNTERS & ~BIT(VM_BAL_HUGETLB_PGFAIL));
    struct vm_bal_stats c = bal(30, 0, 600, 0, 1300, COUNTERS & ~BIT(VM_BAL_HUGETLB_PGFAIL));
    struct vm_mem_rates r;
    struct vm_buf b = VM_BUF_INIT;

    vm_mem_rates_compute(&p, &c, 300.0, &r);
    vm_mem_rates_describe(&b, &r);
    ck_assert_str_eq(vm_buf_str(&b), "swap 102 B/s in, 0 B/s out, 2.0 major faults/s, "
                                     "hugetlb_pgfail not reported (over 5 min 0 s of guest "
                                     "reports)");
    vm_buf_clear(&b);
    p = c; /* a later report whose count went back */
    c.v[VM_BAL_MAJOR_FAULT] = 0;
    c.v[VM_BAL_LAST_UPDATE] = 1600;
    vm_mem_rates_compute(&p, &c, 300.0, &r);
    vm_mem_rates_describe(&b, &r);
    ck_assert_str_eq(vm_buf_str(&b), "pressure rates from the next check (counters went "
                                     "back: the guest restarted)");
    vm_buf_clear(&b);
    vm_mem_rates_compute(&p, &p, 300.0, &r);
    vm_mem_rates_describe(&b, &r);
    ck_assert_str_eq(vm_buf_str(&b), "pressure rates not known: the guest has not reported "
                                     "since the previous sample");
    vm_buf_clear(&b);
}
END_TEST

START_TEST(rates_pending)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_mem_rates_pending(&b, true, "no previous sample");
    ck_assert_str_eq(vm_buf_str(&b),
                     "; no pressure rates with --no-state (--pressure measures them in-run)");
    vm_buf_clear(&b);
    vm_mem_rates_pending(&b, false, "no previous sample");
    ck_assert_str_eq(vm_buf_str(&b), "; pressure rates from the next check");
    vm_buf_clear(&b);
    vm_mem_rates_pending(&b, false, NULL);
    ck_assert_str_eq(vm_buf_str(&b), "; pressure rates from the next check");
    vm_buf_clear(&b);
    vm_mem_rates_pending(&b, false, "the saved sample is too old");
    ck_assert_str_eq(vm_buf_str(&b),
                     "; pressure rates from the next check (the saved sample is too old)");
    vm_buf_clear(&b);
}
END_TEST

START_TEST(stale_limit)
{
    struct vm_domxml x;
    long period;

    memset(&x, 0, sizeof(x));
    /* no XML: the floor, or --max-age */
    ck_assert_int_eq(vm_mem_stale_limit(-1, 30, 31, NULL, &period), 30);
    ck_assert_int_eq(period, -1);
    ck_assert_int_eq(vm_mem_stale_limit(-1, 30, 30, NULL, &period), 0);
    ck_assert_int_eq(vm_mem_stale_limit(60, 30, 61, NULL, &period), 60);
    /* auto: three periods of 20 s when that is more than the floor */
    x.balloon = VM_BALLOON_PRESENT;
    x.stats_period = 20;
    ck_assert_int_eq(vm_mem_stale_limit(-1, 30, 59, &x, &period), 0);
    ck_assert_int_eq(period, 20);
    ck_assert_int_eq(vm_mem_stale_limit(-1, 30, 61, &x, &period), 60);
    /* an explicit --max-age wins over the period */
    ck_assert_int_eq(vm_mem_stale_limit(40, 30, 41, &x, &period), 40);
    /* no balloon: the period is unknown */
    x.balloon = VM_BALLOON_NONE;
    ck_assert_int_eq(vm_mem_stale_limit(-1, 30, 31, &x, &period), 30);
    ck_assert_int_eq(period, -1);
}
END_TEST

VM_CK_MAIN_TCASE("mem_calc", "mem_calc", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_TEST(rates_over_the_read_window), VM_CK_TEST(rates_over_the_guest_reports),
                 VM_CK_TEST(rates_missing_and_reset), VM_CK_LOOP(limit_pick, VM_CK_N(lim)),
                 VM_CK_TEST(balloon_held), VM_CK_TEST(used), VM_CK_TEST(rates_in_words),
                 VM_CK_TEST(rates_pending), VM_CK_TEST(stale_limit))
