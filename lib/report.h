/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report: per-domain (or per-device) results turned into plugin output.
 *
 *   VMEM CRITICAL - 1 CRITICAL: db01 (95% used); 2 WARNING: web01 (91% used),
 *       web02 (85% used); 3 OK | 'db01:used'=... 'web01:used'=...   (one line)
 *   [CRITICAL] db01: 95.0% used (3.8 GiB of 4.0 GiB, basis usable)
 *   [WARNING] web01: 91.0% used ...
 *
 * Summary: one item gives "name: brief" (detail when there is no brief);
 * several all OK "N domains OK"; otherwise per state CRITICAL, WARNING,
 * UNKNOWN "N STATE: name (brief), ..." naming at most 3 then "+K more",
 * groups joined by "; ", then "; N OK". Long-output lines are
 * "[STATE] name: detail" (brief when there is no detail).
 *
 * The overall state is the worst item state (see vm_status_rank). Perfdata
 * all goes on the first line, items ordered worst first, then in the order
 * they were added. The library renders into a buffer; the plugin prints. */
#ifndef VM_REPORT_H
#define VM_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "perfdata.h"
#include "status.h"

struct vm_item {
    enum vm_status status;
    char *name;   /* what the summary names: the domain (owned, unsanitised) */
    char *brief;  /* short figure for the summary, e.g. "91% used" (owned, may be NULL) */
    char *detail; /* the long-output line after "[STATE] name: " (owned, may be NULL) */
    struct vm_perf *perf;
    size_t nperf;
    size_t seq;   /* insertion order, for a stable sort */
    bool oom;     /* an allocation for this item failed; render says UNKNOWN */
};

struct vm_report {
    const char *service; /* "VMEM"; borrowed */
    const char *noun;    /* "domain" or "disk": for "3 domains" in the summary; borrowed */
    struct vm_item *items;
    size_t nitems;
    bool oom;            /* an allocation failed while building; render says UNKNOWN */
};

void vm_report_init(struct vm_report *r, const char *service, const char *noun);
void vm_report_free(struct vm_report *r); /* NULL accepted */

/* Add an item; `name` is copied. Returns the item (valid until the next
 * add) or NULL on allocation failure (r->oom is then set). */
struct vm_item *vm_report_add(struct vm_report *r, enum vm_status status, const char *name);
void vm_item_brief(struct vm_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_item_detail(struct vm_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add a perfdata entry to an item. `label_parts` are joined by ':' and
 * sanitised (vm_perf_label). `th` may be NULL. Use NAN for min/max to leave
 * them out. */
void vm_item_perf(struct vm_item *it, const char *const *label_parts, size_t nparts,
                  double value, const char *uom, const struct vm_thresh *th,
                  double min, double max);

/* Render the whole output (ending in '\n') into `out` and return the
 * overall state. With zero items the state is UNKNOWN ("no domains").
 * `budget` is the most bytes the output may take (0 = unlimited): when it
 * does not fit, long-output lines are dropped from the end first, then
 * perfdata entries from the end, and a last line says how many of each
 * were left out. The first line is never cut mid-entry. If not even the
 * bare summary line fits beside that note, the note shrinks to
 * "[output trimmed]" or goes, and if need be the summary is cut at a UTF-8
 * boundary (with "..."). Text taken from names is cleaned of '|' and
 * control characters. Labels that collide after sanitising get "~2", "~3"
 * in insertion order. On allocation failure (also r->oom or an item's oom)
 * the output is "<SERVICE> UNKNOWN - out of memory" and the state UNKNOWN. */
enum vm_status vm_report_render(struct vm_report *r, size_t budget, struct vm_buf *out);

/* Clean a piece of text for plugin output: '|' becomes '/', control
 * characters and newlines become ' '. Appends to out. */
void vm_report_clean_text(struct vm_buf *out, const char *text);

#endif
