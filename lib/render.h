/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render: a report (report.h) turned into the plugin's output, within a
 * byte budget.
 *
 *   VMEM CRITICAL - 1 CRITICAL: db01 (95% used); 2 WARNING: web01 (91% used),
 *       web02 (85% used); 3 OK | 'db01:used'=... 'web01:used'=...   (one line)
 *   [CRITICAL] db01: 95.0% used (3.8 GiB of 4.0 GiB, basis usable)
 *   [WARNING] web01: 91.0% used ...
 *
 * Summary: one item gives "name: brief" (detail when there is no brief);
 * several all OK "N domains OK"; otherwise per state CRITICAL, WARNING,
 * UNKNOWN "N STATE: name (brief), ..." naming as many as fit (a quarter
 * of the budget; all without one) then "+K more", groups joined by "; ",
 * then "; N OK". Long-output lines are "[STATE] name: detail" (brief when
 * there is no detail); a non-OK item's line starts with the thresholds it
 * broke: "write_iops 33332 > 1 (warning); detail".
 *
 * The overall state is the worst item state (see vm_status_rank). Perfdata
 * all goes on the first line, items ordered worst first, then in the order
 * they were added. The library renders into a buffer; the plugin prints. */
#ifndef VM_RENDER_H
#define VM_RENDER_H

#include <stddef.h>

#include "buf.h"
#include "report.h"
#include "status.h"

/* With a budget, the room a trailer leaves the rest of the output at least. */
#define VM_RENDER_MIN_SUMMARY 256

/* Render the whole output (ending in '\n') into `out` and return the
 * overall state. With zero items the state is UNKNOWN ("no domains").
 * `budget` is the most bytes the output may take (0 = unlimited): when it
 * does not fit, long-output lines are dropped from the end first, then
 * perfdata entries from the end, and a last line says how many of each
 * were left out. The first line is never cut mid-entry. If not even the
 * bare summary line fits beside that note, the note shrinks to
 * "[output trimmed]" or goes, and if need be the summary is cut at a UTF-8
 * boundary (with "..."). Text taken from names is cleaned of '|' and
 * control characters. A label that occurs twice (the same name twice) gets "~2", "~3"
 * in insertion order. On allocation failure (also r->oom or an item's oom)
 * the output is "<SERVICE> UNKNOWN - out of memory" and the state UNKNOWN.
 *
 * The trailer (vm_report_trailer) comes last, inside the budget: it goes
 * first when it would leave the summary and long output less than
 * VM_RENDER_MIN_SUMMARY bytes, or when its copy failed. */
enum vm_status vm_render_report(struct vm_report *r, size_t budget, struct vm_buf *out);

#endif
