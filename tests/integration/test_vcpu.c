/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vcpu against libvirt's test driver, whose CPU time follows the
 * wall clock: one busy host CPU, i.e. 50% of a 2-vCPU domain. */
#include <config.h>

#include <check.h>
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

/* "usage"=NN% from the first perfdata entry */
static double usage_of(const char *out, const char *dom)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof(key), "'%s:usage'=", dom);
    p = strstr(out, key);
    ck_assert_msg(p != NULL, "no usage for %s in %s", dom, out);
    return strtod(p + strlen(key), NULL);
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
    ck_assert_msg(vm_run_measured_in_run(r.out, 1.5), "not measured over 1.5 s:\n%s", r.out);
    ck_assert_msg(r.seconds >= 1.4, "first run did not sample in-run: %.2f s", r.seconds);
    ck_assert_double_eq_tol(usage_of(r.out, "test"), 50.0, 5.0);
    vm_run_free(&r);
    usleep(300000);
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "1.5"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "since the previous check");
    ck_assert_msg(r.seconds < 1.0 + vm_run_slack(), "second run slept: %.2f s", r.seconds);
    /* the elapsed time is measured, not the configured interval */
    ck_assert_double_eq_tol(usage_of(r.out, "test"), 50.0, 5.0);
    vm_run_free(&r);
}
END_TEST

START_TEST(no_state)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "in this run");
    ck_assert_double_eq_tol(usage_of(r.out, "test"), 50.0, 8.0);
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
} thr[] = {
    {"40", "90", 1},
    {"60", "45", 2},
    {"60", "90", 0},
    {"cores=0.5", "cores=2", 1},
    {"cores=2", "cores=0.9", 2},
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

/* --all over a fixture: 1-vCPU domains are at 100%, the shut-off one is skipped. */
START_TEST(all_fixture)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "--all", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_double_eq_tol(usage_of(r.out, "web01"), 50.0, 8.0);  /* 2 vCPUs */
    ck_assert_double_eq_tol(usage_of(r.out, "db01"), 100.0, 15.0); /* 1 vCPU */
    ck_assert_ptr_null(strstr(r.out, "off01"));
    vm_run_free(&r);
    run(&r, ARGV("-U", fixture, "-d", "off01", "-d", "gone", "--no-state", "--interval", "0.3"));
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "[UNKNOWN] off01: domain is shut off");
    vm_assert_has(r.out, "[UNKNOWN] gone: no domain with this name");
    vm_run_free(&r);
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
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir, "--interval", "0.3"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "since the previous check");
    vm_run_free(&r);
}
END_TEST

/* A state folder open to others is refused with one clear line. */
START_TEST(loose_state_dir)
{
    struct vm_run r;

    ck_assert_int_eq(chmod(statedir, 0777), 0);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--state-dir", statedir));
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_assert_has(r.out, "VCPU UNKNOWN - ");
    vm_assert_has(r.out, statedir);
    vm_run_free(&r);
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
                 VM_CK_TEST(no_state), VM_CK_LOOP(thresholds, VM_CK_N(thr)),
                 VM_CK_TEST(all_fixture), VM_CK_TEST(corrupt_state), VM_CK_TEST(loose_state_dir),
                 VM_CK_TEST(bad_input))
