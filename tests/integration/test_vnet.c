/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vnet against libvirt's test driver: exit codes and output.
 *
 * The test driver's interface counters follow the wall clock (sb = µs
 * since the epoch): rx_bytes = sb/10 (100000 B/s), rx_packets = sb/100
 * (10000/s), tx_bytes = sb/20 (50000 B/s), tx_packets = sb/110 (9091/s);
 * errors and drops grow about once a second. test:///default has one
 * interface, testnet0, MAC aa:bb:cc:dd:ee:ff. See tests/fixtures/devices.xml
 * for the <bandwidth> limits.
 *
 * The cases it has in common with check_vdisk are in test_device.c, its bad
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

#define SUITE_PLUGIN "check_vnet"
#define SUITE_FIXTURE "devices.xml"
#include "plugin_suite.h"

/* With --label=dev the counters are named by the host device, like the
 * rates; and every interface of a fixture domain has its own. */
START_TEST(raw_counters_labels)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "--label=dev"));
    ck_assert_int_eq(r.status, 0);
    vm_perf_counter(r.out, "test:testnet0:rx_bytes");
    vm_perf_counter(r.out, "test:testnet0:tx_drops");
    vm_assert_lacks(r.out, "aa:bb:cc:dd:ee:ff:rx_bytes");
    vm_run_free(&r);
}
END_TEST

START_TEST(perfdata_thresholds)
{
    /* throughput thresholds show on both directions unless they have their own */
    expect(ARGV("-U", "test:///default", "-d", "test", FAST, "-w", "1MiB", "-c", "tx_Bps=2MiB"), 0,
           ARGV("'test:aa:bb:cc:dd:ee:ff:rx_Bps'=", ";1048576;;0 ", ";;2097152;0 "), NULL);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
    const char *expect, *expect2;
} thr_limits[] = {
    /* rx at 80% of the inbound limit. The figure is measured, so the
     * thresholds keep a margin of 7% or more from it: a loaded machine
     * moves a 0.2 s rate by a percent or two. Above 100 is a valid limit
     * (a burst can exceed the average). */
    {"throttle=70", "throttle=105", 1, "VNET WARNING - 1 WARNING: web01:52:54:00:00:01:01 (",
     "% of inbound limit); 1 OK"},
    {"throttle=50", "throttle=70", 2, "VNET CRITICAL - 1 CRITICAL: web01:52:54:00:00:01:01 (",
     "% of inbound limit); 1 OK"},
    {"throttle=90", "throttle=110", 0, "VNET OK - 2 interfaces OK", "rx at 8"},
};

START_TEST(throttle_thresholds)
{
    expect(ARGV("-U", fixture, "-d", "web01", FAST, "-w", thr_limits[_i].w, "-c", thr_limits[_i].c),
           thr_limits[_i].status, ARGV(thr_limits[_i].expect, thr_limits[_i].expect2), NULL);
}
END_TEST

static const struct vm_run_case sel[] = {
    {{"-d", "web01", "--interface", "tapweb01"},
     0,
     "VNET OK - web01:52:54:00:00:01:01: ",
     "ab:01:02"},
    {{"-d", "web01", "--interface", "52:54:00:ab:01:02"},
     0,
     "VNET OK - web01:52:54:00:ab:01:02: ",
     "01:01"},
    {{"-d", "web01", "--interface", "52:54:00:00:01:0A"},
     3,
     "no interface matches --interface 52:54:00:00:01:0A",
     NULL},
    {{"-d", "db01", "--interface", "52:54:00:00:02:01"},
     0,
     "VNET OK - db01:52:54:00:00:02:01: ",
     NULL},
    /* MACs match in any case */
    {{"-d", "web01", "--interface", "52:54:00:AB:01:02"},
     0,
     "VNET OK - web01:52:54:00:ab:01:02: ",
     NULL},
    {{"-d", "web01", "--interface", "ua-front"}, 0, "VNET OK - web01:52:54:00:00:01:01: ", NULL},
    {{"-d", "web01", "--interface", "tapweb01", "--interface", "nosuch"},
     3,
     "[UNKNOWN] web01:nosuch: no interface with this device name, MAC or alias",
     NULL},
    {{"-d", "web01", "--label=alias", NULL}, 0, "[OK] web01:ua-front: ", NULL},
    /* no alias: the MAC */
    {{"-d", "web01", "--label=alias", NULL}, 0, "[OK] web01:52:54:00:ab:01:02: ", NULL},
    /* host device names, no XML read: no <bandwidth> either */
    {{"-d", "web01", "--label=dev", NULL}, 0, "[OK] web01:tapweb01: ", "limit"},
    /* ... unless a throttle threshold needs it */
    /* ~80% of 125000 B/s; the exit code pins "above 70", the digits jitter with timing */
    {{"-d", "web01", "--label=dev", "-w", "throttle=70"}, 1, "% of inbound limit); 1 OK", NULL},
    {{"-d", "cdonly", NULL},
     3,
     "VNET UNKNOWN - cdonly: libvirt reports no interfaces for this domain",
     NULL},
    /* with --all a domain with nothing to check is counted and skipped */
    {{"-a", NULL},
     0,
     "VNET OK - 4 interfaces OK; 1 with no interface, 1 shut off, skipped",
     "off01"},
    {{"-a", "--ignore-nodata", NULL}, 0, "VNET OK - 4 interfaces OK", "cdonly"},
    /* with --all an --interface is a filter: domains without it are counted */
    {{"-a", "--interface", "tapdb01"}, 0, "VNET OK - db01:52:54:00:00:02:01: ", "[UNKNOWN]"},
    {{"-a", "--interface", "tapdb01"},
     0,
     "; 3 without interface tapdb01, 1 shut off, skipped",
     NULL},
    {{"-a", "--interface", "tapdb01", "--ignore-nodata"},
     0,
     "VNET OK - db01:52:54:00:00:02:01: ",
     NULL},
    {{"-d", "paused01", NULL}, 0, "domain is paused", NULL},
    {{"-d", "paused01", "--paused=critical"}, 2, "VNET CRITICAL - paused01: paused", NULL},
    {{"-d", "off01", NULL}, 3, "VNET UNKNOWN - off01: shut off", NULL},
};

START_TEST(selection)
{
    vm_run_case_check("check_vnet", ARGV("-U", fixture, FAST), &sel[_i], _i);
}
END_TEST

/* Under --all a domain with no NIC, or without the --interface asked
 * for, is counted and skipped, not UNKNOWN; named with -d it stays
 * UNKNOWN. */
START_TEST(nothing_to_check_skipped)
{
    char *uri = vm_fixture_uri("states.xml");
    expect(ARGV("-U", uri, "--all", "--crashed=ok", "--no-state", "--interval", "0.2"), 0,
           ARGV("; 1 with no interface, 2 shut off, skipped | "), ARGV("bare01"));
    expect(ARGV("-U", uri, "--all", "--exclude", "crash|nostate", "--interface", "tapnone",
                "--no-state", "--interval", "0.2"),
           3,
           ARGV("VNET UNKNOWN - no running domain to check (2 without interface tapnone, "
                "2 shut off, skipped)\n"),
           NULL);
    expect(ARGV("-U", uri, "--all", "--exclude", "crash|nostate", "--interface", "taprun01",
                "--no-state", "--interval", "0.2"),
           0,
           ARGV("VNET OK - run01:52:54:00:00:09:01: ",
                "; 1 without interface taprun01, 2 shut off, skipped | "),
           NULL);
    expect(ARGV("-U", uri, "-d", "bare01", "--no-state", "--interval", "0.2"), 3,
           ARGV("VNET UNKNOWN - bare01: libvirt reports no interfaces for this domain"), NULL);
    free(uri);
}
END_TEST

VM_CK_MAIN_TCASE("check_vnet", "vnet", 60, suite_setup, suite_teardown,
                 VM_CK_TEST(raw_counters_labels), VM_CK_TEST(perfdata_thresholds),
                 VM_CK_LOOP(throttle_thresholds, VM_CK_N(thr_limits)),
                 VM_CK_LOOP(selection, VM_CK_N(sel)), VM_CK_TEST(nothing_to_check_skipped))
