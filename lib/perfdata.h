/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perfdata: one `'label'=value[UOM];warn;crit;min;max` entry, made safe.
 *
 * Labels come from domain and device names, which libvirt lets contain
 * quotes, '|', '=', ';', spaces and UTF-8. They are sanitised so that they
 * can neither end the label nor the line nor inject another entry. Numbers
 * are printed in the C locale, never in scientific notation. */
#ifndef VM_PERFDATA_H
#define VM_PERFDATA_H

#include <stdbool.h>

#include "buf.h"
#include "thresh.h"

struct vm_perf {
    char *label; /* owned, already sanitised */
    double value;
    const char *uom;     /* static: "", "%", "B", "s", "ms", "c" */
    struct vm_thresh th; /* printed as warn;crit when set */
    bool has_min, has_max;
    double min, max;
};

/* Append a sanitised label built from `parts` joined by ':' ("web01",
 * "vda", "read_Bps" → "web01:vda:read_Bps"). Every byte that is not
 * [A-Za-z0-9_.:/@+-] becomes '_' (one '_' per UTF-8 character). An empty
 * or NULL part (and nparts == 0) gives "_", and a ':' right after another
 * ':' becomes '_' (Icinga 2 reads "a::b" as a check_multi prefix that it
 * would prepend to every later label). */
void vm_perf_label(struct vm_buf *out, const char *const *parts, size_t nparts);

/* Append a number: integers exactly (no ".0"), others with up to `decimals`
 * digits after the point, trailing zeros removed; never exponent notation.
 * NaN/inf are not representable and print as "U". */
void vm_perf_number(struct vm_buf *out, double v, int decimals);

/* Append one whole entry, quoted label and all, with no leading space.
 * Trailing empty fields are dropped ("'a'=5B;;;0", "'a'=5"). Value, min
 * and max get 6 decimals for "s", 2 for "%", 3 otherwise. A non-finite
 * value prints as a bare "U" (no UOM); warn/crit via vm_range_format. */
void vm_perf_format(struct vm_buf *out, const struct vm_perf *p);

void vm_perf_clear(struct vm_perf *p); /* frees the label; NULL accepted */

#endif
