/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk: per-disk throughput, IOPS, latency, errors and image fill. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dev_calc.h"
#include "domxml.h"

enum {
    VDISK_FILL,
    VDISK_READ_BPS,
    VDISK_WRITE_BPS,
    VDISK_READ_IOPS,
    VDISK_WRITE_IOPS,
    VDISK_LATENCY,
    VDISK_ERRORS,
    VDISK_THROTTLE,
};
enum { VDISK_OPT_DEVICE, VDISK_OPT_LIMITS };

struct vdisk_opts {
    const char **devices; /* --device values, borrowed from argv (array owned) */
    size_t ndevices;
    bool limits;          /* read <iotune> from the domain XML */
};

static const struct vm_metric_def vdisk_metrics[] = {
    [VDISK_FILL] = {"fill", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                    "image allocation in % of its virtual size\n"
                    "                              (-w 85), or a size (-w 90GiB)"},
    [VDISK_READ_BPS] = {"read_Bps", VM_RANGE_ALLOW_SIZE,
                        "bytes read per second (sizes allowed: 50MiB)"},
    [VDISK_WRITE_BPS] = {"write_Bps", VM_RANGE_ALLOW_SIZE, "bytes written per second"},
    [VDISK_READ_IOPS] = {"read_iops", 0, "read requests per second"},
    [VDISK_WRITE_IOPS] = {"write_iops", 0, "write requests per second"},
    [VDISK_LATENCY] = {"latency", 0,
                       "average ms per read and per write request\n"
                       "                              (none without I/O, or without the\n"
                       "                              driver's request times)"},
    [VDISK_ERRORS] = {"errors", 0,
                      "I/O errors since the previous sample (where\n"
                      "                              the driver counts them)"},
    [VDISK_THROTTLE] = {"throttle", VM_RANGE_ALLOW_PERCENT,
                        "throughput in % of the disk's <iotune> limit\n"
                        "                              nearest to being hit (implies --limits)"},
};

static const struct vm_opt_def vdisk_opts_def[] = {
    {"device", 0, true, "TARGET|PATH",
     "check this disk only: its target (vda) or\n"
     "source path; repeat for several. Default:\n"
     "every disk but empty CD-ROM/floppy drives", VDISK_OPT_DEVICE},
    {"limits", 0, false, NULL,
     "read each domain's <iotune> limits and give\n"
     "throughput in % of them (one more libvirt\n"
     "call per domain)", VDISK_OPT_LIMITS},
};

static int vdisk_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vdisk_opts *o = ctx;
    const char **p;

    switch (key) {
    case VDISK_OPT_DEVICE:
        if (!*arg)
            return vm_err_set(err, "invalid --device '': the name is empty");
        p = vm_reallocarray(o->devices, o->ndevices + 1, sizeof(*p));
        if (!p)
            return vm_err_set(err, "out of memory");
        p[o->ndevices++] = arg;
        o->devices = p;
        return 0;
    case VDISK_OPT_LIMITS:
        o->limits = true;
        return 0;
    }
    return vm_err_set(err, "internal error: unknown option");
}

static int vdisk_validate(void *ctx, const struct vm_cli *cli, struct vm_err *err)
{
    struct vdisk_opts *o = ctx;

    (void)err;
    if (cli->th[VDISK_THROTTLE].has_warn || cli->th[VDISK_THROTTLE].has_crit)
        o->limits = true;
    return 0;
}

static bool vdisk_selected(const struct vdisk_opts *o, const struct vm_block_stats *b)
{
    size_t i;

    for (i = 0; i < o->ndevices; i++)
        if (vm_dev_block_match(b, o->devices[i]))
            return true;
    return false;
}

/* "1.50 MiB/s" style figures and request rates. */
static void vdisk_bps(struct vm_buf *out, double bps)
{
    vm_human_bytes(out, bps);
    vm_buf_append(out, "/s");
}

static void vdisk_count(struct vm_buf *out, double v)
{
    vm_buf_printf(out, "%.*f", v < 10 ? 1 : 0, v);
}

/* The wording of a figure that broke its threshold, for the summary. */
static void vdisk_note_bps(struct vm_item *it, enum vm_status st, double v, const char *what)
{
    struct vm_buf h = VM_BUF_INIT;

    if (st == VM_OK)
        return;
    vdisk_bps(&h, v);
    vm_item_note(it, st, "%s %s", what, vm_buf_str(&h));
    vm_buf_free(&h);
}

static void vdisk_note(struct vm_item *it, enum vm_status st, double v, const char *what,
                       const char *unit)
{
    /* one decimal for small figures (latency in ms), none for large ones */
    vm_item_note(it, st, "%s %.*f%s", what, v < 100 ? 1 : 0, v, unit);
}

/* One figure of a disk, judged against threshold `mi` (-1: none) and in
 * perfdata as DOM:DEV:label. */
static enum vm_status vdisk_metric(struct vm_item *it, const struct vm_eval *ev, const char *dev,
                                   const char *label, double v, const char *uom, int mi,
                                   double max)
{
    const char *parts[] = {ev->name, dev, label};
    struct vm_metric_out m = {.metric = mi < 0 ? NULL : vdisk_metrics[mi].name,
                              .label = parts, .nlabel = 3, .value = v, .uom = uom,
                              .th = mi < 0 ? NULL : &ev->cli->th[mi], .min = 0, .max = max};

    return vm_item_metric(it, &m);
}

/* Everything measured for one disk; NAN where unknown. */
struct vdisk_fig {
    struct vm_dev_disk_rates r;
    double fl_ps, lat_r, lat_w;
    bool have_err;
    uint64_t nerr;
    double alloc, cap, phys, fill;
    double thr, lim;
    const char *lim_name;
    bool have_times; /* the driver reports rd/wr times at all */
};

static void vdisk_measure(const struct vm_block_stats *p, const struct vm_block_stats *b,
                          const struct vm_xml_disk *xd, double el, struct vdisk_fig *f)
{
    double v;

    f->r.rd_Bps = f->r.wr_Bps = f->r.rd_iops = f->r.wr_iops = NAN;
    f->fl_ps = f->lat_r = f->lat_w = f->alloc = f->cap = f->phys = f->fill = f->thr = NAN;
    f->have_err = false;
    f->nerr = 0;
    f->lim = 0;
    f->lim_name = NULL;
    f->have_times = VM_HAS(*b, VM_BLK_RD_TIMES) || VM_HAS(*b, VM_BLK_WR_TIMES);
    if (p) {
        if (VM_PAIR_RATE(*p, *b, VM_BLK_RD_BYTES, el, &v) == 0)
            f->r.rd_Bps = v;
        if (VM_PAIR_RATE(*p, *b, VM_BLK_WR_BYTES, el, &v) == 0)
            f->r.wr_Bps = v;
        if (VM_PAIR_RATE(*p, *b, VM_BLK_RD_REQS, el, &v) == 0)
            f->r.rd_iops = v;
        if (VM_PAIR_RATE(*p, *b, VM_BLK_WR_REQS, el, &v) == 0)
            f->r.wr_iops = v;
        if (VM_PAIR_RATE(*p, *b, VM_BLK_FL_REQS, el, &v) == 0)
            f->fl_ps = v;
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

/* The long-output line of one disk. */
static void vdisk_describe(const struct vm_eval *ev, const struct vm_block_stats *b,
                           const struct vdisk_fig *f, const struct vm_xml_disk *xd,
                           const char *xml_err, struct vm_buf *out)
{
    const struct vdisk_opts *o = ev->ctx;
    const char *sep = "";

    if (!isnan(f->r.rd_Bps) || !isnan(f->r.rd_iops)) {
        vm_buf_append(out, "read ");
        if (!isnan(f->r.rd_Bps))
            vdisk_bps(out, f->r.rd_Bps);
        if (!isnan(f->r.rd_iops)) {
            vm_buf_append(out, isnan(f->r.rd_Bps) ? "" : " ");
            vdisk_count(out, f->r.rd_iops);
            vm_buf_append(out, " iops");
        }
        sep = ", ";
    }
    if (!isnan(f->r.wr_Bps) || !isnan(f->r.wr_iops)) {
        vm_buf_printf(out, "%swrite ", sep);
        if (!isnan(f->r.wr_Bps))
            vdisk_bps(out, f->r.wr_Bps);
        if (!isnan(f->r.wr_iops)) {
            vm_buf_append(out, isnan(f->r.wr_Bps) ? "" : " ");
            vdisk_count(out, f->r.wr_iops);
            vm_buf_append(out, " iops");
        }
        sep = ", ";
    }
    if (!isnan(f->fl_ps)) {
        vm_buf_printf(out, "%s", sep);
        vdisk_count(out, f->fl_ps);
        vm_buf_append(out, " flushes/s");
        sep = ", ";
    }
    if (f->have_times) {
        vm_buf_printf(out, "%slatency ", sep);
        if (isnan(f->lat_r))
            vm_buf_append(out, "read - (no reads)");
        else
            vm_buf_printf(out, "read %.2f ms", f->lat_r);
        if (isnan(f->lat_w))
            vm_buf_append(out, " write - (no writes)");
        else
            vm_buf_printf(out, " write %.2f ms", f->lat_w);
        sep = ", ";
    }
    if (f->have_err) {
        vm_buf_printf(out, "%s%llu I/O error%s", sep, (unsigned long long)f->nerr,
                      f->nerr == 1 ? "" : "s");
        sep = ", ";
    }
    if (!*sep)
        vm_buf_append(out, "no I/O figures");
    if (!isnan(f->alloc) || !isnan(f->cap)) {
        vm_buf_append(out, "; image ");
        if (!isnan(f->alloc))
            vm_human_bytes(out, f->alloc);
        if (!isnan(f->cap)) {
            vm_buf_append(out, isnan(f->alloc) ? "virtual size " : " of ");
            vm_human_bytes(out, f->cap);
        }
        if (!isnan(f->fill))
            vm_buf_printf(out, " (%.1f%%)", f->fill);
        if (!isnan(f->phys)) {
            vm_buf_append(out, ", ");
            vm_human_bytes(out, f->phys);
            vm_buf_append(out, " on the host");
        }
    }
    if (!isnan(f->thr)) {
        vm_buf_printf(out, "; %.1f%% of its iotune %s limit (", f->thr, f->lim_name);
        if (strstr(f->lim_name, "bytes"))
            vdisk_bps(out, f->lim);
        else
            vm_buf_printf(out, "%.0f iops", f->lim);
        vm_buf_append(out, ")");
    } else if (o->limits && xml_err) {
        vm_buf_printf(out, "; iotune limits unknown (%s)", xml_err);
    } else if (o->limits && !(xd && vm_dev_iotune_any(&xd->iotune))) {
        vm_buf_append(out, "; no iotune limit");
    }
    if (ev->cli->verbose && b->path) {
        vm_buf_append(out, "; source ");
        vm_report_clean_text(out, b->path);
    }
}

static void vdisk_one(const struct vm_eval *ev, struct vm_report *rep,
                      const struct vm_block_stats *b, const char *dev,
                      const struct vm_xml_disk *xd, const char *xml_err)
{
    const struct vm_thresh *th = ev->cli->th;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_block_stats *p = vm_dev_block_find(pr->prev, b->name);
    struct vm_buf name = VM_BUF_INIT, det = VM_BUF_INIT, how = VM_BUF_INIT;
    enum vm_status s_rd, s_wr, s_rio, s_wio, s_lr, s_lw, s_err, s_fill = VM_OK, s_thr;
    struct vdisk_fig f;
    struct vm_dev_raw raw[VM_DEV_MAX_RAW];
    size_t i, nraw;
    struct vm_item *it;

    vdisk_measure(p, b, xd, pr->elapsed_s, &f);
    vm_buf_printf(&name, "%s:%s", ev->name, dev);
    it = vm_report_add(rep, VM_OK, vm_buf_str(&name));
    if (!it)
        goto cleanup;

    s_rd = vdisk_metric(it, ev, dev, "read_Bps", f.r.rd_Bps, "", VDISK_READ_BPS, NAN);
    s_wr = vdisk_metric(it, ev, dev, "write_Bps", f.r.wr_Bps, "", VDISK_WRITE_BPS, NAN);
    s_rio = vdisk_metric(it, ev, dev, "read_iops", f.r.rd_iops, "", VDISK_READ_IOPS, NAN);
    s_wio = vdisk_metric(it, ev, dev, "write_iops", f.r.wr_iops, "", VDISK_WRITE_IOPS,
                         NAN);
    vdisk_metric(it, ev, dev, "flush_ps", f.fl_ps, "", -1, NAN);
    s_lr = vdisk_metric(it, ev, dev, "read_latency", f.lat_r, "ms", VDISK_LATENCY, NAN);
    s_lw = vdisk_metric(it, ev, dev, "write_latency", f.lat_w, "ms", VDISK_LATENCY, NAN);
    s_err = vdisk_metric(it, ev, dev, "errors", f.have_err ? (double)f.nerr : NAN, "",
                         VDISK_ERRORS, NAN);
    if (!isnan(f.fill)) {
        /* One threshold pair in two units: percent for fill, bytes for
         * the allocation (judged once, on fill). */
        const char *fill_l[] = {ev->name, dev, "fill"}, *alloc_l[] = {ev->name, dev, "allocation"};
        struct vm_metric_out m_fill = {.label = fill_l, .nlabel = 3, .value = f.fill, .uom = "%",
                                       .th = &th[VDISK_FILL], .min = 0, .max = 100,
                                       .total = f.cap, .bytes = f.alloc};
        struct vm_metric_out m_alloc = {.label = alloc_l, .nlabel = 3, .value = f.alloc,
                                        .uom = "B", .th = &th[VDISK_FILL], .min = 0,
                                        .max = f.cap, .total = f.cap, .show_only = true};

        s_fill = vm_item_metric(it, &m_fill);
        vm_item_metric(it, &m_alloc);
    } else {
        vdisk_metric(it, ev, dev, "allocation", f.alloc, "B", -1, NAN);
    }
    vdisk_metric(it, ev, dev, "capacity", f.cap, "B", -1, NAN);
    vdisk_metric(it, ev, dev, "physical", f.phys, "B", -1, NAN);
    s_thr = vdisk_metric(it, ev, dev, "throttle", f.thr, "%", VDISK_THROTTLE, NAN);
    /* The raw counters last: an output budget trims perfdata from the end,
     * and a grapher can do without them where the rates are shown. */
    nraw = vm_dev_block_raw(b, raw);
    for (i = 0; i < nraw; i++)
        vdisk_metric(it, ev, dev, raw[i].metric, (double)raw[i].value, "c", -1, NAN);

    /* The summary's words, most telling first. */
    if (!p)
        vm_item_note(it, VM_UNKNOWN, "no previous sample of this disk (new or hot-plugged)");
    vm_item_note(it, s_fill, "%.1f%% full", f.fill);
    vdisk_note_bps(it, s_rd, f.r.rd_Bps, "read");
    vdisk_note_bps(it, s_wr, f.r.wr_Bps, "write");
    vdisk_note(it, s_rio, f.r.rd_iops, "read iops", "");
    vdisk_note(it, s_wio, f.r.wr_iops, "write iops", "");
    vdisk_note(it, s_lr, f.lat_r, "read latency", " ms");
    vdisk_note(it, s_lw, f.lat_w, "write latency", " ms");
    vm_item_note(it, s_err, "%llu I/O error%s", (unsigned long long)f.nerr, f.nerr == 1 ? "" : "s");
    vm_item_note(it, s_thr, "%.0f%% of iotune %s", f.thr, f.lim_name);
    if (it->why.len) {
        vm_item_brief(it, "%s", vm_buf_str(&it->why));
    } else {
        /* All well: the figures a reader looks for first. */
        struct vm_buf h = VM_BUF_INIT;

        if (!isnan(f.r.rd_Bps) && !isnan(f.r.wr_Bps)) {
            vm_buf_append(&h, "read ");
            vdisk_bps(&h, f.r.rd_Bps);
            vm_buf_append(&h, ", write ");
            vdisk_bps(&h, f.r.wr_Bps);
        }
        if (!isnan(f.fill))
            vm_buf_printf(&h, "%s%.1f%% full", h.len ? ", " : "", f.fill);
        vm_item_brief(it, "%s", h.len ? vm_buf_str(&h) : "no figures");
        vm_buf_free(&h);
    }
    vdisk_describe(ev, b, &f, xd, xml_err, &det);
    vm_pair_describe(&how, pr);
    vm_item_detail(it, "%s%s; %s", vm_buf_str(&det), ev->paused ? "; domain is paused" : "",
                   vm_buf_str(&how));

cleanup:
    vm_buf_free(&name);
    vm_buf_free(&det);
    vm_buf_free(&how);
}

/* A domain paused by an I/O error is CRITICAL on its own: the guest is
 * frozen, whatever its disks' figures say. */
static void vdisk_ioerror(const struct vm_eval *ev, struct vm_report *rep)
{
    struct vm_item *it = vm_report_add(rep, VM_CRITICAL, ev->name);

    if (!it)
        return;
    vm_item_brief(it, "paused by an I/O error");
    vm_item_detail(it,
                   "domain is paused because of an I/O error (state reason ioerror): a disk "
                   "failed or the storage under an image is full; fix it, then "
                   "'virsh resume %s'", ev->name);
}

/* Names of the domain's disks, for messages. */
static void vdisk_list(const struct vm_dom_stats *d, struct vm_buf *out)
{
    size_t i;

    for (i = 0; i < d->nblock; i++)
        vm_buf_printf(out, "%s%s", i ? ", " : "", d->block[i].name ? d->block[i].name : "?");
    if (d->nblock == 0)
        vm_buf_append(out, "none");
}

/* With -d (not --all), a --device that names no disk of the domain is a
 * mistake worth an UNKNOWN line; with --all it is a filter. */
static void vdisk_unmatched(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vdisk_opts *o = ev->ctx;
    const struct vm_dom_stats *d = ev->cur;
    size_t i, j;

    if (ev->cli->all || ev->cli->ignore_nodata)
        return;
    for (i = 0; i < o->ndevices; i++) {
        struct vm_buf name = VM_BUF_INIT, list = VM_BUF_INIT;
        struct vm_item *it;

        for (j = 0; j < d->nblock; j++)
            if (vm_dev_block_match(&d->block[j], o->devices[i]))
                break;
        if (j < d->nblock)
            continue;
        vm_buf_printf(&name, "%s:%s", ev->name, o->devices[i]);
        vdisk_list(d, &list);
        it = vm_report_add(rep, VM_UNKNOWN, vm_buf_str(&name));
        if (it) {
            vm_item_brief(it, "no such disk");
            vm_item_detail(it, "no disk with this target or source path (disks: %s)",
                           vm_buf_str(&list));
        }
        vm_buf_free(&name);
        vm_buf_free(&list);
    }
}

/* Is disk b checked? Named drives are checked even when empty: the user
 * asked. Counts the empty drives left out in *nempty. */
static bool vdisk_pick(const struct vdisk_opts *o, const struct vm_block_stats *b,
                       const struct vm_xml_disk *xd, size_t *nempty)
{
    if (o->ndevices)
        return vdisk_selected(o, b);
    if (vm_dev_block_empty(b, xd)) {
        (*nempty)++;
        return false;
    }
    return true;
}

static void vdisk_nodisk(const struct vm_eval *ev, struct vm_report *rep, size_t nempty)
{
    const struct vdisk_opts *o = ev->ctx;
    struct vm_buf list = VM_BUF_INIT, want = VM_BUF_INIT;
    size_t i;

    vdisk_list(ev->cur, &list);
    for (i = 0; i < o->ndevices; i++)
        vm_buf_printf(&want, "%s%s", i ? ", " : "", o->devices[i]);
    if (o->ndevices)
        vm_eval_nodata(ev, rep, "no disk matches --device %s (disks: %s)", vm_buf_str(&want),
                       vm_buf_str(&list));
    else if (nempty)
        vm_eval_nodata(ev, rep, "no disk to check: only %zu empty removable drive%s", nempty,
                       nempty == 1 ? "" : "s");
    else
        vm_eval_nodata(ev, rep, "libvirt reports no disks for this domain");
    vm_buf_free(&list);
    vm_buf_free(&want);
}

static void vdisk_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vdisk_opts *o = ev->ctx;
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_dom_stats *d = ev->cur;
    const struct vm_domxml *x = NULL;
    struct vm_err xerr = {""};
    bool ioerr = ev->paused && vm_dev_paused_ioerror(d);
    size_t i, nsel = 0, nempty = 0;

    if (ioerr)
        vdisk_ioerror(ev, rep);
    /* The XML (one more call) only when limits are asked for: the empty
     * drives can be told from the stats alone (vm_dev_block_empty). */
    if (o->limits && d->nblock)
        x = vm_eval_domxml(ev, &xerr);
    /* What to check comes first: "no such disk" says more than "no pair of
     * samples" (a domain without disks has no counters to sample twice). */
    for (i = 0; i < d->nblock; i++)
        if (vdisk_pick(o, &d->block[i], vm_dev_xml_disk(x, d->block[i].name),
                       &nempty))
            nsel++;
    if (nsel == 0) {
        vdisk_nodisk(ev, rep, nempty);
        return;
    }
    if (!pr || !pr->prev) {
        if (!ioerr)
            vm_eval_nodata(ev, rep, "no valid pair of samples: %s",
                           pr && pr->note ? pr->note : "no previous sample");
        return;
    }
    for (i = 0; i < d->nblock; i++) {
        const struct vm_block_stats *b = &d->block[i];
        const struct vm_xml_disk *xd = vm_dev_xml_disk(x, b->name);
        char fallback[32];

        if (!vdisk_pick(o, b, xd, &nempty))
            continue;
        snprintf(fallback, sizeof(fallback), "disk%zu", i);
        vdisk_one(ev, rep, b, b->name ? b->name : fallback, xd,
                  o->limits && !x ? xerr.msg : NULL);
    }
    if (o->ndevices)
        vdisk_unmatched(ev, rep);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vdisk_opts opts = {NULL, 0, false};
    const struct vm_plugin plugin = {
        .def = {
            .name = "check_vdisk",
            .service = "VDISK",
            .noun = "disk",
            .purpose =
                "Check the disks of KVM/QEMU domains over a read-only libvirt connection:\n"
                "throughput, IOPS, latency and errors (rates between two samples: the\n"
                "previous check's when recent, else two samples --interval apart), and\n"
                "how full each image is (allocation of the virtual size).",
            .notes =
                "One line per disk, named DOMAIN:TARGET (vda, sdb: stable across restarts).\n"
                "fill: thin images (qcow2) grow until the host storage is full, and then\n"
                "the guest is paused with an I/O error. A domain paused by an I/O error\n"
                "is CRITICAL (with the default --paused=check).\n"
                "latency: the delta of the driver's total request time over the delta of\n"
                "requests; a disk without requests in the interval has no latency.\n"
                "throttle: with <iotune> limits (--limits reads them from the domain XML),\n"
                "throughput as % of the limit nearest to being hit: a disk at 100% is being\n"
                "throttled by libvirt/QEMU, not by its storage.\n"
                "Perfdata: rates as plain numbers with the unit in the label\n"
                "(DOMAIN:vda:read_Bps, _iops, flush_ps), latency in ms, fill in %, sizes in B,\n"
                "and the raw counters as c (DOMAIN:vda:read_bytes, read_reqs, write_bytes,\n"
                "write_reqs, flush_reqs) for graphers that derive their own rates.",
            .example = "command[check_vdisk]=/usr/lib/nagios/plugins/check_vdisk "
                       "--all -w 85 -c 95",
            .metrics = vdisk_metrics,
            .nmetrics = sizeof(vdisk_metrics) / sizeof(vdisk_metrics[0]),
            .opts = vdisk_opts_def,
            .nopts = sizeof(vdisk_opts_def) / sizeof(vdisk_opts_def[0]),
            .rates = true,
            .groups = VM_GROUP_STATE | VM_GROUP_BLOCK,
        },
        .ctx = &opts,
        .opt = vdisk_opt,
        .validate = vdisk_validate,
        .evaluate = vdisk_evaluate,
    };
    int rc = vm_plugin_main(&plugin, argc, argv);

    free(opts.devices);
    return rc;
}
#endif
