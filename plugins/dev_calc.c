/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dev_calc: pure arithmetic and choices for check_vdisk and check_vnet. */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "dev_calc.h"
#include "sample.h"

#define NS_PER_MS 1e6

int vm_dev_latency_ms(const struct vm_block_stats *prev, const struct vm_block_stats *cur,
                      enum vm_blk_field reqs, enum vm_blk_field times, double *ms)
{
    uint64_t dreq, dns;

    if (!prev || !cur || vm_pair_delta(prev->v, prev->have, cur->v, cur->have, reqs, &dreq) < 0 ||
        vm_pair_delta(prev->v, prev->have, cur->v, cur->have, times, &dns) < 0 || dreq == 0)
        return -1;
    *ms = (double)dns / (double)dreq / NS_PER_MS;
    return 0;
}

double vm_dev_pct_of(double rate, double limit)
{
    if (isnan(rate) || !(limit > 0))
        return NAN;
    return 100.0 * rate / limit;
}

/* Keep the larger percent, and which limit gave it. */
static void iotune_try(double pct, const char *name, double lim, double *best, const char **which,
                       double *limit)
{
    if (isnan(pct) || (!isnan(*best) && pct <= *best))
        return;
    *best = pct;
    if (which)
        *which = name;
    if (limit)
        *limit = lim;
}

bool vm_dev_iotune_any(const struct vm_iotune *t)
{
    return t && (t->total_bytes_sec || t->read_bytes_sec || t->write_bytes_sec ||
                 t->total_iops_sec || t->read_iops_sec || t->write_iops_sec);
}

double vm_dev_iotune_pct(const struct vm_iotune *t, const struct vm_dev_disk_rates *r,
                         const char **which, double *limit)
{
    const struct {
        const char *name;
        uint64_t lim;
        double rate;
    } cand[] = {
        {"total_bytes_sec", t->total_bytes_sec, r->rd_Bps + r->wr_Bps},
        {"read_bytes_sec", t->read_bytes_sec, r->rd_Bps},
        {"write_bytes_sec", t->write_bytes_sec, r->wr_Bps},
        {"total_iops_sec", t->total_iops_sec, r->rd_iops + r->wr_iops},
        {"read_iops_sec", t->read_iops_sec, r->rd_iops},
        {"write_iops_sec", t->write_iops_sec, r->wr_iops},
    };
    double best = NAN;
    size_t i;

    /* A sum with an unknown side is NAN, so a total limit is only judged
     * when both directions are known. */
    for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
        iotune_try(vm_dev_pct_of(cand[i].rate, (double)cand[i].lim), cand[i].name,
                   (double)cand[i].lim, &best, which, limit);
    return best;
}

/* libvirt's documentation says "kilobytes per second", which leaves the
 * kilo open; what counts is what the kernel enforces. libvirt hands the
 * value to tc as "%llukbps" (src/util/virnetdevbandwidth.c,
 * virNetDevBandwidthSet), and iproute2's rate parser (get_rate() and
 * get_rate64(): the suffix table of tc/tc_util.c, lib/utils_math.c in
 * newer releases) compares suffixes with strcasecmp(), so "kbps" is its
 * "KBps" entry, 8000 bit/s: 1 unit = 1000 bytes/s, not 1024. A NIC
 * shaped to <inbound average='1000'/> shows in `tc class show` as
 * "rate 8Mbit". */
double vm_dev_bandwidth_Bps(uint64_t average_kBps)
{
    return (double)average_kBps * 1000.0;
}

/* Names follow the rate labels (read_Bps, rx_pps): the direction first,
 * then what is counted. */
/* A raw counter in perfdata: field `field` of a device's v[] as `metric`. */
struct dev_raw_def {
    unsigned field;
    const char *metric;
};

static const struct dev_raw_def blk_raw[] = {
    {VM_BLK_RD_BYTES, "read_bytes"},  {VM_BLK_RD_REQS, "read_reqs"},
    {VM_BLK_WR_BYTES, "write_bytes"}, {VM_BLK_WR_REQS, "write_reqs"},
    {VM_BLK_FL_REQS, "flush_reqs"},
};

static const struct dev_raw_def net_raw[] = {
    {VM_NET_RX_BYTES, "rx_bytes"}, {VM_NET_RX_PKTS, "rx_packets"}, {VM_NET_RX_ERRS, "rx_errors"},
    {VM_NET_RX_DROP, "rx_drops"},  {VM_NET_TX_BYTES, "tx_bytes"},  {VM_NET_TX_PKTS, "tx_packets"},
    {VM_NET_TX_ERRS, "tx_errors"}, {VM_NET_TX_DROP, "tx_drops"},
};

_Static_assert(sizeof(blk_raw) / sizeof(blk_raw[0]) <= VM_DEV_MAX_RAW, "VM_DEV_MAX_RAW");
_Static_assert(sizeof(net_raw) / sizeof(net_raw[0]) <= VM_DEV_MAX_RAW, "VM_DEV_MAX_RAW");

/* The counters of table t[0..nt) that the device has, in its order. */
static size_t dev_raw(const uint64_t *v, uint32_t have, const struct dev_raw_def *t, size_t nt,
                      struct vm_dev_raw *out)
{
    size_t n = 0;

    for (size_t i = 0; i < nt; i++)
        if ((have >> t[i].field) & 1u)
            out[n++] = (struct vm_dev_raw){t[i].metric, v[t[i].field]};
    return n;
}

size_t vm_dev_block_raw(const struct vm_block_stats *b, struct vm_dev_raw *out)
{
    return dev_raw(b->v, b->have, blk_raw, sizeof(blk_raw) / sizeof(blk_raw[0]), out);
}

size_t vm_dev_net_raw(const struct vm_net_stats *ns, struct vm_dev_raw *out)
{
    return dev_raw(ns->v, ns->have, net_raw, sizeof(net_raw) / sizeof(net_raw[0]), out);
}

static bool removable(const char *device)
{
    return device && (strcmp(device, "cdrom") == 0 || strcmp(device, "floppy") == 0);
}

bool vm_dev_block_empty(const struct vm_block_stats *b, const struct vm_xml_disk *x)
{
    if (b->path)
        return false;
    if (x)
        return removable(x->device) && !x->source;
    return !VM_HAS(*b, VM_BLK_CAPACITY);
}

bool vm_dev_block_match(const struct vm_block_stats *b, const char *sel)
{
    return (b->name && strcmp(b->name, sel) == 0) || (b->path && strcmp(b->path, sel) == 0);
}

bool vm_dev_net_match(const char *dev, const struct vm_xml_iface *x, const char *sel)
{
    if (dev && strcmp(dev, sel) == 0)
        return true;
    if (!x)
        return false;
    return (x->mac && strcasecmp(x->mac, sel) == 0) || (x->alias && strcmp(x->alias, sel) == 0);
}

bool vm_dev_paused_ioerror(const struct vm_dom_stats *d)
{
    return d->have_state && d->state == VIR_DOMAIN_PAUSED && d->reason == VIR_DOMAIN_PAUSED_IOERROR;
}

/* The one of n XML devices (`size` bytes each, their <target dev> first)
 * whose target is `target`, or NULL. */
static const void *dev_xml_find(const void *devs, size_t n, size_t size, const char *target)
{
    const char *p = devs;

    for (size_t i = 0; target && i < n; i++) {
        const char *t = *(char *const *)(const void *)(p + i * size);

        if (t && strcmp(t, target) == 0)
            return p + i * size;
    }
    return NULL;
}
_Static_assert(offsetof(struct vm_xml_disk, target) == 0 &&
                   offsetof(struct vm_xml_iface, target) == 0,
               "dev_xml_find: target first");

const struct vm_xml_disk *vm_dev_xml_disk(const struct vm_domxml *x, const char *target)
{
    return x ? dev_xml_find(x->disks, x->ndisks, sizeof(*x->disks), target) : NULL;
}

const struct vm_xml_iface *vm_dev_xml_iface(const struct vm_domxml *x, const char *dev)
{
    return x ? dev_xml_find(x->ifaces, x->nifaces, sizeof(*x->ifaces), dev) : NULL;
}

const char *vm_dev_net_label(enum vm_dev_label how, const char *dev, const struct vm_xml_iface *x)
{
    if (x && how == VM_DEV_LABEL_ALIAS && x->alias && *x->alias)
        return x->alias;
    if (x && how != VM_DEV_LABEL_DEV && x->mac && *x->mac)
        return x->mac;
    return dev;
}

void vm_dev_disk_measure(const struct vm_block_stats *p, const struct vm_block_stats *b,
                         const struct vm_xml_disk *xd, double el, struct vm_dev_disk_fig *f)
{
    double v;

    f->lat_r = f->lat_w = f->alloc = f->cap = f->phys = f->fill = f->thr = NAN;
    f->have_err = false;
    f->nerr = 0;
    f->lim = 0;
    f->lim_name = NULL;
    f->have_times = VM_HAS(*b, VM_BLK_RD_TIMES) || VM_HAS(*b, VM_BLK_WR_TIMES);
    f->r.rd_Bps = VM_PAIR_RATE_OR_NAN(p, *b, VM_BLK_RD_BYTES, el);
    f->r.wr_Bps = VM_PAIR_RATE_OR_NAN(p, *b, VM_BLK_WR_BYTES, el);
    f->r.rd_iops = VM_PAIR_RATE_OR_NAN(p, *b, VM_BLK_RD_REQS, el);
    f->r.wr_iops = VM_PAIR_RATE_OR_NAN(p, *b, VM_BLK_WR_REQS, el);
    f->fl_ps = VM_PAIR_RATE_OR_NAN(p, *b, VM_BLK_FL_REQS, el);
    if (p) {
        if (vm_dev_latency_ms(p, b, VM_BLK_RD_REQS, VM_BLK_RD_TIMES, &v) == 0)
            f->lat_r = v;
        if (vm_dev_latency_ms(p, b, VM_BLK_WR_REQS, VM_BLK_WR_TIMES, &v) == 0)
            f->lat_w = v;
        f->have_err = vm_pair_delta(p->v, p->have, b->v, b->have, VM_BLK_ERRORS, &f->nerr) == 0;
    }
    if (VM_HAS(*b, VM_BLK_CAPACITY) && b->v[VM_BLK_CAPACITY] > 0)
        f->cap = (double)b->v[VM_BLK_CAPACITY];
    if (VM_HAS(*b, VM_BLK_ALLOCATION))
        f->alloc = (double)b->v[VM_BLK_ALLOCATION];
    if (VM_HAS(*b, VM_BLK_PHYSICAL))
        f->phys = (double)b->v[VM_BLK_PHYSICAL];
    if (!isnan(f->cap) && !isnan(f->alloc))
        f->fill = 100.0 * f->alloc / f->cap;
    if (xd && vm_dev_iotune_any(&xd->iotune))
        f->thr = vm_dev_iotune_pct(&xd->iotune, &f->r, &f->lim_name, &f->lim);
}

void vm_dev_room_measure(const struct vm_storage_disk *d, const struct vm_storage_host *h,
                         struct vm_dev_room *r)
{
    bool known = h && h->nknown > 0;

    r->host_free = h ? h->avail : NAN;
    r->host_size = h && h->size > 0 ? h->size : NAN;
    r->headroom = r->host_free;
    r->pct = 100.0 * r->headroom / r->host_size;
    r->image_room = d ? d->room : NAN;
    r->image_alone_short = r->image_room < r->headroom;
    r->own_Bps = d ? d->growth_Bps : NAN;
    r->growth_Bps = known ? h->growth_Bps : NAN;
    r->grow_room = known && h->growth_Bps > 0 ? h->grow_room : NAN;
    r->bounded = r->grow_room < r->headroom;
    r->full_s = NAN;
    if (known)
        r->full_s = r->growth_Bps <= 0 || r->bounded ? INFINITY : r->headroom / r->growth_Bps;
}

static double dev_sum(double a, double b)
{
    if (isnan(a))
        return b;
    return isnan(b) ? a : a + b;
}

static double dev_max(double a, double b)
{
    if (isnan(a))
        return b;
    return isnan(b) || a >= b ? a : b;
}

void vm_dev_net_measure(const struct vm_net_stats *p, const struct vm_net_stats *n,
                        const struct vm_xml_iface *xi, double el, struct vm_dev_net_fig *f)
{
    f->rx_Bps = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_RX_BYTES, el);
    f->tx_Bps = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_TX_BYTES, el);
    f->rx_pps = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_RX_PKTS, el);
    f->tx_pps = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_TX_PKTS, el);
    f->rx_err = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_RX_ERRS, el);
    f->tx_err = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_TX_ERRS, el);
    f->rx_drop = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_RX_DROP, el);
    f->tx_drop = VM_PAIR_RATE_OR_NAN(p, *n, VM_NET_TX_DROP, el);
    f->tput = dev_max(f->rx_Bps, f->tx_Bps);
    f->errs = dev_sum(f->rx_err, f->tx_err);
    f->drops = dev_sum(f->rx_drop, f->tx_drop);
    /* libvirt's counters are the domain's view, like <bandwidth>:
     * inbound is what the guest receives. */
    f->in_lim = xi ? vm_dev_bandwidth_Bps(xi->in_average_kBps) : 0;
    f->out_lim = xi ? vm_dev_bandwidth_Bps(xi->out_average_kBps) : 0;
    f->in_pct = vm_dev_pct_of(f->rx_Bps, f->in_lim);
    f->out_pct = vm_dev_pct_of(f->tx_Bps, f->out_lim);
    f->thr = dev_max(f->in_pct, f->out_pct);
}
