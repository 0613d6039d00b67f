/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk against libvirt's test driver: exit codes and output.
 *
 * The test driver's block counters follow the wall clock (sb = µs since
 * the epoch): rd_bytes = sb/20 (50000 B/s), rd_req = sb/10 (100000/s),
 * wr_bytes = sb/40 (25000 B/s), wr_req = sb/30 (33333/s), errs = sb/2e6;
 * every image has capacity 1099506450432 and allocation and physical size
 * 1099511627776 (1 TiB): 100.0005% full. It has no request times, so no
 * latency. See tests/fixtures/devices.xml for the limits.
 *
 * The cases it has in common with check_vnet are in test_device.c, its bad
 * input in test_bad_input.c. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define FAST "--no-state", vm_run_interval_arg(0.2)
#define HOSTILE_PATH "/var/lib/libvirt/images/web 01 'x' \"q\" |y.qcow2"

#define SUITE_PLUGIN "check_vdisk"
#define SUITE_FIXTURE "devices.xml"
#include "plugin_suite.h"

/* Counters from the state file's run and the next one: never down, and
 * the rate is their difference over the elapsed time. */
START_TEST(raw_counters_with_state)
{
    char dir[] = "/tmp/vdiskctrXXXXXX";
    struct vm_run r1, r2;
    unsigned long long a, b;
    double rate, secs;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    run(&r1, ARGV("-U", "test:///default", "-d", "test", "--state-dir", dir, "--interval=0.2"));
    usleep(300000);
    /* 0.3 s later: a window shorter than the default --min-window */
    run(&r2, ARGV("-U", "test:///default", "-d", "test", "--state-dir", dir, "--interval=0.2",
                  "--min-window=0.2"));
    vm_assert_has(r2.out, "since the previous check");
    a = vm_perf_counter(r1.out, "test:vda:read_bytes");
    b = vm_perf_counter(r2.out, "test:vda:read_bytes");
    ck_assert_msg(b > a, "read_bytes went from %llu to %llu", a, b);
    /* the rate is the counters' difference over the time between the
     * samples: at least the 0.3 s slept, at most a few seconds */
    rate = vm_perf_value(r2.out, "test:vda:read_Bps");
    ck_assert_msg(rate > 0, "rate %f", rate);
    secs = (double)(b - a) / rate;
    ck_assert_msg(secs >= 0.29 && secs < 3 + vm_run_slack(), "delta %llu at %f B/s = %f s", b - a,
                  rate, secs);
    vm_run_free(&r1);
    vm_run_free(&r2);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
}
END_TEST

START_TEST(perfdata_thresholds_converted)
{
    /* A percent fill threshold shows as percent on fill and as bytes of
     * the capacity on allocation; rate thresholds as plain numbers. */
    expect(ARGV("-U", "test:///default", "-d", "test", FAST, "-w", "50", "-c", "1TiB", "-w",
                "read_Bps=1MiB"),
           1,
           ARGV("'test:vda:fill'=100", "%;50;100",
                "'test:vda:allocation'=1099511627776B;549753225216;1099511627776;0 ",
                ";1048576;;0 "),
           NULL);
}
END_TEST

START_TEST(limits_reported)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST, "--limits"));
    ck_assert_int_eq(r.status, 0);
    /* (50000 + 25000) / 100000 and 100000 / 200000 */
    vm_assert_has(r.out, "of its iotune total_bytes_sec limit (97.7 KiB/s)");
    vm_assert_has(r.out, "of its iotune read_iops_sec limit (200000 iops)");
    vm_assert_has(r.out, "[OK] web01:sdb: ");
    vm_assert_has(r.out, "; no iotune limit");
    vm_assert_near(r.out, "web01:vda:throttle", 75, 0.03);
    vm_assert_near(r.out, "web01:vdb:throttle", 50, 0.03);
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
    const char *expect;
} thr_limits[] = {
    /* a throttle threshold implies --limits */
    {"throttle=70", "throttle=90", 1, "VDISK WARNING - 1 WARNING: web01:vda (7"},
    {"throttle=40", "throttle=60", 2, "VDISK CRITICAL - "},
    {"throttle=80", "throttle=90", 0, "VDISK OK - 3 disks OK"},
};

START_TEST(throttle_thresholds)
{
    struct vm_run r;

    run(&r,
        ARGV("-U", fixture, "-d", "web01", FAST, "-w", thr_limits[_i].w, "-c", thr_limits[_i].c));
    ck_assert_msg(r.status == thr_limits[_i].status, "case %d: exit %d: %s", _i, r.status, r.out);
    vm_assert_has(r.out, thr_limits[_i].expect);
    if (_i == 0)
        vm_assert_has(r.out, "% of iotune total_bytes_sec); 2 OK");
    if (_i == 1) {
        /* vda CRITICAL (75 > 60), vdb WARNING (50 > 40), worst first */
        vm_assert_has(r.out, "\n[CRITICAL] web01:vda: ");
        vm_assert_has(r.out, "\n[WARNING] web01:vdb: ");
        ck_assert_msg(strstr(r.out, "[CRITICAL]") < strstr(r.out, "[WARNING]"), "%s", r.out);
    }
    vm_run_free(&r);
}
END_TEST

START_TEST(hostile_path)
{
    struct vm_run r;
    char *first;
    const char *bar;

    /* select by the source path; -v shows it, cleaned */
    run(&r, ARGV("-U", fixture, "-d", "web01", FAST, "-v", "--device", HOSTILE_PATH));
    ck_assert_int_eq(r.status, 0);
    first = vm_first_line(r.out);
    vm_assert_has(first, "VDISK OK - web01:vda: ");
    bar = strchr(first, '|');
    ck_assert_ptr_nonnull(bar);
    ck_assert_ptr_null(strchr(bar + 1, '|'));
    ck_assert_int_eq((int)vm_count_lines(r.out), 2);
    vm_assert_has(r.out, "source /var/lib/libvirt/images/web 01 'x' \"q\" \xc2\xa6y.qcow2");
    /* the only '|' in the whole output is the perfdata separator */
    ck_assert_ptr_eq(strchr(r.out, '|'), strchr(first, '|') - first + r.out);
    free(first);
    vm_run_free(&r);
}
END_TEST

static const struct vm_run_case sel[] = {
    {{"-d", "web01", "--device", "vdb"}, 0, "VDISK OK - web01:vdb: ", "web01:vda"},
    {{"-d", "web01", "--device", "/dev/vg0/web01-data"}, 0, "VDISK OK - web01:vdb: ", NULL},
    {{"-d", "web01", "--device", "vda", "--device", "vdb"}, 0, "VDISK OK - 2 disks OK", "sdb"},
    /* an empty drive named explicitly is checked (no image figures) */
    {{"-d", "web01", "--device", "sda"}, 0, "VDISK OK - web01:sda: ", "full"},
    {{"-d", "web01", "--device", "vdz"},
     3,
     "VDISK UNKNOWN - web01: no disk matches --device vdz",
     NULL},
    {{"-d", "web01", "--device", "vda", "--device", "vdz"},
     3,
     "[UNKNOWN] web01:vdz: no disk with this target",
     NULL},
    {{"-d", "cdonly", NULL},
     3,
     "VDISK UNKNOWN - cdonly: no disk to check: only 1 empty removable drive",
     NULL},
    {{"-d", "cdonly", "--ignore-nodata"}, 3, "VDISK UNKNOWN - no domain with data to check", NULL},
    {{"-a", "--ignore-nodata", NULL}, 0, "VDISK OK - 5 disks OK", "cdonly"},
    /* with --all a domain with nothing to check is counted and skipped */
    {{"-a", NULL},
     0,
     "VDISK OK - 5 disks OK; 1 with only empty removable drives, 1 shut off, skipped",
     "off01"},
    /* with --all a --device is a filter: domains without it are counted */
    {{"-a", "--device", "vdb"}, 0, "; 3 without disk vdb, 1 shut off, skipped", "[UNKNOWN]"},
    {{"-a", "--device", "vdb", "--ignore-nodata"}, 0, "VDISK OK - web01:vdb: ", NULL},
    {{"-d", "paused01", NULL}, 0, "domain is paused", NULL},
    {{"-d", "paused01", "--paused=warning"}, 1, "VDISK WARNING - paused01: paused", NULL},
    {{"-d", "off01", NULL}, 3, "VDISK UNKNOWN - off01: shut off", NULL},
    {{"-d", "nosuch", NULL}, 3, "VDISK UNKNOWN - nosuch: not found", NULL},
};

START_TEST(selection)
{
    vm_run_case_check("check_vdisk", ARGV("-U", fixture, FAST), &sel[_i], _i);
}
END_TEST

/* Errors are counted since the previous sample: over 2.1 s the test
 * driver's errs (sb/2e6) grows by at least one. */
START_TEST(errors_counted)
{
    struct vm_run r;

    vm_run_check(&r, SUITE_PLUGIN,
                 ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval=2.1", "-c",
                      "errors=0"),
                 2, ARGV("VDISK CRITICAL - test:vda: ", "I/O error"), NULL);
    ck_assert_msg(vm_perf_value(r.out, "test:vda:errors") >= 1, "%s", r.out);
    vm_run_free(&r);
}
END_TEST

/* Under --all a domain with only an empty CD-ROM, or without the
 * --device asked for, is counted and skipped, not UNKNOWN; named with -d
 * it stays UNKNOWN. */
START_TEST(nothing_to_check_skipped)
{
    expect(ARGV("-U", fixture, "--all", "--no-state", "--interval", "0.2"), 0,
           ARGV("VDISK OK - 5 disks OK; 1 with only empty removable drives, 1 shut off, "
                "skipped | "),
           ARGV("cdonly"));
    expect(ARGV("-U", fixture, "--all", "--device", "vdb", "--no-state", "--interval", "0.2"), 0,
           ARGV("VDISK OK - web01:vdb: ", "; 3 without disk vdb, 1 shut off, skipped | "), NULL);
    expect(ARGV("-U", fixture, "-d", "cdonly", "--no-state", "--interval", "0.2"), 3,
           ARGV("VDISK UNKNOWN - cdonly: no disk to check: only 1 empty removable drive"), NULL);
}
END_TEST

VM_CK_MAIN_TCASE("check_vdisk", "vdisk", 60, suite_setup, suite_teardown,
                 VM_CK_TEST(raw_counters_with_state), VM_CK_TEST(perfdata_thresholds_converted),
                 VM_CK_TEST(limits_reported), VM_CK_LOOP(throttle_thresholds, VM_CK_N(thr_limits)),
                 VM_CK_TEST(hostile_path), VM_CK_LOOP(selection, VM_CK_N(sel)),
                 VM_CK_TEST(errors_counted), VM_CK_TEST(nothing_to_check_skipped))
