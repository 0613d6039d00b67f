/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vnet against libvirt's test driver: exit codes and output.
 *
 * The test driver's interface counters follow the wall clock (sb = µs
 * since the epoch): rx_bytes = sb/10 (100000 B/s), rx_packets = sb/100
 * (10000/s), tx_bytes = sb/20 (50000 B/s), tx_packets = sb/110 (9091/s);
 * errors and drops grow about once a second. test:///default has one
 * interface, testnet0, MAC aa:bb:cc:dd:ee:ff. See tests/fixtures/devices.xml
 * for the <bandwidth> limits. */
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

START_TEST(default_domain_ok)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST));
    ck_assert_int_eq(r.status, 0);
    /* labelled by MAC, not by the host device name */
    vm_assert_has(r.out, "VNET OK - test:aa:bb:cc:dd:ee:ff: rx 9");
    vm_assert_has(r.out, "KiB/s (");
    vm_assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:rx_Bps", 100000, 0.03);
    vm_assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:tx_Bps", 50000, 0.03);
    vm_assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:rx_pps", 10000, 0.03);
    vm_assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:tx_pps", 9091, 0.03);
    vm_perf_value(r.out, "test:aa:bb:cc:dd:ee:ff:errors_ps");
    vm_perf_value(r.out, "test:aa:bb:cc:dd:ee:ff:drops_ps");
    /* no <bandwidth>: no throttle figures */
    vm_assert_lacks(r.out, "throttle");
    /* bits per second in the text, and the host device */
    vm_assert_has(r.out, "\n[OK] test:aa:bb:cc:dd:ee:ff: rx 9");
    vm_assert_has(r.out, "kbit/s)");
    vm_assert_has(r.out, "pkt/s");
    vm_assert_has(r.out, "host device testnet0");
    vm_assert_in_run(r.out, vm_run_interval(0.2));
    ck_assert_int_eq((int)vm_count_lines(r.out), 2);
    vm_run_free(&r);
}
END_TEST

/* The raw counters as c, equal to what the driver reported when sampled:
 * rx_bytes = sb/10, rx_packets = sb/100, tx_bytes = sb/20, tx_packets =
 * sb/110 (sb in µs); rx_errs = s, rx_drop = s/2, tx_errs = s/3, tx_drop =
 * s/4 (s in seconds). */
static const struct {
    const char *label;
    unsigned long long div;
    bool secs;
} ctr[] = {
    {"test:aa:bb:cc:dd:ee:ff:rx_bytes", 10, false},
    {"test:aa:bb:cc:dd:ee:ff:rx_packets", 100, false},
    {"test:aa:bb:cc:dd:ee:ff:rx_errors", 1, true},
    {"test:aa:bb:cc:dd:ee:ff:rx_drops", 2, true},
    {"test:aa:bb:cc:dd:ee:ff:tx_bytes", 20, false},
    {"test:aa:bb:cc:dd:ee:ff:tx_packets", 110, false},
    {"test:aa:bb:cc:dd:ee:ff:tx_errors", 3, true},
    {"test:aa:bb:cc:dd:ee:ff:tx_drops", 4, true},
};

START_TEST(raw_counters)
{
    vm_run_counter_check(SUITE_PLUGIN, ARGV("-U", "test:///default", "-d", "test", FAST),
                         ctr[_i].label, ctr[_i].div, ctr[_i].secs, NULL);
}
END_TEST

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

static const struct vm_thr_case thr[] = {
    {"90000", "200000", 1, "WARNING", "test:aa:bb:cc:dd:ee:ff: rx 9"}, /* throughput, main */
    {"80000", "95KiB", 2, "CRITICAL", "rx 9"},                         /* 100000 > 97280 */
    {"120KiB", "1MiB", 0, "OK", NULL},
    {"throughput=@90000:110000", "1MiB", 1, "WARNING", NULL},
    {"tx_Bps=40000", "1MiB", 1, "WARNING", "test:aa:bb:cc:dd:ee:ff: tx 4"},
    {"rx_Bps=200000", "tx_Bps=60000", 0, "OK", NULL},
    {"rx_pps=20000", "rx_pps=5000", 2, "CRITICAL", "rx packets "},
    {"tx_pps=9500", "tx_pps=20000", 0, "OK", NULL},
    {"drops=@0:1000", "1MiB", 1, "WARNING", "drops "},
    {"errors=@0:1000", "errors=@0:1000", 2, "CRITICAL", "errors "},
    /* no <bandwidth> on test:///default: throttle has nothing to judge */
    {"throttle=1", "throttle=2", 3, "UNKNOWN",
     "VNET UNKNOWN - threshold on throttle not applied: no interface reports it (no interface "
     "has a <bandwidth> limit)"},
};

START_TEST(thresholds)
{
    vm_run_thr_case_check("check_vnet", ARGV("-U", "test:///default", "-d", "test", FAST),
                          &thr[_i]);
}
END_TEST

START_TEST(perfdata_thresholds)
{
    /* throughput thresholds show on both directions unless they have their own */
    expect(ARGV("-U", "test:///default", "-d", "test", FAST, "-w", "1MiB", "-c", "tx_Bps=2MiB"), 0,
           ARGV("'test:aa:bb:cc:dd:ee:ff:rx_Bps'=", ";1048576;;0 ", ";;2097152;0 "), NULL);
}
END_TEST

START_TEST(fixture_domain_interfaces)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "VNET OK - 2 interfaces OK");
    /* both by MAC; the second one's host name was vnet7, renamed on start */
    vm_assert_has(r.out, "[OK] web01:52:54:00:00:01:01: ");
    vm_assert_has(r.out, "[OK] web01:52:54:00:ab:01:02: ");
    vm_assert_has(r.out, "host device tapweb01, alias ua-front");
    /* rx 100000 of 125000 B/s inbound, tx 50000 of 1000000 B/s outbound:
     * <bandwidth> counts 1000 bytes/s a unit, as tc does (1 Mbit/s and
     * 8 Mbit/s; KiB/s would print 1.02 and 8.19 Mbit/s) */
    vm_assert_has(r.out, "rx at 8");
    vm_assert_has(r.out, "% of the inbound limit of 122 KiB/s (1.00 Mbit/s)");
    vm_assert_has(r.out, "tx at 5.");
    vm_assert_has(r.out, "% of the outbound limit of 977 KiB/s (8.00 Mbit/s)");
    vm_assert_near(r.out, "web01:52:54:00:00:01:01:rx_throttle", 80.0, 0.03);
    vm_assert_near(r.out, "web01:52:54:00:00:01:01:tx_throttle", 5.0, 0.03);
    vm_assert_lacks(r.out, "web01:52:54:00:ab:01:02:rx_throttle");
    ck_assert_int_eq((int)vm_count_lines(r.out), 3);
    vm_run_free(&r);
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

/* The second run finds the first one's sample: no in-run interval. */
START_TEST(state_second_run_fast)
{
    char dir[] = "/tmp/vnetstateXXXXXX";
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    vm_run_from_state(
        &r, SUITE_PLUGIN,
        ARGV("-U", fixture, "-a", "--state-dir", dir, vm_run_interval_arg(0.2), "--ignore-nodata"),
        ARGV("-U", fixture, "-a", "--state-dir", dir, "--interval=2", "--ignore-nodata",
             "--min-window=0.2"));
    vm_assert_lacks(r.out, "in this run");
    vm_assert_near(r.out, "web01:52:54:00:00:01:01:rx_Bps", 100000, 0.03);
    vm_run_free(&r);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
}
END_TEST

/* Bad input: exit 3, one line on stdout naming the problem, nothing on stderr. */
static const struct vm_bad_case bad[] = {
    {{"-d", "test", "--interface=", NULL}, "--interface"},
    {{"-d", "test", "--interface", NULL}, "needs a value"},
    {{"-d", "test", "--label=ip", NULL}, "--label"},
    {{"-d", "test", "--label=", NULL}, "--label"},
    {{"-d", "test", "-w", "throughput=10%"}, "throughput=10%"},
    {{"-d", "test", "-w", "10%"}, "10%"},
    {{"-d", "test", "-w", "rx_pps=1KiB"}, "rx_pps=1KiB"},
    {{"-d", "test", "-w", "throttle=5MiB"}, "throttle=5MiB"},
    {{"-d", "test", "-c", "errors=x"}, "x"},
    {{"-d", "test", "-w", "drops=5:1"}, "5:1"},
    {{"-d", "test", "-w", "rx=1"}, "rx"},
    {{"-d", "test", "--interval=abc", NULL}, "--interval"},
    {{"-d", "test", "--device=vda", NULL}, "--device"},
    {{"-a", "--include", "(", NULL}, "--include"},
    /* getopt's complaints, in words that name what was typed */
    {{"-d", "test", "--int", NULL}, "--int is ambiguous: --interval, --interface (see --help)"},
    {{"-d", "test", "--all=yes", NULL}, "- --all takes no value (see --help)"},
    {{"-d", "test", "--foo=bar", NULL}, "- unknown option '--foo' (see --help)"},
    {{"-d", "test", "--label", NULL}, "- --label needs a value (see --help)"},
};

START_TEST(bad_input)
{
    vm_run_bad_case_check("check_vnet", &bad[_i], _i);
}
END_TEST

START_TEST(help_and_version)
{
    vm_run_help_check(SUITE_PLUGIN, ARGV("--interface=NAME|MAC", "--label=mac|alias|dev",
                                         "Directions are the guest's", "  throughput "));
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
                 VM_CK_TEST(default_domain_ok), VM_CK_LOOP(thresholds, VM_CK_N(thr)),
                 VM_CK_LOOP(raw_counters, VM_CK_N(ctr)), VM_CK_TEST(raw_counters_labels),
                 VM_CK_TEST(perfdata_thresholds), VM_CK_TEST(fixture_domain_interfaces),
                 VM_CK_LOOP(throttle_thresholds, VM_CK_N(thr_limits)),
                 VM_CK_LOOP(selection, VM_CK_N(sel)), VM_CK_TEST(state_second_run_fast),
                 VM_CK_LOOP(bad_input, VM_CK_N(bad)), VM_CK_TEST(help_and_version),
                 VM_CK_TEST(nothing_to_check_skipped))
