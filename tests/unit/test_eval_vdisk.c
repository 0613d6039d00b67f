/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk's evaluation on hand-built pairs of disk samples and XML. */
#include <config.h>

#define VM_EVAL_TEST
#include "check_vdisk.c"

#include "ck_run.h"
#include "eval_run.h"

#define MIB 1048576ull
#define B(f) (1u << (f))

static char vda[] = "vda", hdc[] = "hdc", img[] = "/img/db.qcow2";

static const char *const xml_iotune =
    "<domain><devices><disk device='disk'><source file='/img/db.qcow2'/><target dev='vda'/>"
    "<iotune><total_bytes_sec>4194304</total_bytes_sec></iotune></disk></devices></domain>";

struct vdisk_case {
    struct vm_dom_stats prev, cur;
    struct vm_block_stats pb[2], cb[2];
    struct vm_rate_pair pair;
};

/* vda over 1 s: read 1 MiB in 100 requests (2 ms each), wrote 1 MiB; its
 * image holds 5 of 10 GiB. */
static void vdisk_case_init(struct vdisk_case *c)
{
    memset(c, 0, sizeof(*c));
    c->prev.name = c->cur.name = eval_db;
    c->pb[0].name = c->cb[0].name = vda;
    c->pb[0].path = c->cb[0].path = img;
    c->pb[0].v[VM_BLK_RD_BYTES] = 10 * MIB;
    c->cb[0].v[VM_BLK_RD_BYTES] = 11 * MIB;
    c->pb[0].v[VM_BLK_WR_BYTES] = 20 * MIB;
    c->cb[0].v[VM_BLK_WR_BYTES] = 21 * MIB;
    c->pb[0].v[VM_BLK_RD_REQS] = 1000;
    c->cb[0].v[VM_BLK_RD_REQS] = 1100;
    c->pb[0].v[VM_BLK_RD_TIMES] = 0;
    c->cb[0].v[VM_BLK_RD_TIMES] = 200000000; /* 200 ms over 100 reads */
    c->cb[0].v[VM_BLK_CAPACITY] = c->pb[0].v[VM_BLK_CAPACITY] = 10240 * MIB;
    c->cb[0].v[VM_BLK_ALLOCATION] = c->pb[0].v[VM_BLK_ALLOCATION] = 5120 * MIB;
    c->pb[0].have = c->cb[0].have = B(VM_BLK_RD_BYTES) | B(VM_BLK_WR_BYTES) | B(VM_BLK_RD_REQS) |
                                    B(VM_BLK_RD_TIMES) | B(VM_BLK_CAPACITY) | B(VM_BLK_ALLOCATION);
    c->prev.block = c->pb;
    c->cur.block = c->cb;
    c->prev.nblock = c->cur.nblock = 1;
    c->pair = (struct vm_rate_pair){&c->prev, &c->cur, 1.0, true, NULL};
}

/* An empty CD-ROM drive beside vda: no path, no capacity. */
static void add_empty_cdrom(struct vdisk_case *c)
{
    c->cb[1].name = c->pb[1].name = hdc;
    c->cur.nblock = c->prev.nblock = 2;
}

static const struct eval_plugin plug = EVAL_PLUGIN(vdisk_metrics, vdisk_validate, vdisk_evaluate);

static void eval(struct eval_run *r, struct vdisk_opts *o, struct vdisk_case *c,
                 const char *const *th, size_t nth, const char *xml)
{
    eval_plugin(r, &plug, o, &c->cur, &c->pair, th, nth, xml, 0);
}

START_TEST(figures_without_xml)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    eval(&r, &o, &c, NULL, 0, xml_iotune);
    /* no --limits: no XML */
    ck_assert_uint_eq(r.xml.reads, 0);
    eval_check(
        &r, VM_OK,
        EVAL_TEXTS("TEST OK - db:vda: read 1.00 MiB/s, write 1.00 MiB/s, 50.0% full |",
                   "[OK] db:vda: read 1.00 MiB/s 100 iops, write 1.00 MiB/s, latency read 2.00 ms "
                   "write - (no writes); image 5.00 GiB of 10.00 GiB (50.0%); average over 1.0 s "
                   "since the previous check",
                   "'db:vda:read_Bps'=1048576;;;0 'db:vda:write_Bps'=1048576;;;0 "
                   "'db:vda:read_iops'=100;;;0 'db:vda:read_latency'=2ms;;;0 'db:vda:fill'=50%;;;0",
                   "'db:vda:read_bytes'=11534336c"),
        NULL);
}
END_TEST

/* The window in words: seconds under a minute, then minutes and hours. */
START_TEST(window_wording)
{
    static const struct {
        double s;
        enum vm_pair_base base;
        const char *text;
    } w[] = {
        {6.43, VM_BASE_EARLIER, "average over 6.4 s since an earlier check"},
        {42.4, VM_BASE_PREVIOUS, "average over 42 s since the previous check"},
        {300, VM_BASE_PREVIOUS, "average over 5 min 0 s since the previous check"},
        {3725, VM_BASE_PREVIOUS, "average over 1 h 2 min since the previous check"},
    };
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};

    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        struct vdisk_case c;
        struct eval_run r;

        vdisk_case_init(&c);
        c.pair.elapsed_s = w[i].s;
        c.pair.from_state = w[i].base;
        eval(&r, &o, &c, NULL, 0, xml_iotune);
        eval_has(&r, w[i].text);
        eval_free(&r);
    }
}
END_TEST

static const struct eval_judged judged[] = {
    {{"w:fill=40", NULL}, VM_WARNING, "db:vda: 50.0% full", "'db:vda:fill'=50%;40;;0"},
    {{"c:fill=4GiB", NULL},
     VM_CRITICAL,
     "db:vda: 50.0% full",
     "'db:vda:allocation'=5368709120B;;4294967296;0"},
    {{"w:read_Bps=512KiB", "c:latency=1"},
     VM_CRITICAL,
     "db:vda: read latency 2.00 ms",
     "'db:vda:read_latency'=2ms;;1;0"},
    {{"w:read_Bps=512KiB", "w:latency=1"},
     VM_WARNING,
     "db:vda: read 1.00 MiB/s, read latency 2.00 ms",
     "'db:vda:read_Bps'=1048576;524288;;0"},
    {{"w:fill=40", "w:write_Bps=1KiB"},
     VM_WARNING,
     "db:vda: 50.0% full, write 1.00 MiB/s",
     "'db:vda:write_Bps'=1048576;1024;;0"},
    /* read_latency's own threshold wins over latency's; times take units */
    {{"c:read_latency=1ms", "w:latency=5"},
     VM_CRITICAL,
     "db:vda: read latency 2.00 ms",
     "'db:vda:read_latency'=2ms;;1;0"},
    {{"w:read_latency=2500us", "c:latency=0.001s"},
     VM_OK,
     NULL,
     "'db:vda:read_latency'=2ms;2.5;;0"},
    {{"c:latency=0.001s", NULL},
     VM_CRITICAL,
     "db:vda: read latency 2.00 ms",
     "'db:vda:read_latency'=2ms;;1;0"},
    {{"c:read_iops=99", NULL},
     VM_CRITICAL,
     "db:vda: read iops 100",
     "'db:vda:read_iops'=100;;99;0"},
};

START_TEST(thresholds)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    eval(&r, &o, &c, judged[_i].th, eval_nth(&judged[_i]), NULL);
    eval_assert_judged(&r, &judged[_i]);
    eval_free(&r);
}
END_TEST

START_TEST(limits_read_xml_once)
{
    static const char *const th[] = {"w:throttle=40"};
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    eval(&r, &o, &c, th, 1, xml_iotune); /* the threshold implies --limits */
    ck_assert(o.limits);
    ck_assert_uint_eq(r.xml.reads, 1);
    eval_check(&r, VM_WARNING,
               EVAL_TEXTS("db:vda: 50.0% of iotune total_bytes_sec",
                          "; 50.0% of its iotune total_bytes_sec limit (4.00 MiB/s);",
                          "'db:vda:throttle'=50%;40;;0"),
               NULL);

    eval(&r, &o, &c, NULL, 0, NULL);
    eval_has(&r, "; iotune limits unknown (cannot read domain XML: test says no);");
    eval_free(&r);
    eval(&r, &o, &c, NULL, 0,
         "<domain><devices><disk><target dev='vda'/></disk></devices></domain>");
    eval_has(&r, "; no iotune limit;");
    eval_free(&r);
}
END_TEST

START_TEST(empty_drive_and_device_choice)
{
    const char *want[] = {"vda", "nope"};
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    add_empty_cdrom(&c);
    eval(&r, &o, &c, NULL, 0, NULL);
    eval_lacks(&r, "hdc");
    ck_assert_uint_eq(r.rep.nitems, 1);
    eval_free(&r);

    c.cur.block = &c.cb[1]; /* only the empty drive */
    c.cur.nblock = 1;
    /* --all: counted and skipped; -d: UNKNOWN, saying why */
    eval(&r, &o, &c, NULL, 0, NULL);
    ck_assert_uint_eq(r.rep.nitems, 0);
    ck_assert_uint_eq(r.rep.nskip, 1);
    ck_assert_str_eq(r.rep.skip[0].why, "with only empty removable drives");
    eval_free(&r);
    eval_plugin(&r, &plug, &o, &c.cur, &c.pair, NULL, 0, NULL, EVAL_NOT_ALL);
    eval_has(&r, "[UNKNOWN] db: no disk to check: only 1 empty removable drive");
    eval_free(&r);

    vdisk_case_init(&c);
    o.devices.names = want;
    o.devices.n = 2;
    /* -d: a name that matches nothing is a mistake */
    eval_plugin(&r, &plug, &o, &c.cur, &c.pair, NULL, 0, NULL, EVAL_NOT_ALL);
    eval_has(&r, "[UNKNOWN] db:nope: no disk with this target or source path (disks: vda)");
    eval_has(&r, "[OK] db:vda: ");
    eval_free(&r);

    o.devices.names = want + 1;
    o.devices.n = 1;
    eval(&r, &o, &c, NULL, 0, NULL);
    ck_assert_uint_eq(r.rep.nitems, 0);
    ck_assert_str_eq(r.rep.skip[0].why, "without disk nope");
    eval_free(&r);
    eval_plugin(&r, &plug, &o, &c.cur, &c.pair, NULL, 0, NULL, EVAL_NOT_ALL);
    eval_has(&r, "TEST UNKNOWN - db: no disk matches --device nope (disks: vda)");
    eval_free(&r);
}
END_TEST

START_TEST(new_disk_and_no_pair)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    c.prev.nblock = 0; /* hot-plugged since the previous sample */
    eval(&r, &o, &c, NULL, 0, NULL);
    eval_check(&r, VM_UNKNOWN,
               EVAL_TEXTS("db:vda: no previous sample of this disk (new or hot-plugged)"), NULL);

    c.pair.prev = NULL;
    c.pair.note = "state is off (--no-state)";
    eval(&r, &o, &c, NULL, 0, NULL);
    eval_has(&r, "db: no valid pair of samples: state is off (--no-state)");
    eval_free(&r);
}
END_TEST

START_TEST(paused_by_ioerror)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vdisk_case c;
    struct eval_run r;

    vdisk_case_init(&c);
    c.cur.have_state = true;
    c.cur.state = VIR_DOMAIN_PAUSED;
    c.cur.reason = VIR_DOMAIN_PAUSED_IOERROR;
    c.pair.prev = NULL;
    eval_plugin(&r, &plug, &o, &c.cur, &c.pair, NULL, 0, NULL, EVAL_PAUSED);
    eval_check(&r, VM_CRITICAL, EVAL_TEXTS("TEST CRITICAL - db: paused by an I/O error"),
               EVAL_TEXTS("no valid pair"));
}
END_TEST

START_TEST(options)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false};
    struct vm_err err = {""};

    ck_assert_int_eq(vdisk_opt(&o, VDISK_OPT_DEVICE, "", &err), -1);
    ck_assert_str_eq(err.msg, "invalid --device '': the name is empty");
    ck_assert_int_eq(vdisk_opt(&o, VDISK_OPT_DEVICE, "vda", &err), 0);
    ck_assert_int_eq(vdisk_opt(&o, VDISK_OPT_DEVICE, "vdb", &err), 0);
    ck_assert_uint_eq(o.devices.n, 2);
    ck_assert_str_eq(o.devices.names[1], "vdb");
    ck_assert_int_eq(vdisk_opt(&o, VDISK_OPT_LIMITS, NULL, &err), 0);
    ck_assert(o.limits);
    vm_devsel_clear(&o.devices);
}
END_TEST

VM_CK_MAIN_TCASE("eval_vdisk", "evaluate", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_TEST(figures_without_xml), VM_CK_TEST(window_wording),
                 VM_CK_LOOP(thresholds, VM_CK_N(judged)), VM_CK_TEST(limits_read_xml_once),
                 VM_CK_TEST(empty_drive_and_device_choice), VM_CK_TEST(new_disk_and_no_pair),
                 VM_CK_TEST(paused_by_ioerror), VM_CK_TEST(options))
