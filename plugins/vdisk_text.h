/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vdisk_text: check_vdisk's words for one disk's figures (dev_calc.h
 * computes them): the long-output line and the summary's pieces, written
 * one way wherever they appear so that both read alike. Plugin-side code:
 * it words output, and computes nothing. */
#ifndef VM_PLUGIN_VDISK_TEXT_H
#define VM_PLUGIN_VDISK_TEXT_H

#include <stdbool.h>

#include "dev_calc.h"
#include "report.h"

/* Request rates: "0.5", "120". */
void vm_vdisk_count(struct vm_buf *out, double v);

/* The summary's words for a request rate or a latency that is not OK
 * ("read iops 120", "read latency 2.00 ms"); nothing when st is OK. */
void vm_vdisk_note(struct vm_item *it, enum vm_status st, double v, const char *what, bool ms);

/* "100.0005%" then `what`: " full", the same in summary and long output. */
void vm_vdisk_pct(struct vm_buf *out, double pct, const char *what);

/* What the long output says of a disk's <iotune>: "; 25.00% of its iotune
 * total_bytes_sec limit (4.00 MiB/s)", or, when limits were asked for
 * (--limits), why there is no figure: the XML could not be read
 * (xml_err), or the disk has no limit (xd NULL or without one). */
void vm_vdisk_iotune_text(struct vm_buf *out, const struct vm_dev_disk_fig *f,
                          const struct vm_xml_disk *xd, bool limits, const char *xml_err);

/* The long-output line of one disk: its rates, latency, errors and
 * image (the iotune part follows it). */
void vm_vdisk_describe(struct vm_buf *out, const struct vm_dev_disk_fig *f);

#endif
