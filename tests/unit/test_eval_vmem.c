/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vmem's evaluation on hand-built balloon stats and domain XML:
 * what it judges, how it words it, and when it reads the XML at all. */
#include <config.h>

#define VM_EVAL_TEST
#include "check_vmem.c"

#include "ck_run.h"
#include "eval_run.h"

#define KIB(gib) ((uint64_t)(gib)*1024 * 1024)
#define BAL(f) (1u << (f))

static const char *const xml_virtio =
    "<domain type='test'><name>db</name><devices><memballoon model='virtio'>"
    "<stats period='10'/></memballoon></devices></domain>";
static const char *const xml_noperiod =
    "<domain type='test'><name>db</name><devices><memballoon model='virtio'/></devices></domain>";
static const char *const xml_none =
    "<domain type='test'><name>db</name><devices><memballoon model='none'/></devices></domain>";

/* 4 GiB guest, 1 GiB usable (MemAvailable), 3 GiB free (MemFree). */
static struct vm_dom_stats dom_mem(uint64_t last_update)
{
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    d.name = eval_db;
    d.balloon.v[VM_BAL_AVAILABLE] = KIB(4);
    d.balloon.v[VM_BAL_USABLE] = KIB(1);
    d.balloon.v[VM_BAL_UNUSED] = KIB(3);
    d.balloon.v[VM_BAL_LAST_UPDATE] = last_update;
    d.balloon.have = BAL(VM_BAL_AVAILABLE) | BAL(VM_BAL_USABLE) | BAL(VM_BAL_UNUSED) |
                     (last_update ? BAL(VM_BAL_LAST_UPDATE) : 0);
    return d;
}

static const struct eval_plugin plug = EVAL_PLUGIN(vmem_metrics, NULL, vmem_evaluate);

static void eval(struct eval_run *r, struct vmem_opts *o, const struct vm_dom_stats *d,
                 const char *const *th, size_t nth, const char *xml)
{
    eval_plugin(r, &plug, o, d, NULL, th, nth, xml, 0);
}

START_TEST(used_ok_without_xml)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.have &= ~BAL(VM_BAL_LAST_UPDATE);
    eval(&r, &o, &d, NULL, 0, xml_virtio);
    /* the happy path costs no XML */
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_check(&r, VM_OK,
               EVAL_TEXTS("TEST OK - db: 75.0% used (3.00 GiB of 4.00 GiB, basis usable)",
                          "'db:used'=3221225472B;;;0;4294967296", "'db:used_pct'=75%;;;0;100"),
               NULL);
}
END_TEST

START_TEST(used_thresholds_in_both_units)
{
    static const char *const th[] = {"w:70", "c:used=3.5GiB"};
    struct vmem_opts o = {VMEM_BASIS_FREE, 0, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    /* basis free: 1 GiB used of 4: below both limits */
    eval(&r, &o, &d, th, 2, NULL);
    /* -w 70 (percent) shows in bytes on `used`, -c 3.5GiB in percent on used_pct */
    eval_check(&r, VM_OK,
               EVAL_TEXTS("25.0% used (1.00 GiB of 4.00 GiB, basis free)",
                          "'db:used'=1073741824B;3006477107;3758096384;0;4294967296",
                          "'db:used_pct'=25%;70;87.5;0;100"),
               NULL);

    o.basis = VMEM_BASIS_USABLE; /* 3 GiB used: 75% > 70 */
    eval(&r, &o, &d, th, 2, NULL);
    ck_assert_int_eq(r.st, VM_WARNING);
    eval_free(&r);
}
END_TEST

/* One threshold on basis usable (3 GiB used of 4; rss 3 GiB of a 4 GiB
 * maximum): the state it gives and a text that shows it. */
static const struct {
    const char *th;
    enum vm_status st;
    const char *text;
} judged[] = {
    {"c:2GiB", VM_CRITICAL, "TEST CRITICAL - db: 75.0% used"}, /* a size is critical too */
    {"w:rss=50", VM_WARNING, "'db:rss'=3221225472B"},          /* rss against the maximum */
};

START_TEST(judged_on_usable)
{
    struct vmem_opts o = {VMEM_BASIS_USABLE, 0, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.v[VM_BAL_RSS] = KIB(3);
    d.balloon.v[VM_BAL_MAXIMUM] = KIB(4);
    d.balloon.have |= BAL(VM_BAL_RSS) | BAL(VM_BAL_MAXIMUM);
    eval(&r, &o, &d, &judged[_i].th, 1, NULL);
    eval_check(&r, judged[_i].st, EVAL_TEXTS(judged[_i].text), NULL);
}
END_TEST

/* Why no stats: the XML is read, once, and tells which part is missing. */
static const struct {
    const char *xml;
    const char *text;
} why[] = {
    {NULL, "no memory statistics (domain XML unreadable: cannot read domain XML: test says no)"},
    {xml_none, "the domain has no balloon device (memballoon model='none')"},
    {xml_noperiod, "balloon stats period is not set; run 'virsh dommemstat db --period 10"},
    {xml_virtio, "although the stats period is 10 s: the guest's virtio balloon driver"},
};

START_TEST(why_no_stats)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.have = 0;
    eval(&r, &o, &d, NULL, 0, why[_i].xml);
    ck_assert_uint_eq(r.xml.reads, 1);
    eval_check(&r, VM_UNKNOWN, EVAL_TEXTS(why[_i].text), NULL);
}
END_TEST

START_TEST(no_stats_ignored)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.have = 0;
    eval_plugin(&r, &plug, &o, &d, NULL, NULL, 0, xml_virtio, EVAL_IGNORE_NODATA);
    ck_assert_uint_eq(r.rep.nitems, 0);
    eval_free(&r);
}
END_TEST

/* Staleness: only an old figure costs the XML; the stats period sets the
 * limit (3 periods, at least 30 s) unless --max-age does. */
static const struct {
    long max_age;
    long age;
    const char *xml;
    enum vm_status st;
    unsigned reads;
    const char *text;
} stale[] = {
    {-1, 5, xml_virtio, VM_OK, 0, "75.0% used"},
    {-1, 100, xml_virtio, VM_UNKNOWN, 1, "last updated 1 min 40 s ago (limit 30 s)"},
    {-1, 100, xml_noperiod, VM_UNKNOWN, 1, "once when the guest's balloon driver loaded"},
    {-1, 100, NULL, VM_UNKNOWN, 1, "last updated 1 min 40 s ago (limit 30 s)"},
    {-1, 29,
     "<domain><devices><memballoon model='virtio'><stats period='60'/></memballoon>"
     "</devices></domain>",
     VM_OK, 0, "75.0% used"},
    {-1, 100,
     "<domain><devices><memballoon model='virtio'><stats period='60'/></memballoon>"
     "</devices></domain>",
     VM_OK, 1, "75.0% used"},
    {200, 100, xml_virtio, VM_OK, 0, "75.0% used"},
    {50, 100, xml_virtio, VM_UNKNOWN, 1, "(limit 50 s)"},
    {0, 100000, xml_virtio, VM_OK, 0, "75.0% used"},
};

START_TEST(staleness)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, stale[_i].max_age, false};
    struct vm_dom_stats d = dom_mem(1000000 - (uint64_t)stale[_i].age);
    struct eval_run r;

    eval(&r, &o, &d, NULL, 0, stale[_i].xml);
    ck_assert_uint_eq(r.xml.reads, stale[_i].reads);
    eval_check(&r, stale[_i].st, EVAL_TEXTS(stale[_i].text), NULL);
}
END_TEST

START_TEST(not_reported_yet)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.have |= BAL(VM_BAL_LAST_UPDATE); /* present, and 0 */
    eval(&r, &o, &d, NULL, 0, xml_virtio);
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_check(&r, VM_UNKNOWN,
               EVAL_TEXTS("the guest has not reported memory stats yet (last-update is 0)"), NULL);
}
END_TEST

START_TEST(basis_figure_missing)
{
    struct vmem_opts o = {VMEM_BASIS_USABLE, 0, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.have &= ~BAL(VM_BAL_USABLE);
    eval(&r, &o, &d, NULL, 0, xml_virtio);
    eval_check(&r, VM_UNKNOWN,
               EVAL_TEXTS("the guest reports no 'usable' memory figure for --basis=usable"), NULL);
    o.basis = VMEM_BASIS_AUTO; /* auto falls back to free, and says so */
    eval(&r, &o, &d, NULL, 0, xml_virtio);
    eval_check(&r, VM_OK, EVAL_TEXTS("basis free: guest reports no usable figure)"), NULL);
}
END_TEST

/* Two samples 300 s apart whose guest reports are 300 s apart: 300 KiB
 * swapped in (1 KiB/s), 600 major faults (2/s); no hugetlb counters. */
static void pressure_pair(struct vm_dom_stats *prev, struct vm_dom_stats *cur,
                          struct vm_rate_pair *pair)
{
    *prev = dom_mem(1000000 - 310);
    *cur = dom_mem(1000000 - 10);
    prev->balloon.have |= BAL(VM_BAL_SWAP_IN) | BAL(VM_BAL_SWAP_OUT) | BAL(VM_BAL_MAJOR_FAULT);
    cur->balloon.have = prev->balloon.have;
    cur->balloon.v[VM_BAL_SWAP_IN] = 300;
    cur->balloon.v[VM_BAL_MAJOR_FAULT] = 600;
    *pair = (struct vm_rate_pair){prev, cur, 300.0, VM_BASE_PREVIOUS, NULL};
}

START_TEST(pressure_from_previous_sample)
{
    static const char *const th[] = {"w:swap=1000", "c:majflt=10"};
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats p, d;
    struct vm_rate_pair pair;
    struct eval_run r;

    pressure_pair(&p, &d, &pair);
    eval_plugin(&r, &plug, &o, &d, &pair, th, 2, xml_virtio, 0);
    ck_assert_int_eq(r.st, VM_WARNING);
    eval_has(&r, "\n[WARNING] db: swap_Bps 1024 > 1000 (warning); 75.0% used (3.00 GiB of 4.00 "
                 "GiB, basis usable); swap 1.00 KiB/s in, 0 B/s out, 2.0 major faults/s, "
                 "hugetlb_pgfail not reported (over 5 min 0 s of guest reports)\n");
    eval_has(&r, "'db:swap_in_Bps'=1024;;;0 ");
    eval_has(&r, "'db:swap_out_Bps'=0;;;0 ");
    eval_has(&r, "'db:swap_Bps'=1024;1000;;0 ");
    eval_has(&r, "'db:majflt_ps'=2;;10;0\n");
    eval_lacks(&r, "hugetlb_pgfail_ps");
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_free(&r);

    /* the guest has not reported since: no rate, no figure judged */
    p.balloon.v[VM_BAL_LAST_UPDATE] = d.balloon.v[VM_BAL_LAST_UPDATE];
    eval_plugin(&r, &plug, &o, &d, &pair, th, 2, xml_virtio, 0);
    ck_assert_int_eq(r.st, VM_OK);
    eval_has(&r, "; pressure rates not known: the guest has not reported since the previous "
                 "sample\n");
    eval_lacks(&r, "swap_Bps");
    ck_assert(!vm_report_judged(&r.rep, VMEM_SWAP));
    eval_free(&r);
}
END_TEST

START_TEST(pressure_without_previous_sample)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct vm_rate_pair pair = {NULL, &d, 0, VM_BASE_IN_RUN, "previous sample too old"};
    struct eval_run r;

    eval_plugin(&r, &plug, &o, &d, &pair, NULL, 0, xml_virtio, 0);
    ck_assert_int_eq(r.st, VM_OK);
    eval_has(&r, "basis usable); pressure rates from the next check (previous sample too old)\n");
    eval_lacks(&r, "_Bps");
    eval_free(&r);
    pair.note = "no previous sample"; /* the usual first check: no more words than needed */
    eval_plugin(&r, &plug, &o, &d, &pair, NULL, 0, xml_virtio, 0);
    eval_has(&r, "basis usable); pressure rates from the next check\n");
    eval_free(&r);
}
END_TEST

/* The in-run sample: only when a pressure threshold or --pressure asks. */
static const struct {
    const char *th;
    bool pressure, in_run;
} inrun[] = {
    {NULL, false, false},         {"w:80", false, false},
    {"w:rss=50", false, false},   {"w:limit=90", false, false},
    {NULL, true, true},           {"w:swap=1MiB", false, true},
    {"c:swap_in=1", false, true}, {"w:swap_out=1", false, true},
    {"w:majflt=5", false, true},  {"c:hugetlb_pgfail=1", false, true},
};

START_TEST(in_run_when_asked)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, inrun[_i].pressure};
    struct vm_err err = {""};
    struct eval_run r;

    eval_setup(&r, vmem_metrics, sizeof(vmem_metrics) / sizeof(vmem_metrics[0]), &inrun[_i].th,
               inrun[_i].th ? 1 : 0, NULL);
    ck_assert_int_eq(vmem_in_run(&o, &r.cli), inrun[_i].in_run);
    /* -t bounds --interval only when the run may sample twice */
    r.cli.timeout_s = 1;
    r.cli.interval_s = 1;
    ck_assert_int_eq(vmem_validate(&o, &r.cli, &err), inrun[_i].in_run ? -1 : 0);
    if (inrun[_i].in_run)
        ck_assert_str_eq(err.msg, "--interval (1 s) must be shorter than --timeout (1 s)");
    r.cli.timeout_s = 10;
    ck_assert_int_eq(vmem_validate(&o, &r.cli, &err), 0);
    eval_free(&r);
}
END_TEST

static const char *const xml_memtune =
    "<domain type='test'><name>db</name><memtune><hard_limit unit='GiB'>4</hard_limit>"
    "<soft_limit unit='GiB'>6</soft_limit></memtune></domain>";

/* RSS against <memtune>: the XML only when a limit threshold asks. */
START_TEST(limit_against_memtune)
{
    static const char *const th[] = {"w:limit=70", "c:limit=90"};
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.v[VM_BAL_RSS] = KIB(3);
    d.balloon.have |= BAL(VM_BAL_RSS);
    eval(&r, &o, &d, th, 2, xml_memtune);
    ck_assert_uint_eq(r.xml.reads, 1);
    eval_check(&r, VM_WARNING,
               EVAL_TEXTS("[WARNING] db: limit 75.0% > 70% (warning); 75.0% used (3.00 GiB of "
                          "4.00 GiB, basis usable); rss 3.00 GiB = 75.0% of hard_limit 4.00 GiB\n",
                          "'db:limit'=75%;70;90;0\n"),
               NULL);

    eval(&r, &o, &d, NULL, 0, xml_memtune); /* not asked: not read */
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_check(&r, VM_OK, NULL, EVAL_TEXTS("limit"));

    eval(&r, &o, &d, th, 2, xml_virtio); /* asked, none set */
    ck_assert(!vm_report_judged(&r.rep, VMEM_LIMIT));
    eval_check(&r, VM_OK, EVAL_TEXTS("basis usable); no memtune limit\n"), NULL);

    eval(&r, &o, &d, th, 2, NULL); /* asked, XML unreadable */
    eval_has(&r, "; limit not judged: cannot read domain XML: test says no\n");
    eval_free(&r);

    d.balloon.have &= ~BAL(VM_BAL_RSS);
    eval(&r, &o, &d, th, 2, xml_memtune);
    eval_has(&r, "; limit not judged: the driver gives no rss\n");
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_free(&r);
}
END_TEST

START_TEST(balloon_holds_back)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_dom_stats d = dom_mem(0);
    struct eval_run r;

    d.balloon.v[VM_BAL_CURRENT] = KIB(3);
    d.balloon.v[VM_BAL_MAXIMUM] = KIB(4);
    d.balloon.have |= BAL(VM_BAL_CURRENT) | BAL(VM_BAL_MAXIMUM);
    eval(&r, &o, &d, NULL, 0, NULL);
    eval_check(&r, VM_OK,
               EVAL_TEXTS("basis usable); balloon holds 1.00 GiB of 4.00 GiB back\n",
                          "'db:actual'=3221225472B;;;0 'db:maximum'=4294967296B;;;0"),
               NULL);
    d.balloon.v[VM_BAL_CURRENT] = KIB(4); /* at its maximum: nothing to say */
    eval(&r, &o, &d, NULL, 0, NULL);
    eval_check(&r, VM_OK, EVAL_TEXTS("'db:maximum'=4294967296B"), EVAL_TEXTS("balloon holds"));
}
END_TEST

START_TEST(options)
{
    struct vmem_opts o = {VMEM_BASIS_AUTO, -1, false};
    struct vm_err err = {""};

    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_BASIS, "FREE", &err), 0);
    ck_assert_int_eq(o.basis, VMEM_BASIS_FREE);
    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_BASIS, "usable", &err), 0);
    ck_assert_int_eq(o.basis, VMEM_BASIS_USABLE);
    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_BASIS, "used", &err), -1);
    ck_assert_str_eq(err.msg, "invalid --basis 'used': use usable or free");
    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_MAX_AGE, "0", &err), 0);
    ck_assert_int_eq(o.max_age_s, 0);
    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_MAX_AGE, "-1", &err), -1);
    ck_assert(!o.pressure);
    ck_assert_int_eq(vmem_opt(&o, VMEM_OPT_PRESSURE, NULL, &err), 0);
    ck_assert(o.pressure);
}
END_TEST

VM_CK_MAIN_TCASE("eval_vmem", "evaluate", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_TEST(used_ok_without_xml), VM_CK_TEST(used_thresholds_in_both_units),
                 VM_CK_LOOP(judged_on_usable, VM_CK_N(judged)),
                 VM_CK_LOOP(why_no_stats, VM_CK_N(why)), VM_CK_TEST(no_stats_ignored),
                 VM_CK_LOOP(staleness, VM_CK_N(stale)), VM_CK_TEST(not_reported_yet),
                 VM_CK_TEST(basis_figure_missing), VM_CK_TEST(pressure_from_previous_sample),
                 VM_CK_TEST(pressure_without_previous_sample),
                 VM_CK_LOOP(in_run_when_asked, VM_CK_N(inrun)), VM_CK_TEST(limit_against_memtune),
                 VM_CK_TEST(balloon_holds_back), VM_CK_TEST(options))
