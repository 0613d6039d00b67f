/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report: per-domain (or per-device) results of a run, kept for render.h
 * to turn into the plugin's output.
 *
 * A plugin adds an item per domain (or device) with a state and a name,
 * sets its short figure (brief, for the summary) and its long-output text
 * (detail), and calls vm_item_metric once per metric: that judges the
 * figure against its thresholds, folds the state into the item, records
 * a broken threshold (a breach, so the wording can name the limit) and
 * adds the perfdata. vm_item_note folds in a state with words for it;
 * the report also counts what was skipped, carries a remark about the run
 * and a trailer line, and watches which threshold pairs met a figure.
 *
 * An item's state is the worst of its add, its metrics and its notes (see
 * vm_status_rank). Allocation failures are remembered (r->oom, it->oom),
 * never fatal: render then says UNKNOWN. Text is kept as given; render
 * cleans it (vm_report_clean_text). */
#ifndef VM_REPORT_H
#define VM_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "perfdata.h"
#include "status.h"

/* A threshold a metric broke, kept so that wording can name the limit. */
struct vm_breach {
    char *metric;          /* e.g. "read_Bps" (owned) */
    double value;          /* the figure, in the unit of `limit` */
    struct vm_range limit; /* the range that alerted */
    const char *text;      /* `limit` as the user wrote it (borrowed, may be NULL) */
    const char *uom;       /* how `value` prints: "%", "B" (in the limit's size unit), else
                            * the metric's own (static) */
    enum vm_status status; /* VM_WARNING or VM_CRITICAL */
};

struct vm_report;

struct vm_item {
    enum vm_status status; /* worst of the add, its metrics and its notes */
    char *name;            /* what the summary names: the domain (owned, unsanitised) */
    char *brief;           /* short figure for the summary, e.g. "91% used" (owned, may be NULL) */
    char *detail;          /* the long-output line after "[STATE] name: " (owned, may be NULL) */
    struct vm_perf *perf;
    size_t nperf;
    struct vm_buf why; /* vm_item_note texts at why_status, ", "-joined; empty while OK */
    enum vm_status why_status;
    struct vm_breach *breach; /* what vm_item_metric judged not OK, in call order */
    size_t nbreach;
    size_t seq;            /* insertion order, for a stable sort */
    bool oom;              /* an allocation for this item failed; render says UNKNOWN */
    struct vm_report *rep; /* the report it belongs to (for vm_report_judged) */
};

/* Domains (or devices) left out on purpose, counted per reason. */
struct vm_skip {
    char *why; /* "shut off", "with no interface" (owned) */
    size_t n;
};

struct vm_report {
    const char *service; /* "VMEM"; borrowed */
    const char *noun;    /* "domain" or "disk": for "3 domains" in the summary; borrowed */
    struct vm_item *items;
    size_t nitems;
    char *trailer;              /* vm_report_trailer's line (owned), or NULL */
    bool oom;                   /* an allocation failed while building; render says UNKNOWN */
    const struct vm_thresh *th; /* vm_report_thresholds: the run's pairs (borrowed) */
    size_t nth;
    bool *judged;         /* per pair: some vm_item_metric had a figure for it */
    char *remark;         /* vm_report_remark's text (owned), or NULL */
    struct vm_skip *skip; /* vm_report_skip's counts, in first-seen order */
    size_t nskip;
    enum vm_status remark_status;
};

void vm_report_init(struct vm_report *r, const char *service, const char *noun);
void vm_report_clear(struct vm_report *r); /* NULL accepted */

/* Add an item; `name` is copied. Returns the item (valid until the next
 * add) or NULL on allocation failure (r->oom is then set). */
struct vm_item *vm_report_add(struct vm_report *r, enum vm_status status, const char *name);
void vm_item_brief(struct vm_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_item_detail(struct vm_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add a perfdata entry to an item. `label_parts` are joined by ':' and
 * sanitised (vm_perf_label). `th` may be NULL. Use NAN for min/max to leave
 * them out. */
void vm_item_perf(struct vm_item *it, const char *const *label_parts, size_t nparts, double value,
                  const char *uom, const struct vm_thresh *th, double min, double max);

/* One metric of an item: judged against its thresholds, its state folded
 * into the item (a broken threshold is recorded in it->breach), and its
 * perfdata added with the thresholds in the value's unit. */
struct vm_metric_out {
    const char *metric;       /* the threshold's name; a breach names the figure by its last
                               * label part, by this name when it has no label */
    const char *const *label; /* perfdata label parts; NULL: judged only, no perfdata */
    size_t nlabel;
    double value;               /* NAN: not measured: neither judged nor printed */
    const char *uom;            /* static: "", "%", "B", "ms", "c" */
    const struct vm_thresh *th; /* NULL: none */
    double min, max;            /* NAN leaves them out */
    double total;               /* > 0: a size figure, 100% = `total` bytes; its ranges may be in
                                 * either unit and print in the value's ("B" or percent) */
    double bytes;               /* with `total` and a percent value: the figure in bytes */
    bool show_only;             /* print th, judge nothing: another call judged the figure */
};

/* Returns the metric's state (OK when not judged). NULL item: nothing. */
enum vm_status vm_item_metric(struct vm_item *it, const struct vm_metric_out *m);

/* Fold an explicit state into the item with the words that explain it:
 * the text is kept when st is not OK and at least as bad as the worst
 * note so far (a worse one replaces the texts), in it->why. */
void vm_item_note(struct vm_item *it, enum vm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A last line after the long output, e.g. a note about the state folder
 * (`line` ends in '\n' and is copied; it is not cleaned). vm_render_report
 * keeps it inside the budget (render.h). */
void vm_report_trailer(struct vm_report *r, const char *line);

/* Watch which of the run's threshold pairs th[n] (borrowed; they outlive
 * the report) vm_item_metric judges on a figure: vm_report_judged(r, i)
 * then says whether th[i] met any. */
void vm_report_thresholds(struct vm_report *r, const struct vm_thresh *th, size_t n);
bool vm_report_judged(const struct vm_report *r, size_t i);

/* A line about the run rather than one item (e.g. a threshold no item
 * could be judged on): the first long-output line, "note: TEXT" while st
 * is OK; otherwise st counts in the overall state, and TEXT also opens
 * the summary. `text` is copied and cleaned. */
void vm_report_remark(struct vm_report *r, enum vm_status st, const char *text);

/* Count one domain (or device) left out because `why` ("shut off"): the
 * summary ends "; 2 shut off, 1 with no interface, skipped". */
void vm_report_skip(struct vm_report *r, const char *why);

/* "2 shut off, 1 with no interface" (nothing when none was skipped). */
void vm_report_skipped(const struct vm_report *r, struct vm_buf *out);

/* Clean a piece of text for plugin output: '|' becomes VM_ERR_PIPE ("¦",
 * never '/', which would read as part of a path), control characters and
 * newlines become ' '. Appends to out. */
void vm_report_clean_text(struct vm_buf *out, const char *text);

#endif
