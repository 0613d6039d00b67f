/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vnet's evaluation on hand-built pairs of interface samples and XML. */
#include <config.h>

#define VM_EVAL_TEST
#include "check_vnet.c"

#include "ck_run.h"
#include "eval_run.h"

#define N(f) (1u << (f))

static char vnet0[] = "vnet0";

/* rx limited to average='2', 2000 bytes/s (tc's 2kbps = 16 kbit/s): the
 * guest receives at 2000 B/s, the whole of it (KiB/s would read 97.7%). */
static const char *const xml_nic =
    "<domain><devices><interface type='network'><mac address='52:54:00:aa:bb:cc'/>"
    "<target dev='vnet0'/><alias name='net0'/><bandwidth><inbound average='2'/></bandwidth>"
    "</interface></devices></domain>";

/* A case: the options, the pair of samples, the run evaluating them. */
struct vnet_case {
    struct vnet_opts o;
    struct vm_dom_stats prev, cur;
    struct vm_net_stats pn, cn;
    struct vm_rate_pair pair;
    struct eval_run r;
};

/* vnet0 over 2 s: received 2000 B/s in 10 packets/s, sent 1000 B/s, one
 * rx drop per second; interfaces named by label. */
static void vnet_case_init(struct vnet_case *c, enum vm_dev_label label)
{
    memset(c, 0, sizeof(*c));
    c->o.ifaces.label = label;
    c->prev.name = c->cur.name = eval_db;
    c->pn.name = c->cn.name = vnet0;
    c->pn.v[VM_NET_RX_BYTES] = 10000;
    c->cn.v[VM_NET_RX_BYTES] = 14000;
    c->pn.v[VM_NET_RX_PKTS] = 100;
    c->cn.v[VM_NET_RX_PKTS] = 120;
    c->pn.v[VM_NET_TX_BYTES] = 5000;
    c->cn.v[VM_NET_TX_BYTES] = 7000;
    c->pn.v[VM_NET_RX_DROP] = 0;
    c->cn.v[VM_NET_RX_DROP] = 2;
    c->pn.have = c->cn.have = N(VM_NET_RX_BYTES) | N(VM_NET_RX_PKTS) | N(VM_NET_TX_BYTES) |
                              N(VM_NET_RX_DROP);
    c->prev.net = &c->pn;
    c->cur.net = &c->cn;
    c->prev.nnet = c->cur.nnet = 1;
    c->pair = (struct vm_rate_pair){&c->prev, &c->cur, 2.0, false, NULL};
}

static const struct eval_plugin plug = EVAL_PLUGIN(vnet_metrics, vnet_validate, vnet_evaluate);

EVAL_CASE_FN(vnet_case, xml_nic)

START_TEST(named_by_mac)
{
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_MAC);
    eval(&c, 0, NULL, 0, xml_nic);
    ck_assert_uint_eq(c.r.xml.reads, 1);
    eval_check(
        &c.r, VM_OK,
        EVAL_TEXTS("TEST OK - db:52:54:00:aa:bb:cc: rx 1.95 KiB/s (16.0 kbit/s), tx 1000 B/s "
                   "(8.00 kbit/s) |",
                   "[OK] db:52:54:00:aa:bb:cc: rx 1.95 KiB/s (16.0 kbit/s) 10 pkt/s, tx 1000 B/s "
                   "(8.00 kbit/s), drops 1.00/s; rx at 100.0% of the inbound limit of 1.95 KiB/s "
                   "(16.0 kbit/s); "
                   "host device vnet0, alias net0; measured over 2.0 s in this run",
                   "'db:52:54:00:aa:bb:cc:rx_Bps'=2000;;;0 'db:52:54:00:aa:bb:cc:tx_Bps'=1000;;;0 "
                   "'db:52:54:00:aa:bb:cc:rx_pps'=10;;;0 'db:52:54:00:aa:bb:cc:drops_ps'=1;;;0 "
                   "'db:52:54:00:aa:bb:cc:rx_throttle'=100%;;;0",
                   "'db:52:54:00:aa:bb:cc:rx_bytes'=14000c"),
        NULL);

    c.o.ifaces.label = VM_DEV_LABEL_ALIAS;
    eval(&c, 0, NULL, 0, xml_nic);
    eval_has(&c.r, "[OK] db:net0: ");
    eval_has(&c.r, "host device vnet0, MAC 52:54:00:aa:bb:cc;");
    eval_free(&c.r);
}
END_TEST

START_TEST(dev_label_needs_no_xml)
{
    static const char *const th[] = {"w:throttle=50"};
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_DEV);
    eval(&c, 0, NULL, 0, xml_nic);
    eval_has(&c.r, "[OK] db:vnet0: ");
    eval_lacks(&c.r, "limit");
    ck_assert_uint_eq(c.r.xml.reads, 0);
    eval_free(&c.r);

    eval(&c, 0, th, 1, xml_nic); /* a throttle threshold needs <bandwidth> */
    ck_assert_uint_eq(c.r.xml.reads, 1);
    eval_check(&c.r, VM_WARNING, EVAL_TEXTS("TEST WARNING - db:vnet0: 100.0% of inbound limit"),
               NULL);
}
END_TEST

/* The case: a NIC that runs at its <bandwidth> average is fully
 * throttled, and -c throttle=98 says so (with KiB/s it read 97.7%). */
START_TEST(throttle_at_average)
{
    static const char *const th[] = {"w:throttle=90", "c:throttle=98"};
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_MAC);
    eval(&c, 0, th, 2, xml_nic);
    eval_check(&c.r, VM_CRITICAL,
               EVAL_TEXTS("TEST CRITICAL - db:52:54:00:aa:bb:cc: 100.0% of inbound limit",
                          "'db:52:54:00:aa:bb:cc:rx_throttle'=100%;90;98;0"),
               NULL);
}
END_TEST

START_TEST(xml_unreadable)
{
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_MAC);
    eval(&c, 0, NULL, 0, NULL);
    eval_check(&c.r, VM_OK,
               EVAL_TEXTS("[OK] db:vnet0: ",
                          "host device vnet0 (named by it: domain XML unreadable: cannot read "
                          "domain XML: test says no);"),
               NULL);

    eval(&c, 0, NULL, 0, "<domain/>");
    eval_check(&c.r, VM_OK, EVAL_TEXTS("host device vnet0 (not in the domain XML);"), NULL);
}
END_TEST

/* rx_throttle and tx_throttle: their own thresholds when given (the
 * perfdata names them so), else throttle's, shown on both. */
START_TEST(own_direction_throttle)
{
    static const char *const th[] = {"c:rx_throttle=90", "w:throttle=101"};
    static const char *const shared[] = {"w:throttle=101"};
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_DEV);
    eval(&c, 0, th, 2, xml_nic);
    ck_assert_uint_eq(c.r.xml.reads, 1);
    eval_check(&c.r, VM_CRITICAL,
               EVAL_TEXTS("TEST CRITICAL - db:vnet0: 100.0% of inbound limit",
                          "'db:vnet0:rx_throttle'=100%;;90;0"),
               NULL);

    eval(&c, 0, shared, 1, xml_nic);
    eval_check(&c.r, VM_OK, EVAL_TEXTS("'db:vnet0:rx_throttle'=100%;101;;0"), NULL);
}
END_TEST

static const struct eval_judged judged[] = {
    {{"w:throughput=1500", NULL},
     VM_WARNING,
     "db:vnet0: rx 1.95 KiB/s",
     "'db:vnet0:rx_Bps'=2000;1500;;0 'db:vnet0:tx_Bps'=1000;1500;;0"},
    {{"w:throughput=1500", "c:tx_Bps=500"},
     VM_CRITICAL,
     "db:vnet0: tx 1000 B/s",
     "'db:vnet0:rx_Bps'=2000;1500;;0 'db:vnet0:tx_Bps'=1000;;500;0"},
    {{"w:drops=0.5", NULL}, VM_WARNING, "db:vnet0: drops 1.00/s", "'db:vnet0:drops_ps'=1;0.5;;0"},
    /* the metric named as its perfdata label (drops is its older name) */
    {{"w:drops_ps=0.5", NULL},
     VM_WARNING,
     "db:vnet0: drops 1.00/s",
     "'db:vnet0:drops_ps'=1;0.5;;0"},
    {{"c:rx_pps=5", NULL}, VM_CRITICAL, "db:vnet0: rx packets 10/s", "'db:vnet0:rx_pps'=10;;5;0"},
};

START_TEST(thresholds)
{
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_DEV);
    eval(&c, 0, judged[_i].th, eval_nth(&judged[_i]), NULL);
    eval_judged_check(&c.r, &judged[_i]);
}
END_TEST

START_TEST(interface_choice)
{
    const char *want[] = {"52:54:00:AA:BB:CC", "eth9"};
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_MAC);
    c.o.ifaces.names = want;
    c.o.ifaces.n = 2;
    eval(&c, EVAL_NOT_ALL, NULL, 0, xml_nic);
    ck_assert(c.o.need_xml);
    eval_has(&c.r, "[OK] db:52:54:00:aa:bb:cc: ");
    eval_has(&c.r, "[UNKNOWN] db:eth9: no interface with this device name, MAC or alias "
                   "(interfaces: 52:54:00:aa:bb:cc)");
    ck_assert_uint_eq(c.r.xml.reads, 1);
    eval_free(&c.r);

    c.o.ifaces.names = want + 1;
    c.o.ifaces.n = 1;
    /* --all: a filter, the domain is counted; -d: UNKNOWN, saying why */
    eval_free(eval_assert_skipped(eval_case_run, &c, "without interface eth9",
                                  "TEST UNKNOWN - db: no interface matches --interface eth9 "
                                  "(interfaces: 52:54:00:aa:bb:cc)"));

    c.cur.nnet = 0;
    c.o.ifaces.n = 0;
    eval_assert_skipped(eval_case_run, &c, "with no interface",
                        "db: libvirt reports no interfaces for this domain");
    ck_assert_uint_eq(c.r.xml.reads, 0);
    eval_free(&c.r);
}
END_TEST

START_TEST(new_interface)
{
    struct vnet_case c;

    vnet_case_init(&c, VM_DEV_LABEL_DEV);
    c.prev.nnet = 0;
    eval(&c, 0, NULL, 0, NULL);
    eval_check(&c.r, VM_UNKNOWN,
               EVAL_TEXTS("db:vnet0: no previous sample of this interface (new or hot-plugged)"),
               NULL);
}
END_TEST

START_TEST(options)
{
    struct vnet_opts o = {{NULL, 0, VM_DEV_LABEL_MAC}, false};
    struct vm_err err = {""};

    ck_assert_int_eq(vnet_opt(&o, VNET_OPT_INTERFACE, "", &err), -1);
    ck_assert_int_eq(vnet_opt(&o, VNET_OPT_INTERFACE, "vnet0", &err), 0);
    ck_assert_uint_eq(o.ifaces.n, 1);
    ck_assert_int_eq(vnet_opt(&o, VNET_OPT_LABEL, "Alias", &err), 0);
    ck_assert_int_eq(o.ifaces.label, VM_DEV_LABEL_ALIAS);
    ck_assert_int_eq(vnet_opt(&o, VNET_OPT_LABEL, "name", &err), -1);
    ck_assert_str_eq(err.msg, "invalid --label 'name': use mac, alias or dev");
    vm_devsel_clear(&o.ifaces);
}
END_TEST

VM_CK_MAIN_TCASE("eval_vnet", "evaluate", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_TEST(named_by_mac),
                 VM_CK_TEST(dev_label_needs_no_xml), VM_CK_TEST(throttle_at_average),
                 VM_CK_TEST(own_direction_throttle), VM_CK_TEST(xml_unreadable),
                 VM_CK_LOOP(thresholds, VM_CK_N(judged)), VM_CK_TEST(interface_choice),
                 VM_CK_TEST(new_interface), VM_CK_TEST(options))
