/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vnet: per-interface throughput, packets, errors and drops. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "dev_calc.h"
#include "domxml.h"

enum {
    VNET_THROUGHPUT,
    VNET_RX_BPS,
    VNET_TX_BPS,
    VNET_RX_PPS,
    VNET_TX_PPS,
    VNET_ERRORS,
    VNET_DROPS,
    VNET_THROTTLE,
};
enum { VNET_OPT_INTERFACE, VNET_OPT_LABEL };

struct vnet_opts {
    const char **ifaces; /* --interface values, borrowed from argv (array owned) */
    size_t nifaces;
    enum vm_dev_label label;
    bool need_xml;       /* decided in validate */
};

static const struct vm_metric_def vnet_metrics[] = {
    [VNET_THROUGHPUT] = {"throughput", VM_RANGE_ALLOW_SIZE,
                         "bytes per second of the busier direction\n"
                         "                              (rx or tx); -w 80MiB means 80 MiB/s"},
    [VNET_RX_BPS] = {"rx_Bps", VM_RANGE_ALLOW_SIZE, "bytes per second received by the guest"},
    [VNET_TX_BPS] = {"tx_Bps", VM_RANGE_ALLOW_SIZE, "bytes per second sent by the guest"},
    [VNET_RX_PPS] = {"rx_pps", 0, "packets per second received by the guest"},
    [VNET_TX_PPS] = {"tx_pps", 0, "packets per second sent by the guest"},
    [VNET_ERRORS] = {"errors", 0, "errors per second, rx + tx"},
    [VNET_DROPS] = {"drops", 0, "dropped packets per second, rx + tx"},
    [VNET_THROTTLE] = {"throttle", VM_RANGE_ALLOW_PERCENT,
                       "throughput in % of the <bandwidth> average\n"
                       "                              (inbound limits rx, outbound tx; the\n"
                       "                              higher of the two)"},
};

static const struct vm_opt_def vnet_opts_def[] = {
    {"interface", 0, true, "NAME|MAC",
     "check this interface only: its host device\n"
     "name (vnet3), MAC or alias; repeat for\n"
     "several. Default: every interface", VNET_OPT_INTERFACE},
    {"label", 0, true, "mac|alias|dev",
     "what names an interface in the output: mac\n"
     "(default), alias (net0, ua-NAME; else the\n"
     "MAC) or dev (the host device: it changes on\n"
     "every restart). mac and alias read the\n"
     "domain XML, one more libvirt call per domain;\n"
     "dev does not, and then reads <bandwidth>\n"
     "only for -w/-c throttle=...", VNET_OPT_LABEL},
};

static int vnet_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vnet_opts *o = ctx;
    const char **p;

    switch (key) {
    case VNET_OPT_INTERFACE:
        if (!*arg)
            return vm_err_set(err, "invalid --interface '': the name is empty");
        p = vm_reallocarray(o->ifaces, o->nifaces + 1, sizeof(*p));
        if (!p)
            return vm_err_set(err, "out of memory");
        p[o->nifaces++] = arg;
        o->ifaces = p;
        return 0;
    case VNET_OPT_LABEL:
        if (strcasecmp(arg, "mac") == 0)
            o->label = VM_DEV_LABEL_MAC;
        else if (strcasecmp(arg, "alias") == 0)
            o->label = VM_DEV_LABEL_ALIAS;
        else if (strcasecmp(arg, "dev") == 0)
            o->label = VM_DEV_LABEL_DEV;
        else
            return vm_err_set(err, "invalid --label '%s': use mac, alias or dev", arg);
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
    o->need_xml = o->label != VM_DEV_LABEL_DEV || o->nifaces > 0 ||
                  cli->th[VNET_THROTTLE].has_warn || cli->th[VNET_THROTTLE].has_crit;
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

static void vnet_bps(struct vm_buf *out, double Bps)
{
    vm_human_bytes(out, Bps);
    vm_buf_append(out, "/s");
}

/* Sum of two rates where either may be unknown (NAN only when both are). */
static double vnet_sum(double a, double b)
{
    if (isnan(a))
        return b;
    return isnan(b) ? a : a + b;
}

static double vnet_max(double a, double b)
{
    if (isnan(a))
        return b;
    return isnan(b) || a >= b ? a : b;
}

/* Everything measured for one interface; NAN where unknown. */
struct vnet_fig {
    double rx_Bps, tx_Bps, rx_pps, tx_pps, rx_err, tx_err, rx_drop, tx_drop;
    double tput, errs, drops;
    double in_lim, out_lim, in_pct, out_pct, thr;
};

static double vnet_rate(const struct vm_net_stats *p, const struct vm_net_stats *n,
                        enum vm_net_field f, double el)
{
    double v;

    return p && VM_PAIR_RATE(*p, *n, f, el, &v) == 0 ? v : NAN;
}

static void vnet_measure(const struct vm_net_stats *p, const struct vm_net_stats *n,
                         const struct vm_xml_iface *xi, double el, struct vnet_fig *f)
{
    f->rx_Bps = vnet_rate(p, n, VM_NET_RX_BYTES, el);
    f->tx_Bps = vnet_rate(p, n, VM_NET_TX_BYTES, el);
    f->rx_pps = vnet_rate(p, n, VM_NET_RX_PKTS, el);
    f->tx_pps = vnet_rate(p, n, VM_NET_TX_PKTS, el);
    f->rx_err = vnet_rate(p, n, VM_NET_RX_ERRS, el);
    f->tx_err = vnet_rate(p, n, VM_NET_TX_ERRS, el);
    f->rx_drop = vnet_rate(p, n, VM_NET_RX_DROP, el);
    f->tx_drop = vnet_rate(p, n, VM_NET_TX_DROP, el);
    f->tput = vnet_max(f->rx_Bps, f->tx_Bps);
    f->errs = vnet_sum(f->rx_err, f->tx_err);
    f->drops = vnet_sum(f->rx_drop, f->tx_drop);
    /* libvirt's counters are the domain's view, like <bandwidth>:
     * inbound is what the guest receives. */
    f->in_lim = xi ? vm_dev_bandwidth_Bps(xi->in_average_kib) : 0;
    f->out_lim = xi ? vm_dev_bandwidth_Bps(xi->out_average_kib) : 0;
    f->in_pct = vm_dev_pct_of(f->rx_Bps, f->in_lim);
    f->out_pct = vm_dev_pct_of(f->tx_Bps, f->out_lim);
    f->thr = vnet_max(f->in_pct, f->out_pct);
}

/* The wording of a figure that broke its threshold, for the summary. */
static void vnet_note_bps(struct vm_item *it, enum vm_status st, double v, const char *what)
{
    struct vm_buf h = VM_BUF_INIT;

    if (st == VM_OK)
        return;
    vnet_bps(&h, v);
    vm_item_note(it, st, "%s %s", what, vm_buf_str(&h));
    vm_buf_free(&h);
}

static void vnet_dir(struct vm_buf *out, const char *dir, double Bps, double pps)
{
    vm_buf_printf(out, "%s ", dir);
    if (isnan(Bps)) {
        vm_buf_append(out, "-");
    } else {
        vnet_bps(out, Bps);
        vm_buf_append(out, " (");
        vnet_bits(out, Bps);
        vm_buf_append(out, ")");
    }
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
    vm_buf_printf(out, "%s%s at %.1f%% of the %s limit (", sep, dir, pct, which);
    vnet_bps(out, lim);
    vm_buf_append(out, ")");
}

/* The long-output line of one interface. */
static void vnet_describe(const struct vm_eval *ev, const char *dev,
                          const struct vm_xml_iface *xi, const char *xml_err,
                          const struct vnet_fig *f, struct vm_buf *out)
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
    if (xi && xi->mac && o->label != VM_DEV_LABEL_MAC) {
        vm_buf_append(out, ", MAC ");
        vm_report_clean_text(out, xi->mac);
    }
    if (xi && xi->alias && o->label != VM_DEV_LABEL_ALIAS) {
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

/* One figure of an interface, judged against threshold `mi` (-1: none;
 * with show_only only shown) and in perfdata as DOM:DEV:label (dev NULL:
 * judged only). */
static enum vm_status vnet_metric(struct vm_item *it, const struct vm_eval *ev, const char *dev,
                                  const char *label, double v, const char *uom, int mi,
                                  bool show_only)
{
    const char *parts[] = {ev->name, dev, label};
    struct vm_metric_out m = {.metric = mi < 0 ? NULL : vnet_metrics[mi].name,
                              .label = dev ? parts : NULL, .nlabel = 3, .value = v, .uom = uom,
                              .th = mi < 0 ? NULL : &ev->cli->th[mi], .min = 0, .max = NAN,
                              .show_only = show_only};

    return vm_item_metric(it, &m);
}

static bool thresh_set(const struct vm_thresh *t)
{
    return t->has_warn || t->has_crit;
}

static void vnet_one(const struct vm_eval *ev, struct vm_report *rep, const struct vm_net_stats *n,
                     const char *label, const struct vm_xml_iface *xi, const char *xml_err)
{
    const struct vm_thresh *th = ev->cli->th;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_net_stats *p = vm_dev_net_find(pr->prev, n->name);
    struct vm_buf name = VM_BUF_INIT, det = VM_BUF_INIT, how = VM_BUF_INIT;
    int t_rx, t_tx;
    enum vm_status st;
    struct vnet_fig f;
    struct vm_dev_raw raw[VM_DEV_MAX_RAW];
    size_t i, nraw;
    struct vm_item *it;

    vnet_measure(p, n, xi, pr->elapsed_s, &f);
    vm_buf_printf(&name, "%s:%s", ev->name, label);
    it = vm_report_add(rep, VM_OK, vm_buf_str(&name));
    if (!it)
        goto cleanup;
    if (!p)
        vm_item_note(it, VM_UNKNOWN, "no previous sample of this interface (new or hot-plugged)");
    /* throughput is the busier direction: judged here, its thresholds show
     * on both rx_Bps and tx_Bps unless those have their own. */
    st = vnet_metric(it, ev, NULL, "throughput", f.tput, "", VNET_THROUGHPUT, false);
    vnet_note_bps(it, st, f.tput, !isnan(f.rx_Bps) && f.tput == f.rx_Bps ? "rx" : "tx");
    t_rx = thresh_set(&th[VNET_RX_BPS]) ? VNET_RX_BPS : VNET_THROUGHPUT;
    t_tx = thresh_set(&th[VNET_TX_BPS]) ? VNET_TX_BPS : VNET_THROUGHPUT;
    st = vnet_metric(it, ev, label, "rx_Bps", f.rx_Bps, "", t_rx, t_rx != VNET_RX_BPS);
    vnet_note_bps(it, st, f.rx_Bps, "rx");
    st = vnet_metric(it, ev, label, "tx_Bps", f.tx_Bps, "", t_tx, t_tx != VNET_TX_BPS);
    vnet_note_bps(it, st, f.tx_Bps, "tx");
    st = vnet_metric(it, ev, label, "rx_pps", f.rx_pps, "", VNET_RX_PPS, false);
    vm_item_note(it, st, "rx packets %.0f/s", f.rx_pps);
    st = vnet_metric(it, ev, label, "tx_pps", f.tx_pps, "", VNET_TX_PPS, false);
    vm_item_note(it, st, "tx packets %.0f/s", f.tx_pps);
    st = vnet_metric(it, ev, label, "errors_ps", f.errs, "", VNET_ERRORS, false);
    vm_item_note(it, st, "errors %.2f/s", f.errs);
    st = vnet_metric(it, ev, label, "drops_ps", f.drops, "", VNET_DROPS, false);
    vm_item_note(it, st, "drops %.2f/s", f.drops);
    /* throttle: judged on the nearer limit, shown per direction */
    st = vnet_metric(it, ev, NULL, "throttle", f.thr, "%", VNET_THROTTLE, false);
    vm_item_note(it, st, "%.0f%% of %s limit", f.thr,
                 !isnan(f.in_pct) && f.thr == f.in_pct ? "inbound" : "outbound");
    vnet_metric(it, ev, label, "rx_throttle", f.in_pct, "%", VNET_THROTTLE, true);
    vnet_metric(it, ev, label, "tx_throttle", f.out_pct, "%", VNET_THROTTLE, true);
    /* The raw counters last: an output budget trims perfdata from the end. */
    nraw = vm_dev_net_raw(n, raw);
    for (i = 0; i < nraw; i++)
        vnet_metric(it, ev, label, raw[i].metric, (double)raw[i].value, "c", -1, false);

    if (it->why.len) {
        vm_item_brief(it, "%s", vm_buf_str(&it->why));
    } else {
        struct vm_buf h = VM_BUF_INIT;

        vnet_dir(&h, "rx", f.rx_Bps, NAN);
        vnet_dir(&h, ", tx", f.tx_Bps, NAN);
        vm_item_brief(it, "%s", vm_buf_str(&h));
        vm_buf_free(&h);
    }
    vnet_describe(ev, n->name, xi, xml_err, &f, &det);
    vm_pair_describe(&how, pr);
    vm_item_detail(it, "%s%s; %s", vm_buf_str(&det), ev->paused ? "; domain is paused" : "",
                   vm_buf_str(&how));

cleanup:
    vm_buf_free(&name);
    vm_buf_free(&det);
    vm_buf_free(&how);
}

static bool vnet_selected(const struct vnet_opts *o, const char *dev, const struct vm_xml_iface *xi)
{
    size_t i;

    for (i = 0; i < o->nifaces; i++)
        if (vm_dev_net_match(dev, xi, o->ifaces[i]))
            return true;
    return false;
}

/* Names of the domain's interfaces, for messages. */
static void vnet_list(const struct vm_dom_stats *d, const struct vm_domxml *x,
                      enum vm_dev_label how, struct vm_buf *out)
{
    size_t i;

    for (i = 0; i < d->nnet; i++) {
        const struct vm_xml_iface *xi = vm_dev_xml_iface(x, d->net[i].name);
        const char *l = vm_dev_net_label(how, d->net[i].name, xi);

        vm_buf_printf(out, "%s%s", i ? ", " : "", l ? l : "?");
    }
    if (d->nnet == 0)
        vm_buf_append(out, "none");
}

/* With -d (not --all), an --interface that names nothing is a mistake worth
 * an UNKNOWN line; with --all it is a filter. */
static void vnet_unmatched(const struct vm_eval *ev, struct vm_report *rep,
                           const struct vm_domxml *x)
{
    const struct vnet_opts *o = ev->ctx;
    const struct vm_dom_stats *d = ev->cur;
    size_t i, j;

    if (ev->cli->all || ev->cli->ignore_nodata)
        return;
    for (i = 0; i < o->nifaces; i++) {
        struct vm_buf name = VM_BUF_INIT, list = VM_BUF_INIT;
        struct vm_item *it;

        for (j = 0; j < d->nnet; j++)
            if (vm_dev_net_match(d->net[j].name, vm_dev_xml_iface(x, d->net[j].name),
                                 o->ifaces[i]))
                break;
        if (j < d->nnet)
            continue;
        vm_buf_printf(&name, "%s:%s", ev->name, o->ifaces[i]);
        vnet_list(d, x, o->label, &list);
        it = vm_report_add(rep, VM_UNKNOWN, vm_buf_str(&name));
        if (it) {
            vm_item_brief(it, "no such interface");
            vm_item_detail(it, "no interface with this device name, MAC or alias (interfaces: %s)",
                           vm_buf_str(&list));
        }
        vm_buf_free(&name);
        vm_buf_free(&list);
    }
}

static void vnet_noiface(const struct vm_eval *ev, struct vm_report *rep,
                         const struct vm_domxml *x)
{
    const struct vnet_opts *o = ev->ctx;
    struct vm_buf list = VM_BUF_INIT, want = VM_BUF_INIT;
    size_t i;

    vnet_list(ev->cur, x, o->label, &list);
    for (i = 0; i < o->nifaces; i++)
        vm_buf_printf(&want, "%s%s", i ? ", " : "", o->ifaces[i]);
    if (o->nifaces)
        vm_eval_nodata(ev, rep, "no interface matches --interface %s (interfaces: %s)",
                       vm_buf_str(&want), vm_buf_str(&list));
    else
        vm_eval_nodata(ev, rep, "libvirt reports no interfaces for this domain");
    vm_buf_free(&list);
    vm_buf_free(&want);
}

static void vnet_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vnet_opts *o = ev->ctx;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_dom_stats *d = ev->cur;
    const struct vm_domxml *x = NULL;
    struct vm_err xerr = {""};
    size_t i, nsel = 0;

    /* One virDomainGetXMLDesc per domain (not per interface): the price of
     * labels that survive a restart. Without it, the host device name. */
    if (o->need_xml && d->nnet)
        x = vm_eval_domxml(ev, &xerr);
    /* What to check comes first: "no such interface" says more than "no
     * pair of samples" (without interfaces there is nothing to sample). */
    for (i = 0; i < d->nnet; i++)
        if (!o->nifaces || vnet_selected(o, d->net[i].name,
                                         vm_dev_xml_iface(x, d->net[i].name)))
            nsel++;
    if (nsel == 0) {
        vnet_noiface(ev, rep, x);
        return;
    }
    if (!pr || !pr->prev) {
        vm_eval_nodata(ev, rep, "no valid pair of samples: %s",
                       pr && pr->note ? pr->note : "no previous sample");
        return;
    }
    for (i = 0; i < d->nnet; i++) {
        const struct vm_net_stats *n = &d->net[i];
        const struct vm_xml_iface *xi = vm_dev_xml_iface(x, n->name);
        const char *label = vm_dev_net_label(o->label, n->name, xi);
        char fallback[32];

        if (o->nifaces && !vnet_selected(o, n->name, xi))
            continue;
        if (!label) {
            snprintf(fallback, sizeof(fallback), "net%zu", i);
            label = fallback;
        }
        vnet_one(ev, rep, n, label, xi, o->need_xml && !x ? xerr.msg : NULL);
    }
    if (o->nifaces)
        vnet_unmatched(ev, rep, x);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vnet_opts opts = {NULL, 0, VM_DEV_LABEL_MAC, false};
    const struct vm_plugin plugin = {
        .def = {
            .name = "check_vnet",
            .service = "VNET",
            .noun = "interface",
            .purpose =
                "Check the network interfaces of KVM/QEMU domains over a read-only libvirt\n"
                "connection: throughput, packets, errors and drops per second (rates\n"
                "between two samples: the previous check's when recent, else two samples\n"
                "--interval apart), and throughput against <bandwidth> limits.",
            .notes =
                "Directions are the guest's: rx is what the guest received, tx what it\n"
                "sent (libvirt reports the counters from the domain's point of view;\n"
                "the host's tap device sees them the other way round). A <bandwidth>\n"
                "inbound average limits rx, outbound limits tx; libvirt documents the\n"
                "average in kilobytes per second, taken here as KiB/s.\n"
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

    free(opts.ifaces);
    return rc;
}
#endif
