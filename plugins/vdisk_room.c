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
    vm_buf_append(out, "host storage full in about ");
    vm_human_duration(out, r->full_s);
}

/* "web01:vdb, web02:vda and 2 more": the others on d's storage (growing:
 * those that grow); 0 when none. */
static size_t vdisk_names(struct vm_buf *out, const struct vm_storage *s,
                          const struct vm_storage_disk *d, bool growing)
{
    const char *names[3];
    size_t n = vm_storage_shared(s, d, growing, names, 3);

    for (size_t i = 0; i < n && i < 3; i++) {
        vm_buf_append(out, i ? ", " : "");
        vm_report_clean_text(out, names[i]);
    }
    if (n > 3)
        vm_buf_printf(out, " and %zu more", n - 3);
    return n;
}

/* " free on the file system of /srv/img (pool images)" / " free on pool
 * images, as of the pool's last refresh" */
static void vdisk_host_name(struct vm_buf *out, const struct vm_storage_host *h,
                            const struct vm_storage_disk *d)
{
    vm_buf_append(out, h->cached ? " free on pool " : " free on the file system of ");
    vm_report_clean_text(out, h->cached ? h->pool : h->dir);
    if (h->cached)
        vm_buf_append(out, ", as of the pool's last refresh");
    else if (d->pool) {
        vm_buf_append(out, " (pool ");
        vm_report_clean_text(out, d->pool);
        vm_buf_append(out, ")");
    }
}

/* "; grew 1.20 GiB/h, 2.40 GiB/h with web01:vdb, host storage full in
 * about 3 h 20 min" */
static void vdisk_growth(struct vm_buf *out, const struct vm_storage *s,
                         const struct vm_storage_disk *d, const struct vm_dev_room *r)
{
    struct vm_buf others = VM_BUF_INIT;
    bool with = vdisk_names(&others, s, d, true) > 0;

    if (isnan(r->growth_Bps))
        vm_buf_append(out, "; growth not known (no earlier allocation)");
    else if (r->growth_Bps <= 0)
        vm_buf_append(out, r->own_Bps < 0 ? "; shrinking, so not filling up"
                                          : "; not growing, so not filling up");
    else {
        if (r->own_Bps > 0) {
            vm_buf_append(out, "; grew ");
            vm_human_bytes(out, r->own_Bps * 3600);
            vm_buf_append(out, with ? "/h, " : "/h");
        } else
            vm_buf_append(out, isnan(r->own_Bps) ? "; its own growth not known, "
                                                 : "; not growing itself, ");
        if (with) {
            vm_human_bytes(out, r->growth_Bps * 3600);
            vm_buf_append(out, r->own_Bps > 0 ? "/h with " : "/h by ");
            vm_buf_append(out, vm_buf_str(&others));
        }
        if (r->bounded) {
            vm_buf_append(out, "; the growing images on it can take at most ");
            vm_human_bytes(out, r->grow_room);
            vm_buf_append(out, " more, less than the ");
            vm_human_bytes(out, r->headroom);
            vm_buf_append(out, " free, so it is not filling up from them");
        } else {
            vm_buf_append(out, ", ");
            vdisk_full_text(out, r);
        }
    }
    vm_buf_clear(&others);
}

static void vdisk_room_text(struct vm_buf *out, const struct vm_storage *s,
                            const struct vm_storage_disk *d, const struct vm_dev_room *r)
{
    const struct vm_storage_host *h = vm_storage_host_of(s, d);
    struct vm_buf others = VM_BUF_INIT;

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
    vdisk_host_name(out, h, d);
    if (isnan(r->image_room))
        vm_buf_append(out, ", the image's own room is not known");
    else {
        vm_buf_append(out, ", the image can grow ");
        vm_human_bytes(out, r->image_room);
        vm_buf_append(out, r->image_alone_short
                               ? " more itself (it alone cannot fill the host storage)"
                               : " more itself");
    }
    vdisk_growth(out, s, d, r);
    if (vdisk_names(&others, s, d, false) > 0) {
        vm_buf_append(out, "; host storage shared with ");
        vm_buf_append(out, vm_buf_str(&others));
        vm_buf_append(out, " (its free space is not this disk's alone)");
    }
    vm_buf_clear(&others);
}

void vm_vdisk_room(struct vm_item *it, const struct vm_eval *ev, const struct vm_metric_def *defs,
                   int mi_room, int mi_full, const char *dev, size_t di, struct vm_buf *det)
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
    vm_dev_room_measure(d, h, &r);
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
    vm_devices_metric(it, ev, defs, dev, "image_room", h ? r.image_room : NAN, "B", -1, false);
    /* Not filling up is never full: judged (a "4h:" range holds) with no
     * figure invented for perfdata. */
    st = vm_devices_metric(it, ev, defs, isfinite(r.full_s) ? dev : NULL, "time_to_full", r.full_s,
                           "s", mi_full, false);
    if (st != VM_OK) {
        vdisk_full_text(&w, &r);
        vm_item_note(it, st, "%s", vm_buf_str(&w));
    }
    vdisk_room_text(det, ev->storage, d, &r);
    vm_buf_clear(&w);
}
