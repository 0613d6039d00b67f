/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dev_calc (check_vdisk / check_vnet arithmetic), with hand-built stats:
 * no libvirt connection. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_run.h"
#include "dev_calc.h"
#include "sample.h"

#define BIT(f) (1u << (f))

/* A disk with reqs/times for reads; `have` says which are present. */
static struct vm_block_stats disk(uint64_t reqs, uint64_t times_ns, uint32_t have)
{
    struct vm_block_stats b;

    memset(&b, 0, sizeof(b));
    b.v[VM_BLK_RD_REQS] = reqs;
    b.v[VM_BLK_RD_TIMES] = times_ns;
    b.have = have;
    return b;
}

static const struct {
    uint64_t preq, ptime, creq, ctime;
    uint32_t phave, chave;
    int rc;
    double ms;
} lat[] = {
    {100, 0, 110, 20000000, 3, 3, 0, 2.0}, /* 10 requests, 20 ms in all */
    {100, 5000000, 101, 5500000, 3, 3, 0, 0.5}, {0, 0, 1000, 1000000000, 3, 3, 0, 1.0},
    {100, 5000000, 100, 5000000, 3, 3, -1, 0}, /* no I/O: no latency, not 0 */
    {100, 5000000, 100, 9000000, 3, 3, -1, 0}, /* time without requests */
    {100, 5000000, 90, 6000000, 3, 3, -1, 0},  /* requests went back */
    {100, 5000000, 110, 4000000, 3, 3, -1, 0}, /* time went back */
    {100, 5000000, 110, 6000000, 1, 3, -1, 0}, /* no times before */
    {100, 5000000, 110, 6000000, 3, 1, -1, 0}, /* no times now */
    {100, 5000000, 110, 6000000, 2, 3, -1, 0}, /* no requests before */
};

START_TEST(latency)
{
    struct vm_block_stats a = disk(lat[_i].preq, lat[_i].ptime,
                                   (lat[_i].phave & 1 ? BIT(VM_BLK_RD_REQS) : 0) |
                                       (lat[_i].phave & 2 ? BIT(VM_BLK_RD_TIMES) : 0));
    struct vm_block_stats b = disk(lat[_i].creq, lat[_i].ctime,
                                   (lat[_i].chave & 1 ? BIT(VM_BLK_RD_REQS) : 0) |
                                       (lat[_i].chave & 2 ? BIT(VM_BLK_RD_TIMES) : 0));
    double ms = -42;
    int rc = vm_dev_latency_ms(&a, &b, VM_BLK_RD_REQS, VM_BLK_RD_TIMES, &ms);

    ck_assert_int_eq(rc, lat[_i].rc);
    if (rc == 0)
        ck_assert_double_eq_tol(ms, lat[_i].ms, 1e-9);
    else
        ck_assert_double_eq(ms, -42); /* untouched */
}
END_TEST

START_TEST(latency_null_sides)
{
    struct vm_block_stats b = disk(10, 10, BIT(VM_BLK_RD_REQS) | BIT(VM_BLK_RD_TIMES));
    double ms;

    ck_assert_int_eq(vm_dev_latency_ms(NULL, &b, VM_BLK_RD_REQS, VM_BLK_RD_TIMES, &ms), -1);
    ck_assert_int_eq(vm_dev_latency_ms(&b, NULL, VM_BLK_RD_REQS, VM_BLK_RD_TIMES, &ms), -1);
}
END_TEST

static const struct {
    double rate, limit, pct; /* pct NAN = none */
} pct[] = {
    {50, 100, 50},
    {0, 100, 0},
    {150, 100, 150}, /* over the limit is reported as it is */
    {100000, 102400, 97.65625},
    {50, 0, NAN},    /* no limit */
    {NAN, 100, NAN}, /* no rate */
    {50, -1, NAN},
};

START_TEST(pct_of)
{
    double v = vm_dev_pct_of(pct[_i].rate, pct[_i].limit);

    if (isnan(pct[_i].pct))
        ck_assert_msg(isnan(v), "case %d: %f", _i, v);
    else
        ck_assert_double_eq_tol(v, pct[_i].pct, 1e-9);
}
END_TEST

static const struct {
    struct vm_iotune t;
    struct vm_dev_disk_rates r;
    double pct; /* NAN = none */
    const char *which;
    double limit;
} iot[] = {
    {{100000, 0, 0, 0, 0, 0}, {50000, 25000, 1, 1}, 75, "total_bytes_sec", 100000},
    {{0, 0, 0, 0, 200000, 0}, {50000, 25000, 100000, 33333}, 50, "read_iops_sec", 200000},
    /* the limit nearest to being hit wins */
    {{1000000, 100000, 0, 0, 0, 40000}, {50000, 25000, 100, 30000}, 75, "write_iops_sec", 40000},
    {{0, 0, 50000, 0, 0, 0}, {0, 25000, 0, 0}, 50, "write_bytes_sec", 50000},
    {{0, 0, 0, 1000, 0, 0}, {0, 0, 600, 600}, 120, "total_iops_sec", 1000},
    /* a total needs both directions */
    {{100000, 0, 0, 0, 0, 0}, {NAN, 25000, 1, 1}, NAN, NULL, 0},
    {{100000, 80000, 0, 0, 0, 0}, {NAN, 25000, 1, 1}, NAN, NULL, 0},
    {{100000, 80000, 0, 0, 0, 0}, {40000, NAN, 1, 1}, 50, "read_bytes_sec", 80000},
    /* no limit at all */
    {{0, 0, 0, 0, 0, 0}, {50000, 25000, 1, 1}, NAN, NULL, 0},
};

START_TEST(iotune)
{
    const char *which = NULL;
    double limit = 0, v = vm_dev_iotune_pct(&iot[_i].t, &iot[_i].r, &which, &limit);

    if (isnan(iot[_i].pct)) {
        ck_assert_msg(isnan(v), "case %d: %f", _i, v);
        ck_assert_ptr_null(which);
    } else {
        ck_assert_double_eq_tol(v, iot[_i].pct, 1e-9);
        ck_assert_str_eq(which, iot[_i].which);
        ck_assert_double_eq(limit, iot[_i].limit);
    }
    ck_assert_int_eq(vm_dev_iotune_any(&iot[_i].t), _i != 8);
    /* which and limit are optional */
    v = vm_dev_iotune_pct(&iot[_i].t, &iot[_i].r, NULL, NULL);
    ck_assert(isnan(v) == isnan(iot[_i].pct));
}
END_TEST

START_TEST(bandwidth)
{
    /* libvirt's unit is tc's kbps: 1000 bytes/s, 8000 bit/s */
    ck_assert_double_eq(vm_dev_bandwidth_Bps(100), 100000);
    ck_assert_double_eq(vm_dev_bandwidth_Bps(1000) * 8, 8e6); /* tc: "rate 8Mbit" */
    /* a NIC that runs at its average is at 100%, not 97.7% */
    ck_assert_double_eq(vm_dev_pct_of(100000, vm_dev_bandwidth_Bps(100)), 100);
    ck_assert_double_eq(vm_dev_bandwidth_Bps(0), 0);
    ck_assert(isnan(vm_dev_pct_of(5, vm_dev_bandwidth_Bps(0))));
    ck_assert(!vm_dev_iotune_any(NULL));
}
END_TEST

static const struct {
    const char *path;
    bool capacity;
    bool xml;
    const char *device, *source;
    bool empty;
} emp[] = {
    {"/img/a.qcow2", true, false, NULL, NULL, false},
    {"/img/a.qcow2", false, false, NULL, NULL, false},
    {NULL, false, false, NULL, NULL, true}, /* bulk: no path, no capacity */
    {NULL, true, false, NULL, NULL, false}, /* bulk: a network disk */
    {NULL, false, true, "cdrom", NULL, true},
    {NULL, false, true, "floppy", NULL, true},
    {NULL, false, true, "cdrom", "/iso/x.iso", false}, /* a volume source, no path */
    {NULL, false, true, "disk", NULL, false},          /* a disk is never "empty" */
    {"/iso/x.iso", true, true, "cdrom", "/iso/x.iso", false},
    {NULL, false, true, NULL, NULL, false},
};

START_TEST(block_empty)
{
    struct vm_block_stats b;
    struct vm_xml_disk x = {
        (char *)"sda", (char *)emp[_i].source, (char *)emp[_i].device, {0, 0, 0, 0, 0, 0}};

    memset(&b, 0, sizeof(b));
    b.name = (char *)"sda";
    b.path = (char *)emp[_i].path;
    if (emp[_i].capacity) {
        b.v[VM_BLK_CAPACITY] = 1 << 20;
        b.have = BIT(VM_BLK_CAPACITY);
    }
    ck_assert_int_eq(vm_dev_block_empty(&b, emp[_i].xml ? &x : NULL), emp[_i].empty);
}
END_TEST

static const struct {
    const char *name, *path, *sel;
    bool match;
} bm[] = {
    {"vda", "/img/a b.qcow2", "vda", true},     {"vda", "/img/a b.qcow2", "/img/a b.qcow2", true},
    {"vda", "/img/a b.qcow2", "VDA", false},    {"vda", "/img/a b.qcow2", "vd", false},
    {"vda", "/img/a b.qcow2", "/img/a", false}, {"vda", NULL, "vda", true},
    {"vda", NULL, "/img/a b.qcow2", false},     {NULL, "/img/x", "/img/x", true},
};

START_TEST(block_match)
{
    struct vm_block_stats b;

    memset(&b, 0, sizeof(b));
    b.name = (char *)bm[_i].name;
    b.path = (char *)bm[_i].path;
    ck_assert_int_eq(vm_dev_block_match(&b, bm[_i].sel), bm[_i].match);
}
END_TEST

static const struct {
    const char *dev;
    bool xml;
    const char *sel;
    bool match;
} nm[] = {
    {"vnet3", true, "vnet3", true},
    {"vnet3", true, "52:54:00:aa:bb:cc", true},
    {"vnet3", true, "52:54:00:AA:BB:CC", true}, /* MACs in any case */
    {"vnet3", true, "ua-front", true},
    {"vnet3", true, "UA-FRONT", false}, /* aliases exactly */
    {"vnet3", true, "vnet4", false},
    {"vnet3", false, "52:54:00:aa:bb:cc", false}, /* no XML: the name only */
    {"vnet3", false, "vnet3", true},
    {NULL, true, "52:54:00:aa:bb:cc", true},
    {NULL, false, "x", false},
};

START_TEST(net_match)
{
    struct vm_xml_iface x = {(char *)"vnet3", (char *)"52:54:00:aa:bb:cc", (char *)"ua-front", 0,
                             0};

    ck_assert_int_eq(vm_dev_net_match(nm[_i].dev, nm[_i].xml ? &x : NULL, nm[_i].sel),
                     nm[_i].match);
}
END_TEST

static const struct {
    enum vm_dev_label how;
    const char *dev, *mac, *alias;
    bool xml;
    const char *want;
} lab[] = {
    {VM_DEV_LABEL_MAC, "vnet3", "52:54:00:aa:bb:cc", "net0", true, "52:54:00:aa:bb:cc"},
    {VM_DEV_LABEL_ALIAS, "vnet3", "52:54:00:aa:bb:cc", "net0", true, "net0"},
    {VM_DEV_LABEL_ALIAS, "vnet3", "52:54:00:aa:bb:cc", NULL, true, "52:54:00:aa:bb:cc"},
    {VM_DEV_LABEL_ALIAS, "vnet3", "52:54:00:aa:bb:cc", "", true, "52:54:00:aa:bb:cc"},
    {VM_DEV_LABEL_DEV, "vnet3", "52:54:00:aa:bb:cc", "net0", true, "vnet3"},
    {VM_DEV_LABEL_MAC, "vnet3", NULL, "net0", true, "vnet3"},
    {VM_DEV_LABEL_MAC, "vnet3", NULL, NULL, false, "vnet3"}, /* XML unreadable */
    {VM_DEV_LABEL_ALIAS, "vnet3", NULL, NULL, false, "vnet3"},
    {VM_DEV_LABEL_MAC, NULL, NULL, NULL, false, NULL},
};

START_TEST(net_label)
{
    struct vm_xml_iface x = {(char *)"vnet3", (char *)lab[_i].mac, (char *)lab[_i].alias, 0, 0};
    const char *l = vm_dev_net_label(lab[_i].how, lab[_i].dev, lab[_i].xml ? &x : NULL);

    if (lab[_i].want)
        ck_assert_str_eq(l, lab[_i].want);
    else
        ck_assert_ptr_null(l);
}
END_TEST

static const struct {
    bool have_state;
    int state, reason;
    bool ioerror;
} ioe[] = {
    {true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, true},
    {true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, false},
    {true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN, false},
    {true, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG, false},
    /* reason numbers mean something else in other states */
    {true, VIR_DOMAIN_RUNNING, VIR_DOMAIN_PAUSED_IOERROR, false},
    {true, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_PAUSED_IOERROR, false},
    {false, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, false},
};

START_TEST(paused_ioerror)
{
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    d.have_state = ioe[_i].have_state;
    d.state = ioe[_i].state;
    d.reason = ioe[_i].reason;
    ck_assert_int_eq(vm_dev_paused_ioerror(&d), ioe[_i].ioerror);
}
END_TEST

START_TEST(xml_lookup)
{
    struct vm_xml_disk disks[2] = {{(char *)"vda", NULL, (char *)"disk", {0, 0, 0, 0, 0, 0}},
                                   {NULL, NULL, (char *)"cdrom", {0, 0, 0, 0, 0, 0}}};
    struct vm_xml_iface ifs[2] = {{NULL, (char *)"52:54:00:00:00:01", NULL, 0, 0},
                                  {(char *)"tap1", (char *)"52:54:00:00:00:02", NULL, 5, 6}};
    struct vm_domxml x;

    memset(&x, 0, sizeof(x));
    x.disks = disks;
    x.ndisks = 2;
    x.ifaces = ifs;
    x.nifaces = 2;
    ck_assert_ptr_eq(vm_dev_xml_disk(&x, "vda"), &disks[0]);
    ck_assert_ptr_null(vm_dev_xml_disk(&x, "vdb"));
    ck_assert_ptr_null(vm_dev_xml_disk(&x, NULL));
    ck_assert_ptr_null(vm_dev_xml_disk(NULL, "vda"));
    ck_assert_ptr_eq(vm_dev_xml_iface(&x, "tap1"), &ifs[1]);
    ck_assert_ptr_null(vm_dev_xml_iface(&x, "tap2"));
    ck_assert_ptr_null(vm_dev_xml_iface(NULL, "tap1"));
}
END_TEST

/* Raw counters: only what the driver reported, in a fixed order, with the
 * exact 64-bit value (v[f] = 1000 + f, and one huge counter). */
#define ALLBLK                                                                                     \
    (BIT(VM_BLK_RD_REQS) | BIT(VM_BLK_RD_BYTES) | BIT(VM_BLK_RD_TIMES) | BIT(VM_BLK_WR_REQS) |     \
     BIT(VM_BLK_WR_BYTES) | BIT(VM_BLK_WR_TIMES) | BIT(VM_BLK_FL_REQS) | BIT(VM_BLK_FL_TIMES) |    \
     BIT(VM_BLK_ERRORS) | BIT(VM_BLK_ALLOCATION) | BIT(VM_BLK_CAPACITY) | BIT(VM_BLK_PHYSICAL))
static const struct {
    bool net;
    uint32_t have;
    const char *want[VM_DEV_MAX_RAW + 1]; /* metric names, NULL-terminated */
    unsigned field[VM_DEV_MAX_RAW];
} raw[] = {
    {false,
     ALLBLK,
     {"read_bytes", "read_reqs", "write_bytes", "write_reqs", "flush_reqs", NULL},
     {VM_BLK_RD_BYTES, VM_BLK_RD_REQS, VM_BLK_WR_BYTES, VM_BLK_WR_REQS, VM_BLK_FL_REQS}},
    /* the test driver's disks: no flushes, no times */
    {false,
     BIT(VM_BLK_RD_REQS) | BIT(VM_BLK_RD_BYTES) | BIT(VM_BLK_WR_REQS) | BIT(VM_BLK_WR_BYTES) |
         BIT(VM_BLK_ERRORS) | BIT(VM_BLK_CAPACITY),
     {"read_bytes", "read_reqs", "write_bytes", "write_reqs", NULL},
     {VM_BLK_RD_BYTES, VM_BLK_RD_REQS, VM_BLK_WR_BYTES, VM_BLK_WR_REQS}},
    {false,
     BIT(VM_BLK_FL_REQS) | BIT(VM_BLK_WR_BYTES),
     {"write_bytes", "flush_reqs", NULL},
     {VM_BLK_WR_BYTES, VM_BLK_FL_REQS}},
    /* sizes, times and errors are not among them */
    {false,
     BIT(VM_BLK_ALLOCATION) | BIT(VM_BLK_CAPACITY) | BIT(VM_BLK_RD_TIMES) | BIT(VM_BLK_ERRORS),
     {NULL},
     {0}},
    {false, 0, {NULL}, {0}},
    {true,
     0xffu,
     {"rx_bytes", "rx_packets", "rx_errors", "rx_drops", "tx_bytes", "tx_packets", "tx_errors",
      "tx_drops", NULL},
     {VM_NET_RX_BYTES, VM_NET_RX_PKTS, VM_NET_RX_ERRS, VM_NET_RX_DROP, VM_NET_TX_BYTES,
      VM_NET_TX_PKTS, VM_NET_TX_ERRS, VM_NET_TX_DROP}},
    {true,
     BIT(VM_NET_TX_DROP) | BIT(VM_NET_RX_BYTES),
     {"rx_bytes", "tx_drops", NULL},
     {VM_NET_RX_BYTES, VM_NET_TX_DROP}},
    {true, 0, {NULL}, {0}},
};

START_TEST(raw_counters)
{
    struct vm_block_stats b;
    struct vm_net_stats n;
    struct vm_dev_raw out[VM_DEV_MAX_RAW];
    const uint64_t *v;
    size_t i, got, want = 0;

    memset(&b, 0, sizeof(b));
    memset(&n, 0, sizeof(n));
    memset(out, 0, sizeof(out));
    for (i = 0; i < VM_BLK_NR; i++)
        b.v[i] = 1000 + i;
    for (i = 0; i < VM_NET_NR; i++)
        n.v[i] = 1000 + i;
    b.v[VM_BLK_WR_BYTES] = UINT64_MAX; /* passed through, not rounded */
    n.v[VM_NET_TX_DROP] = UINT64_MAX - 1;
    b.have = n.have = raw[_i].have;
    got = raw[_i].net ? vm_dev_net_raw(&n, out) : vm_dev_block_raw(&b, out);
    v = raw[_i].net ? n.v : b.v;
    while (raw[_i].want[want])
        want++;
    ck_assert_uint_eq(got, want);
    for (i = 0; i < got; i++) {
        ck_assert_str_eq(out[i].metric, raw[_i].want[i]);
        ck_assert_uint_eq(out[i].value, v[raw[_i].field[i]]);
    }
}
END_TEST

/* Headroom and time to full from hand-built samples (GiB figures): two
 * images a and b on one file system (vm_storage_growth sums them, then
 * vm_dev_room_measure reads a's figures). */
#define GIB 1073741824.0
static const struct {
    double cap, alloc, prev_alloc;       /* image a, GiB; prev_alloc < 0: no earlier sample */
    double b_cap, b_alloc, b_prev_alloc; /* image b, the same; b_cap 0: no image b */
    double host_free;                    /* GiB, of 100 */
    double image_room, own_Bps, growth_Bps, grow_room, full_s;
    bool alone_short, bounded;
} room[] = {
    /* a alone grows 1 GiB/h into 2 GiB free, with 5 GiB of its own room */
    {10, 5, 4, 0, 0, 0, 2, 5 * GIB, GIB / 3600, GIB / 3600, 5 * GIB, 7200, false, false},
    /* a and b both grow 1 GiB/h: the file system fills twice as fast */
    {10, 5, 4, 10, 5, 4, 2, 5 * GIB, GIB / 3600, 2 * GIB / 3600, 10 * GIB, 3600, false, false},
    /* a does not grow, b does: the storage still fills, at b's growth */
    {10, 5, 5, 10, 5, 4, 2, 5 * GIB, 0, GIB / 3600, 5 * GIB, 7200, false, false},
    /* both grow, but can take 1.5 GiB more together, less than the
     * 40 GiB free: never full from them */
    {5.5, 5, 4, 4, 3, 2, 40, 0.5 * GIB, GIB / 3600, 2 * GIB / 3600, 1.5 * GIB, INFINITY, true,
     true},
    /* a shrinks (a discard), b not growing: not filling up */
    {10, 5, 6, 10, 5, 5, 2, 5 * GIB, -GIB / 3600, 0, NAN, INFINITY, false, false},
    /* no earlier allocation of either: not known */
    {10, 5, -1, 0, 0, 0, 2, 5 * GIB, NAN, NAN, NAN, NAN, false, false},
    /* b's capacity not known (-1): the growing images have no bound */
    {5.5, 5, 4, -1, 3, 2, 40, 0.5 * GIB, GIB / 3600, 2 * GIB / 3600, NAN, 20 * 3600, true, false},
    /* qcow2 metadata past the virtual size: no room of its own left */
    {10, 10.5, 10, 0, 0, 0, 40, 0, GIB / 7200, GIB / 7200, 0, INFINITY, true, true},
};

static bool same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b || fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

static void room_disk(struct vm_block_stats *p, struct vm_block_stats *b, double cap, double alloc,
                      double prev_alloc)
{
    b->v[VM_BLK_CAPACITY] = cap >= 0 ? (uint64_t)(cap * GIB) : 0;
    b->v[VM_BLK_ALLOCATION] = (uint64_t)(alloc * GIB);
    b->have = (cap >= 0 ? 1u << VM_BLK_CAPACITY : 0) | (1u << VM_BLK_ALLOCATION);
    if (prev_alloc >= 0) {
        p->v[VM_BLK_ALLOCATION] = (uint64_t)(prev_alloc * GIB);
        p->have = 1u << VM_BLK_ALLOCATION;
    }
}

START_TEST(room_measure)
{
    static char name[] = "vda", label[] = "x";
    struct vm_block_stats pb[2] = {{0}}, cb[2] = {{0}};
    struct vm_dom_stats prev[2] = {{0}}, cur[2] = {{0}};
    struct vm_rate_pair pairs[2];
    struct vm_snapshot snap = {cur, 2, {0, 0}, {0, 0}};
    struct vm_storage_host h = {.dir = label, .size = 100 * GIB, .avail = room[_i].host_free * GIB};
    struct vm_storage_disk d[2] = {{.label = label}, {.dom = 1, .label = label}};
    struct vm_storage s = {&h, 1, d, room[_i].b_cap ? 2 : 1};
    struct vm_dev_room r;

    room_disk(&pb[0], &cb[0], room[_i].cap, room[_i].alloc, room[_i].prev_alloc);
    room_disk(&pb[1], &cb[1], room[_i].b_cap, room[_i].b_alloc, room[_i].b_prev_alloc);
    for (size_t k = 0; k < 2; k++) {
        pb[k].name = cb[k].name = name;
        prev[k].block = &pb[k];
        cur[k].block = &cb[k];
        prev[k].nblock = cur[k].nblock = 1;
        pairs[k] = (struct vm_rate_pair){&prev[k], &cur[k], 3600, 0, NULL};
    }
    vm_storage_growth(&s, &snap, pairs, 2);
    vm_dev_room_measure(&d[0], &h, &r);
    ck_assert_msg(same(r.headroom, room[_i].host_free * GIB), "headroom %g", r.headroom);
    ck_assert_msg(same(r.pct, room[_i].host_free), "pct %g", r.pct);
    ck_assert_msg(same(r.image_room, room[_i].image_room), "image_room %g", r.image_room);
    ck_assert_msg(same(r.own_Bps, room[_i].own_Bps), "own %g", r.own_Bps);
    ck_assert_msg(same(r.growth_Bps, room[_i].growth_Bps), "growth %g", r.growth_Bps);
    ck_assert_msg(same(r.grow_room, room[_i].grow_room), "grow_room %g", r.grow_room);
    ck_assert_msg(same(r.full_s, room[_i].full_s), "full_s %g", r.full_s);
    ck_assert_int_eq(r.image_alone_short, room[_i].alone_short);
    ck_assert_int_eq(r.bounded, room[_i].bounded);
}
END_TEST

/* No host storage known (a block device) or no growth computed: nothing. */
START_TEST(room_not_known)
{
    struct vm_storage_disk d = {.growth_Bps = NAN, .room = 1};
    struct vm_storage_host h = {.size = 100, .avail = 10}; /* vm_storage_growth not run */
    struct vm_dev_room r;

    vm_dev_room_measure(&d, NULL, &r);
    ck_assert(isnan(r.headroom) && isnan(r.pct) && isnan(r.full_s) && !r.image_alone_short);
    vm_dev_room_measure(&d, &h, &r);
    ck_assert(same(r.headroom, 10) && same(r.pct, 10) && isnan(r.growth_Bps));
    ck_assert(isnan(r.full_s) && r.image_alone_short);
}
END_TEST

VM_CK_MAIN_TCASE("dev_calc", "dev_calc", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_LOOP(latency, VM_CK_N(lat)), VM_CK_TEST(latency_null_sides),
                 VM_CK_LOOP(pct_of, VM_CK_N(pct)), VM_CK_LOOP(iotune, VM_CK_N(iot)),
                 VM_CK_TEST(bandwidth), VM_CK_LOOP(block_empty, VM_CK_N(emp)),
                 VM_CK_LOOP(block_match, VM_CK_N(bm)), VM_CK_LOOP(net_match, VM_CK_N(nm)),
                 VM_CK_LOOP(net_label, VM_CK_N(lab)), VM_CK_LOOP(paused_ioerror, VM_CK_N(ioe)),
                 VM_CK_TEST(xml_lookup), VM_CK_LOOP(raw_counters, VM_CK_N(raw)),
                 VM_CK_LOOP(room_measure, VM_CK_N(room)), VM_CK_TEST(room_not_known))
