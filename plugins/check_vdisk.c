/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk: per-disk throughput, IOPS, latency, errors and image fill. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "devices.h"
#include "vdisk_room.h"
#include "vdisk_text.h"

enum {
    VDISK_FILL,
    VDISK_READ_BPS,
    VDISK_WRITE_BPS,
    VDISK_READ_IOPS,
    VDISK_WRITE_IOPS,
    VDISK_LATENCY,
    VDISK_ERRORS,
    VDISK_THROTTLE,
    VDISK_READ_LATENCY,
    VDISK_WRITE_LATENCY,
    VDISK_HEADROOM,
    VDISK_TIME_TO_FULL,
};
enum { VDISK_OPT_DEVICE, VDISK_OPT_LIMITS, VDISK_OPT_HEADROOM };

struct vdisk_opts {
    struct vm_devsel devices; /* --device */
    bool limits;              /* read <iotune> from the domain XML */
    bool headroom;            /* look at the host storage under the images */
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
    [VDISK_LATENCY] = {"latency", VM_RANGE_ALLOW_MS,
                       "average ms per read and per write request\n"
                       "                              (none without I/O, or without the\n"
                       "                              driver's request times); sets "
                       "read_latency and write_latency unless they have their own; "
                       "-w 20ms, 500us or 0.5s",
                       NULL, "the driver gives no request times: rd.times, wr.times"},
    [VDISK_ERRORS] = {"errors", 0,
                      "I/O errors since the previous sample (where\n"
                      "                              the driver counts them)",
                      "the driver counts no I/O errors"},
    [VDISK_THROTTLE] = {"throttle", VM_RANGE_ALLOW_PERCENT,
                        "throughput in % of the disk's <iotune> limit\n"
                        "                              nearest to being hit (implies --limits)",
                        NULL, "no disk has an <iotune> limit"},
    [VDISK_READ_LATENCY] = {"read_latency", VM_RANGE_ALLOW_MS, "average ms per read request", NULL,
                            "the driver gives no request times: rd.times"},
    [VDISK_WRITE_LATENCY] = {"write_latency", VM_RANGE_ALLOW_MS, "average ms per write request",
                             NULL, "the driver gives no request times: wr.times"},
    [VDISK_HEADROOM] = {"headroom", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE,
                        "free space of the host storage a file image\n"
                        "                              grows into (-c headroom=5GiB:, or 10%: of\n"
                        "                              the host storage; implies --headroom)",
                        NULL, "only file images on a pool or file system have one"},
    [VDISK_TIME_TO_FULL] =
        {"time_to_full", VM_RANGE_ALLOW_SECONDS,
         "seconds until it is gone at the summed growth\n"
         "                              of the images on it since the previous sample\n"
         "                              (-c time_to_full=4h:, units s, min, h, d;\n"
         "                              implies --headroom)",
         NULL, "only a file image with known headroom has one"},
};

static const struct vm_opt_def vdisk_opts_def[] = {
    {"device", 0, true, "TARGET|PATH",
     "check this disk only: its target (vda) or\n"
     "source path; repeat for several. Default:\n"
     "every disk but empty CD-ROM/floppy drives",
     VDISK_OPT_DEVICE},
    {"limits", 0, false, NULL,
     "read each domain's <iotune> limits and give\n"
     "throughput in % of them (one more libvirt\n"
     "call per domain)",
     VDISK_OPT_LIMITS},
    {"headroom", 0, false, NULL,
     "look at the host storage under each file\n"
     "image (statvfs of its folder, else its\n"
     "libvirt pool's last figures): headroom, time to full",
     VDISK_OPT_HEADROOM},
};

static int vdisk_opt(void *ctx, int key, const char *arg, struct vm_err *err)
{
    struct vdisk_opts *o = ctx;

    switch (key) {
    case VDISK_OPT_DEVICE:
        return vm_devsel_push(&o->devices, "--device", arg, err);
    case VDISK_OPT_LIMITS:
    case VDISK_OPT_HEADROOM:
        *(key == VDISK_OPT_LIMITS ? &o->limits : &o->headroom) = true;
        return 0;
    }
    return vm_err_set(err, "internal error: unknown option");
}

static int vdisk_validate(void *ctx, const struct vm_cli *cli, struct vm_err *err)
{
    struct vdisk_opts *o = ctx;

    (void)err;
    if (vm_thresh_is_set(&cli->th[VDISK_THROTTLE]))
        o->limits = true;
    if (vm_thresh_is_set(&cli->th[VDISK_HEADROOM]) ||
        vm_thresh_is_set(&cli->th[VDISK_TIME_TO_FULL]))
        o->headroom = true;
    return 0;
}

static bool vdisk_needs_storage(const void *ctx)
{
    return ((const struct vdisk_opts *)ctx)->headroom;
}

/* The long-output line of one disk. */
static void vdisk_describe(const struct vm_eval *ev, const struct vm_block_stats *b,
                           const struct vm_dev_disk_fig *f, const struct vm_xml_disk *xd,
                           const char *xml_err, const struct vm_buf *room, struct vm_buf *out)
{
    const struct vdisk_opts *o = ev->ctx;

    vm_vdisk_describe(out, f);
    vm_vdisk_iotune_text(out, f, xd, o->limits, xml_err);
    vm_buf_append(out, vm_buf_str(room));
    if (ev->cli->verbose && b->path) {
        vm_buf_append(out, "; source ");
        vm_report_clean_text(out, b->path);
    }
}

static const struct vm_devices_ops vdisk_ops;

/* A direction's own threshold when it has one, else the shared one. */
static int vdisk_own(const struct vm_thresh *th, int own, int shared)
{
    return vm_thresh_is_set(&th[own]) ? own : shared;
}

/* One figure of a disk: judged against threshold mi (-1: none), perfdata. */
static enum vm_status vdisk_fig1(struct vm_item *it, const struct vm_eval *ev, const char *dev,
                                 const char *label, double v, const char *uom, int mi)
{
    return vm_devices_metric(it, ev, vdisk_metrics, dev, label, v, uom, mi, false);
}

static void vdisk_one(const struct vm_eval *ev, struct vm_device *d)
{
    const struct vm_thresh *th = ev->cli->th;
    const char *dev = d->label;
    const struct vm_block_stats *b = d->block, *p = d->prev_block;
    const struct vm_xml_disk *xd = vm_dev_xml_disk(d->x, b->name);
    struct vm_buf room = VM_BUF_INIT,
                  *h = &d->figures; /* scratch for the notes, then the figures */
    enum vm_status s_rd, s_wr, s_rio, s_wio, s_lr, s_lw, s_err, s_fill = VM_OK, s_thr;
    struct vm_dev_disk_fig f;
    struct vm_item *it = d->it;

    vm_dev_disk_measure(p, b, xd, ev->pair->elapsed_s, &f);
    s_rd = vdisk_fig1(it, ev, dev, "read_Bps", f.r.rd_Bps, "", VDISK_READ_BPS);
    s_wr = vdisk_fig1(it, ev, dev, "write_Bps", f.r.wr_Bps, "", VDISK_WRITE_BPS);
    s_rio = vdisk_fig1(it, ev, dev, "read_iops", f.r.rd_iops, "", VDISK_READ_IOPS);
    s_wio = vdisk_fig1(it, ev, dev, "write_iops", f.r.wr_iops, "", VDISK_WRITE_IOPS);
    vdisk_fig1(it, ev, dev, "flush_ps", f.fl_ps, "", -1);
    s_lr = vdisk_fig1(it, ev, dev, "read_latency", f.lat_r, "ms",
                      vdisk_own(th, VDISK_READ_LATENCY, VDISK_LATENCY));
    s_lw = vdisk_fig1(it, ev, dev, "write_latency", f.lat_w, "ms",
                      vdisk_own(th, VDISK_WRITE_LATENCY, VDISK_LATENCY));
    s_err = vdisk_fig1(it, ev, dev, "errors", f.have_err ? (double)f.nerr : NAN, "", VDISK_ERRORS);
    if (!isnan(f.fill)) {
        /* One threshold pair in two units: percent for fill, bytes for
         * the allocation (judged once, on fill). */
        const char *fill_l[] = {ev->name, dev, "fill"}, *alloc_l[] = {ev->name, dev, "allocation"};
        struct vm_metric_out m = {.label = fill_l,
                                  .nlabel = 3,
                                  .value = f.fill,
                                  .uom = "%",
                                  .th = &th[VDISK_FILL],
                                  .min = 0,
                                  .max = NAN, /* qcow2 metadata and internal
                                               * snapshots can pass 100%; as
                                               * fill, the allocation has no bound */
                                  .total = f.cap,
                                  .bytes = f.alloc};

        s_fill = vm_item_metric(it, &m);
        m.label = alloc_l;
        m.value = f.alloc;
        m.uom = "B";
        m.bytes = 0;
        m.show_only = true;
        vm_item_metric(it, &m);
    } else {
        vdisk_fig1(it, ev, dev, "allocation", f.alloc, "B", -1);
    }
    vdisk_fig1(it, ev, dev, "capacity", f.cap, "B", -1);
    vdisk_fig1(it, ev, dev, "physical", f.phys, "B", -1);
    s_thr = vdisk_fig1(it, ev, dev, "throttle", f.thr, "%", VDISK_THROTTLE);
    vm_vdisk_room(it, ev, vdisk_metrics, VDISK_HEADROOM, VDISK_TIME_TO_FULL, dev, d->i, &room);

    /* The summary's words, most telling first, in the long output's figures. */
    if (s_fill != VM_OK) {
        vm_vdisk_pct(h, f.fill, " full");
        vm_item_note(it, s_fill, "%s", vm_buf_str(h));
        vm_buf_truncate(h, 0);
    }
    vm_devices_note_bps(it, s_rd, f.r.rd_Bps, "read");
    vm_devices_note_bps(it, s_wr, f.r.wr_Bps, "write");
    vm_vdisk_note(it, s_rio, f.r.rd_iops, "read iops", false);
    vm_vdisk_note(it, s_wio, f.r.wr_iops, "write iops", false);
    vm_vdisk_note(it, s_lr, f.lat_r, "read latency", true);
    vm_vdisk_note(it, s_lw, f.lat_w, "write latency", true);
    vm_item_note(it, s_err, "%llu I/O error%s", (unsigned long long)f.nerr, f.nerr == 1 ? "" : "s");
    if (s_thr != VM_OK) {
        vm_vdisk_pct(h, f.thr, " of iotune ");
        vm_item_note(it, s_thr, "%s%s", vm_buf_str(h), f.lim_name);
        vm_buf_truncate(h, 0);
    }
    /* All well: the figures a reader looks for first. */
    if (!isnan(f.r.rd_Bps) && !isnan(f.r.wr_Bps)) {
        vm_buf_append(h, "read ");
        vm_human_rate(h, f.r.rd_Bps);
        vm_buf_append(h, ", write ");
        vm_human_rate(h, f.r.wr_Bps);
    }
    if (!isnan(f.fill)) {
        vm_buf_append(h, h->len ? ", " : "");
        vm_vdisk_pct(h, f.fill, " full");
    }
    vdisk_describe(ev, b, &f, xd, d->xml_err, &room, &d->detail);
    vm_buf_clear(&room);
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
                   "'virsh resume %s'",
                   ev->name);
}

static const struct vm_devices_ops vdisk_ops = {
    VM_DEVICES_BLOCK, "disk", "--device", "disk", "target or source path", vdisk_one,
};

static void vdisk_evaluate(const struct vm_eval *ev, struct vm_report *rep)
{
    const struct vdisk_opts *o = ev->ctx;
    bool ioerr = ev->paused && vm_dev_paused_ioerror(ev->cur);

    if (ioerr)
        vdisk_ioerror(ev, rep);
    /* The XML (one more call) only when limits are asked for: the empty
     * drives can be told from the stats alone (vm_dev_block_empty). */
    vm_devices_evaluate(ev, rep, &vdisk_ops, &o->devices, o->limits, ioerr);
}

#ifndef VM_EVAL_TEST /* the test_eval_* suites include this file for its evaluate */
int main(int argc, char **argv)
{
    struct vdisk_opts opts = {{NULL, 0, VM_DEV_LABEL_DEV}, false, false};
    const struct vm_plugin plugin = {
        .def =
            {
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
                    "headroom (--headroom): free space of the file system under the image (shared\n"
                    "by the disks on it); time_to_full: when, at their summed growth.\n"
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
        .needs_storage = vdisk_needs_storage,
    };
    int rc = vm_plugin_main(&plugin, argc, argv);

    vm_devsel_clear(&opts.devices);
    return rc;
}
#endif
