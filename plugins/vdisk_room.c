/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vdisk_room: the headroom part of a check_vdisk item. */
#include <config.h>

#include <math.h>

#include "human.h"
#include "vdisk_room.h"

/* "host storage full in about 3 h 20 min": the summary's words, and the
 * long output's after the growth. */
static void vdisk_full_text(struct vm_buf *out, const struct vm_dev_room *r)
{
    vm_buf_append(out, r->image_first ? "image at its virtual size in about "
                                      : "host storage full in about ");
    vm_human_duration(out, r->full_s);
}

/* "pool images" / "the file system of /srv/img" */
static void vdisk_host_name(struct vm_buf *out, const struct vm_storage_host *h)
{
    vm_buf_append(out, h->pool ? "pool " : "the file system of ");
    vm_report_clean_text(out, h->pool ? h->pool : h->dir);
}

/* "; grew 1.20 GiB/h, host storage full in about 3 h 20 min" */
static void vdisk_growth(struct vm_buf *out, const struct vm_dev_room *r)
{
    if (isnan(r->growth_Bps)) {
        vm_buf_append(out, "; growth not known (no earlier allocation)");
        return;
    }
    if (r->growth_Bps <= 0) {
        vm_buf_append(out, r->growth_Bps < 0 ? "; shrinking, so not filling up"
                                             : "; not growing, so not filling up");
        return;
    }
    vm_buf_append(out, "; grew ");
    vm_human_bytes(out, r->growth_Bps * 3600);
    vm_buf_append(out, "/h");
    if (!isnan(r->full_s)) {
        vm_buf_append(out, ", ");
        vdisk_full_text(out, r);
    }
}

/* "; host storage shared with web01:vdb, web02:vda and 2 more" */
static void vdisk_shared(struct vm_buf *out, const struct vm_storage *s,
                         const struct vm_storage_disk *d)
{
    const char *names[3];
    size_t n = vm_storage_shared(s, d, names, 3);

    if (n == 0)
        return;
    vm_buf_append(out, "; host storage shared with ");
    for (size_t i = 0; i < n && i < 3; i++) {
        vm_buf_append(out, i ? ", " : "");
        vm_report_clean_text(out, names[i]);
    }
    if (n > 3)
        vm_buf_printf(out, " and %zu more", n - 3);
    vm_buf_append(out, " (its free space is not this disk's alone)");
}

static void vdisk_room_text(struct vm_buf *out, const struct vm_storage *s,
                            const struct vm_storage_disk *d, const struct vm_dev_room *r)
{
    const struct vm_storage_host *h = vm_storage_host_of(s, d);

    if (!d || d->kind == VM_STORAGE_NETWORK) {
        vm_buf_append(out, "; no host path (a network disk): the free space of its storage is "
                           "not known here");
        return;
    }
    if (d->kind == VM_STORAGE_BLOCK || d->kind == VM_STORAGE_OTHER) {
        vm_buf_append(out, d->kind == VM_STORAGE_BLOCK
                               ? "; a block device: its size is known, the free space of "
                                 "the storage under it (LVM, SAN) is not"
                               : "; neither a file nor a block device: host storage not known");
        return;
    }
    if (!h) {
        vm_buf_append(out, "; host storage not known (");
        vm_report_clean_text(out, d->err.msg);
        vm_buf_append(out, ")");
        return;
    }
    vm_buf_append(out, "; headroom ");
    vm_human_bytes(out, r->headroom);
    if (!isnan(r->pct)) {
        vm_buf_append(out, " (");
        vm_human_pct(out, r->pct);
        vm_buf_append(out, " of the host storage)");
    }
    vm_buf_append(out, ": the smaller of the image's own room ");
    if (isnan(r->image_room))
        vm_buf_append(out, "(not known)");
    else
        vm_human_bytes(out, r->image_room);
    vm_buf_append(out, " and ");
    vm_human_bytes(out, r->host_free);
    vm_buf_append(out, " free on ");
    vdisk_host_name(out, h);
    vdisk_growth(out, r);
    vdisk_shared(out, s, d);
}

void vm_vdisk_room(struct vm_item *it, const struct vm_eval *ev, const struct vm_metric_def *defs,
                   int mi_room, int mi_full, const char *dev, size_t di,
                   const struct vm_block_stats *p, struct vm_buf *det)
{
    const struct vm_storage_disk *d = vm_storage_disk(ev->storage, ev->index, di);
    const struct vm_storage_host *h = vm_storage_host_of(ev->storage, d);
    const char *l[] = {ev->name, dev, "headroom"};
    struct vm_metric_out m = {.label = l, .nlabel = 3, .uom = "B", .min = 0, .max = NAN};
    struct vm_buf w = VM_BUF_INIT;
    struct vm_dev_room r;
    enum vm_status st;

    if (!ev->storage) /* not asked for */
        return;
    vm_dev_room_measure(p, &ev->cur->block[di], ev->pair->elapsed_s, h ? h->avail : NAN,
                        h ? h->size : NAN, &r);
    m.value = r.headroom;
    m.metric = defs[mi_room].name;
    m.th = &ev->cli->th[mi_room];
    m.total = isnan(r.host_size) ? 0 : r.host_size; /* 10%: of the host storage */
    if ((st = vm_item_metric(it, &m)) != VM_OK) {
        vm_buf_append(&w, "headroom ");
        vm_human_bytes(&w, r.headroom);
        vm_item_note(it, st, "%s", vm_buf_str(&w));
        vm_buf_truncate(&w, 0);
    }
    vm_devices_metric(it, ev, defs, dev, "host_free", r.host_free, "B", -1, false);
    /* Not filling up is never full: judged (a "4h:" range holds) with no
     * figure invented for perfdata. */
    st = vm_devices_metric(it, ev, defs, r.growth_Bps > 0 ? dev : NULL, "time_to_full",
                           r.growth_Bps > 0         ? r.full_s
                           : h && r.growth_Bps <= 0 ? INFINITY
                                                    : NAN,
                           "s", mi_full, false);
    if (st != VM_OK) {
        vdisk_full_text(&w, &r);
        vm_item_note(it, st, "%s", vm_buf_str(&w));
    }
    vdisk_room_text(det, ev->storage, d, &r);
    vm_buf_clear(&w);
}
