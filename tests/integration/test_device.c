/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cases the per-device plugins, check_vdisk and check_vnet, have in
 * common, against libvirt's test driver: one table a case, a row a plugin
 * or a figure; test_vdisk and test_vnet keep the plugin's own cases.
 *
 * The test driver's counters follow the wall clock (sb = µs since the
 * epoch). Block: rd_bytes = sb/20 (50000 B/s), rd_req = sb/10 (100000/s),
 * wr_bytes = sb/40 (25000 B/s), wr_req = sb/30 (33333/s), errs = sb/2e6;
 * every image has capacity 1099506450432 and allocation and physical size
 * 1099511627776 (1 TiB): 100.0005% full; no request times, so no latency.
 * Interface (one, testnet0, MAC aa:bb:cc:dd:ee:ff): rx_bytes = sb/10
 * (100000 B/s), rx_packets = sb/100 (10000/s), tx_bytes = sb/20 (50000
 * B/s), tx_packets = sb/110 (9091/s); errors and drops grow about once a
 * second. See tests/fixtures/devices.xml for the limits. */
#include <config.h>

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define FAST "--no-state", vm_run_interval_arg(0.2)

enum { VDISK, VNET };

/* The plugins: the lines of the fixture domain's run, what its raw
 * counters' run must lack (or NULL), the selection of the state runs and
 * texts --help prints. */
static const struct {
    const char *name;
    int fixture_lines;
    const char *ctr_lacks;
    const char *const *state_sel, *const *help;
} dev[] = {
    /* the test driver counts no flushes: no counter rather than 0 */
    [VDISK] = {"check_vdisk", 4, "flush", ARGV("-d", "web01"),
               ARGV("--device=TARGET|PATH", "--limits", "--interval=SECONDS", "  fill ",
                    "  throttle ")},
    [VNET] = {"check_vnet", 3, NULL, ARGV("-a", "--ignore-nodata"),
              ARGV("--interface=NAME|MAC", "--label=mac|alias|dev", "Directions are the guest's",
                   "  throughput ")},
};

/* What a run shows: a text it has or lacks, a perfdata entry it has, one
 * whose value is near `want` (within 3%), or a raw counter as c, equal to
 * what the driver reported when sampled: base/want of the test driver's
 * clock, base in µs (US) or in s (SECS). The runs: -d test on
 * test:///default, -d web01 on the fixture (both FAST), the second of two
 * on the fixture with the plugin's state_sel, which finds the first one's
 * sample; and for each COUNTER row, a run of -d test on test:///default. */
enum dev_run { DEFAULT, FIXTURE, STATE, COUNTER };
enum dev_kind { HAS, LACKS, PERF, NEAR, US, SECS };

static const struct {
    int plugin;
    enum dev_run run;
    enum dev_kind kind;
    const char *text;
    double want;
} shows[] = {
    {VDISK, DEFAULT, HAS, "VDISK OK - test:vda: read 4", 0},
    {VDISK, DEFAULT, HAS, "100.0005% full", 0},
    {VDISK, DEFAULT, NEAR, "test:vda:read_Bps", 50000},
    {VDISK, DEFAULT, NEAR, "test:vda:write_Bps", 25000},
    {VDISK, DEFAULT, NEAR, "test:vda:read_iops", 100000},
    {VDISK, DEFAULT, NEAR, "test:vda:write_iops", 33333},
    {VDISK, DEFAULT, HAS, "'test:vda:capacity'=1099506450432B", 0},
    {VDISK, DEFAULT, HAS, "'test:vda:physical'=1099511627776B", 0},
    {VDISK, DEFAULT, HAS, "'test:vda:allocation'=1099511627776B;;;0 ", 0},
    {VDISK, DEFAULT, HAS, "'test:vda:fill'=100", 0},
    {VDISK, DEFAULT, PERF, "test:vda:errors", 0},
    /* no request times from this driver: no latency, not a latency of 0 */
    {VDISK, DEFAULT, LACKS, "latency", 0},
    /* no limits asked for: no XML read, no throttle */
    {VDISK, DEFAULT, LACKS, "throttle", 0},
    {VDISK, DEFAULT, HAS, "\n[OK] test:vda: read 4", 0},
    /* three disks; the empty CD-ROM sda is skipped, sdb has a medium */
    {VDISK, FIXTURE, HAS, "VDISK OK - 3 disks OK", 0},
    {VDISK, FIXTURE, HAS, "[OK] web01:vda: ", 0},
    {VDISK, FIXTURE, HAS, "[OK] web01:vdb: ", 0},
    {VDISK, FIXTURE, HAS, "[OK] web01:sdb: ", 0},
    {VDISK, FIXTURE, LACKS, "web01:sda", 0},
    {VDISK, FIXTURE, HAS, "'web01:vdb:read_Bps'=", 0},
    /* labels are target names; the hostile path is not shown without -v */
    {VDISK, FIXTURE, LACKS, "web 01", 0},
    {VDISK, STATE, NEAR, "web01:vda:read_Bps", 50000},
    /* labelled by MAC, not by the host device name */
    {VNET, DEFAULT, HAS, "VNET OK - test:aa:bb:cc:dd:ee:ff: rx 9", 0},
    {VNET, DEFAULT, HAS, "KiB/s (", 0},
    {VNET, DEFAULT, NEAR, "test:aa:bb:cc:dd:ee:ff:rx_Bps", 100000},
    {VNET, DEFAULT, NEAR, "test:aa:bb:cc:dd:ee:ff:tx_Bps", 50000},
    {VNET, DEFAULT, NEAR, "test:aa:bb:cc:dd:ee:ff:rx_pps", 10000},
    {VNET, DEFAULT, NEAR, "test:aa:bb:cc:dd:ee:ff:tx_pps", 9091},
    {VNET, DEFAULT, PERF, "test:aa:bb:cc:dd:ee:ff:errors_ps", 0},
    {VNET, DEFAULT, PERF, "test:aa:bb:cc:dd:ee:ff:drops_ps", 0},
    /* no <bandwidth>: no throttle figures */
    {VNET, DEFAULT, LACKS, "throttle", 0},
    /* bits per second in the text, and the host device */
    {VNET, DEFAULT, HAS, "\n[OK] test:aa:bb:cc:dd:ee:ff: rx 9", 0},
    {VNET, DEFAULT, HAS, "kbit/s)", 0},
    {VNET, DEFAULT, HAS, "pkt/s", 0},
    {VNET, DEFAULT, HAS, "host device testnet0", 0},
    {VNET, FIXTURE, HAS, "VNET OK - 2 interfaces OK", 0},
    /* both by MAC; the second one's host name was vnet7, renamed on start */
    {VNET, FIXTURE, HAS, "[OK] web01:52:54:00:00:01:01: ", 0},
    {VNET, FIXTURE, HAS, "[OK] web01:52:54:00:ab:01:02: ", 0},
    {VNET, FIXTURE, HAS, "host device tapweb01, alias ua-front", 0},
    /* rx 100000 of 125000 B/s inbound, tx 50000 of 1000000 B/s outbound:
     * <bandwidth> counts 1000 bytes/s a unit, as tc does (1 Mbit/s and
     * 8 Mbit/s; KiB/s would print 1.02 and 8.19 Mbit/s) */
    {VNET, FIXTURE, HAS, "rx at 8", 0},
    {VNET, FIXTURE, HAS, "% of the inbound limit of 122 KiB/s (1.00 Mbit/s)", 0},
    {VNET, FIXTURE, HAS, "tx at 5.", 0},
    {VNET, FIXTURE, HAS, "% of the outbound limit of 977 KiB/s (8.00 Mbit/s)", 0},
    {VNET, FIXTURE, NEAR, "web01:52:54:00:00:01:01:rx_throttle", 80.0},
    {VNET, FIXTURE, NEAR, "web01:52:54:00:00:01:01:tx_throttle", 5.0},
    {VNET, FIXTURE, LACKS, "web01:52:54:00:ab:01:02:rx_throttle", 0},
    {VNET, STATE, LACKS, "in this run", 0},
    {VNET, STATE, NEAR, "web01:52:54:00:00:01:01:rx_Bps", 100000},
    {VDISK, COUNTER, US, "test:vda:read_bytes", 20},
    {VDISK, COUNTER, US, "test:vda:read_reqs", 10},
    {VDISK, COUNTER, US, "test:vda:write_bytes", 40},
    {VDISK, COUNTER, US, "test:vda:write_reqs", 30},
    {VNET, COUNTER, US, "test:aa:bb:cc:dd:ee:ff:rx_bytes", 10},
    {VNET, COUNTER, US, "test:aa:bb:cc:dd:ee:ff:rx_packets", 100},
    {VNET, COUNTER, SECS, "test:aa:bb:cc:dd:ee:ff:rx_errors", 1},
    {VNET, COUNTER, SECS, "test:aa:bb:cc:dd:ee:ff:rx_drops", 2},
    {VNET, COUNTER, US, "test:aa:bb:cc:dd:ee:ff:tx_bytes", 20},
    {VNET, COUNTER, US, "test:aa:bb:cc:dd:ee:ff:tx_packets", 110},
    {VNET, COUNTER, SECS, "test:aa:bb:cc:dd:ee:ff:tx_errors", 3},
    {VNET, COUNTER, SECS, "test:aa:bb:cc:dd:ee:ff:tx_drops", 4},
};

/* Every row of shows for plugin p and run holds on out; there is one. */
static void dev_assert_shows(const char *out, int p, enum dev_run run)
{
    int n = 0;

    for (int i = 0; i < VM_CK_N(shows); i++) {
        if (shows[i].plugin != p || shows[i].run != run)
            continue;
        n++;
        if (shows[i].kind == HAS)
            vm_assert_has(out, shows[i].text);
        else if (shows[i].kind == LACKS)
            vm_assert_lacks(out, shows[i].text);
        else if (shows[i].kind == PERF)
            vm_perf_value(out, shows[i].text);
        else
            vm_assert_near(out, shows[i].text, shows[i].want, 0.03);
    }
    ck_assert_int_gt(n, 0);
}

START_TEST(default_domain_ok)
{
    struct vm_run r;

    vm_run_clean(&r, dev[_i].name, ARGV("-U", "test:///default", "-d", "test", FAST));
    ck_assert_int_eq(r.status, 0);
    dev_assert_shows(r.out, _i, DEFAULT);
    vm_assert_in_run(r.out, vm_run_interval(0.2));
    ck_assert_int_eq((int)vm_count_lines(r.out), 2);
    vm_run_free(&r);
}
END_TEST

START_TEST(fixture_domain_devices)
{
    char *fixture = vm_fixture_uri("devices.xml");
    struct vm_run r;

    vm_run_clean(&r, dev[_i].name, ARGV("-U", fixture, "-d", "web01", FAST));
    ck_assert_int_eq(r.status, 0);
    dev_assert_shows(r.out, _i, FIXTURE);
    ck_assert_int_eq((int)vm_count_lines(r.out), dev[_i].fixture_lines);
    vm_run_free(&r);
    free(fixture);
}
END_TEST

/* The second run finds the first one's sample: no in-run interval. */
START_TEST(state_second_run_fast)
{
    char dir[] = "/tmp/vdevstateXXXXXX";
    char *fixture = vm_fixture_uri("devices.xml");
    const char *first[16], *second[16];
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    vm_argv_cat(first, 16, ARGV("-U", fixture, "--state-dir", dir, vm_run_interval_arg(0.2)),
                dev[_i].state_sel, 8);
    vm_argv_cat(second, 16,
                ARGV("-U", fixture, "--state-dir", dir, "--interval=2", "--min-window=0.2"),
                dev[_i].state_sel, 8);
    vm_run_from_state(&r, dev[_i].name, first, second);
    dev_assert_shows(r.out, _i, STATE);
    vm_run_free(&r);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
    free(fixture);
}
END_TEST

/* The rows of shows for run, and (when i >= 0) the number of row i of them. */
static int dev_count_shows(enum dev_run run, int i, int *row)
{
    int n = 0;

    for (int j = 0; j < VM_CK_N(shows); j++)
        if (shows[j].run == run && n++ == i)
            *row = j;
    return n;
}

/* One raw counter: a run of its own. */
START_TEST(raw_counters)
{
    int i = -1;

    dev_count_shows(COUNTER, _i, &i);
    ck_assert_int_ge(i, 0);
    vm_run_counter_check(
        dev[shows[i].plugin].name, ARGV("-U", "test:///default", "-d", "test", FAST), shows[i].text,
        (unsigned long long)shows[i].want, shows[i].kind == SECS, dev[shows[i].plugin].ctr_lacks);
}
END_TEST

START_TEST(help_and_version)
{
    vm_run_help_check(dev[_i].name, dev[_i].help);
}
END_TEST

/* Thresholds on -d test of test:///default, FAST: -w w -c c exits status
 * (its word, "VDISK WARNING - ", starts the output) with expect. */
struct dev_thr {
    int plugin;
    const char *w, *c;
    int status;
    const char *expect;
};

static const struct dev_thr thr[] = {
    /* fill, the main metric */
    {VDISK, "90", "99.99", 2, "test:vda: 100.0005% full"},
    {VDISK, "90", "101", 1, "test:vda: 100.0005% full"},
    {VDISK, "101", "102", 0, "test:vda: read 4"},
    /* allocation is exactly 1 TiB */
    {VDISK, "1TiB", "2TiB", 0, "test:vda: read 4"},
    /* sizes compare with the allocation */
    {VDISK, "1023GiB", "2TiB", 1, "100.0005% full"},
    {VDISK, "fill=@0:50", "fill=@50:99", 0, "test:vda: read 4"},
    {VDISK, "read_Bps=40000", "read_Bps=60000", 1, "test:vda: read 4"},
    {VDISK, "read_Bps=40KiB", "write_Bps=20KiB", 2, "test:vda: write 2"},
    {VDISK, "write_Bps=30000", "read_Bps=60KiB", 0, "test:vda: read 4"},
    {VDISK, "read_iops=90000", "read_iops=200000", 1, "test:vda: read iops "},
    {VDISK, "write_iops=40000", "write_iops=50000", 0, "test:vda: read 4"},
    /* the line names what broke: metric, value, limit as written, level */
    {VDISK, "write_iops=1", "write_iops=50000", 1, "\n[WARNING] test:vda: write_iops 33"},
    {VDISK, "write_iops=1", "write_iops=50000", 1, " > 1 (warning); read "},
    {VDISK, "write_iops=@30000:40000", "read_iops=@90000:110000", 2, "read iops"},
    {VDISK, "errors=@0:1000000", "101", 1, "I/O error"},
    /* throughput, the main metric */
    {VNET, "90000", "200000", 1, "test:aa:bb:cc:dd:ee:ff: rx 9"},
    /* 100000 > 97280 */
    {VNET, "80000", "95KiB", 2, "rx 9"},
    {VNET, "120KiB", "1MiB", 0, "test:aa:bb:cc:dd:ee:ff: rx 9"},
    {VNET, "throughput=@90000:110000", "1MiB", 1, "test:aa:bb:cc:dd:ee:ff: rx 9"},
    {VNET, "tx_Bps=40000", "1MiB", 1, "test:aa:bb:cc:dd:ee:ff: tx 4"},
    {VNET, "rx_Bps=200000", "tx_Bps=60000", 0, "test:aa:bb:cc:dd:ee:ff: rx 9"},
    {VNET, "rx_pps=20000", "rx_pps=5000", 2, "rx packets "},
    {VNET, "tx_pps=9500", "tx_pps=20000", 0, "test:aa:bb:cc:dd:ee:ff: rx 9"},
    {VNET, "drops=@0:1000", "1MiB", 1, "drops "},
    {VNET, "errors=@0:1000", "errors=@0:1000", 2, "errors "},
};

/* Thresholds on what the test driver does not report: the answer says
 * which cannot be judged, and why. */
static const struct dev_thr unjudged[] = {
    /* no latency (no request times): as the only threshold given it makes
     * the answer UNKNOWN (issue 18) */
    {VDISK, "latency=0", "latency=0", 3,
     "VDISK UNKNOWN - threshold on latency not applied: no disk reports it (the driver gives no "
     "request times: rd.times, wr.times); test:vda: "},
    {VDISK, "latency=0", "latency=0", 3, "\n[UNKNOWN] threshold on latency not applied"},
    /* beside a threshold that is judged: a note, the answer stands */
    {VDISK, "latency=0", "write_iops=50000", 0, "\nnote: threshold on latency not applied"},
    /* no <iotune> or <bandwidth> on test:///default: throttle has nothing
     * to judge */
    {VDISK, "throttle=1", "throttle=2", 3,
     "VDISK UNKNOWN - threshold on throttle not applied: no disk reports it (no disk has an "
     "<iotune> limit)"},
    {VNET, "throttle=1", "throttle=2", 3,
     "VNET UNKNOWN - threshold on throttle not applied: no interface reports it (no interface "
     "has a <bandwidth> limit)"},
};

/* Row _i of thr, then of unjudged. */
START_TEST(thresholds)
{
    static const char *const word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    const struct dev_thr *t = _i < VM_CK_N(thr) ? &thr[_i] : &unjudged[_i - VM_CK_N(thr)];
    const struct vm_thr_case c = {t->w, t->c, t->status, word[t->status], t->expect};

    vm_run_thr_case_check(dev[t->plugin].name, ARGV("-U", "test:///default", "-d", "test", FAST),
                          &c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("device");

    VM_CK_TCASE(s, "device", 60, NULL, NULL, VM_CK_LOOP(default_domain_ok, VM_CK_N(dev)),
                VM_CK_LOOP(fixture_domain_devices, VM_CK_N(dev)),
                VM_CK_LOOP(state_second_run_fast, VM_CK_N(dev)),
                VM_CK_LOOP(help_and_version, VM_CK_N(dev)),
                VM_CK_LOOP(raw_counters, dev_count_shows(COUNTER, -1, NULL)),
                VM_CK_LOOP(thresholds, VM_CK_N(thr) + VM_CK_N(unjudged)));
    return vm_ck_run(s);
}
