/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vdisk_text: check_vdisk's words for one disk's figures. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "human.h"
#include "vdisk_text.h"

void vm_vdisk_count(struct vm_buf *out, double v)
{
    vm_buf_printf(out, "%.*f", v < 10 ? 1 : 0, v);
}

/* In the figures of the long output (vm_vdisk_count, "%.2f ms"). */
void vm_vdisk_note(struct vm_item *it, enum vm_status st, double v, const char *what, bool ms)
{
    struct vm_buf f = VM_BUF_INIT;

    if (st == VM_OK)
        return;
    if (ms)
        vm_buf_printf(&f, "%.2f ms", v);
    else
        vm_vdisk_count(&f, v);
    vm_item_note(it, st, "%s %s", what, vm_buf_str(&f));
    vm_buf_clear(&f);
}

void vm_vdisk_pct(struct vm_buf *out, double pct, const char *what)
{
    vm_human_pct(out, pct);
    vm_buf_append(out, what);
}

/* "read 1.00 MiB/s 100 iops" after sep, when either is known; returns the
 * next separator. */
static const char *vdisk_dir(struct vm_buf *out, const char *sep, const char *dir, double Bps,
                             double iops)
{
    if (isnan(Bps) && isnan(iops))
        return sep;
    vm_buf_printf(out, "%s%s ", sep, dir);
    if (!isnan(Bps))
        vm_human_rate(out, Bps);
    if (!isnan(iops)) {
        vm_buf_append(out, isnan(Bps) ? "" : " ");
        vm_vdisk_count(out, iops);
        vm_buf_append(out, " iops");
    }
    return ", ";
}

void vm_vdisk_iotune_text(struct vm_buf *out, const struct vm_dev_disk_fig *f,
                          const struct vm_xml_disk *xd, bool limits, const char *xml_err)
{
    if (!isnan(f->thr)) {
        vm_buf_append(out, "; ");
        vm_human_pct(out, f->thr);
        vm_buf_printf(out, " of its iotune %s limit (", f->lim_name);
        if (strstr(f->lim_name, "bytes"))
            vm_human_rate(out, f->lim);
        else
            vm_buf_printf(out, "%.0f iops", f->lim);
        vm_buf_append(out, ")");
    } else if (limits && xml_err) {
        vm_buf_printf(out, "; iotune limits unknown (%s)", xml_err);
    } else if (limits && !(xd && vm_dev_iotune_any(&xd->iotune))) {
        vm_buf_append(out, "; no iotune limit");
    }
}

/* "; image 5.00 of 10.0 GiB (50.00%), 5.00 GiB on the host" */
static void vdisk_image(struct vm_buf *out, const struct vm_dev_disk_fig *f)
{
    if (isnan(f->alloc) && isnan(f->cap))
        return;
    vm_buf_append(out, "; image ");
    if (!isnan(f->alloc) && !isnan(f->cap)) {
        vm_human_bytes_pair(out, f->alloc, " of ", f->cap);
    } else if (!isnan(f->alloc)) {
        vm_human_bytes(out, f->alloc);
    } else {
        vm_buf_append(out, "virtual size ");
        vm_human_bytes(out, f->cap);
    }
    if (!isnan(f->fill)) {
        vm_buf_append(out, " (");
        vm_vdisk_pct(out, f->fill, ")");
    }
    if (!isnan(f->phys)) {
        vm_buf_append(out, ", ");
        vm_human_bytes(out, f->phys);
        vm_buf_append(out, " on the host");
    }
}

void vm_vdisk_describe(struct vm_buf *out, const struct vm_dev_disk_fig *f)
{
    const char *sep = vdisk_dir(out, "", "read", f->r.rd_Bps, f->r.rd_iops);

    sep = vdisk_dir(out, sep, "write", f->r.wr_Bps, f->r.wr_iops);
    if (!isnan(f->fl_ps)) {
        vm_buf_printf(out, "%s", sep);
        vm_vdisk_count(out, f->fl_ps);
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
    vdisk_image(out, f);
}
