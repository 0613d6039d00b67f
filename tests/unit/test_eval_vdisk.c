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

/* A case: the options, the pair of samples, the run evaluating them. */
struct vdisk_case {
    struct vdisk_opts o;
    struct vm_dom_stats prev, cur;
    struct vm_block_stats pb[2], cb[2];
    struct vm_rate_pair pair;
    struct eval_run r;
};

/* vda over 1 s: read 1 MiB in 100 requests (2 ms each), wrote 1 MiB; its
 * image holds 5 of 10 GiB. Options: the defaults (disks named by target). */
static void vdisk_case_init(struct vdisk_case *c)
{
    memset(c, 0, sizeof(*c));
    c->o.devices.label = VM_DEV_LABEL_DEV;
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

EVAL_CASE_FN(vdisk_case, NULL)

START_TEST(figures_without_xml)
{
    struct vdisk_case c;

    vdisk_case_init(&c);
    eval(&c, 0, NULL, 0, xml_iotune);
    /* no --limits: no XML */
    ck_assert_uint_eq(c.r.xml.reads, 0);
    eval_check(
        &c.r, VM_OK,
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

    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        struct vdisk_case c;

        vdisk_case_init(&c);
        c.pair.elapsed_s = w[i].s;
        c.pair.from_state = w[i].base;
        eval(&c, 0, NULL, 0, xml_iotune);
        eval_has(&c.r, w[i].text);
        eval_free(&c.r);
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
    struct vdisk_case c;

    vdisk_case_init(&c);
    eval(&c, 0, judged[_i].th, eval_nth(&judged[_i]), NULL);
    eval_judged_check(&c.r, &judged[_i]);
}
END_TEST

START_TEST(limits_read_xml_once)
{
    static const char *const th[] = {"w:throttle=40"};
    struct vdisk_case c;

    vdisk_case_init(&c);
    eval(&c, 0, th, 1, xml_iotune); /* the threshold implies --limits */
    ck_assert(c.o.limits);
    ck_assert_uint_eq(c.r.xml.reads, 1);
    eval_check(&c.r, VM_WARNING,
               EVAL_TEXTS("db:vda: 50.0% of iotune total_bytes_sec",
                          "; 50.0% of its iotune total_bytes_sec limit (4.00 MiB/s);",
                          "'db:vda:throttle'=50%;40;;0"),
               NULL);

    eval(&c, 0, NULL, 0, NULL);
    eval_has(&c.r, "; iotune limits unknown (cannot read domain XML: test says no);");
    eval_free(&c.r);
    eval(&c, 0, NULL, 0, "<domain><devices><disk><target dev='vda'/></disk></devices></domain>");
    eval_has(&c.r, "; no iotune limit;");
    eval_free(&c.r);
}
END_TEST

START_TEST(empty_drive_and_device_choice)
{
    const char *want[] = {"vda", "nope"};
    struct vdisk_case c;

    vdisk_case_init(&c);
    add_empty_cdrom(&c);
    eval(&c, 0, NULL, 0, NULL);
    eval_lacks(&c.r, "hdc");
    ck_assert_uint_eq(c.r.rep.nitems, 1);
    eval_free(&c.r);

    c.cur.block = &c.cb[1]; /* only the empty drive */
    c.cur.nblock = 1;
    /* --all: counted and skipped; -d: UNKNOWN, saying why */
    eval_free(eval_assert_skipped(eval_case_run, &c, "with only empty removable drives",
                                  "[UNKNOWN] db: no disk to check: only 1 empty removable drive"));

    vdisk_case_init(&c);
    c.o.devices.names = want;
    c.o.devices.n = 2;
    /* -d: a name that matches nothing is a mistake */
    eval(&c, EVAL_NOT_ALL, NULL, 0, NULL);
    eval_has(&c.r, "[UNKNOWN] db:nope: no disk with this target or source path (disks: vda)");
    eval_has(&c.r, "[OK] db:vda: ");
    eval_free(&c.r);

    c.o.devices.names = want + 1;
    c.o.devices.n = 1;
    eval_free(eval_assert_skipped(eval_case_run, &c, "without disk nope",
                                  "TEST UNKNOWN - db: no disk matches --device nope (disks: vda)"));
}
END_TEST

START_TEST(new_disk_and_no_pair)
{
    struct vdisk_case c;

    vdisk_case_init(&c);
    c.prev.nblock = 0; /* hot-plugged since the previous sample */
    eval(&c, 0, NULL, 0, NULL);
    eval_check(&c.r, VM_UNKNOWN,
               EVAL_TEXTS("db:vda: no previous sample of this disk (new or hot-plugged)"), NULL);

    c.pair.prev = NULL;
    c.pair.note = "state is off (--no-state)";
    eval(&c, 0, NULL, 0, NULL);
    eval_check(&c.r, VM_UNKNOWN,
               EVAL_TEXTS("db: no valid pair of samples: state is off (--no-state)"), NULL);
}
END_TEST

START_TEST(paused_by_ioerror)
{
    struct vdisk_case c;

    vdisk_case_init(&c);
    c.cur.have_state = true;
    c.cur.state = VIR_DOMAIN_PAUSED;
    c.cur.reason = VIR_DOMAIN_PAUSED_IOERROR;
    c.pair.prev = NULL;
    eval(&c, EVAL_PAUSED, NULL, 0, NULL);
    eval_check(&c.r, VM_CRITICAL, EVAL_TEXTS("TEST CRITICAL - db: paused by an I/O error"),
               EVAL_TEXTS("no valid pair"));
}
END_TEST

START_TEST(options)
{
    struct vdisk_opts o = {{NULL, 0, VM_DEV_LABEL_DEV}, false, false};
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

/* ---- --headroom, on hand-built host storage ---------------------------- */

static char lab_vda[] = "db:vda", lab_web[] = "web01:vdb", pool_images[] = "images",
            dir_srv[] = "/srv/img";

/* vda's image (5 of 10 GiB) grew grew_gib in the last hour; host
 * storage: `host` 0 is pool images (cached figures: 40 GiB free of 100),
 * 1 a file system with 2 GiB free of 50 GiB (vda a volume of pool
 * images on it), which web01:vdb (3 of 8 GiB, room_web_grew) shares
 * when `shared`. */
struct room_case {
    struct vdisk_case c;
    struct vm_dom_stats web[2]; /* prev, cur */
    struct vm_block_stats wb[2];
    struct vm_dom_stats doms[2];
    struct vm_snapshot snap;
    struct vm_rate_pair pairs[2];
    struct vm_storage_host hosts[2];
    struct vm_storage_disk disks[2];
    struct vm_storage st;
};

static void room_case_init(struct room_case *rc, enum vm_storage_kind kind, size_t host,
                           bool shared, double grew_gib)
{
    static char web01[] = "web01", vdb[] = "vdb";

    memset(rc, 0, sizeof(*rc));
    vdisk_case_init(&rc->c);
    rc->c.pair.elapsed_s = 3600;
    rc->c.pb[0].v[VM_BLK_ALLOCATION] = (uint64_t)((5 - grew_gib) * 1024) * MIB;
    rc->web[0].name = rc->web[1].name = web01;
    rc->wb[0].name = rc->wb[1].name = vdb;
    rc->wb[0].have = rc->wb[1].have = B(VM_BLK_CAPACITY) | B(VM_BLK_ALLOCATION);
    rc->wb[0].v[VM_BLK_CAPACITY] = rc->wb[1].v[VM_BLK_CAPACITY] = 8192 * MIB;
    rc->wb[0].v[VM_BLK_ALLOCATION] = rc->wb[1].v[VM_BLK_ALLOCATION] = 3072 * MIB;
    rc->web[0].block = &rc->wb[0];
    rc->web[1].block = &rc->wb[1];
    rc->web[0].nblock = rc->web[1].nblock = 1;
    rc->doms[0] = rc->c.cur;
    rc->doms[1] = rc->web[1];
    rc->snap.dom = rc->doms;
    rc->snap.n = 2;
    rc->pairs[1] = (struct vm_rate_pair){&rc->web[0], &rc->web[1], 3600, true, NULL};
    rc->hosts[0] = (struct vm_storage_host){
        pool_images, NULL, 0, 100 * 1024.0 * MIB, 40 * 1024.0 * MIB, true, 0, 0, 0};
    rc->hosts[1] = (struct vm_storage_host){
        NULL, dir_srv, 7, 50 * 1024.0 * MIB, 2 * 1024.0 * MIB, false, 0, 0, 0};
    rc->disks[0] = (struct vm_storage_disk){.label = lab_vda, .kind = kind, .host = host};
    rc->disks[0].pool = host == 1 ? pool_images : NULL;
    rc->disks[1] = (struct vm_storage_disk){
        .dom = 1, .label = lab_web, .kind = VM_STORAGE_FILE, .host = host};
    rc->st = (struct vm_storage){rc->hosts, 2, rc->disks, shared ? 2 : 1};
}

/* web01:vdb grew gib in the last hour. */
static void room_web_grew(struct room_case *rc, double gib)
{
    rc->wb[0].v[VM_BLK_ALLOCATION] = (uint64_t)((3 - gib) * 1024) * MIB;
}

/* eval_plugin with the run's storage handed to evaluate. */
static void eval_room(struct room_case *rc, const char *const *th, size_t nth)
{
    struct eval_run *r = &rc->c.r;
    struct vdisk_opts *o = &rc->c.o;
    struct vm_err err = {""};
    struct vm_eval ev;

    eval_setup(r, plug.defs, plug.ndefs, th, nth, NULL);
    ck_assert_msg(vdisk_validate(o, &r->cli, &err) == 0, "%s", err.msg);
    vm_report_thresholds(&r->rep, r->cli.th, plug.ndefs); /* which were applied */
    ev = eval_ctx(r, o, &rc->c.cur, &rc->c.pair);
    rc->pairs[0] = rc->c.pair;
    vm_storage_growth(&rc->st, &rc->snap, rc->pairs, 2);
    ev.storage = vdisk_needs_storage(o) ? &rc->st : NULL;
    vdisk_evaluate(&ev, &r->rep);
    eval_render(r);
}

/* A headroom case: vda's storage (room_case_init's kind, host, shared,
 * grew_gib), web01:vdb's growth and --headroom; the thresholds and the
 * error reading vda's storage (NULL: none); the state and texts it gives
 * (NULL-terminated), and whether threshold `metric` counts as applied
 * (applied 1) or not (-1). */
struct room_row {
    struct {
        enum vm_storage_kind kind;
        size_t host;
        bool shared;
        double grew, web;
        bool headroom;
    } in;
    const char *th[2];
    const char *err;
    enum vm_status st;
    const char *has[5];
    const char *lacks[4];
    int applied;
    size_t metric;
};

static const struct room_row rooms[] = {
    /* A pool whose folder could not be read: its cached figures, said so.
     * The image grows, but its own 5 GiB of room is less than the 40 GiB
     * free: it alone cannot fill the pool, and nothing else on it grows. */
    {{VM_STORAGE_FILE, 0, false, 1, 0, true},
     {"c:time_to_full=4h:"},
     NULL,
     VM_OK,
     {"; headroom 40.0 GiB (40.0% of the host storage) free on pool images, as of "
      "the pool's last refresh, the image can grow 5.00 GiB more itself (it alone "
      "cannot fill the host storage); grew 1.00 GiB/h; the growing images on it can "
      "take at most 5.00 GiB more, less than the 40.0 GiB free, so it is not filling "
      "up from them; average over",
      "'db:vda:headroom'=42949672960B;;;0 'db:vda:image_room'=5368709120B;;;0 "
      "'db:vda:read_bytes'="},
     {"time_to_full'=", "host_free", "shared"},
     1,
     VDISK_TIME_TO_FULL},
    /* The file system (live, a pool's volume on it) fills up, shared with
     * another disk that does not grow: a time_to_full threshold breaks, in
     * the summary's words and in seconds. */
    {{VM_STORAGE_FILE, 1, true, 1, 0, false},
     {"c:time_to_full=4h:", "w:headroom=1GiB:"},
     NULL,
     VM_CRITICAL,
     {"TEST CRITICAL - db:vda: host storage full in about 2 h 0 min |",
      "[CRITICAL] db:vda: time_to_full 7200 s < 4h (critical); read ",
      "; headroom 2.00 GiB (4.0% of the host storage) free on the file system of "
      "/srv/img (pool images), the image can grow 5.00 GiB more itself; grew 1.00 "
      "GiB/h, host storage full in about 2 h 0 min; host storage shared with "
      "web01:vdb (its free space is not this disk's alone)",
      "'db:vda:headroom'=2147483648B;1073741824:;;0 'db:vda:image_room'=5368709120B;;;0 "
      "'db:vda:time_to_full'=7200s;;14400:;0"},
     {NULL},
     0,
     0},
    /* Two images growing on one file system fill it together: its free
     * space over their summed growth, for each disk on it. */
    {{VM_STORAGE_FILE, 1, true, 1, 1, true},
     {NULL},
     NULL,
     VM_OK,
     {"; grew 1.00 GiB/h, 2.00 GiB/h with web01:vdb, host storage full in about 1 h 0 min;",
      "'db:vda:time_to_full'=3600s;;;0"},
     {NULL},
     0,
     0},
    {{VM_STORAGE_FILE, 1, true, 0, 1, true},
     {NULL},
     NULL,
     VM_OK,
     {"; not growing itself, 1.00 GiB/h by web01:vdb, host storage full in about 2 h 0 min;",
      "'db:vda:time_to_full'=7200s;;;0"},
     {NULL},
     0,
     0},
    /* A percent threshold is of the host storage's size, and headroom is
     * its free space, not the image's room: 5 GiB of room on a pool 40%
     * free is fine; the file system 4% free warns. */
    {{VM_STORAGE_FILE, 0, false, 1, 0, false},
     {"w:headroom=10%:"},
     NULL,
     VM_OK,
     {"'db:vda:headroom'=42949672960B;10737418240:;;0"},
     {NULL},
     0,
     0},
    {{VM_STORAGE_FILE, 1, false, 1, 0, false},
     {"w:headroom=10%:"},
     NULL,
     VM_WARNING,
     {"TEST WARNING - db:vda: headroom 2.00 GiB |",
      "[WARNING] db:vda: headroom 4.0% < 10% (warning); read ",
      "'db:vda:headroom'=2147483648B;5368709120:;;0"},
     {NULL},
     0,
     0},
    /* Not growing, or shrinking: said, no figure, the threshold holds (and
     * counts as applied). */
    {{VM_STORAGE_FILE, 1, false, 0, 0, false},
     {"c:time_to_full=4h:"},
     NULL,
     VM_OK,
     {"; not growing, so not filling up"},
     {"time_to_full"},
     1,
     VDISK_TIME_TO_FULL},
    {{VM_STORAGE_FILE, 1, false, -0.5, 0, false},
     {"c:time_to_full=4h:"},
     NULL,
     VM_OK,
     {"; shrinking, so not filling up"},
     {"time_to_full"},
     1,
     VDISK_TIME_TO_FULL},
    /* Block devices, network disks, a file whose storage could not be
     * read: what is not known, and no figure (the threshold is left
     * unapplied). */
    {{VM_STORAGE_BLOCK, 1, false, 1, 0, false},
     {"c:headroom=1GiB:"},
     "",
     VM_OK,
     {"; a block device: its size is known, the free space of the storage under it (LVM, "
      "SAN) is not;"},
     {"headroom'=", "time_to_full"},
     -1,
     VDISK_HEADROOM},
    {{VM_STORAGE_NETWORK, 1, false, 1, 0, false},
     {"c:headroom=1GiB:"},
     "",
     VM_OK,
     {"; no host path (a network disk): the free space of its storage is not known here;"},
     {"headroom'=", "time_to_full"},
     -1,
     VDISK_HEADROOM},
    {{VM_STORAGE_FILE, 1, false, 1, 0, false},
     {"c:headroom=1GiB:"},
     "statvfs /srv/img: Permission denied",
     VM_OK,
     {"; host storage not known (statvfs /srv/img: Permission denied);"},
     {"headroom'=", "time_to_full"},
     -1,
     VDISK_HEADROOM},
};

START_TEST(headroom)
{
    const struct room_row *w = &rooms[_i];
    struct room_case rc;

    room_case_init(&rc, w->in.kind, w->in.host, w->in.shared, w->in.grew);
    room_web_grew(&rc, w->in.web); /* 0: as room_case_init left it */
    rc.c.o.headroom = w->in.headroom;
    if (w->err)
        snprintf(rc.disks[0].err.msg, sizeof(rc.disks[0].err.msg), "%s", w->err);
    eval_room(&rc, w->th, eval_nth(w));
    if (w->applied)
        ck_assert(vm_report_judged(&rc.c.r.rep, w->metric) == (w->applied > 0));
    eval_check(&rc.c.r, w->st, w->has, w->lacks);
}
END_TEST

/* The growing images can take 1.5 GiB more together (0.5 + 1), less than
 * the 2 GiB free: the file system is not filling up from them, so a
 * time_to_full threshold holds, with no figure. */
START_TEST(headroom_rooms_below_free)
{
    static const char *const th[] = {"c:time_to_full=1h:"};
    struct room_case rc;

    room_case_init(&rc, VM_STORAGE_FILE, 1, true, 1);
    rc.c.cb[0].v[VM_BLK_CAPACITY] = 5632 * MIB;
    rc.wb[1].v[VM_BLK_CAPACITY] = 4096 * MIB;
    room_web_grew(&rc, 1);
    eval_room(&rc, th, 1);
    ck_assert(vm_report_judged(&rc.c.r.rep, VDISK_TIME_TO_FULL));
    eval_check(&rc.c.r, VM_OK,
               EVAL_TEXTS("the image can grow 512 MiB more itself (it alone cannot fill the host "
                          "storage); grew 1.00 GiB/h, 2.00 GiB/h with web01:vdb; the growing "
                          "images on it can take at most 1.50 GiB more, less than the 2.00 GiB "
                          "free, so it is not filling up from them; host storage shared with "
                          "web01:vdb"),
               EVAL_TEXTS("time_to_full'="));
}
END_TEST

/* Many disks on one file system: the first three are named, the rest
 * counted. */
START_TEST(headroom_shared_many)
{
    static char l[5][8] = {"a:vda", "b:vda", "c:vda", "d:vda", "e:vda"};
    struct vm_storage_disk many[6];
    struct room_case rc;

    room_case_init(&rc, VM_STORAGE_FILE, 1, false, 1);
    rc.c.o.headroom = true;
    many[0] = rc.disks[0];
    for (size_t i = 0; i < 5; i++)
        many[i + 1] = (struct vm_storage_disk){.dom = i + 1, .label = l[i], .host = 1};
    rc.st.disks = many;
    rc.st.ndisks = 6;
    eval_room(&rc, NULL, 0);
    eval_has(&rc.c.r, "; host storage shared with a:vda, b:vda, c:vda and 2 more (its free space");
    eval_free(&rc.c.r);
}
END_TEST

/* Without --headroom or its thresholds, no storage is asked for and
 * nothing of it is said. */
START_TEST(headroom_off)
{
    struct room_case rc;

    room_case_init(&rc, VM_STORAGE_FILE, 0, false, 1);
    eval_room(&rc, NULL, 0);
    ck_assert(!vdisk_needs_storage(&rc.c.o));
    eval_lacks(&rc.c.r, "headroom");
    eval_lacks(&rc.c.r, "host_free");
    eval_lacks(&rc.c.r, "image_room");
    eval_free(&rc.c.r);
}
END_TEST

VM_CK_MAIN_TCASE("eval_vdisk", "evaluate", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_TEST(figures_without_xml), VM_CK_TEST(window_wording),
                 VM_CK_LOOP(thresholds, VM_CK_N(judged)), VM_CK_TEST(limits_read_xml_once),
                 VM_CK_TEST(empty_drive_and_device_choice), VM_CK_TEST(new_disk_and_no_pair),
                 VM_CK_TEST(paused_by_ioerror), VM_CK_TEST(options),
                 VM_CK_LOOP(headroom, VM_CK_N(rooms)), VM_CK_TEST(headroom_rooms_below_free),
                 VM_CK_TEST(headroom_shared_many), VM_CK_TEST(headroom_off))
