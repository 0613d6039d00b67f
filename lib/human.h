/* SPDX-License-Identifier: GPL-3.0-or-later */
/* human: figures for people in the plugin text (never in perfdata, which
 * perfdata.c prints): sizes, rates, percentages and durations, each one
 * way wherever it appears, so that the summary and the long output agree.
 * All append to a buffer in the C notation ('.' as the decimal point). */
#ifndef VM_HUMAN_H
#define VM_HUMAN_H

#include "buf.h"

/* "512 B", "3.20 MiB", "15.0 GiB", "100 GiB": binary units, 3 significant
 * digits (whole bytes below 1 KiB). The unit is chosen after rounding, so
 * a figure never reads 1024 of a unit ("1023.9996 GiB" is "1.00 TiB"). */
void vm_human_bytes(struct vm_buf *out, double bytes);

/* The same per second: "1.50 MiB/s". */
void vm_human_rate(struct vm_buf *out, double Bps);

/* Two sizes as "A<sep>B" ("3.00 GiB of 4.00 GiB"). Each takes its own unit
 * as vm_human_bytes does; when both land in the same unit they share the
 * finer of their precisions ("5.25 GiB of 200.00 GiB", and never
 * "10.00 GiB of 20.0 GiB"). */
void vm_human_bytes_pair(struct vm_buf *out, double a, const char *sep, double b);

/* A percentage with one decimal and the sign: "97.7%". A figure that is
 * not 100 never reads "100.0%": more decimals show which side it is on
 * ("100.0005%", "99.98%"), so a bound it broke is visible. */
void vm_human_pct(struct vm_buf *out, double pct);

/* A duration in seconds, rounded to whole seconds, in its two largest
 * units: "42 s", "3 min 5 s", "3 h 5 min", "12 d 3 h", "37 y 12 d" (a year
 * is 365 days). Negative durations get a '-'. */
void vm_human_duration(struct vm_buf *out, double seconds);

#endif
