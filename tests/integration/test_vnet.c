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
#include "plugin_run.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define FAST "--no-state", vm_run_interval_arg(0.2)

static char *fixture; /* test:// URI of tests/fixtures/devices.xml */

static void setup(void)
{
    fixture = vm_fixture_uri("devices.xml");
}

static void teardown(void)
{
    free(fixture);
}

/* Every run: nothing on stderr, output ends in a newline. */
static void run(struct vm_run *r, const char *const *argv)
{
    vm_run_plugin(r, "check_vnet", argv, NULL);
    ck_assert_msg(r->err[0] == '\0', "stderr not empty: %s", r->err);
    ck_assert_msg(r->out[0] && r->out[strlen(r->out) - 1] == '\n', "output: '%s'", r->out);
}

static void assert_has(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) != NULL, "'%s' not found in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) == NULL, "'%s' found in:\n%s", needle, hay);
}

/* The value of perfdata entry 'label' on the first line. */
static double perf_value(const char *out, const char *label)
{
    char *first = vm_first_line(out), key[256];
    const char *p;
    double v;

    snprintf(key, sizeof(key), "'%s'=", label);
    p = strstr(first, key);
    ck_assert_msg(p != NULL, "no perfdata %s in:\n%s", key, out);
    v = strtod(p + strlen(key), NULL);
    free(first);
    return v;
}

static void assert_near(const char *out, const char *label, double want, double tol)
{
    double v = perf_value(out, label);

    ck_assert_msg(v >= want * (1 - tol) && v <= want * (1 + tol), "%s = %f, want %f +- %.0f%%:\n%s",
                  label, v, want, tol * 100, out);
}

/* Microseconds since the epoch: the test driver's counter base. */
static unsigned long long now_us(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (unsigned long long)tv.tv_sec * 1000000ULL + (unsigned long long)tv.tv_usec;
}

/* The integer value of raw counter 'label' on the first line, which must
 * be printed as an integer with UOM c and min 0 ("'l'=123c;;;0"). */
static unsigned long long perf_counter(const char *out, const char *label)
{
    char *first = vm_first_line(out), key[256], *end;
    const char *p;
    unsigned long long v;

    snprintf(key, sizeof(key), "'%s'=", label);
    p = strstr(first, key);
    ck_assert_msg(p != NULL, "no perfdata %s in:\n%s", key, out);
    p += strlen(key);
    ck_assert_msg(*p >= '0' && *p <= '9', "%s not a number:\n%s", key, out);
    v = strtoull(p, &end, 10);
    ck_assert_msg(strncmp(end, "c;;;0", 5) == 0 && (end[5] == ' ' || end[5] == '\0'),
                  "%s: not an integer counter 'Nc;;;0':\n%s", key, out);
    free(first);
    return v;
}

/* Counter c was read between t0 and t1 (µs) and is base/div of the test
 * driver's clock (base in µs, or in s when secs). */
static void assert_clock_counter(const char *out, const char *label, unsigned long long t0,
                                 unsigned long long t1, unsigned long long div, bool secs)
{
    unsigned long long c = perf_counter(out, label);
    unsigned long long lo = (secs ? t0 / 1000000ULL : t0) / div;
    unsigned long long hi = (secs ? t1 / 1000000ULL : t1) / div;

    ck_assert_msg(c >= lo && c <= hi, "%s = %llu, want %llu..%llu:\n%s", label, c, lo, hi, out);
}

START_TEST(default_domain_ok)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST));
    ck_assert_int_eq(r.status, 0);
    /* labelled by MAC, not by the host device name */
    assert_has(r.out, "VNET OK - test:aa:bb:cc:dd:ee:ff: rx 9");
    assert_has(r.out, "KiB/s (");
    assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:rx_Bps", 100000, 0.03);
    assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:tx_Bps", 50000, 0.03);
    assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:rx_pps", 10000, 0.03);
    assert_near(r.out, "test:aa:bb:cc:dd:ee:ff:tx_pps", 9091, 0.03);
    perf_value(r.out, "test:aa:bb:cc:dd:ee:ff:errors_ps");
    perf_value(r.out, "test:aa:bb:cc:dd:ee:ff:drops_ps");
    /* no <bandwidth>: no throttle figures */
    assert_lacks(r.out, "throttle");
    /* bits per second in the text, and the host device */
    assert_has(r.out, "\n[OK] test:aa:bb:cc:dd:ee:ff: rx 9");
    assert_has(r.out, "kbit/s)");
    assert_has(r.out, "pkt/s");
    assert_has(r.out, "host device testnet0");
    ck_assert_msg(vm_run_measured_in_run(r.out, vm_run_interval(0.2)), "not measured in-run:\n%s",
                  r.out);
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
    struct vm_run r;
    unsigned long long t0, t1;

    t0 = now_us();
    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST));
    t1 = now_us();
    ck_assert_int_eq(r.status, 0);
    assert_clock_counter(r.out, ctr[_i].label, t0, t1, ctr[_i].div, ctr[_i].secs);
    vm_run_free(&r);
}
END_TEST

/* With --label=dev the counters are named by the host device, like the
 * rates; and every interface of a fixture domain has its own. */
START_TEST(raw_counters_labels)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "--label=dev"));
    ck_assert_int_eq(r.status, 0);
    perf_counter(r.out, "test:testnet0:rx_bytes");
    perf_counter(r.out, "test:testnet0:tx_drops");
    assert_lacks(r.out, "aa:bb:cc:dd:ee:ff:rx_bytes");
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
    const char *word, *expect;
} thr[] = {
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
    {"throttle=1", "throttle=2", 0, "OK", NULL},
};

START_TEST(thresholds)
{
    struct vm_run r;
    char first[64];

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "-w", thr[_i].w, "-c", thr[_i].c));
    ck_assert_msg(r.status == thr[_i].status, "-w %s -c %s: exit %d, output %s", thr[_i].w,
                  thr[_i].c, r.status, r.out);
    snprintf(first, sizeof(first), "VNET %s - ", thr[_i].word);
    ck_assert_msg(strncmp(r.out, first, strlen(first)) == 0, "%s", r.out);
    if (thr[_i].expect)
        assert_has(r.out, thr[_i].expect);
    vm_run_free(&r);
}
END_TEST

START_TEST(perfdata_thresholds)
{
    struct vm_run r;

    /* throughput thresholds show on both directions unless they have their own */
    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "-w", "1MiB", "-c", "tx_Bps=2MiB"));
    ck_assert_int_eq(r.status, 0);
    assert_has(r.out, "'test:aa:bb:cc:dd:ee:ff:rx_Bps'=");
    assert_has(r.out, ";1048576;;0 ");
    assert_has(r.out, ";;2097152;0 ");
    vm_run_free(&r);
}
END_TEST

START_TEST(fixture_domain_interfaces)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST));
    ck_assert_int_eq(r.status, 0);
    assert_has(r.out, "VNET OK - 2 interfaces OK");
    /* both by MAC; the second one's host name was vnet7, renamed on start */
    assert_has(r.out, "[OK] web01:52:54:00:00:01:01: ");
    assert_has(r.out, "[OK] web01:52:54:00:ab:01:02: ");
    assert_has(r.out, "host device tapweb01, alias ua-front");
    /* rx 100000 of 102400 B/s inbound, tx 50000 of 204800 B/s outbound */
    assert_has(r.out, "rx at 9");
    assert_has(r.out, "% of the inbound limit (100 KiB/s)");
    assert_has(r.out, "tx at 2");
    assert_has(r.out, "% of the outbound limit (200 KiB/s)");
    assert_near(r.out, "web01:52:54:00:00:01:01:rx_throttle", 97.66, 0.03);
    assert_near(r.out, "web01:52:54:00:00:01:01:tx_throttle", 24.41, 0.03);
    assert_lacks(r.out, "web01:52:54:00:ab:01:02:rx_throttle");
    ck_assert_int_eq((int)vm_count_lines(r.out), 3);
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
    const char *expect, *expect2;
} thr_limits[] = {
    /* rx at 97.7% of the inbound limit. The figure is measured, so the
     * thresholds keep a margin of 7% or more from it: a loaded machine
     * moves a 0.2 s rate by a percent or two. Above 100 is a valid limit
     * (a burst can exceed the average). */
    {"throttle=90", "throttle=105", 1, "VNET WARNING - 1 WARNING: web01:52:54:00:00:01:01 (", "% of inbound limit); 1 OK"},
    {"throttle=50", "throttle=90", 2, "VNET CRITICAL - 1 CRITICAL: web01:52:54:00:00:01:01 (", "% of inbound limit); 1 OK"},
    {"throttle=105", "throttle=110", 0, "VNET OK - 2 interfaces OK", "rx at 9"},
};

START_TEST(throttle_thresholds)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST, "-w", thr_limits[_i].w, "-c", thr_limits[_i].c));
    ck_assert_msg(r.status == thr_limits[_i].status, "case %d: exit %d: %s", _i, r.status, r.out);
    assert_has(r.out, thr_limits[_i].expect);
    assert_has(r.out, thr_limits[_i].expect2);
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *extra[6];
    int status;
    const char *expect;
    const char *absent;
} sel[] = {
    {{"-d", "web01", "--interface", "tapweb01"}, 0, "VNET OK - web01:52:54:00:00:01:01: ", "ab:01:02"},
    {{"-d", "web01", "--interface", "52:54:00:ab:01:02"}, 0, "VNET OK - web01:52:54:00:ab:01:02: ", "01:01"},
    {{"-d", "web01", "--interface", "52:54:00:00:01:0A"}, 3, "no interface matches --interface 52:54:00:00:01:0A", NULL},
    {{"-d", "db01", "--interface", "52:54:00:00:02:01"}, 0, "VNET OK - db01:52:54:00:00:02:01: ", NULL},
    /* MACs match in any case */
    {{"-d", "web01", "--interface", "52:54:00:AB:01:02"}, 0, "VNET OK - web01:52:54:00:ab:01:02: ", NULL},
    {{"-d", "web01", "--interface", "ua-front"}, 0, "VNET OK - web01:52:54:00:00:01:01: ", NULL},
    {{"-d", "web01", "--interface", "tapweb01", "--interface", "nosuch"}, 3, "[UNKNOWN] web01:nosuch: no interface with this device name, MAC or alias", NULL},
    {{"-d", "web01", "--label=alias", NULL}, 0, "[OK] web01:ua-front: ", NULL},
    /* no alias: the MAC */
    {{"-d", "web01", "--label=alias", NULL}, 0, "[OK] web01:52:54:00:ab:01:02: ", NULL},
    /* host device names, no XML read: no <bandwidth> either */
    {{"-d", "web01", "--label=dev", NULL}, 0, "[OK] web01:tapweb01: ", "limit"},
    /* ... unless a throttle threshold needs it */
    /* ~98% of 100 KiB/s; the exit code pins "above 90", the digits jitter with timing */
    {{"-d", "web01", "--label=dev", "-w", "throttle=90"}, 1, "% of inbound limit); 1 OK", NULL},
    {{"-d", "cdonly", NULL}, 3, "VNET UNKNOWN - cdonly: libvirt reports no interfaces for this domain", NULL},
    {{"-a", NULL}, 3, "VNET UNKNOWN - 1 UNKNOWN: cdonly; 4 OK", "off01"},
    {{"-a", "--ignore-nodata", NULL}, 0, "VNET OK - 4 interfaces OK", "cdonly"},
    /* with --all an --interface is a filter: domains without it say so */
    {{"-a", "--interface", "tapdb01"}, 3, "[UNKNOWN] web01: no interface matches --interface tapdb01", "web01:tapdb01"},
    {{"-a", "--interface", "tapdb01", "--ignore-nodata"}, 0, "VNET OK - db01:52:54:00:00:02:01: ", NULL},
    {{"-d", "paused01", NULL}, 0, "domain is paused", NULL},
    {{"-d", "paused01", "--paused=critical"}, 2, "VNET CRITICAL - paused01: paused", NULL},
    {{"-d", "off01", NULL}, 3, "VNET UNKNOWN - off01: shut off", NULL},
};

START_TEST(selection)
{
    const char *argv[16] = {"-U", fixture, FAST};
    struct vm_run r;
    size_t n = 4;

    for (size_t i = 0; i < 6 && sel[_i].extra[i]; i++)
        argv[n++] = sel[_i].extra[i];
    argv[n] = NULL;
    run(&r, argv);
    ck_assert_msg(r.status == sel[_i].status, "case %d: exit %d: %s", _i, r.status, r.out);
    assert_has(r.out, sel[_i].expect);
    if (sel[_i].absent)
        assert_lacks(r.out, sel[_i].absent);
    vm_run_free(&r);
}
END_TEST

/* The second run finds the first one's sample: no in-run interval. */
START_TEST(state_second_run_fast)
{
    char dir[] = "/tmp/vnetstateXXXXXX", cmd[128];
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    run(&r, ARGV("-U", fixture, "-a", "--state-dir", dir, vm_run_interval_arg(0.2), "--ignore-nodata"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(vm_run_measured_in_run(r.out, vm_run_interval(0.2)), "not measured in-run:\n%s",
                  r.out);
    vm_run_free(&r);
    usleep(300000);
    run(&r, ARGV("-U", fixture, "-a", "--state-dir", dir, "--interval=2", "--ignore-nodata"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.seconds < 1.0 + vm_run_slack(), "second run took %.2f s", r.seconds);
    assert_has(r.out, "since the previous check");
    assert_lacks(r.out, "in this run");
    assert_near(r.out, "web01:52:54:00:00:01:01:rx_Bps", 100000, 0.03);
    vm_run_free(&r);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Bad input: exit 3, one line on stdout naming the problem, nothing on stderr. */
static const struct {
    const char *args[4];
    const char *expect;
} bad[] = {
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
};

START_TEST(bad_input)
{
    const char *argv[8] = {"-U", "test:///default"};
    struct vm_run r;
    size_t n = 2;

    for (size_t i = 0; i < 4 && bad[_i].args[i]; i++)
        argv[n++] = bad[_i].args[i];
    argv[n] = NULL;
    run(&r, argv);
    ck_assert_msg(r.status == 3, "case %d: exit %d: %s", _i, r.status, r.out);
    ck_assert_msg(strncmp(r.out, "VNET UNKNOWN - ", 15) == 0, "case %d: %s", _i, r.out);
    ck_assert_msg(vm_count_lines(r.out) == 1, "case %d: not one line: %s", _i, r.out);
    assert_has(r.out, bad[_i].expect);
    vm_run_free(&r);
}
END_TEST

START_TEST(help_and_version)
{
    struct vm_run r;

    run(&r, ARGV("--help"));
    ck_assert_int_eq(r.status, 3);
    assert_has(r.out, "Usage: check_vnet");
    assert_has(r.out, "--interface=NAME|MAC");
    assert_has(r.out, "--label=mac|alias|dev");
    assert_has(r.out, "Directions are the guest's");
    assert_has(r.out, "  throughput ");
    vm_run_free(&r);
    run(&r, ARGV("-V"));
    ck_assert_int_eq(r.status, 3);
    assert_has(r.out, "check_vnet " PACKAGE_VERSION);
    vm_run_free(&r);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("check_vnet");
    TCase *tc = tcase_create("vnet");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, default_domain_ok);
    tcase_add_loop_test(tc, thresholds, 0, sizeof(thr) / sizeof(thr[0]));
    tcase_add_loop_test(tc, raw_counters, 0, sizeof(ctr) / sizeof(ctr[0]));
    tcase_add_test(tc, raw_counters_labels);
    tcase_add_test(tc, perfdata_thresholds);
    tcase_add_test(tc, fixture_domain_interfaces);
    tcase_add_loop_test(tc, throttle_thresholds, 0, sizeof(thr_limits) / sizeof(thr_limits[0]));
    tcase_add_loop_test(tc, selection, 0, sizeof(sel) / sizeof(sel[0]));
    tcase_add_test(tc, state_second_run_fast);
    tcase_add_loop_test(tc, bad_input, 0, sizeof(bad) / sizeof(bad[0]));
    tcase_add_test(tc, help_and_version);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vm_ck_run(make_suite());
}
