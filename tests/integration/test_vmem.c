/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vmem against libvirt's test driver: exit codes and output. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define SUITE_PLUGIN "check_vmem"
#define SUITE_FIXTURE "vmem.xml"
#include "plugin_suite.h"

START_TEST(default_domain_ok)
{
    /* used = available - usable = 2 GiB - 1 GiB, in bytes, max = available */
    expect(ARGV("-U", "test:///default", "-d", "test", "--max-age=0"), 0,
           ARGV("VMEM OK - test: 50.0% used (1.00 GiB of 2.00 GiB, basis usable)",
                "'test:used'=1073741824B;;;0;2147483648", "'test:used_pct'=50%;;;0;100",
                "'test:swap_in'=0c"),
           NULL);
}
END_TEST

START_TEST(env_uri_used)
{
    struct vm_run r;

    vm_run_plugin(&r, "check_vmem", ARGV("-d", "test", "--max-age=0"),
                  ARGV("LIBVIRT_DEFAULT_URI=test:///default"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "VMEM OK - test:");
    vm_run_free(&r);
}
END_TEST

/* The test driver's last-update is a constant from 1989: stale. */
START_TEST(stale_is_unknown)
{
    /* Its balloon has no stats period: the figure is the one the driver
     * sent when it loaded, and the fix is to set a period. */
    expect(ARGV("-U", "test:///default", "-d", "test"), 3,
           ARGV("VMEM UNKNOWN - test:", "stale", "stats period is not set",
                "virsh dommemstat test --period 10"),
           NULL);

    /* With a period, stale means the guest stopped reporting. */
    expect(ARGV("-U", fixture, "-d", "web01", "--max-age=60"), 3,
           ARGV("VMEM UNKNOWN - web01: memory stats are stale:", "(limit 1 min 0 s)",
                "stopped reporting"),
           NULL);
}
END_TEST

static const struct vm_thr_case thr[] = {
    {"40", "60", 1, "WARNING", NULL},   /* 50% > 40 */
    {"60", "49", 2, "CRITICAL", NULL},  /* critical checked first */
    {"50", "80", 0, "OK", NULL},        /* endpoint inclusive */
    {"50%", "80%", 0, "OK", NULL},      /* trailing % */
    {"49.9", "80", 1, "WARNING", NULL}, /* decimals */
    {"1GiB", "2GiB", 0, "OK", NULL},    /* absolute: exactly 1 GiB used */
    {"1023MiB", "2GiB", 1, "WARNING", NULL},
    {"512M", "1000M", 2, "CRITICAL", NULL},
    {"@0:10", "~:90", 0, "OK", NULL},
    {"@40:60", "~:90", 1, "WARNING", NULL}, /* alert inside */
    {"10:", "20:", 0, "OK", NULL},          /* alert only below */
    {"60:", "55:", 2, "CRITICAL", NULL},
};

START_TEST(thresholds)
{
    vm_run_thr_case_check("check_vmem", ARGV("-U", "test:///default", "-d", "test", "--max-age=0"),
                          &thr[_i]);
}
END_TEST

START_TEST(perfdata_thresholds_converted)
{
    struct vm_run r;

    /* Percent thresholds appear as bytes on the byte metric and as
     * percent on the percent metric. */
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "-w", "75", "-c", "1792MiB"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "'test:used'=1073741824B;1610612736;1879048192;0;2147483648");
    vm_assert_has(r.out, "'test:used_pct'=50%;75;87.5;0;100");
    vm_run_free(&r);
}
END_TEST

/* A non-OK line names the metric, its value in the unit of the limit, the
 * limit as written and the level: rss turns it CRITICAL, not "used". */
START_TEST(breach_named)
{
    expect(ARGV("-U", fixture, "-d", "db01", "--max-age=0", "-c", "rss=1"), 2,
           ARGV("\n[CRITICAL] db01: rss 50.0% > 1% (critical); 50.0% used (512 MiB"), NULL);
    expect(ARGV("-U", fixture, "-d", "db01", "--max-age=0", "-w", "405MiB", "-c", "rss=2GiB"), 1,
           ARGV("\n[WARNING] db01: used 512.0MiB > 405MiB (warning); 50.0% used"), NULL);
    expect(ARGV("-U", fixture, "-d", "db01", "--max-age=0", "-w", "@40:60", "-c", "60:"), 2,
           ARGV("\n[CRITICAL] db01: used 50.0% < 60% (critical); "), NULL);
}
END_TEST

START_TEST(basis_free)
{
    expect(ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--basis=free"), 0,
           ARGV("basis free"), NULL);
    /* given twice, the last wins, as in any getopt program */
    expect(ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--basis=free",
                "--basis=usable"),
           0, ARGV("basis usable"), NULL);
    expect(ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--basis=usable",
                "--basis=free"),
           0, ARGV("basis free"), NULL);
}
END_TEST

/* An answer that could not be written is no answer: UNKNOWN, whatever it
 * would have said, and still nothing on stderr. */
START_TEST(stdout_write_fails)
{
    static const char *const args[][8] = {
        {"-U", "test:///default", "-d", "test", "--max-age=0", NULL},            /* OK */
        {"-U", "test:///default", "-d", "test", "--max-age=0", "-c", "1", NULL}, /* CRITICAL */
        {"--help", NULL},
        {"--all=yes", NULL},
    };
    struct vm_run r;

    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        vm_run_plugin_to(&r, SUITE_PLUGIN, args[i], NULL, "/dev/full");
        ck_assert_msg(r.status == 3, "case %zu: exit %d", i, r.status);
        ck_assert_str_eq(r.err, "");
        vm_run_free(&r);
    }
    /* the same runs with a working stdout */
    run(&r, args[0]);
    ck_assert_int_eq(r.status, 0);
    vm_run_free(&r);
    run(&r, args[1]);
    ck_assert_int_eq(r.status, 2);
    vm_run_free(&r);
}
END_TEST

START_TEST(lookup_by_id_and_uuid)
{
    expect(ARGV("-U", "test:///default", "-d", "1", "--max-age=0"), 0, ARGV("VMEM OK - test: "),
           NULL);
    expect(ARGV("-U", fixture, "-d", "22222222-2222-4222-8222-222222222222", "--max-age=0"), 0,
           ARGV("VMEM OK - db01: 50.0% used (512 MiB of 1.00 GiB"), NULL);
}
END_TEST

START_TEST(all_domains)
{
    struct vm_run r;

    run(&r, ARGV("-U", fixture, "--all", "--max-age=0", "-w", "80"));
    /* noballoon has no stats: UNKNOWN, which does not hide the rest. */
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "VMEM UNKNOWN - 1 UNKNOWN: noballoon");
    vm_assert_has(r.out, "4 OK");
    vm_assert_has(r.out, "[UNKNOWN] noballoon: no memory stats: the domain has no balloon device");
    vm_assert_has(r.out, "[OK] web01: 50.0% used (2.00 GiB of 4.00 GiB, basis usable)");
    vm_assert_has(r.out, "[OK] db01: ");
    vm_assert_has(r.out, "[OK] paused01: ");
    vm_assert_has(r.out, "domain is paused");
    /* shut-off domains are skipped with --all by default */
    ck_assert_ptr_null(strstr(r.out, "off01"));
    /* UNKNOWN first in the long output, then the rest */
    ck_assert_ptr_nonnull(strstr(r.out, "\n[UNKNOWN] noballoon"));
    ck_assert_int_eq((int)vm_count_lines(r.out), 6);
    vm_run_free(&r);
}
END_TEST

START_TEST(hostile_name)
{
    struct vm_run r;
    char *first;
    const char *bar;

    run(&r, ARGV("-U", fixture, "-d", "web|01 'x'=y ümlaut", "--max-age=0"));
    ck_assert_int_eq(r.status, 0);
    first = vm_first_line(r.out);
    /* exactly one '|' on the first line: the perfdata separator */
    bar = strchr(first, '|');
    ck_assert_ptr_nonnull(bar);
    ck_assert_ptr_null(strchr(bar + 1, '|'));
    /* the name cannot close the quote or inject "'x'=y" as an entry */
    ck_assert_ptr_null(strstr(bar, "'x'"));
    ck_assert_ptr_null(strstr(bar, "=y"));
    vm_assert_has(first, "VMEM OK - web¦01 'x'=y ümlaut: 50.0% used");
    free(first);
    vm_run_free(&r);
}
END_TEST

static const struct vm_run_case sel[] = {
    {{"-d", "off01", NULL}, 3, "VMEM UNKNOWN - off01: shut off", NULL},
    {{"--shutoff=critical", "-d", "off01"}, 2, "VMEM CRITICAL - off01: shut off", NULL},
    {{"-d", "nosuch", NULL}, 3, "VMEM UNKNOWN - nosuch: not found", NULL},
    {{"--missing=critical", "-d", "nosuch"}, 2, "VMEM CRITICAL - nosuch: not found", NULL},
    {{"--paused=skip", "-d", "paused01"}, 3, "VMEM UNKNOWN - no running domain to check", NULL},
    {{"--paused=warning", "-d", "paused01"}, 1, "VMEM WARNING - paused01: paused", NULL},
    {{"-a", "--include", "^web[0-9]"}, 0, "VMEM OK - web01: ", "db01"},
    {{"-a", "--exclude", "^(web|noballoon)"}, 0, "VMEM OK - 2 domains OK", "web01"},
    {{"--include", "^db", NULL}, 0, "VMEM OK - db01: ", NULL}, /* --include implies --all */
    {{"-a", "--include", "^zzz"}, 3, "VMEM UNKNOWN - no domain matches --include/--exclude", NULL},
    {{"--allow-empty", "--include", "^zzz"}, 0, "VMEM OK - no domain matches", NULL},
    {{"-a", "--ignore-nodata", NULL}, 0, "VMEM OK - 4 domains OK", "noballoon"},
    {{"-a", "--shutoff=warning", NULL},
     1,
     "[WARNING] off01: domain is shut off",
     NULL}, /* WARNING outranks UNKNOWN */
};

START_TEST(selection)
{
    vm_run_case_check("check_vmem", ARGV("-U", fixture, "--max-age=0"), &sel[_i], _i);
}
END_TEST

START_TEST(connection_errors)
{
    struct vm_run r;

    run(&r, ARGV("-U", "qemu+unix:///system?socket=/nonexistent/sock", "-d", "x"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_assert_has(r.out,
                  "VMEM UNKNOWN - cannot connect to qemu+unix:///system?socket=/nonexistent/sock");
    vm_assert_has(r.out, "is libvirtd/virtqemud running?");
    vm_run_free(&r);
    run(&r, ARGV("-U", "bogus:///x", "-d", "x"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_assert_has(r.out, "VMEM UNKNOWN - cannot connect to bogus:///x");
    vm_run_free(&r);
    /* a garbage default URI from the environment */
    vm_run_plugin(&r, "check_vmem", ARGV("-d", "x"), ARGV("LIBVIRT_DEFAULT_URI=::garbage::"));
    ck_assert_str_eq(r.err, "");
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq((int)vm_count_lines(r.out), 1);
    vm_assert_has(r.out, "VMEM UNKNOWN - cannot connect to ::garbage::");
    vm_run_free(&r);
}
END_TEST

START_TEST(help_and_version)
{
    vm_run_help_check(SUITE_PLUGIN, ARGV("--basis=usable|free", "@10:20"));
}
END_TEST

/* A server that accepts connections and never answers, like a hung
 * libvirtd: -t must end the check within t+1 seconds. */
START_TEST(hung_daemon_times_out)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char dir[] = "/tmp/vmhangXXXXXX", uri[256];
    struct vm_run r;
    int fd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 16), 0); /* the kernel completes connects; nobody reads */
    snprintf(uri, sizeof(uri), "qemu+unix:///system?socket=%s", sa.sun_path);
    run(&r, ARGV("-U", uri, "-a", "-t", "1"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_str_eq(r.out, "VMEM UNKNOWN - timed out after 1 s\n");
    ck_assert_msg(r.seconds < 2.0 + vm_run_slack(), "took %.2f s", r.seconds);
    vm_run_free(&r);
    run(&r, ARGV("-U", uri, "-a", "-t", "1", "--timeout-result=critical"));
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "VMEM CRITICAL - timed out after 1 s\n");
    vm_run_free(&r);
    close(fd);
    unlink(sa.sun_path);
    rmdir(dir);
}
END_TEST

/* A run of argv that must exit `status` within `budget` bytes of output. */
static void run_within(struct vm_run *r, const char *const *argv, int status, size_t budget)
{
    run(r, argv);
    ck_assert_int_eq(r->status, status);
    ck_assert_msg(strlen(r->out) <= budget, "%zu bytes", strlen(r->out));
}

/* A node file with many domains, written at test time. */
static char *write_many(unsigned n, char *path, size_t len)
{
    char *uri = NULL;
    FILE *f;
    int fd;

    snprintf(path, len, "/tmp/vmmanyXXXXXX.xml");
    fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    fputs("<node>\n", f);
    for (unsigned i = 0; i < n; i++)
        fprintf(f,
                "<domain type='test'><name>dom%04u</name><memory>%u</memory>"
                "<currentMemory>%u</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>"
                "<devices><memballoon model='virtio'/></devices></domain>\n",
                i, n > 1000 ? 4194304 : 1048576, 524288 + 1024 * i);
    fputs("</node>\n", f);
    fclose(f);
    ck_assert_int_ge(asprintf(&uri, "test://%s", path), 0);
    return uri;
}

/* Well-formed plugin output: one first line whose perfdata entries are
 * whole ('label'=value...), every line ending in '\n'. */
static void assert_well_formed(const char *out)
{
    const char *nl = strchr(out, '\n'), *bar = strstr(out, " | ");

    ck_assert_ptr_nonnull(nl);
    ck_assert_int_eq(out[strlen(out) - 1], '\n');
    if (!bar || bar > nl)
        return;
    for (const char *p = bar + 3; p < nl;) {
        const char *sp = memchr(p, ' ', (size_t)(nl - p)), *e = sp ? sp : nl;
        const char *eq = memchr(p, '=', (size_t)(e - p));

        ck_assert_msg(*p == '\'' && eq && eq[-1] == '\'' && eq + 1 < e, "entry cut: %.*s",
                      (int)(e - p), p);
        p = e + 1;
    }
}

/* run_within(), whole (assert_well_formed) when whole, with every text of
 * has and none of lacks (NULL-terminated; lacks may be NULL). */
static void expect_within(const char *const *argv, int status, size_t budget, bool whole,
                          const char *const *has, const char *const *lacks)
{
    struct vm_run r;

    run_within(&r, argv, status, budget);
    if (whole)
        assert_well_formed(r.out);
    for (; *has; has++)
        vm_assert_has(r.out, *has);
    for (; lacks && *lacks; lacks++)
        vm_assert_lacks(r.out, *lacks);
    vm_run_free(&r);
}

START_TEST(many_domains_and_budget)
{
    char path[64];
    char *uri = write_many(300, path, sizeof(path));
    struct vm_run r;

    run(&r, ARGV("-U", uri, "--all", "--max-age=0", vm_run_timeout_arg(10), "--max-output=0"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "VMEM OK - 300 domains OK");
    ck_assert_int_eq((int)vm_count_lines(r.out), 301);
    vm_assert_has(r.out, "'dom0299:used'=");
    vm_run_free(&r);

    /* NRPE v2 sized budget: trimmed, and says so */
    expect_within(
        ARGV("-U", uri, "--all", "--max-age=0", vm_run_timeout_arg(10), "--max-output=1000"), 0,
        1000, false, ARGV("VMEM OK - 300 domains OK", "trimmed"), NULL);
    /* one domain over the threshold is named on the first line: dom0299 uses
     * 405.5 MiB, dom0298 exactly 405 MiB (endpoint inclusive) */
    expect_within(ARGV("-U", uri, "--all", "--max-age=0", vm_run_timeout_arg(10), "-w", "405MiB",
                       "--max-output=1000"),
                  1, 1000, false, ARGV("VMEM WARNING - ", "dom0299"), NULL);
    unlink(path);
    free(uri);
}
END_TEST

/* Under --all a crashed domain and one in "no state" are CRITICAL by
 * default (--crashed sets it), named too; shut-off ones are counted as
 * skipped in the summary. */
START_TEST(crashed_and_skipped)
{
    char *uri = vm_fixture_uri("states.xml");
    expect(ARGV("-U", uri, "--all", "--max-age=0"), 2,
           ARGV("VMEM CRITICAL - 2 CRITICAL: crash01 (crashed), nostate01 (in no state); "
                "2 OK; 2 shut off, skipped | ",
                "\n[CRITICAL] crash01: domain is crashed (--crashed decides its state)\n",
                "\n[CRITICAL] nostate01: domain is in no state"),
           NULL);
    expect(ARGV("-U", uri, "--all", "--max-age=0", "--crashed=warning", "--shutoff=critical"), 2,
           ARGV("VMEM CRITICAL - 2 CRITICAL: off01 (shut off), off02 (shut off); "
                "2 WARNING: crash01 (crashed), nostate01 (in no state); 2 OK | "),
           NULL);
    expect(ARGV("-U", uri, "-d", "crash01", "--max-age=0", "--crashed=ok"), 0,
           ARGV("VMEM OK - crash01: crashed"), NULL);
    expect(ARGV("-U", uri, "--all", "--max-age=0", "--crashed=bad"), 3,
           ARGV("invalid --crashed 'bad'"), NULL);
    /* everything skipped: the answer says what was */
    expect(ARGV("-U", uri, "--all", "--max-age=0", "--include", "^off"), 3,
           ARGV("VMEM UNKNOWN - no running domain to check (2 shut off, skipped)\n"), NULL);
    free(uri);
}
END_TEST

/* 2,000 domains, 248 CRITICAL (dom1752..dom1999 use more than 1131.5
 * MiB): every CRITICAL line survives the default budget, before any OK
 * line or perfdata; Nagios Core's budget holds and the output stays whole. */
START_TEST(large_host_offenders)
{
    char path[64], name[32];
    char *uri = write_many(2000, path, sizeof(path));
    struct vm_run r;

    run_within(&r,
               ARGV("-U", uri, "--all", "--max-age=0", vm_run_timeout_arg(30), "-c", "1131.5MiB"),
               2, 65000);
    assert_well_formed(r.out);
    vm_assert_has(r.out, "VMEM CRITICAL - 248 CRITICAL: dom1752 (50.0% used");
    vm_assert_has(r.out, "; 1752 OK | ");
    for (unsigned i = 1752; i < 2000; i++) {
        snprintf(name, sizeof(name), "\n[CRITICAL] dom%04u: used ", i);
        vm_assert_has(r.out, name);
    }
    vm_assert_has(r.out, "\n[CRITICAL] dom1999: used 1255.5MiB > 1131.5MiB (critical); 50.0% used");
    vm_assert_lacks(r.out, "\n[OK] ");
    vm_assert_has(r.out, "\n[output trimmed to fit 65000 bytes: 1752 lines and ");
    /* more than the 3 of old are named */
    vm_assert_has(r.out, "dom1760 (50.0% used");
    vm_run_free(&r);

    expect_within(ARGV("-U", uri, "--all", "--max-age=0", vm_run_timeout_arg(30), "-c", "1131.5MiB",
                       "--max-output=8000"),
                  2, 8000, true,
                  ARGV("VMEM CRITICAL - 248 CRITICAL: dom1752 (50.0% used", " more; 1752 OK",
                       "\n[CRITICAL] dom1752: used ", "\n[output trimmed to fit 8000 bytes: "),
                  ARGV("\n[OK] "));
    unlink(path);
    free(uri);
}
END_TEST

/* <memtune>: rss against the tightest limit, read only when a limit
 * threshold asks (tests/fixtures/memtune.xml: rss is half the current
 * memory on the test driver). */
START_TEST(memtune_limit)
{
    char *uri = vm_fixture_uri("memtune.xml");
    struct vm_run r;

    run(&r,
        ARGV("-U", uri, "--all", "--max-age=0", "--no-state", "-w", "limit=60", "-c", "limit=90"));
    ck_assert_int_eq(r.status, 1);
    vm_assert_has(r.out, "VMEM WARNING - 1 WARNING: soft01 (limit 66.7%); 2 OK | ");
    vm_assert_has(r.out, "\n[WARNING] soft01: limit 66.7% > 60% (warning); 50.0% used (1.00 GiB of "
                         "2.00 GiB, basis usable); rss 1.00 GiB = 66.7% of soft_limit 1.50 GiB;");
    vm_assert_has(r.out, "\n[OK] hard01: 50.0% used (2.00 GiB of 4.00 GiB, basis usable); rss "
                         "2.00 GiB = 50.0% of hard_limit 4.00 GiB;");
    vm_assert_has(r.out, "; no memtune limit;");
    vm_assert_has(r.out, "'soft01:limit'=66.67%;60;90;0 ");
    vm_assert_has(r.out, "'hard01:limit'=50%;60;90;0 ");
    vm_assert_lacks(r.out, "'nolimit01:limit'");
    vm_run_free(&r);

    /* The summary names the figure that makes each item's state: rss
     * where it alone is critical, the used figure where that is. */
    expect(ARGV("-U", uri, "--all", "--max-age=0", "--no-state", "-c", "rss=10", "-w", "40"), 2,
           ARGV("VMEM CRITICAL - 3 CRITICAL: hard01 (rss 2.00 GiB), nolimit01 (rss 1.50 GiB), "
                "soft01 (rss 1.00 GiB) | "),
           NULL);
    expect(ARGV("-U", uri, "--all", "--max-age=0", "--no-state", "-w", "rss=10", "-c", "40"), 2,
           ARGV("VMEM CRITICAL - 3 CRITICAL: hard01 (50.0% used (2.00 GiB of 4.00 GiB, basis "
                "usable)), "),
           NULL);

    /* not asked: not a word about it */
    run(&r, ARGV("-U", uri, "--all", "--max-age=0", "--no-state"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_lacks(r.out, "memtune");
    vm_assert_lacks(r.out, "_limit");
    vm_assert_lacks(r.out, ":limit'");
    vm_run_free(&r);

    /* asked of a domain without one: the threshold was not applied */
    run(&r, ARGV("-U", uri, "-d", "nolimit01", "--max-age=0", "--no-state", "-w", "limit=60"));
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "threshold on limit not applied: no domain reports it (no memtune limit: "
                         "the domain sets no hard_limit or soft_limit)");
    vm_run_free(&r);
    free(uri);
}
END_TEST

/* The balloon below the maximum: how much it holds back; `maximum` in
 * perfdata either way. */
START_TEST(balloon_held_back)
{
    char *uri = vm_fixture_uri("memtune.xml");

    expect(ARGV("-U", uri, "--all", "--max-age=0", "--no-state"), 0,
           ARGV("\n[OK] nolimit01: 50.0% used (1.50 GiB of 3.00 GiB, basis usable); "
                "balloon holds 1.00 GiB of 4.00 GiB back;",
                "'nolimit01:actual'=3221225472B;;;0 'nolimit01:maximum'=4294967296B;;;0 ",
                "'hard01:maximum'=4294967296B;;;0 "),
           ARGV("hard01: 50.0% used (2.00 GiB of 4.00 GiB, basis usable); balloon"));
    free(uri);
}
END_TEST

/* Pressure rates on the test driver: its last-update never moves, so a
 * pair never has a new guest report between its samples. What is true:
 * no wait unless asked, the sample saved, the reasons worded. */
START_TEST(pressure_rates)
{
    char dir[] = "/tmp/vm-test-vmem.XXXXXX", sdarg[64];
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sdarg, sizeof(sdarg), "--state-dir=%s", dir);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", sdarg));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "\n[OK] test: 50.0% used (1.00 GiB of 2.00 GiB, basis usable); balloon "
                         "holds 6.00 GiB of 8.00 GiB back; pressure rates from the next check\n");
    vm_assert_lacks(r.out, "_Bps");
    ck_assert_int_eq(vm_fs_count_entries(dir, ".state"), 1); /* saved for the next check */
    ck_assert_msg(r.seconds < 0.9 * vm_run_slack() + 0.5, "took %.2f s: it waited", r.seconds);
    vm_run_free(&r);

    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", sdarg));
    vm_assert_has(r.out, "; pressure rates from the next check (previous sample too recent for "
                         "--min-window)");
    vm_run_free(&r);

    /* a base old enough: the pair is free, but the guest never reported again */
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--max-age=0", sdarg, "--min-window=0.001"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "; pressure rates not known: the guest has not reported since the "
                         "previous sample");
    vm_run_free(&r);

    /* --no-state: no rates, and no wait for them unless asked */
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--no-state"));
    vm_assert_has(r.out, "; no pressure rates with --no-state (--pressure measures them in-run)");
    vm_run_free(&r);
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--no-state", "--pressure",
                 "--interval=0.2"));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "; pressure rates not known: the guest has not reported since the "
                         "previous sample");
    ck_assert_msg(r.seconds >= 0.2, "took %.2f s: it did not sample twice", r.seconds);
    vm_run_free(&r);

    /* a threshold on a rate no guest gives: not applied, and said */
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", "--no-state",
                 "--interval=0.2", "-w", "swap=1MiB", "-c", "majflt=100"));
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "threshold on swap not applied: no domain reports it (the guest reports "
                         "no such counter, or it did not report between the two samples); "
                         "threshold on majflt not applied");
    vm_run_free(&r);

    /* -t bounds --interval only when the check may sample twice */
    run(&r, ARGV("-U", "test:///default", "-d", "test", "--max-age=0", sdarg, "-t", "1"));
    ck_assert_int_eq(r.status, 0);
    vm_run_free(&r);
    run(&r,
        ARGV("-U", "test:///default", "-d", "test", "--max-age=0", sdarg, "-t", "1", "--pressure"));
    ck_assert_int_eq(r.status, 3);
    vm_assert_has(r.out, "VMEM UNKNOWN - --interval (1 s) must be shorter than --timeout (1 s) "
                         "(see --help)");
    vm_run_free(&r);
    vm_fs_rm_rf(dir);
}
END_TEST

VM_CK_MAIN_TCASE("check_vmem", "vmem", 60, suite_setup, suite_teardown,
                 VM_CK_TEST(default_domain_ok), VM_CK_TEST(env_uri_used),
                 VM_CK_TEST(stale_is_unknown), VM_CK_LOOP(thresholds, VM_CK_N(thr)),
                 VM_CK_TEST(perfdata_thresholds_converted), VM_CK_TEST(basis_free),
                 VM_CK_TEST(breach_named), VM_CK_TEST(stdout_write_fails),
                 VM_CK_TEST(lookup_by_id_and_uuid), VM_CK_TEST(all_domains),
                 VM_CK_TEST(hostile_name), VM_CK_LOOP(selection, VM_CK_N(sel)),
                 VM_CK_TEST(connection_errors), VM_CK_TEST(help_and_version),
                 VM_CK_TEST(hung_daemon_times_out), VM_CK_TEST(many_domains_and_budget),
                 VM_CK_TEST(large_host_offenders), VM_CK_TEST(crashed_and_skipped),
                 VM_CK_TEST(memtune_limit), VM_CK_TEST(balloon_held_back),
                 VM_CK_TEST(pressure_rates))
