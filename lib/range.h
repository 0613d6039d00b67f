/* SPDX-License-Identifier: GPL-3.0-or-later */
/* range: Nagios threshold ranges `[@][start:][end]`, strictly parsed.
 *
 *   10      alert if < 0 or > 10       ~:10    alert if > 10
 *   10:     alert if < 10              10:20   alert if < 10 or > 20
 *   @10:20  alert if 10 <= x <= 20     (endpoints are always inclusive)
 *
 * Rejected: empty text, start > end, trailing junk, NaN, infinities, values
 * that overflow a double, a lone '@'. Endpoints may carry a unit when the
 * caller allows it: a percent sign, a binary size suffix (B, K, KiB, M,
 * MiB, G, GiB, T, TiB), or a time suffix (ms, us, µs, s; converted to ms).
 * Both endpoints of one range share one unit (times and sizes are stored
 * converted, so "500us:1s" is one range in ms). */
#ifndef VM_RANGE_H
#define VM_RANGE_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "num.h"

struct vm_range {
    double start;   /* ignored when start_inf */
    double end;     /* ignored when end_inf */
    bool start_inf; /* start written as '~' */
    bool end_inf;   /* nothing after ':' */
    bool inside;    /* leading '@': alert inside the range */
    enum vm_unit unit;
};

/* Parse `text` into *out. `allow` is a mix of VM_RANGE_ALLOW_*. A bare
 * endpoint beside a '%' one counts as percent ("10:20%"); a size beside a
 * bare number or a percent is an error. Returns 0, or -1 with err set. */
int vm_range_parse(struct vm_range *out, const char *text, unsigned allow, struct vm_err *err);

/* True when `value` raises an alert under r. NaN always alerts. */
bool vm_range_alerts(const struct vm_range *r, double value);

/* The canonical text of r in plain numbers (no unit), suitable for the
 * warn/crit fields of perfdata: "10", "10:", "~:10", "@10:20". */
void vm_range_format(const struct vm_range *r, struct vm_buf *out);

/* r with both finite endpoints multiplied by `factor` and the unit set to
 * `unit`: turns a percent range into a byte range for a given total. */
struct vm_range vm_range_scale(const struct vm_range *r, double factor, enum vm_unit unit);

#endif
