/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stats/domxml: the pure parsers, on hand-built input (no connection). */
#include <config.h>

#include <check.h>
#include <string.h>

#include "ck_run.h"
#include "domxml.h"
#include "stats.h"

#define P_ULL(n, v)                                                                                \
    {                                                                                              \
        .field = n, .type = VIR_TYPED_PARAM_ULLONG, .value.ul = (v)                                \
    }
#define P_UINT(n, v)                                                                               \
    {                                                                                              \
        .field = n, .type = VIR_TYPED_PARAM_UINT, .value.ui = (v)                                  \
    }
#define P_INT(n, v)                                                                                \
    {                                                                                              \
        .field = n, .type = VIR_TYPED_PARAM_INT, .value.i = (v)                                    \
    }
#define P_STR(n, v)                                                                                \
    {                                                                                              \
        .field = n, .type = VIR_TYPED_PARAM_STRING, .value.s = (char *)(v)                         \
    }
#define NP(a) ((int)(sizeof(a) / sizeof(a[0])))

START_TEST(all_groups)
{
    virTypedParameter p[] = {
        P_INT("state.state", VIR_DOMAIN_PAUSED),
        P_INT("state.reason", 5),
        P_ULL("cpu.time", 123456789ULL),
        P_ULL("cpu.user", 1),
        P_ULL("cpu.system", 2),
        P_ULL("balloon.current", 2097152),
        P_ULL("balloon.available", 2000000),
        P_ULL("balloon.usable", 1500000),
        P_ULL("balloon.unused", 900000),
        P_ULL("balloon.last-update", 1700000000),
        P_ULL("balloon.rss", 300000),
        P_ULL("balloon.hugetlb_pgalloc", 12),
        P_ULL("balloon.hugetlb_pgfail", 3),
        P_UINT("vcpu.current", 2),
        P_UINT("vcpu.maximum", 4),
        P_ULL("vcpu.0.time", 10),
        P_ULL("vcpu.1.delay", 20),
        P_INT("vcpu.1.state", 1),
        P_UINT("block.count", 2),
        P_STR("block.0.name", "vda"),
        P_STR("block.0.path", "/a b|c"),
        P_ULL("block.0.rd.bytes", 4096),
        P_ULL("block.0.wr.times", 7),
        P_ULL("block.1.capacity", 99),
        P_UINT("net.count", 1),
        P_STR("net.0.name", "vnet3"),
        P_ULL("net.0.rx.bytes", 5),
        P_ULL("net.0.tx.drop", 6),
    };
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, p, NP(p), NULL), 0);
    ck_assert(d.have_state);
    ck_assert_int_eq(d.state, VIR_DOMAIN_PAUSED);
    ck_assert_int_eq(d.reason, 5);
    ck_assert(VM_HAS(d.cpu, VM_CPU_TIME) && d.cpu.v[VM_CPU_TIME] == 123456789ULL);
    ck_assert(VM_HAS(d.balloon, VM_BAL_LAST_UPDATE) &&
              d.balloon.v[VM_BAL_LAST_UPDATE] == 1700000000);
    ck_assert(VM_HAS(d.balloon, VM_BAL_USABLE) && !VM_HAS(d.balloon, VM_BAL_DISK_CACHES));
    ck_assert(VM_HAS(d.balloon, VM_BAL_HUGETLB_PGALLOC) &&
              d.balloon.v[VM_BAL_HUGETLB_PGALLOC] == 12);
    ck_assert(VM_HAS(d.balloon, VM_BAL_HUGETLB_PGFAIL) && d.balloon.v[VM_BAL_HUGETLB_PGFAIL] == 3);
    ck_assert_uint_eq(d.vcpu_current, 2);
    ck_assert_uint_eq(d.vcpu_maximum, 4);
    ck_assert_uint_eq(d.nvcpu, 2);
    ck_assert(VM_HAS(d.vcpu[0], VM_VCPU_TIME) && !VM_HAS(d.vcpu[0], VM_VCPU_DELAY));
    ck_assert(VM_HAS(d.vcpu[1], VM_VCPU_DELAY) && d.vcpu[1].v[VM_VCPU_DELAY] == 20);
    ck_assert_uint_eq(d.nblock, 2);
    ck_assert_str_eq(d.block[0].name, "vda");
    ck_assert_str_eq(d.block[0].path, "/a b|c");
    ck_assert(VM_HAS(d.block[0], VM_BLK_RD_BYTES) && !VM_HAS(d.block[0], VM_BLK_RD_REQS));
    ck_assert_ptr_null(d.block[1].name);
    ck_assert(VM_HAS(d.block[1], VM_BLK_CAPACITY));
    ck_assert_uint_eq(d.nnet, 1);
    ck_assert_str_eq(d.net[0].name, "vnet3");
    ck_assert(d.net[0].v[VM_NET_TX_DROP] == 6 && !VM_HAS(d.net[0], VM_NET_RX_PKTS));
    ck_assert_uint_eq(d.groups, VM_GROUP_STATE | VM_GROUP_CPU | VM_GROUP_BALLOON | VM_GROUP_VCPU |
                                    VM_GROUP_BLOCK | VM_GROUP_NET);
    vm_dom_stats_clear(&d);
}
END_TEST

/* Only state: no other group claims to be present (the test driver's bulk). */
START_TEST(state_only)
{
    virTypedParameter p[] = {P_INT("state.state", 1), P_INT("state.reason", 1)};
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, p, NP(p), NULL), 0);
    ck_assert_uint_eq(d.groups, VM_GROUP_STATE);
    ck_assert_uint_eq(d.balloon.have | d.cpu.have, 0);
    vm_dom_stats_clear(&d);
}
END_TEST

/* No disks, no NICs: "block.count=0" / "net.count=0" answer the groups
 * (so no per-domain fallback); a count with no device fields does not. */
START_TEST(zero_devices)
{
    virTypedParameter none[] = {P_INT("state.state", 1), P_UINT("block.count", 0),
                                P_UINT("net.count", 0)};
    virTypedParameter bare[] = {P_INT("state.state", 1), P_UINT("block.count", 2),
                                P_UINT("net.count", 1), P_STR("block.count", "0")};
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, none, NP(none), NULL), 0);
    ck_assert_uint_eq(d.groups, VM_GROUP_STATE | VM_GROUP_BLOCK | VM_GROUP_NET);
    ck_assert_uint_eq(d.nblock + d.nnet, 0);
    vm_dom_stats_clear(&d);
    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, bare, NP(bare), NULL), 0);
    ck_assert_uint_eq(d.groups, VM_GROUP_STATE);
    vm_dom_stats_clear(&d);
}
END_TEST

/* Wrong types, negatives, unknown names, absurd and malformed indexes. */
START_TEST(hostile_params)
{
    virTypedParameter p[] = {
        P_STR("cpu.time", "12"),        /* wrong type */
        P_INT("balloon.available", -1), /* negative counter */
        {.field = "balloon.usable", .type = VIR_TYPED_PARAM_DOUBLE, .value.d = 1.0},
        P_ULL("cpu.nonsense", 1),              /* unknown name */
        P_ULL("block.4000000000.rd.bytes", 1), /* would be gigabytes */
        P_ULL("block.4096.rd.bytes", 1),       /* just past the cap */
        P_ULL("block.x.rd.bytes", 1),          /* not a number */
        P_ULL("net.-1.rx.bytes", 1),
        P_ULL("vcpu.3", 1),                  /* no field after the index */
        P_ULL("vcpu.2.time", 77),            /* sparse: 0 and 1 absent */
        P_STR("net.0.name", NULL),           /* NULL string */
        P_UINT("vcpu.current", 4000000000u), /* clamped */
    };
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, p, NP(p), NULL), 0);
    ck_assert_uint_eq(d.cpu.have, 0);
    ck_assert_uint_eq(d.balloon.have, 0);
    ck_assert_uint_eq(d.nblock, 0);
    ck_assert_uint_eq(d.nvcpu, 3);
    ck_assert_uint_eq(d.vcpu[0].have | d.vcpu[1].have, 0);
    ck_assert(d.vcpu[2].v[VM_VCPU_TIME] == 77);
    ck_assert_uint_le(d.vcpu_current, 4096);
    ck_assert(d.nnet <= 1 && (d.nnet == 0 || d.net[0].name == NULL));
    vm_dom_stats_clear(&d);
}
END_TEST

/* Two calls add up; later values win. */
START_TEST(repeated_calls)
{
    virTypedParameter a[] = {P_ULL("cpu.time", 1), P_STR("block.0.name", "vda")};
    virTypedParameter b[] = {P_ULL("cpu.time", 2), P_STR("block.0.name", "vdb"),
                             P_ULL("cpu.user", 3)};
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(vm_stats_parse_params(&d, a, NP(a), NULL), 0);
    ck_assert_int_eq(vm_stats_parse_params(&d, b, NP(b), NULL), 0);
    ck_assert(d.cpu.v[VM_CPU_TIME] == 2 && d.cpu.v[VM_CPU_USER] == 3);
    ck_assert_str_eq(d.block[0].name, "vdb");
    vm_dom_stats_clear(&d);
    vm_dom_stats_clear(NULL);
    vm_snapshot_clear(NULL);
}
END_TEST

static const char dom_xml[] =
    "<domain type='kvm'><name>web|01 'x'</name><vcpu current='2'>4</vcpu>"
    "<cputune><period>100000</period><quota>50000</quota></cputune><devices>"
    "<disk type='file' device='disk'><source file='/var/lib/a b.qcow2'/><target dev='vda'/>"
    "<iotune><total_bytes_sec>1048576</total_bytes_sec><read_iops_sec>100</read_iops_sec></iotune></disk>"
    "<disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb'/></disk>"
    "<disk type='file' device='cdrom'><target dev='sda'/></disk>"
    "<interface type='ethernet'><mac address='52:54:00:aa:bb:cc'/><target dev='tap0'/>"
    "<alias name='net0'/><bandwidth><inbound average='1000'/><outbound average='2000'/></bandwidth></interface>"
    "<interface type='user'><mac address='52:54:00:00:00:01'/></interface>"
    "<memballoon model='virtio'><stats period='10'/></memballoon></devices></domain>";

START_TEST(domxml_full)
{
    struct vm_domxml x;

    ck_assert_int_eq(vm_domxml_parse(dom_xml, &x, NULL), 0);
    ck_assert_int_eq(x.balloon, VM_BALLOON_PRESENT);
    ck_assert_uint_eq(x.stats_period, 10);
    ck_assert_uint_eq(x.vcpus, 2);
    ck_assert_int_eq(x.quota_us, 50000);
    ck_assert_uint_eq(x.period_us, 100000);
    ck_assert_uint_eq(x.ndisks, 3);
    ck_assert_str_eq(x.disks[0].source, "/var/lib/a b.qcow2");
    ck_assert_uint_eq(x.disks[0].iotune.total_bytes_sec, 1048576);
    ck_assert_uint_eq(x.disks[0].iotune.read_iops_sec, 100);
    ck_assert_uint_eq(x.disks[0].iotune.write_bytes_sec, 0);
    ck_assert_str_eq(x.disks[1].source, "/dev/sdz");
    ck_assert_str_eq(x.disks[2].device, "cdrom");
    ck_assert_ptr_null(x.disks[2].source);
    ck_assert_uint_eq(x.nifaces, 2);
    ck_assert_str_eq(x.ifaces[0].target, "tap0");
    ck_assert_str_eq(x.ifaces[0].alias, "net0");
    ck_assert_uint_eq(x.ifaces[0].in_average_kBps, 1000);
    ck_assert_uint_eq(x.ifaces[0].out_average_kBps, 2000);
    ck_assert_ptr_null(x.ifaces[1].target);
    ck_assert_str_eq(x.ifaces[1].mac, "52:54:00:00:00:01");
    vm_domxml_clear(&x);
    vm_domxml_clear(NULL);
}
END_TEST

static const struct {
    const char *xml;
    int rc;
    enum vm_balloon_kind balloon;
    unsigned period;
} balloons[] = {
    {"<domain><devices/></domain>", 0, VM_BALLOON_ABSENT, 0},
    {"<domain><devices><memballoon model='none'/></devices></domain>", 0, VM_BALLOON_NONE, 0},
    {"<domain><devices><memballoon model='virtio'/></devices></domain>", 0, VM_BALLOON_PRESENT, 0},
    {"<domain><devices><memballoon model='virtio'><stats period='x'/></memballoon></devices></domain>",
     0, VM_BALLOON_PRESENT, 0},
    {"<domain><devices>", -1, VM_BALLOON_ABSENT, 0}, /* not well-formed */
    {"<node/>", -1, VM_BALLOON_ABSENT, 0},           /* wrong root */
    {"", -1, VM_BALLOON_ABSENT, 0},
    {"<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain><name>&e;</name></domain>", 0,
     VM_BALLOON_ABSENT, 0}, /* entity not fetched */
};

START_TEST(domxml_balloon)
{
    struct vm_domxml x;
    struct vm_err err = {""};

    ck_assert_int_eq(vm_domxml_parse(balloons[_i].xml, &x, &err), balloons[_i].rc);
    if (balloons[_i].rc == 0) {
        ck_assert_int_eq(x.balloon, balloons[_i].balloon);
        ck_assert_uint_eq(x.stats_period, balloons[_i].period);
    } else {
        ck_assert(err.msg[0] != '\0');
    }
    vm_domxml_clear(&x);
}
END_TEST

/* Every <cputune> limit that bounds the guest; the emulator's and the I/O
 * threads' quotas bound only QEMU's own threads and are not read. */
static const struct {
    const char *xml;
    long long quota, gquota;
    unsigned long long period, gperiod;
} cputunes[] = {
    {"<domain/>", 0, 0, 0, 0},
    {"<domain><cputune><global_period>200000</global_period><global_quota>150000</global_quota>"
     "</cputune></domain>",
     0, 150000, 0, 200000},
    {"<domain><cputune><period>100000</period><quota>50000</quota><global_quota>80000"
     "</global_quota></cputune></domain>",
     50000, 80000, 100000, 0},
    {"<domain><cputune><quota>-1</quota><global_quota>-1</global_quota></cputune></domain>", -1, -1,
     0, 0},
    {"<domain><cputune><emulator_period>100000</emulator_period><emulator_quota>1000"
     "</emulator_quota><iothread_quota>2000</iothread_quota></cputune></domain>",
     0, 0, 0, 0},
    {"<domain><cputune><quota>5e4</quota><global_quota>x</global_quota></cputune></domain>", 0, 0,
     0, 0}, /* not numbers: no limit */
};

START_TEST(domxml_cputune)
{
    struct vm_domxml x;

    ck_assert_int_eq(vm_domxml_parse(cputunes[_i].xml, &x, NULL), 0);
    ck_assert_int_eq(x.quota_us, cputunes[_i].quota);
    ck_assert_uint_eq(x.period_us, cputunes[_i].period);
    ck_assert_int_eq(x.global_quota_us, cputunes[_i].gquota);
    ck_assert_uint_eq(x.global_period_us, cputunes[_i].gperiod);
    vm_domxml_clear(&x);
}
END_TEST

/* The one rule for finding a device in another sample: by name, an
 * unnamed one by position. */
/* <memtune> in bytes: KiB by default, the unit attribute as libvirt reads
 * it, unlimited and nonsense as not set. */
static const struct {
    const char *xml;
    uint64_t hard, soft, swap;
} memtunes[] = {
    {"<domain><memtune><hard_limit>4194304</hard_limit><soft_limit unit='MiB'>2048</soft_limit>"
     "<swap_hard_limit unit='G'>8</swap_hard_limit></memtune></domain>",
     4294967296ULL, 2147483648ULL, 8589934592ULL},
    {"<domain><memtune><hard_limit unit='KB'>1000</hard_limit><soft_limit unit='bytes'>4096"
     "</soft_limit><swap_hard_limit unit='kib'>1</swap_hard_limit></memtune></domain>",
     1000000, 4096, 1024},
    {"<domain><memtune><hard_limit unit='GB'>3</hard_limit><soft_limit unit='b'>7</soft_limit>"
     "</memtune></domain>",
     3000000000ULL, 7, 0},
    /* libvirt's unlimited (2^53 - 1 KiB), beyond 64 bits, not a number, an unknown unit */
    {"<domain><memtune><hard_limit>9007199254740991</hard_limit><soft_limit unit='EiB'>16"
     "</soft_limit><swap_hard_limit>-1</swap_hard_limit></memtune></domain>",
     0, 0, 0},
    {"<domain><memtune><hard_limit unit='furlong'>3</hard_limit><soft_limit>2x</soft_limit>"
     "<swap_hard_limit> 5</swap_hard_limit></memtune></domain>",
     0, 0, 0},
    {"<domain><memory>4194304</memory></domain>", 0, 0, 0},
};

START_TEST(domxml_memtune)
{
    struct vm_domxml x;

    ck_assert_int_eq(vm_domxml_parse(memtunes[_i].xml, &x, NULL), 0);
    ck_assert_uint_eq(x.memtune.hard_limit, memtunes[_i].hard);
    ck_assert_uint_eq(x.memtune.soft_limit, memtunes[_i].soft);
    ck_assert_uint_eq(x.memtune.swap_hard_limit, memtunes[_i].swap);
    vm_domxml_clear(&x);
}
END_TEST

START_TEST(memsize)
{
    ck_assert_uint_eq(vm_domxml_memsize("1", NULL), 1024);
    ck_assert_uint_eq(vm_domxml_memsize("1", "k"), 1024);
    ck_assert_uint_eq(vm_domxml_memsize("1", "M"), 1048576);
    ck_assert_uint_eq(vm_domxml_memsize("1", "mb"), 1000000);
    ck_assert_uint_eq(vm_domxml_memsize("2", "TiB"), 2199023255552ULL);
    ck_assert_uint_eq(vm_domxml_memsize("1", "PB"), 1000000000000000ULL);
    /* just under the unlimited mark is a limit, the mark is none */
    ck_assert_uint_eq(vm_domxml_memsize("9007199254740990", NULL), 9007199254740990ULL * 1024);
    ck_assert_uint_eq(vm_domxml_memsize("9007199254740991", "KiB"), 0);
    ck_assert_uint_eq(vm_domxml_memsize("99999999999999999999999", "b"), 0);
    ck_assert_uint_eq(vm_domxml_memsize(NULL, NULL), 0);
    ck_assert_uint_eq(vm_domxml_memsize("", NULL), 0);
    ck_assert_uint_eq(vm_domxml_memsize("+1", NULL), 0);
    ck_assert_uint_eq(vm_domxml_memsize("1", ""), 0);
}
END_TEST

START_TEST(find_by_name)
{
    struct vm_block_stats blk[3];
    struct vm_net_stats net[2];
    struct vm_dom_stats d;

    memset(blk, 0, sizeof(blk));
    memset(net, 0, sizeof(net));
    memset(&d, 0, sizeof(d));
    blk[0].name = (char *)"vdb";
    blk[1].name = NULL;
    blk[2].name = (char *)"vda";
    net[0].name = (char *)"vnet7";
    net[1].name = (char *)"vnet3";
    d.block = blk;
    d.nblock = 3;
    d.net = net;
    d.nnet = 2;
    ck_assert_ptr_eq(vm_stats_block_find(&d, "vda", 0), &blk[2]);
    ck_assert_ptr_eq(vm_stats_block_find(&d, "vdb", 2), &blk[0]);
    ck_assert_ptr_null(vm_stats_block_find(&d, "vdc", 2));
    ck_assert_ptr_null(vm_stats_block_find(&d, NULL, 0));        /* named there */
    ck_assert_ptr_eq(vm_stats_block_find(&d, NULL, 1), &blk[1]); /* unnamed: by position */
    ck_assert_ptr_null(vm_stats_block_find(&d, NULL, 3));
    ck_assert_ptr_null(vm_stats_block_find(NULL, "vda", 2));
    ck_assert_ptr_eq(vm_stats_net_find(&d, "vnet3", 0), &net[1]);
    ck_assert_ptr_null(vm_stats_net_find(&d, "vnet", 0));
    ck_assert_ptr_null(vm_stats_net_find(NULL, "vnet3", 1));
}
END_TEST

VM_CK_MAIN_TCASE("stats", "stats", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_TEST(all_groups),
                 VM_CK_TEST(find_by_name), VM_CK_TEST(state_only), VM_CK_TEST(zero_devices),
                 VM_CK_TEST(hostile_params), VM_CK_TEST(repeated_calls), VM_CK_TEST(domxml_full),
                 VM_CK_LOOP(domxml_balloon, VM_CK_N(balloons)),
                 VM_CK_LOOP(domxml_cputune, VM_CK_N(cputunes)),
                 VM_CK_LOOP(domxml_memtune, VM_CK_N(memtunes)), VM_CK_TEST(memsize))
