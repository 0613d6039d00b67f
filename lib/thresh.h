/* SPDX-License-Identifier: GPL-3.0-or-later */
/* thresh: warning/critical pairs, one per metric of a plugin.
 *
 * On the command line `-w RANGE` sets the main metric (the first one a
 * plugin declares) and `-w METRIC=RANGE` any declared metric; the same for
 * -c. Critical is evaluated before warning. */
#ifndef VM_THRESH_H
#define VM_THRESH_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"
#include "status.h"

struct vm_thresh {
    bool has_warn;
    bool has_crit;
    struct vm_range warn;
    struct vm_range crit;
    /* The ranges as the user wrote them, for wording (borrowed from argv;
     * NULL when set otherwise). */
    const char *warn_text;
    const char *crit_text;
};

/* Does the run set a warning or a critical range here? */
static inline bool vm_thresh_is_set(const struct vm_thresh *t)
{
    return t->has_warn || t->has_crit;
}

/* A metric a plugin lets users set thresholds on. */
struct vm_metric_def {
    const char *name;  /* e.g. "used": the perfdata label's last part where it has one */
    unsigned allow;    /* VM_RANGE_ALLOW_* units */
    const char *help;  /* one line for --help */
    const char *alias; /* an older name still accepted (NULL: none); the help says so */
    /* Why a domain may not report it, for "threshold on X not applied"
     * (may be NULL). */
    const char *absent;
};

/* One -w/-c argument as typed, before it is resolved against the metrics. */
struct vm_thresh_arg {
    bool critical;    /* -c rather than -w */
    const char *text; /* borrowed from argv */
};

/* OK, WARNING or CRITICAL for `value` (critical checked first). */
enum vm_status vm_thresh_eval(const struct vm_thresh *t, double value);

/* The same for a figure whose ranges may be in percent (or bare numbers)
 * or in bytes: each range is compared with the value in its own unit
 * (`bytes` for a range in bytes, else `value`). *broke, when not NULL, is
 * set to the range that alerted, or NULL. A plain metric passes its value
 * twice. */
enum vm_status vm_thresh_eval_sized(const struct vm_thresh *t, double value, double bytes,
                                    const struct vm_range **broke);

/* The same thresholds expressed in one unit for perfdata: `total` is what
 * 100% means in bytes. to_bytes selects the direction; a percent worked
 * out from a size keeps 6 significant digits (bytes are printed whole). */
struct vm_thresh vm_thresh_in_unit(const struct vm_thresh *t, double total, bool to_bytes);

/* Resolve `args` into out[ndefs] (zeroed first): "METRIC=RANGE" goes to the
 * metric of that name or alias, a bare range to defs[0]. Unknown metric names, a metric set
 * twice for the same level, and bad ranges are errors (-1, err set). */
int vm_thresh_resolve(const struct vm_metric_def *defs, size_t ndefs,
                      const struct vm_thresh_arg *args, size_t nargs, struct vm_thresh *out,
                      struct vm_err *err);

#endif
