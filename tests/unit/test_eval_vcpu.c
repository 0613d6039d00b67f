/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vcpu's evaluation on a hand-built pair of samples and domain XML. */
#include <config.h>

#define VM_EVAL_TEST
#include "check_vcpu.c"

#include "ck_run.h"
#include "eval_run.h"

#define S 1000000000ull

struct vcpu_case {
    struct vm_dom_stats prev, cur;
    struct vm_vcpu_stats pv[2], cv[2];
    struct vm_rate_pair pair;
};

/* Two vCPUs over 1 s: the domain used 0.5 s of CPU (vCPU 0 0.4 s, vCPU 1
 * 0.1 s): 25% of its vCPUs, 0.50 cores, busiest vCPU 0 at 40%. */
static void vcpu_case_init(struct vcpu_case *c)
{
    memset(c, 0, sizeof(*c));
    c->prev.name = c->cur.name = eval_db;
    c->prev.cpu.v[VM_CPU_TIME] = 10 * S;
    c->cur.cpu.v[VM_CPU_TIME] = 10 * S + S / 2;
    c->prev.cpu.have = c->cur.cpu.have = 1u << VM_CPU_TIME;
    c->pv[0].v[VM_VCPU_TIME] = 5 * S;
    c->cv[0].v[VM_VCPU_TIME] = 5 * S + 4 * S / 10;
    c->pv[1].v[VM_VCPU_TIME] = 5 * S;
    c->cv[1].v[VM_VCPU_TIME] = 5 * S + S / 10;
    for (int i = 0; i < 2; i++)
        c->pv[i].have = c->cv[i].have = 1u << VM_VCPU_TIME;
    c->prev.vcpu = c->pv;
    c->cur.vcpu = c->cv;
    c->prev.nvcpu = c->cur.nvcpu = 2;
    c->cur.vcpu_current = 2;
    c->pair = (struct vm_rate_pair){&c->prev, &c->cur, 1.0, false, NULL};
}

static const struct eval_plugin plug = EVAL_PLUGIN(vcpu_metrics, vcpu_validate, vcpu_evaluate);

static void eval(struct eval_run *r, struct vcpu_opts *o, struct vcpu_case *c,
                 const struct vm_rate_pair *pair, const char *const *th, size_t nth,
                 const char *xml)
{
    eval_plugin(r, &plug, o, &c->cur, pair, th, nth, xml, 0);
}

START_TEST(usage_without_xml)
{
    struct vcpu_opts o = {false, false, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    eval(&r, &o, &c, &c.pair, NULL, 0, "<domain/>");
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_check(&r, VM_OK,
               EVAL_TEXTS("TEST OK - db: 25.0% of 2 vCPUs",
                          "[OK] db: 25.0% of 2 vCPUs (0.50 cores), busiest vCPU 0 at 40.0%; "
                          "measured over 1.0 s in this run",
                          "'db:usage'=25%;;;0;100 'db:cores'=0.5;;;0;2 'db:vcpu_max'=40%;;;0;100",
                          "'db:cpu_time'=10500000000c"),
               EVAL_TEXTS("cap"));
}
END_TEST

static const struct eval_judged judged[] = {
    {{"w:20", NULL}, VM_WARNING, NULL, "'db:usage'=25%;20;;0;100"},
    {{"w:30", "c:usage=24"}, VM_CRITICAL, NULL, "'db:usage'=25%;30;24;0;100"},
    {{"c:cores=0.4", NULL}, VM_CRITICAL, NULL, "'db:cores'=0.5;;0.4;0;2"},
    {{"w:vcpu=39", NULL}, VM_WARNING, NULL, "'db:vcpu_max'=40%;39;;0;100"},
    {{"w:vcpu=41", NULL}, VM_OK, NULL, "'db:vcpu_max'=40%;41;;0;100"},
    {{"c:overhead=0", NULL}, VM_OK, NULL, "'db:overhead'=0;;0;0"},
    /* the metric named as its perfdata label (vcpu is its older name) */
    {{"w:vcpu_max=39", NULL}, VM_WARNING, NULL, "'db:vcpu_max'=40%;39;;0;100"},
};

START_TEST(thresholds)
{
    struct vcpu_opts o = {false, false, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    eval(&r, &o, &c, &c.pair, judged[_i].th, eval_nth(&judged[_i]), NULL);
    eval_judged_check(&r, &judged[_i]);
}
END_TEST

static const struct {
    const char *xml;
    const char *text;
    const char *perf;
} caps[] = {
    {"<domain><cputune><quota>50000</quota><period>100000</period></cputune></domain>",
     ", 50.0% of its 1.00-core cap", "'db:cap'=50%"},
    {"<domain><cputune><quota>25000</quota></cputune></domain>", ", 100.0% of its 0.50-core cap",
     "'db:cap'=100%"},
    {"<domain/>", ", no CPU cap", NULL},
    {NULL, ", no CPU cap", NULL},
    /* the whole domain's limit: cores (0.50) against 0.30 cores */
    {"<domain><cputune><global_period>100000</global_period><global_quota>30000</global_quota>"
     "</cputune></domain>",
     ", 166.7% of its 0.30-core cap (global_quota, whole domain)", "'db:cap'=166.67%"},
    {"<domain><cputune><global_quota>60000</global_quota></cputune></domain>",
     ", 83.3% of its 0.60-core cap (global_quota, whole domain)", "'db:cap'=83.33%"},
    /* both: the one nearest to being hit, named */
    {"<domain><cputune><quota>50000</quota><global_quota>60000</global_quota></cputune></domain>",
     ", 83.3% of its 0.60-core cap (global_quota, whole domain)", "'db:cap'=83.33%"},
    {"<domain><cputune><quota>25000</quota><global_period>50000</global_period>"
     "<global_quota>100000</global_quota></cputune></domain>",
     ", 100.0% of its 0.50-core cap (quota, per vCPU)", "'db:cap'=100%"},
    /* unlimited, and limits on QEMU's own threads only: no cap on the guest */
    {"<domain><cputune><quota>-1</quota><global_quota>-1</global_quota></cputune></domain>",
     ", no CPU cap", NULL},
    {"<domain><cputune><emulator_period>100000</emulator_period><emulator_quota>1000"
     "</emulator_quota><iothread_quota>1000</iothread_quota></cputune></domain>",
     ", no CPU cap", NULL},
};

START_TEST(cap_reads_xml_once)
{
    struct vcpu_opts o = {false, true, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    eval(&r, &o, &c, &c.pair, NULL, 0, caps[_i].xml);
    eval_has(&r, caps[_i].text);
    if (caps[_i].perf)
        eval_has(&r, caps[_i].perf);
    else
        eval_lacks(&r, "'db:cap'");
    ck_assert_uint_eq(r.xml.reads, 1);
    eval_free(&r);
}
END_TEST

/* QEMU's threads used 0.1 core beside the vCPUs' 0.5: cores 0.60,
 * overhead 0.10, usage still the guest's 25%. <quota> bounds the vCPU
 * threads, so it is judged on their time (0.5 of 0.5 cores: 100%, not
 * 120%); <global_quota> bounds everything, judged on cores. */
START_TEST(overhead_and_caps)
{
    static const char *const th[] = {"w:overhead=0.05", "c:cap=99"};
    struct vcpu_opts o = {false, true, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    c.cur.cpu.v[VM_CPU_TIME] += S / 10;
    eval(&r, &o, &c, &c.pair, NULL, 0, "<domain><cputune><quota>25000</quota></cputune></domain>");
    ck_assert_int_eq(r.st, VM_OK);
    eval_has(&r, "[OK] db: 25.0% of 2 vCPUs (0.60 cores), busiest vCPU 0 at 40.0%, QEMU overhead "
                 "0.10 cores, 100.0% of its 0.50-core cap (quota, per vCPU); measured over 1.0 s");
    eval_has(&r, "'db:usage'=25%;;;0;100 'db:cores'=0.6;;;0;2 'db:vcpu_max'=40%;;;0;100 "
                 "'db:cap'=100%;;;0 'db:overhead'=0.1;;;0 ");
    ck_assert_uint_eq(o.from_cpu_time, 0);
    eval_free(&r);

    eval(&r, &o, &c, &c.pair, th, 2,
         "<domain><cputune><quota>25000</quota><global_quota>55000</global_quota></cputune>"
         "</domain>");
    eval_check(&r, VM_CRITICAL,
               EVAL_TEXTS(", 109.1% of its 0.55-core cap (global_quota, whole domain)",
                          "'db:overhead'=0.1;0.05;;0"),
               NULL);
}
END_TEST

/* A vCPU busy the whole time reads a hair above the elapsed time (its
 * counter and the clock are read apart): 100%, never more, and a vCPU
 * time above cpu.time is no negative overhead. */
START_TEST(skew_clamped)
{
    struct vcpu_opts o = {true, false, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    c.cv[0].v[VM_VCPU_TIME] = c.pv[0].v[VM_VCPU_TIME] + S + S / 500; /* 100.2% */
    c.cv[1].v[VM_VCPU_TIME] = c.pv[1].v[VM_VCPU_TIME] + S + S / 1000;
    c.cur.cpu.v[VM_CPU_TIME] = c.prev.cpu.v[VM_CPU_TIME] + 2 * S; /* below the vCPUs' sum */
    eval(&r, &o, &c, &c.pair, NULL, 0, NULL);
    eval_has(&r, "TEST OK - db: 100.0% of 2 vCPUs");
    eval_has(&r, "'db:usage'=100%;;;0;100 'db:cores'=2;;;0;2 'db:vcpu_max'=100%;;;0;100 "
                 "'db:overhead'=0;;;0 ");
    eval_has(&r, "'db:vcpu0'=100%;;;0;100 'db:vcpu1'=100%;;;0;100");
    eval_lacks(&r, "QEMU overhead");
    eval_free(&r);
}
END_TEST

/* No time per vCPU in one of the samples (a driver without it, or a vCPU
 * plugged in between): usage is cpu.time, unbounded, with no overhead, and
 * the run says so once. */
START_TEST(fallback_to_cpu_time)
{
    struct vcpu_opts o = {false, false, 0};
    struct vcpu_case c;
    struct eval_run r;
    struct vm_buf note = VM_BUF_INIT;

    vcpu_case_init(&c);
    c.cur.cpu.v[VM_CPU_TIME] += S / 10;
    c.pv[1].have = 0; /* vCPU 1 was not there in the previous sample */
    eval(&r, &o, &c, &c.pair, NULL, 0, NULL);
    ck_assert_int_eq(r.st, VM_OK);
    eval_has(&r, "TEST OK - db: 30.0% of 2 vCPUs");
    eval_has(&r, "'db:usage'=30%;;;0 'db:cores'=0.6;;;0;2");
    eval_lacks(&r, "overhead");
    ck_assert_uint_eq(o.from_cpu_time, 1);
    eval_free(&r);

    c.cur.nvcpu = c.prev.nvcpu = 0; /* no vCPU stats at all */
    eval(&r, &o, &c, &c.pair, NULL, 0, NULL);
    eval_has(&r, "TEST OK - db: 30.0% of 2 vCPUs");
    eval_free(&r);
    ck_assert_uint_eq(o.from_cpu_time, 2);
    vcpu_finish(&o, &note);
    ck_assert_str_eq(vm_buf_str(&note),
                     "note: libvirt gave no time per vCPU for 2 domains: usage there is "
                     "cpu.time, QEMU's own threads included, and has no overhead\n");
    vm_buf_clear(&note);
    o.from_cpu_time = 0;
    vcpu_finish(&o, &note);
    ck_assert_str_eq(vm_buf_str(&note), "");
    vm_buf_clear(&note);
}
END_TEST

START_TEST(per_vcpu_and_paused)
{
    static const char *const th[] = {"w:vcpu=35"};
    struct vcpu_opts o = {true, false, 0};
    struct vcpu_case c;
    struct eval_run r;

    vcpu_case_init(&c);
    eval_plugin(&r, &plug, &o, &c.cur, &c.pair, th, 1, NULL, EVAL_PAUSED);
    eval_check(&r, VM_WARNING,
               EVAL_TEXTS("'db:vcpu0'=40%;35;;0;100 'db:vcpu1'=10%;35;;0;100",
                          "; domain is paused; measured over 1.0 s"),
               NULL);
}
END_TEST

START_TEST(no_pair)
{
    struct vcpu_opts o = {false, false, 0};
    struct vcpu_case c;
    struct eval_run r;
    struct vm_rate_pair none;

    vcpu_case_init(&c);
    none = (struct vm_rate_pair){NULL, &c.cur, 0, false, "previous sample too old"};
    eval(&r, &o, &c, &none, NULL, 0, NULL);
    eval_check(&r, VM_UNKNOWN, EVAL_TEXTS("no valid pair of samples: previous sample too old"),
               NULL);

    c.prev.cpu.have = 0; /* a pair, but no CPU time on one side */
    eval(&r, &o, &c, &c.pair, NULL, 0, NULL);
    eval_has(&r, "no CPU time from libvirt for this domain");
    eval_free(&r);
}
END_TEST

/* -w/-c cap=... is a declared need for the XML: it implies --cap. */
START_TEST(options)
{
    static const char *const th[] = {"w:cap=90"};
    struct vcpu_opts o = {false, false, 0};
    struct vm_err err = {""};
    struct eval_run r;

    ck_assert_int_eq(vcpu_opt(&o, VCPU_OPT_PER_VCPU, NULL, &err), 0);
    ck_assert(o.per_vcpu && !o.cap);
    eval_setup(&r, vcpu_metrics, sizeof(vcpu_metrics) / sizeof(vcpu_metrics[0]), NULL, 0, NULL);
    ck_assert_int_eq(vcpu_validate(&o, &r.cli, &err), 0);
    ck_assert(!o.cap);
    eval_free(&r);
    eval_setup(&r, vcpu_metrics, sizeof(vcpu_metrics) / sizeof(vcpu_metrics[0]), th, 1, NULL);
    ck_assert_int_eq(vcpu_validate(&o, &r.cli, &err), 0);
    ck_assert(o.cap);
    eval_free(&r);
    ck_assert_int_eq(vcpu_opt(&o, 99, NULL, &err), -1);
}
END_TEST

VM_CK_MAIN_TCASE("eval_vcpu", "evaluate", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_TEST(usage_without_xml), VM_CK_LOOP(thresholds, VM_CK_N(judged)),
                 VM_CK_LOOP(cap_reads_xml_once, VM_CK_N(caps)), VM_CK_TEST(overhead_and_caps),
                 VM_CK_TEST(skew_clamped), VM_CK_TEST(fallback_to_cpu_time),
                 VM_CK_TEST(per_vcpu_and_paused), VM_CK_TEST(no_pair), VM_CK_TEST(options))
