/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vnet: per-interface throughput, packets, errors and drops. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "devices.h"

enum {
    VNET_THROUGHPUT,
    VNET_RX_BPS,
    VNET_TX_BPS,
    VNET_RX_PPS,
    VNET_TX_PPS,
    VNET_ERRORS,
    VNET_DROPS,
    VNET_THROTTLE,
    VNET_RX_THROTTLE,
    VNET_TX_THROTTLE,
};
enum { VNET_OPT_INTERFACE, VNET_OPT_LABEL };

struct vnet_opts {
    struct vm_devsel ifaces; /* --interface, --label */
    bool need_xml;           /* decided in validate */
};

static const struct vm_metric_def vnet_metrics[] = {
    [VNET_THROUGHPUT] = {"throughput", VM_RANGE_ALLOW_SIZE,
                         "bytes per second of the busier direction\n"
                         "                              (rx or tx); -w 80MiB means 80 MiB/s"},
    [VNET_RX_BPS] = {"rx_Bps", VM_RANGE_ALLOW_SIZE, "bytes per second received by the guest"},
    [VNET_TX_BPS] = {"tx_Bps", VM_RANGE_ALLOW_SIZE, "bytes per second sent by the guest"},
    [VNET_RX_PPS] = {"rx_pps", 0, "packets per second received by the guest"},
    [VNET_TX_PPS] = {"tx_pps", 0, "packets per second sent by the guest"},
    [VNET_ERRORS] = {"errors_ps", 0, "errors per second, rx + tx (also: errors)", "errors"},
    [VNET_DROPS] = {"drops_ps", 0, "dropped packets per second, rx + tx (also: drops)", "drops"},
    [VNET_THROTTLE] = {"throttle", VM_RANGE_ALLOW_PERCENT,
                       "throughput in % of the <bandwidth> average\n"
                       "                              (1 unit = 1000 bytes/s, as tc applies it;\n"
                       "                              inbound limits rx, outbound tx; the\n"
                       "                              higher of the two); sets rx_throttle and "
                       "tx_throttle unless they have their own",
                       NULL, "no interface has a <bandwidth> limit"},
    [VNET_RX_THROTTLE] = {"rx_throttle", VM_RANGE_ALLOW_PERCENT,
                          "rx in % of the <bandwidth> inbound average", NULL,
                          "no interface has an inbound <bandwidth> limit"},
    [VNET_TX_THROTTLE] = {"tx_throttle", VM_RANGE_ALLOW_PERCENT,
                          "tx in % of the <bandwidth> outbound average", NULL,
                          "no interface has an outbound <bandwidth> limit"},
};

static const struct vm_opt_def vnet_opts_def[] = {
    {"interface", 0, true, "NAME|MAC",
     "check this interface only: its host device\n"
     "name (vnet3), MAC or alias; repeat for\n"
     "several. Default: every interface",
     VNET_OPT_INTERFACE},
    {"label", 0, true, "mac|alias|dev",
     "what names an interface in the output: mac\n"
     "(default), alias (net0, ua-NAME; else the\n"
     "MAC) or dev (the host device: it changes on\n"
     "every restart). mac and alias read the\n"
     "domain XML, one more libvirt call per domain;\n"
     "dev does not, and then reads <bandwidth>\n"
     "only for -w/-c throttle=...",
     VNET_OPT_LABEL},
};

static int vnet_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vnet_opts *o = ctx;
    int c;

    switch (key) {
    case VNET_OPT_INTERFACE:
        return vm_devsel_push(&o->ifaces, "--interface", arg, err);
    case VNET_OPT_LABEL: /* the words in enum vm_dev_label's order */
        if ((c = vm_opt_choice("--label", arg, (const char *[]){"mac", "alias", "dev"}, 3, err)) <
            0)
            return -1;
        o->ifaces.label = (enum vm_dev_label)c;
        return 0;
    }
    return vm_err_set(err, "internal error: unknown option");
}

static int vnet_validate(void *ctx, const struct vm_cli *cli, struct vm_err *err)
{
    struct vnet_opts *o = ctx;

    (void)err;
    /* Interface stats carry only the host device name (net.N.name): the
     * MAC and alias, for labels and --interface, and <bandwidth> are in
     * the domain XML. */
    o->need_xml = o->ifaces.label != VM_DEV_LABEL_DEV || o->ifaces.n > 0 ||
                  vm_thresh_is_set(&cli->th[VNET_THROTTLE]) ||
                  vm_thresh_is_set(&cli->th[VNET_RX_THROTTLE]) ||
                  vm_thresh_is_set(&cli->th[VNET_TX_THROTTLE]);
    return 0;
}

/* "800 kbit/s": network speeds in SI bits, 3 significant digits. */
static void vnet_bits(struct vm_buf *out, double Bps)
{
    static const char *const units[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
    double v = Bps * 8.0;
    unsigned u = 0;

    while (fabs(v) >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        u++;
    }
    if (u == 0)
        vm_buf_printf(out, "%.0f %s", v, units[u]);
    else
        vm_buf_printf(out, "%.*f %s", fabs(v) >= 100 ? 0 : fabs(v) >= 10 ? 1 : 2, v, units[u]);
}

/* "1.95 KiB/s (16.0 kbit/s)": bytes as everywhere, bits as network people
 * and tc count them. */
static void vnet_rate(struct vm_buf *out, double Bps)
{
    vm_human_rate(out, Bps);
    vm_buf_append(out, " (");
    vnet_bits(out, Bps);
    vm_buf_append(out, ")");
}

/* Sum of two rates where either may be unknown (NAN only when both are). */
static void vnet_dir(struct vm_buf *out, const char *dir, double Bps, double pps)
{
    vm_buf_printf(out, "%s ", dir);
    if (isnan(Bps))
        vm_buf_append(out, "-");
    else
        vnet_rate(out, Bps);
    if (!isnan(pps))
        vm_buf_printf(out, " %.0f pkt/s", pps);
}

static void vnet_pair_rates(struct vm_buf *out, const char *what, double sum, double rx, double tx)
{
    vm_buf_printf(out, ", %s %.2f/s", what, sum);
    if (!isnan(rx) && !isnan(tx))
        vm_buf_printf(out, " (rx %.2f, tx %.2f)", rx, tx);
}

static void vnet_limit(struct vm_buf *out, const char *sep, const char *dir, double pct,
                       const char *which, double lim)
{
    vm_buf_printf(out, "%s%s at ", sep, dir);
    vm_human_pct(out, pct);
    vm_buf_printf(out, " of the %s limit of ", which);
    vnet_rate(out, lim);
}

/* The long-output line of one interface. */
static void vnet_describe(const struct vm_eval *ev, const char *dev, const struct vm_xml_iface *xi,
                          const char *xml_err, const struct vm_dev_net_fig *f, struct vm_buf *out)
{
    const struct vnet_opts *o = ev->ctx;

    vnet_dir(out, "rx", f->rx_Bps, f->rx_pps);
    vnet_dir(out, ", tx", f->tx_Bps, f->tx_pps);
    if (!isnan(f->errs))
        vnet_pair_rates(out, "errors", f->errs, f->rx_err, f->tx_err);
    if (!isnan(f->drops))
        vnet_pair_rates(out, "drops", f->drops, f->rx_drop, f->tx_drop);
    if (!isnan(f->in_pct))
        vnet_limit(out, "; ", "rx", f->in_pct, "inbound", f->in_lim);
    if (!isnan(f->out_pct))
        vnet_limit(out, isnan(f->in_pct) ? "; " : ", ", "tx", f->out_pct, "outbound", f->out_lim);
    vm_buf_append(out, "; host device ");
    vm_report_clean_text(out, dev ? dev : "?");
    if (xi && xi->mac && o->ifaces.label != VM_DEV_LABEL_MAC) {
        vm_buf_append(out, ", MAC ");
        vm_report_clean_text(out, xi->mac);
    }
    if (xi && xi->alias && o->ifaces.label != VM_DEV_LABEL_ALIAS) {
        vm_buf_append(out, ", alias ");
        vm_report_clean_text(out, xi->alias);
    }
    if (xml_err) {
        vm_buf_append(out, " (named by it: domain XML unreadable: ");
        vm_report_clean_text(out, xml_err);
        vm_buf_append(out, ")");
    } else if (o->need_xml && !xi) {
        vm_buf_append(out, " (not in the domain XML)");
    }
}

static const struct vm_devices_ops vnet_ops;

/* The summary's words for a limit broken, in the long output's figure
 * ("97.7%", not "98%"); tmp is scratch space. */
static void vnet_note_pct(struct vm_item *it, enum vm_status st, struct vm_buf *tmp, double pct,
                          const char *which)
{
    if (st == VM_OK)
        return;
    vm_buf_truncate(tmp, 0);
    vm_human_pct(tmp, pct);
    vm_item_note(it, st, "%s of %s limit", vm_buf_str(tmp), which);
    vm_buf_truncate(tmp, 0);
}

/* One figure of an interface: judged against threshold mi (-1: none;
 * show_only: shown, judged elsewhere); dev NULL: judged only. */
static enum vm_status vnet_fig1(struct vm_item *it, const struct vm_eval *ev, const char *dev,
                                const char *label, double v, const char *uom, int mi,
                                bool show_only)
{
    return vm_devices_metric(it, ev, vnet_metrics, dev, label, v, uom, mi, show_only);
}

static void vnet_one(const struct vm_eval *ev, struct vm_device *d)
{
    const struct vm_thresh *th = ev->cli->th;
    const char *label = d->label;
    const struct vm_net_stats *n = d->net, *p = d->prev_net;
    const struct vm_xml_iface *xi = vm_dev_xml_iface(d->x, n->name);
    struct vm_buf *h = &d->figures; /* scratch for the notes, then the figures */
    int t_rx, t_tx;
    enum vm_status st;
    struct vm_dev_net_fig f;
    struct vm_item *it = d->it;

    vm_dev_net_measure(p, n, xi, ev->pair->elapsed_s, &f);
    /* throughput is the busier direction: judged here, its thresholds show
     * on both rx_Bps and tx_Bps unless those have their own. */
    st = vnet_fig1(it, ev, NULL, "throughput", f.tput, "", VNET_THROUGHPUT, false);
    vm_devices_note_bps(it, st, f.tput, !isnan(f.rx_Bps) && f.tput == f.rx_Bps ? "rx" : "tx");
    t_rx = vm_thresh_is_set(&th[VNET_RX_BPS]) ? VNET_RX_BPS : VNET_THROUGHPUT;
    t_tx = vm_thresh_is_set(&th[VNET_TX_BPS]) ? VNET_TX_BPS : VNET_THROUGHPUT;
    st = vnet_fig1(it, ev, label, "rx_Bps", f.rx_Bps, "", t_rx, t_rx != VNET_RX_BPS);
    vm_devices_note_bps(it, st, f.rx_Bps, "rx");
    st = vnet_fig1(it, ev, label, "tx_Bps", f.tx_Bps, "", t_tx, t_tx != VNET_TX_BPS);
    vm_devices_note_bps(it, st, f.tx_Bps, "tx");
    st = vnet_fig1(it, ev, label, "rx_pps", f.rx_pps, "", VNET_RX_PPS, false);
    vm_item_note(it, st, "rx packets %.0f/s", f.rx_pps);
    st = vnet_fig1(it, ev, label, "tx_pps", f.tx_pps, "", VNET_TX_PPS, false);
    vm_item_note(it, st, "tx packets %.0f/s", f.tx_pps);
    st = vnet_fig1(it, ev, label, "errors_ps", f.errs, "", VNET_ERRORS, false);
    vm_item_note(it, st, "errors %.2f/s", f.errs);
    st = vnet_fig1(it, ev, label, "drops_ps", f.drops, "", VNET_DROPS, false);
    vm_item_note(it, st, "drops %.2f/s", f.drops);
    /* throttle: judged on the nearer limit, shown per direction */
    st = vnet_fig1(it, ev, NULL, "throttle", f.thr, "%", VNET_THROTTLE, false);
    vnet_note_pct(it, st, h, f.thr, !isnan(f.in_pct) && f.thr == f.in_pct ? "inbound" : "outbound");
    /* a direction with its own threshold is judged on it; else it shows
     * throttle's, judged above */
    t_rx = vm_thresh_is_set(&th[VNET_RX_THROTTLE]) ? VNET_RX_THROTTLE : VNET_THROTTLE;
    t_tx = vm_thresh_is_set(&th[VNET_TX_THROTTLE]) ? VNET_TX_THROTTLE : VNET_THROTTLE;
    st = vnet_fig1(it, ev, label, "rx_throttle", f.in_pct, "%", t_rx, t_rx == VNET_THROTTLE);
    vnet_note_pct(it, st, h, f.in_pct, "inbound");
    st = vnet_fig1(it, ev, label, "tx_throttle", f.out_pct, "%", t_tx, t_tx == VNET_THROTTLE);
    vnet_note_pct(it, st, h, f.out_pct, "outbound");

    vnet_dir(h, "rx", f.rx_Bps, NAN);
    vnet_dir(h, ", tx", f.tx_Bps, NAN);
    vnet_describe(ev, n->name, xi, d->xml_err, &f, &d->detail);
}

static const struct vm_devices_ops vnet_ops = {
    VM_DEVICES_NET, "interface", "--interface", "net", "device name, MAC or alias", vnet_one,
};

static void vnet_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vnet_opts *o = ev->ctx;

    /* One virDomainGetXMLDesc per domain (not per interface): the price of
     * labels that survive a restart. Without it, the host device name. */
    vm_devices_evaluate(ev, rep, &vnet_ops, &o->ifaces, o->need_xml, false);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vnet_opts opts = {{NULL, 0, VM_DEV_LABEL_MAC}, false};
    const struct vm_plugin plugin = {
        .def =
            {
                .name = "check_vnet",
                .service = "VNET",
                .noun = "interface",
                .purpose =
                    "Check the network interfaces of KVM/QEMU domains over a read-only libvirt\n"
                    "connection: throughput, packets, errors and drops per second (rates\n"
                    "between two samples: the previous check's when recent, else two samples\n"
                    "--interval apart), and throughput against <bandwidth> limits.",
                .notes = "Directions are the guest's: rx is what the guest received, tx what it\n"
                         "sent (libvirt reports the counters from the domain's point of view;\n"
                         "the host's tap device sees them the other way round). A <bandwidth>\n"
                         "inbound average limits rx, outbound limits tx. Its unit, libvirt's\n"
                         "kilobytes per second, is 1000 bytes/s (8 kbit/s): libvirt passes it\n"
                         "to tc as kbps, which tc reads as 1000 bytes/s; average='1000' is\n"
                         "8 Mbit/s.\n"
                         "One line per interface, named DOMAIN:MAC (or the alias, --label): host\n"
                         "tap names such as vnet3 change on every restart, a MAC does not.\n"
                         "Perfdata: rates as plain numbers with the unit in the label\n"
                         "(DOMAIN:MAC:rx_Bps, _pps, errors_ps), throttle in %, and the raw\n"
                         "counters as c (DOMAIN:MAC:rx_bytes, rx_packets, rx_errors, rx_drops,\n"
                         "tx_...) for graphers that derive their own rates. The text also\n"
                         "gives bits per second.",
                .example = "command[check_vnet]=/usr/lib/nagios/plugins/check_vnet "
                           "-a -w 80MiB -c 110MiB",
                .metrics = vnet_metrics,
                .nmetrics = sizeof(vnet_metrics) / sizeof(vnet_metrics[0]),
                .opts = vnet_opts_def,
                .nopts = sizeof(vnet_opts_def) / sizeof(vnet_opts_def[0]),
                .rates = true,
                .groups = VM_GROUP_STATE | VM_GROUP_NET,
            },
        .ctx = &opts,
        .opt = vnet_opt,
        .validate = vnet_validate,
        .evaluate = vnet_evaluate,
    };
    int rc = vm_plugin_main(&plugin, argc, argv);

    vm_devsel_clear(&opts.ifaces);
    return rc;
}
#endif
