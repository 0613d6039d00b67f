/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perfdata: one `'label'=value[UOM];warn;crit;min;max` entry, made safe.
 *
 * Labels come from domain and device names, which libvirt lets contain
 * quotes, '|', '=', ';', spaces and UTF-8. They are escaped so that they
 * can neither end the label nor the line nor inject another entry, and
 * so that distinct names stay distinct. Numbers are printed in the C
 * locale, never in scientific notation. */
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

/* Append a label built from `parts` joined by ':' ("web01", "vda",
 * "read_Bps" → "web01:vda:read_Bps"). The mapping is one-to-one and
 * depends on nothing but the parts, so a label names one domain and device
 * whatever other domains come and go:
 *  - kept: ASCII letters, digits, "_.+@-", and every valid UTF-8 character
 *    from U+00A0 up ("Müller", "日本語");
 *  - escaped as %XX per byte (uppercase hex): every other ASCII byte
 *    (blanks, controls, ' = | ; / \ % ~ and the like), C1 controls, and
 *    bytes that are not valid UTF-8 (stray, truncated, overlong,
 *    surrogates);
 *  - ':' is escaped in every part but a middle one (the device: a MAC has
 *    colons), and there only at its start, its end or after another ':',
 *    so no label holds "::" (a check_multi prefix to Icinga 2) and a
 *    label of up to three parts splits back at its first and last ':';
 *  - an empty or NULL part is "%00" (no name holds a NUL); nparts == 0
 *    gives "_". */
void vm_perf_label(struct vm_buf *out, const char *const *parts, size_t nparts);

/* Append a number: integers exactly (no ".0"), others with up to `decimals`
 * digits after the point, trailing zeros removed; never exponent notation.
 * NaN/inf are not representable and print as "U". */
void vm_perf_number(struct vm_buf *out, double v, int decimals);

/* Append one whole entry, quoted label and all, with no leading space.
 * Trailing empty fields are dropped ("'a'=5B;;;0", "'a'=5"). Value, min
 * and max are whole numbers for "B" and "c", with 6 decimals for "s", 2
 * for "%", 3 otherwise. A non-finite value prints as a bare "U" (no UOM);
 * warn/crit via vm_range_format, rounded to whole numbers for "B" and
 * "c". A min or max that the value breaks is left out: no value outside
 * [min;max], and no clamping. */
void vm_perf_format(struct vm_buf *out, const struct vm_perf *p);

void vm_perf_clear(struct vm_perf *p); /* frees the label; NULL accepted */

#endif
