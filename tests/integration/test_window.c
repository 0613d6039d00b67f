/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The minimum window, at the plugin level: check_vnet on devices.xml's
 * db01 run back to back on one state folder, as a retry does, or the
 * commands of nrpe.cfg.sample for one plugin (one state key: -w/-c are not
 * part of it). The test driver's error counters follow its clock: rx_errs
 * = s, tx_errs = s/3, so errors grow by 4/3 per second, in steps of one.
 * Averaged over 10 ms, a step read as 0/s or as 80/s (CRITICAL at -c 10);
 * over a window W the figure is within 2/W of 4/3. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define SUITE_PLUGIN "check_vnet"
#define SUITE_FIXTURE "devices.xml"
#include "plugin_suite.h"

#define ERRORS "db01:52:54:00:00:02:01:errors_ps"
#define TRUE_RATE (4.0 / 3.0)

static char dir[] = "/tmp/vm-window-XXXXXX";
static char dirarg[64];

static void setup(void)
{
    suite_setup();
    strcpy(dir, "/tmp/vm-window-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dirarg, sizeof(dirarg), "--state-dir=%s", dir);
}

static void teardown(void)
{
    vm_fs_rm_rf(dir);
    suite_teardown();
}

/* The window the detail line names: "average over S s since ..." (from
 * the state, *saved true) or "measured over S s in this run". */
static double window_of(const char *out, bool *saved)
{
    const char *p = strstr(out, "average over ");

    *saved = p != NULL;
    if (!p)
        p = strstr(out, "measured over ");
    ck_assert_msg(p != NULL, "no window in:\n%s", out);
    return strtod(strstr(p, " over ") + 6, NULL);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The loop, shortened with --min-window=2: every figure true
 * within its window's step, never one over less than the window, and
 * once a sample is old enough every run answers from the state. */
START_TEST(back_to_back)
{
    struct timespec t0;
    size_t runs = 0, saved_runs = 0, late_in_run = 0;
    double el;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        struct vm_run r;
        bool saved;
        double w, v;

        run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, "--min-window=2", "-w", "errors=1", "-c",
                     "errors=10"));
        el = seconds_since(&t0);
        ck_assert_msg(r.status == 0 || r.status == 1, "run %zu: exit %d:\n%s", runs, r.status,
                      r.out);
        w = window_of(r.out, &saved);
        v = vm_perf_value(r.out, ERRORS);
        if (saved) {
            saved_runs++;
            ck_assert_msg(w >= 2.0, "run %zu: average over %.1f s:\n%s", runs, w, r.out);
        } else {
            ck_assert_msg(w >= 0.95, "run %zu: measured over %.1f s:\n%s", runs, w, r.out);
            if (el > 3.5 + vm_run_slack())
                late_in_run++;
        }
        ck_assert_msg(fabs(v - TRUE_RATE) <= 2.0 / w + 0.05, "run %zu: errors %.2f/s over %.1f s",
                      runs, v, w);
        vm_run_free(&r);
        runs++;
    } while (el < 4.5 + vm_run_slack() || runs < 6); /* 6 runs also when a run is slow (valgrind) */
    ck_assert_msg(late_in_run == 0, "%zu of %zu runs sampled in-run after 3.5 s", late_in_run,
                  runs);
    ck_assert_msg(saved_runs > 0 && runs > 5, "%zu runs, %zu from the state", runs, saved_runs);
}
END_TEST

/* The default window: a run right after another does not average over
 * milliseconds, it samples in-run and says why. */
START_TEST(default_window)
{
    struct vm_run r;
    bool saved;

    run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, "--interval=0.2"));
    ck_assert_int_eq(r.status, 0);
    vm_run_free(&r);
    run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, "--interval=0.2"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, " in this run (previous sample too recent for --min-window)\n");
    vm_assert_lacks(r.out, "average over");
    ck_assert_double_ge(window_of(r.out, &saved), 0.2);
    vm_run_free(&r);
}
END_TEST

/* A scheduled check, then a retry at once: the retry answers without
 * sleeping from the check before (the previous one is too recent), over
 * the window since that one, and says so; the scheduled check after the
 * retry still finds its own base. */
START_TEST(retry_after_check)
{
    char retry_window[32];
    struct vm_run r;
    bool saved;
    double w;

    run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, "--min-window=1.5", "--interval=0.2"));
    vm_run_free(&r);
    usleep(1700000);
    run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, "--min-window=1.5", "--interval=0.2"));
    vm_assert_has(r.out, "since the previous check");
    vm_run_free(&r);
    /* the retry: its window is longer than the previous check's age but
     * shorter than the first's (1.7 s + both runs); a slow run (valgrind,
     * VM_TEST_SLACK_S) has made the previous check older, so it widens */
    snprintf(retry_window, sizeof(retry_window), "--min-window=%.1f", 1.5 + vm_run_slack() / 2);
    run(&r, ARGV("-U", fixture, "-d", "db01", dirarg, retry_window, "--interval=2"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.seconds < 1.0 + vm_run_slack(), "the retry slept: %.2f s", r.seconds);
    vm_assert_has(r.out, " s since an earlier check\n");
    w = window_of(r.out, &saved);
    ck_assert(saved);
    ck_assert_msg(w >= 1.7, "average over %.1f s", w);
    vm_assert_near(r.out, "db01:52:54:00:00:02:01:rx_Bps", 100000, 0.03);
    vm_run_free(&r);
}
END_TEST

VM_CK_MAIN_TCASE("window", "check_vnet", 60, setup, teardown, VM_CK_TEST(back_to_back),
                 VM_CK_TEST(default_window), VM_CK_TEST(retry_after_check))
