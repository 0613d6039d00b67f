/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vcpu against libvirt's test driver, whose domain CPU time
 * (cpu.time, virDomainGetInfo) follows the wall clock: 1.00 host core,
 * whatever the vCPUs. Its vCPU times (virDomainGetVcpus) grow by 0.1 ms a
 * second each, so the guest's usage is ~0.01% and nearly the whole core
 * is QEMU's overhead. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define SUITE_PLUGIN "check_vcpu"
#define SUITE_FIXTURE "vmem.xml"
#include "plugin_suite.h"

static char statedir[] = "/tmp/vmvcpuXXXXXX";

/* The suite's frame and a private state folder. */
static void setup(void)
{
    strcpy(statedir, "/tmp/vmvcpuXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(statedir));
    suite_setup();
}

static void teardown(void)
{
    ck_assert_int_eq(vm_fs_rm_rf(statedir), 0);
    suite_teardown();
}

/* DOM:what from the perfdata */
static double perf_of(const char *out, const char *dom, const char *what)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof(key), "'%s:%s'=", dom, what);
    p = strstr(out, key);
    ck_assert_msg(p != NULL, "no %s for %s in %s", what, dom, out);
    return strtod(p + strlen(key), NULL);
}

/* The test driver's figures (see the top): the whole domain 1.00 core, the
 * guest's vCPUs next to nothing, the rest QEMU's overhead. `tol` is the
 * share of a core the timing may move them by. */
static void assert_driver_cpu(const char *out, const char *dom, double tol)
{
    double usage = perf_of(out, dom, "usage");

    ck_assert_double_eq_tol(perf_of(out, dom, "cores"), 1.0, tol);
    ck_assert_double_eq_tol(perf_of(out, dom, "overhead"), 1.0, tol);
    ck_assert_msg(usage >= 0 && usage <= 0.02, "%s:usage %f is not the vCPUs' ~0.01%%:\n%s", dom,
                  usage, out);
}

/* First run: no state, two samples in-run; second run: from state, no sleep. */
START_TEST(first_then_from_state)
{
    struct vm_run r;

    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "1.5"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "VCPU OK - test: ");
    /* the interval as measured: 1.5 s, or a little more when the runs
     * are slowed down (valgrind) */
    vm_assert_in_run(r.out, 1.5);
    ck_assert_msg(r.seconds >= 1.4, "first run did not sample in-run: %.2f s", r.seconds);
    assert_driver_cpu(r.out, "test", 0.1);
    vm_run_free(&r);
    usleep(300000);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval",
                 "1.5", "--min-window", "0.2"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "since the previous check");
    ck_assert_msg(r.seconds < 1.0 + vm_run_slack(), "second run slept: %.2f s", r.seconds);
    /* the elapsed time is measured, not the configured interval */
    assert_driver_cpu(r.out, "test", 0.1);
    vm_run_free(&r);
}
END_TEST

START_TEST(no_state)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "in this run");
    assert_driver_cpu(r.out, "test", 0.16);
    vm_run_free(&r);
}
END_TEST

/* --per-vcpu lists each vCPU (test:///default has 2) in the long output,
 * in order, as the help says, and in the perfdata; without it, neither. */
START_TEST(per_vcpu)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval", "0.3",
                 "--per-vcpu"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(vm_count_lines(r.out), 2);
    vm_assert_has(r.out, "\n[OK] test: 0.0% of 2 vCPUs (");
    vm_assert_has(r.out, "), busiest vCPU 0 at 0.0%, each vCPU: 0 at 0.0%, 1 at 0.0%, ");
    ck_assert_double_eq_tol(perf_of(r.out, "test", "vcpu0"), 0.01, 0.01);
    ck_assert_double_eq_tol(perf_of(r.out, "test", "vcpu1"), 0.01, 0.01);
    vm_run_free(&r);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_lacks(r.out, "each vCPU");
    vm_assert_lacks(r.out, "'test:vcpu0'");
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
} thr[] = {
    /* usage is the guest's vCPUs, ~0.01% here: 40 is far off */
    {"40", "90", 0},
    {"0.005", "90", 1},
    {"60", "0.005", 2},
    {"cores=0.5", "cores=2", 1},
    {"cores=2", "cores=0.9", 2},
    {"overhead=0.5", "overhead=2", 1},
    {"overhead=2", "overhead=0.8", 2},
};

START_TEST(thresholds)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval", "0.3", "-w",
                 thr[_i].w, "-c", thr[_i].c));
    ck_assert_msg(r.status == thr[_i].status, "-w %s -c %s: %d %s", thr[_i].w, thr[_i].c, r.status,
                  r.out);
    vm_run_free(&r);
}
END_TEST

/* The test driver gives no vcpu.N.delay: a steal threshold is never
 * judged. Alone it makes the answer UNKNOWN saying why; beside a judged
 * threshold it is one note line and the answer stands. */
START_TEST(steal_unavailable)
{
    struct vm_run r;

    run(&r,
        ARGV("-U", "test:///default", "--all", "--no-state", "--interval", "0.2", "-c", "steal=0"));
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "VCPU UNKNOWN - threshold on steal not applied: no domain reports it "
                         "(libvirt gives no vcpu.N.delay here); test: ");
    vm_assert_has(r.out, "\n[UNKNOWN] threshold on steal not applied");
    vm_run_free(&r);
    expect(ARGV("-U", "test:///default", "--all", "--no-state", "--interval", "0.2", "-c",
                "steal=0", "-w", "90"),
           0,
           ARGV("VCPU OK - test: ", "\nnote: threshold on steal not applied: no domain reports it"),
           NULL);
}
END_TEST

/* --all over a fixture: 1-vCPU domains are at 100%, the shut-off one is skipped. */
START_TEST(all_fixture)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "--all", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    assert_driver_cpu(r.out, "web01", 0.16); /* 2 vCPUs */
    assert_driver_cpu(r.out, "db01", 0.15);  /* 1 vCPU */
    ck_assert_ptr_null(strstr(r.out, "off01"));
    vm_run_free(&r);
    expect(ARGV("-U", fixture, "-d", "off01", "-d", "gone", "--no-state", "--interval", "0.3"), 3,
           ARGV("[UNKNOWN] off01: domain is shut off", "[UNKNOWN] gone: no domain with this name"),
           NULL);
}
END_TEST

/* --cap over tests/fixtures/cputune.xml: every <cputune> limit that bounds
 * the guest, the nearest to being hit named; the driver's 1.00 core
 * against them (see the fixture). */
static const struct {
    const char *dom;
    const char *text;
    double cap; /* < 0: no cap */
} caps[] = {
    {"gq", "% of its 1.50-core cap (global_quota, whole domain)", 66.67},
    {"vq", "% of its 1.00-core cap (quota, per vCPU)", 0.02},
    {"both", "% of its 0.80-core cap (global_quota, whole domain)", 125},
    {"emu", ", no CPU cap;", -1},
    {"free", ", no CPU cap;", -1},
};

START_TEST(cputune_caps)
{
    char *uri = vm_fixture_uri("cputune.xml");
    struct vm_run r;

    run(&r, ARGV("-U", uri, "-d", caps[_i].dom, "--cap", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, caps[_i].text);
    if (caps[_i].cap < 0) {
        vm_assert_lacks(r.out, ":cap'=");
    } else {
        double v = perf_of(r.out, caps[_i].dom, "cap");

        /* the vCPUs' ~0.02% moves with timing as their ~0.01% usage does */
        ck_assert_msg(caps[_i].cap < 1 ? v >= 0 && v <= 0.04
                                       : fabs(v - caps[_i].cap) <= caps[_i].cap * 0.16,
                      "%s:cap %f, want %f:\n%s", caps[_i].dom, v, caps[_i].cap, r.out);
    }
    vm_run_free(&r);
    free(uri);
}
END_TEST

/* cap thresholds apply to a domain limited by <global_quota> alone
 * (before, it said "no CPU cap" and they never fired). */
START_TEST(global_quota_thresholds)
{
    char *uri = vm_fixture_uri("cputune.xml");

    expect(ARGV("-U", uri, "-d", "gq", "-d", "both", "--no-state", "--interval", "0.3", "-w",
                "cap=50", "-c", "cap=100"),
           2, ARGV("VCPU CRITICAL - 1 CRITICAL: both (", "1 WARNING: gq (", "'gq:cap'="), NULL);
    free(uri);
}
END_TEST

/* A corrupt state file is ignored and replaced, never trusted. */
START_TEST(corrupt_state)
{
    struct vm_run r;
    char cmd[256];

    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_run_free(&r);
    snprintf(cmd, sizeof(cmd), "for f in '%s'/*.state; do printf 'garbage' > \"$f\"; done",
             statedir);
    ck_assert_int_eq(system(cmd), 0);
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "in this run");
    vm_run_free(&r);
    expect(ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "0.3",
                "--min-window", "0.001"),
           0, ARGV("since the previous check"), NULL);
}
END_TEST

/* A state folder open to others is refused with one clear line. */
START_TEST(loose_state_dir)
{
    /* The state only saves a sleep: the check answers, measured in-run,
     * with one line naming the folder and the fix. */
    ck_assert_int_eq(chmod(statedir, 0777), 0);
    expect(ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir), 0,
           ARGV("VCPU OK - ", "in this run (the state folder cannot be used)",
                "\nnote: state folder ", "(mode 0777); chmod 700 it"),
           NULL);
}
END_TEST

START_TEST(bad_input)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--interval", "20"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_assert_has(r.out, "--interval");
    vm_run_free(&r);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "-w", "steal=1GiB"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_run_free(&r);
}
END_TEST

VM_CK_MAIN_TCASE("check_vcpu", "vcpu", 60, setup, teardown, VM_CK_TEST(first_then_from_state),
                 VM_CK_TEST(no_state), VM_CK_TEST(per_vcpu), VM_CK_LOOP(thresholds, VM_CK_N(thr)),
                 VM_CK_TEST(steal_unavailable), VM_CK_TEST(all_fixture),
                 VM_CK_LOOP(cputune_caps, VM_CK_N(caps)), VM_CK_TEST(global_quota_thresholds),
                 VM_CK_TEST(corrupt_state), VM_CK_TEST(loose_state_dir), VM_CK_TEST(bad_input))
