/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk against libvirt's test driver: exit codes and output.
 *
 * The test driver's block counters follow the wall clock (sb = µs since
 * the epoch): rd_bytes = sb/20 (50000 B/s), rd_req = sb/10 (100000/s),
 * wr_bytes = sb/40 (25000 B/s), wr_req = sb/30 (33333/s), errs = sb/2e6;
 * every image has capacity 1099506450432 and allocation and physical size
 * 1099511627776 (1 TiB): 100.0% full. It has no request times, so no
 * latency. See tests/fixtures/devices.xml for the limits. */
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
#define HOSTILE_PATH "/var/lib/libvirt/images/web 01 'x' \"q\" |y.qcow2"

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
    vm_run_plugin(r, "check_vdisk", argv, NULL);
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
    assert_has(r.out, "VDISK OK - test:vda: read 4");
    assert_has(r.out, "100.0% full");
    assert_near(r.out, "test:vda:read_Bps", 50000, 0.03);
    assert_near(r.out, "test:vda:write_Bps", 25000, 0.03);
    assert_near(r.out, "test:vda:read_iops", 100000, 0.03);
    assert_near(r.out, "test:vda:write_iops", 33333, 0.03);
    assert_has(r.out, "'test:vda:capacity'=1099506450432B");
    assert_has(r.out, "'test:vda:physical'=1099511627776B");
    assert_has(r.out, "'test:vda:allocation'=1099511627776B;;;0;1099506450432");
    assert_has(r.out, "'test:vda:fill'=100");
    perf_value(r.out, "test:vda:errors");
    /* no request times from this driver: no latency, not a latency of 0 */
    assert_lacks(r.out, "latency");
    /* no limits asked for: no XML read, no throttle */
    assert_lacks(r.out, "throttle");
    assert_has(r.out, "\n[OK] test:vda: read 4");
    ck_assert_msg(vm_run_measured_in_run(r.out, vm_run_interval(0.2)), "not measured in-run:\n%s",
                  r.out);
    ck_assert_int_eq((int)vm_count_lines(r.out), 2);
    vm_run_free(&r);
}
END_TEST

/* The raw counters as c, equal to what the driver reported when sampled:
 * rd_req = sb/10, rd_bytes = sb/20, wr_req = sb/30, wr_bytes = sb/40. */
static const struct {
    const char *label;
    unsigned long long div;
} ctr[] = {
    {"test:vda:read_bytes", 20},
    {"test:vda:read_reqs", 10},
    {"test:vda:write_bytes", 40},
    {"test:vda:write_reqs", 30},
};

START_TEST(raw_counters)
{
    struct vm_run r;
    unsigned long long t0, t1;

    t0 = now_us();
    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST));
    t1 = now_us();
    ck_assert_int_eq(r.status, 0);
    assert_clock_counter(r.out, ctr[_i].label, t0, t1, ctr[_i].div, false);
    /* the test driver counts no flushes: no counter rather than 0 */
    assert_lacks(r.out, "flush");
    vm_run_free(&r);
}
END_TEST

/* Counters from the state file's run and the next one: never down, and
 * the rate is their difference over the elapsed time. */
START_TEST(raw_counters_with_state)
{
    char dir[] = "/tmp/vdiskctrXXXXXX", cmd[128];
    struct vm_run r1, r2;
    unsigned long long a, b;
    double rate, secs;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    run(&r1, ARGV("-U", "test:///default", "-d", "test", "--state-dir", dir, "--interval=0.2"));
    usleep(300000);
    run(&r2, ARGV("-U", "test:///default", "-d", "test", "--state-dir", dir, "--interval=0.2"));
    assert_has(r2.out, "since the previous check");
    a = perf_counter(r1.out, "test:vda:read_bytes");
    b = perf_counter(r2.out, "test:vda:read_bytes");
    ck_assert_msg(b > a, "read_bytes went from %llu to %llu", a, b);
    /* the rate is the counters' difference over the time between the
     * samples: at least the 0.3 s slept, at most a few seconds */
    rate = perf_value(r2.out, "test:vda:read_Bps");
    ck_assert_msg(rate > 0, "rate %f", rate);
    secs = (double)(b - a) / rate;
    ck_assert_msg(secs >= 0.29 && secs < 3 + vm_run_slack(), "delta %llu at %f B/s = %f s",
                  b - a, rate, secs);
    vm_run_free(&r1);
    vm_run_free(&r2);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static const struct {
    const char *w, *c;
    int status;
    const char *word, *expect;
} thr[] = {
    {"90", "99.99", 2, "CRITICAL", "test:vda: 100.0% full"}, /* fill, the main metric */
    {"90", "101", 1, "WARNING", "test:vda: 100.0% full"},
    {"101", "102", 0, "OK", "test:vda: read 4"},
    {"1TiB", "2TiB", 0, "OK", NULL},                   /* allocation is exactly 1 TiB */
    {"1023GiB", "2TiB", 1, "WARNING", "100.0% full"},  /* sizes compare with the allocation */
    {"fill=@0:50", "fill=@50:99", 0, "OK", NULL},
    {"read_Bps=40000", "read_Bps=60000", 1, "WARNING", "test:vda: read 4"},
    {"read_Bps=40KiB", "write_Bps=20KiB", 2, "CRITICAL", "test:vda: write 2"},
    {"write_Bps=30000", "read_Bps=60KiB", 0, "OK", NULL},
    {"read_iops=90000", "read_iops=200000", 1, "WARNING", "test:vda: read iops "},
    {"write_iops=40000", "write_iops=50000", 0, "OK", NULL},
    {"write_iops=@30000:40000", "read_iops=@90000:110000", 2, "CRITICAL", "read iops"},
    /* no latency from the test driver: a latency threshold cannot alert */
    {"latency=0", "latency=0", 0, "OK", NULL},
    {"errors=@0:1000000", "101", 1, "WARNING", "I/O error"},
    /* no <iotune> on test:///default: throttle has nothing to judge */
    {"throttle=1", "throttle=2", 0, "OK", NULL},
};

START_TEST(thresholds)
{
    struct vm_run r;
    char first[64];

    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "-w", thr[_i].w, "-c", thr[_i].c));
    ck_assert_msg(r.status == thr[_i].status, "-w %s -c %s: exit %d, output %s", thr[_i].w,
                  thr[_i].c, r.status, r.out);
    snprintf(first, sizeof(first), "VDISK %s - ", thr[_i].word);
    ck_assert_msg(strncmp(r.out, first, strlen(first)) == 0, "%s", r.out);
    if (thr[_i].expect)
        assert_has(r.out, thr[_i].expect);
    vm_run_free(&r);
}
END_TEST

START_TEST(perfdata_thresholds_converted)
{
    struct vm_run r;

    /* A percent fill threshold shows as percent on fill and as bytes of
     * the capacity on allocation; rate thresholds as plain numbers. */
    run(&r, ARGV("-U", "test:///default", "-d", "test", FAST, "-w", "50", "-c", "1TiB", "-w",
                 "read_Bps=1MiB"));
    ck_assert_int_eq(r.status, 1);
    assert_has(r.out, "'test:vda:fill'=100");
    assert_has(r.out, "%;50;100");
    assert_has(r.out, "'test:vda:allocation'=1099511627776B;549753225216;1099511627776;0;1099506450432");
    assert_has(r.out, ";1048576;;0 ");
    vm_run_free(&r);
}
END_TEST

START_TEST(fixture_domain_disks)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST));
    ck_assert_int_eq(r.status, 0);
    /* three disks; the empty CD-ROM sda is skipped, sdb has a medium */
    assert_has(r.out, "VDISK OK - 3 disks OK");
    assert_has(r.out, "[OK] web01:vda: ");
    assert_has(r.out, "[OK] web01:vdb: ");
    assert_has(r.out, "[OK] web01:sdb: ");
    assert_lacks(r.out, "web01:sda");
    assert_has(r.out, "'web01:vdb:read_Bps'=");
    ck_assert_int_eq((int)vm_count_lines(r.out), 4);
    /* labels are target names; the hostile path is not shown without -v */
    assert_lacks(r.out, "web 01");
    vm_run_free(&r);
}
END_TEST

START_TEST(limits_reported)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST, "--limits"));
    ck_assert_int_eq(r.status, 0);
    /* (50000 + 25000) / 100000 and 100000 / 200000 */
    assert_has(r.out, "of its iotune total_bytes_sec limit (97.7 KiB/s)");
    assert_has(r.out, "of its iotune read_iops_sec limit (200000 iops)");
    assert_has(r.out, "[OK] web01:sdb: ");
    assert_has(r.out, "; no iotune limit");
    assert_near(r.out, "web01:vda:throttle", 75, 0.03);
    assert_near(r.out, "web01:vdb:throttle", 50, 0.03);
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

    run(&r, ARGV("-U", fixture, "-d", "web01", FAST, "-w", thr_limits[_i].w, "-c", thr_limits[_i].c));
    ck_assert_msg(r.status == thr_limits[_i].status, "case %d: exit %d: %s", _i, r.status, r.out);
    assert_has(r.out, thr_limits[_i].expect);
    if (_i == 0)
        assert_has(r.out, "% of iotune total_bytes_sec); 2 OK");
    if (_i == 1) {
        /* vda CRITICAL (75 > 60), vdb WARNING (50 > 40), worst first */
        assert_has(r.out, "\n[CRITICAL] web01:vda: ");
        assert_has(r.out, "\n[WARNING] web01:vdb: ");
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
    assert_has(first, "VDISK OK - web01:vda: ");
    bar = strchr(first, '|');
    ck_assert_ptr_nonnull(bar);
    ck_assert_ptr_null(strchr(bar + 1, '|'));
    ck_assert_int_eq((int)vm_count_lines(r.out), 2);
    assert_has(r.out, "source /var/lib/libvirt/images/web 01 'x' \"q\" /y.qcow2");
    /* the only '|' in the whole output is the perfdata separator */
    ck_assert_ptr_eq(strchr(r.out, '|'), strchr(first, '|') - first + r.out);
    free(first);
    vm_run_free(&r);
}
END_TEST

static const struct {
    const char *extra[6];
    int status;
    const char *expect;
    const char *absent;
} sel[] = {
    {{"-d", "web01", "--device", "vdb"}, 0, "VDISK OK - web01:vdb: ", "web01:vda"},
    {{"-d", "web01", "--device", "/dev/vg0/web01-data"}, 0, "VDISK OK - web01:vdb: ", NULL},
    {{"-d", "web01", "--device", "vda", "--device", "vdb"}, 0, "VDISK OK - 2 disks OK", "sdb"},
    /* an empty drive named explicitly is checked (no image figures) */
    {{"-d", "web01", "--device", "sda"}, 0, "VDISK OK - web01:sda: ", "full"},
    {{"-d", "web01", "--device", "vdz"}, 3, "VDISK UNKNOWN - web01: no disk matches --device vdz", NULL},
    {{"-d", "web01", "--device", "vda", "--device", "vdz"}, 3, "[UNKNOWN] web01:vdz: no disk with this target", NULL},
    {{"-d", "cdonly", NULL}, 3, "VDISK UNKNOWN - cdonly: no disk to check: only 1 empty removable drive", NULL},
    {{"-d", "cdonly", "--ignore-nodata"}, 3, "VDISK UNKNOWN - no domain with data to check", NULL},
    {{"-a", "--ignore-nodata", NULL}, 0, "VDISK OK - 5 disks OK", "cdonly"},
    {{"-a", NULL}, 3, "VDISK UNKNOWN - 1 UNKNOWN: cdonly; 5 OK", "off01"},
    /* with --all a --device is a filter: domains without it say so */
    {{"-a", "--device", "vdb"}, 3, "[UNKNOWN] db01: no disk matches --device vdb", "[UNKNOWN] db01:vdb"},
    {{"-a", "--device", "vdb", "--ignore-nodata"}, 0, "VDISK OK - web01:vdb: ", NULL},
    {{"-d", "paused01", NULL}, 0, "domain is paused", NULL},
    {{"-d", "paused01", "--paused=warning"}, 1, "VDISK WARNING - paused01: paused", NULL},
    {{"-d", "off01", NULL}, 3, "VDISK UNKNOWN - off01: shut off", NULL},
    {{"-d", "nosuch", NULL}, 3, "VDISK UNKNOWN - nosuch: not found", NULL},
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
    char dir[] = "/tmp/vdiskstateXXXXXX", cmd[128];
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    run(&r, ARGV("-U", fixture, "-d", "web01", "--state-dir", dir, vm_run_interval_arg(0.2)));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(vm_run_measured_in_run(r.out, vm_run_interval(0.2)), "not measured in-run:\n%s",
                  r.out);
    vm_run_free(&r);
    usleep(300000);
    run(&r, ARGV("-U", fixture, "-d", "web01", "--state-dir", dir, "--interval=2"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.seconds < 1.0 + vm_run_slack(), "second run took %.2f s", r.seconds);
    assert_has(r.out, "since the previous check");
    assert_near(r.out, "web01:vda:read_Bps", 50000, 0.03);
    vm_run_free(&r);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Errors are counted since the previous sample: over 2.1 s the test
 * driver's errs (sb/2e6) grows by at least one. */
START_TEST(errors_counted)
{
    struct vm_run r;

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--no-state", "--interval=2.1", "-c",
                 "errors=0"));
    ck_assert_int_eq(r.status, 2);
    assert_has(r.out, "VDISK CRITICAL - test:vda: ");
    assert_has(r.out, "I/O error");
    ck_assert_msg(perf_value(r.out, "test:vda:errors") >= 1, "%s", r.out);
    vm_run_free(&r);
}
END_TEST

/* Bad input: exit 3, one line on stdout naming the problem, nothing on stderr. */
static const struct {
    const char *args[4];
    const char *expect;
} bad[] = {
    {{"-d", "test", "--device=", NULL}, "--device"},
    {{"-d", "test", "--device", NULL}, "needs a value"},
    {{"-d", "test", "--limits=yes", NULL}, "--limits"},
    {{"-d", "test", "-w", "read_Bps=10%"}, "read_Bps=10%"},
    {{"-d", "test", "-w", "latency=1GiB"}, "latency=1GiB"},
    {{"-d", "test", "-w", "throttle=1MiB"}, "throttle=1MiB"},
    {{"-d", "test", "-w", "read_iops=5%"}, "read_iops=5%"},
    {{"-d", "test", "-w", "fill=abc"}, "abc"},
    {{"-d", "test", "-w", "fill=90:80"}, "90:80"},
    {{"-d", "test", "-c", "errors=-1"}, "-1"},
    {{"-d", "test", "-w", "iops=10"}, "iops"},
    {{"-d", "test", "--interval=0", NULL}, "--interval"},
    {{"-d", "test", "--interval=10", NULL}, "--interval"},
    {{"-d", "test", "--max-state-age=0", NULL}, "--max-state-age"},
    {{"-d", "test", "--state-dir=", NULL}, "--state-dir"},
    {{"-d", "test", "--interface=x", NULL}, "--interface"},
    {{"-v", NULL, NULL, NULL}, "no domain selected"},
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
    ck_assert_msg(strncmp(r.out, "VDISK UNKNOWN - ", 16) == 0, "case %d: %s", _i, r.out);
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
    assert_has(r.out, "Usage: check_vdisk");
    assert_has(r.out, "--device=TARGET|PATH");
    assert_has(r.out, "--limits");
    assert_has(r.out, "--interval=SECONDS");
    assert_has(r.out, "  fill ");
    assert_has(r.out, "  throttle ");
    vm_run_free(&r);
    run(&r, ARGV("-V"));
    ck_assert_int_eq(r.status, 3);
    assert_has(r.out, "check_vdisk " PACKAGE_VERSION);
    vm_run_free(&r);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("check_vdisk");
    TCase *tc = tcase_create("vdisk");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, default_domain_ok);
    tcase_add_loop_test(tc, thresholds, 0, sizeof(thr) / sizeof(thr[0]));
    tcase_add_loop_test(tc, raw_counters, 0, sizeof(ctr) / sizeof(ctr[0]));
    tcase_add_test(tc, raw_counters_with_state);
    tcase_add_test(tc, perfdata_thresholds_converted);
    tcase_add_test(tc, fixture_domain_disks);
    tcase_add_test(tc, limits_reported);
    tcase_add_loop_test(tc, throttle_thresholds, 0, sizeof(thr_limits) / sizeof(thr_limits[0]));
    tcase_add_test(tc, hostile_path);
    tcase_add_loop_test(tc, selection, 0, sizeof(sel) / sizeof(sel[0]));
    tcase_add_test(tc, state_second_run_fast);
    tcase_add_test(tc, errors_counted);
    tcase_add_loop_test(tc, bad_input, 0, sizeof(bad) / sizeof(bad[0]));
    tcase_add_test(tc, help_and_version);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vm_ck_run(make_suite());
}
