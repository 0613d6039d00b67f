/* SPDX-License-Identifier: GPL-3.0-or-later */
/* common: the five steps every plugin shares (options, connect, select,
 * sample, report). A plugin file supplies only its options, its metrics and
 * its wording through struct vm_plugin, then calls vm_plugin_main(). This
 * is plugin-side code: it prints and chooses the exit code. */
#ifndef VM_PLUGIN_COMMON_H
#define VM_PLUGIN_COMMON_H

#include <stdbool.h>

#include "buf.h"
#include "cli.h"
#include "domxml.h"
#include "report.h"
#include "sample.h"
#include "stats.h"

/* What a plugin sees for one domain: data only, no libvirt handle. */
struct vm_eval {
    const struct vm_cli *cli;
    void *ctx;                        /* the plugin's own options */
    struct vm_domxml_cache *xml;      /* the run's domain XML; read through vm_eval_domxml */
    size_t index;                     /* this domain's slot in `xml` */
    const struct vm_dom_stats *cur;   /* newest sample */
    const struct vm_rate_pair *pair;  /* rate plugins: prev/cur/elapsed; NULL otherwise */
    const char *name;                 /* domain name (unsanitised; report cleans it) */
    bool paused;                      /* checked although paused (--paused=check) */
    time_t now;                       /* wall clock of the sample */
};

struct vm_plugin {
    struct vm_plugin_def def;
    void *ctx;
    vm_opt_cb opt;   /* may be NULL when def.nopts == 0 */
    /* Check the plugin's own option combination after parsing (may be NULL). */
    int (*validate)(void *ctx, const struct vm_cli *cli, struct vm_err *err);
    /* Turn one domain into report items. */
    void (*evaluate)(const struct vm_eval *ev, struct vm_report *rep);
};

/* Run the plugin; returns the exit code for main(). */
int vm_plugin_main(const struct vm_plugin *p, int argc, char **argv);

/* The domain's XML facts, read on first use (at most once per domain per
 * run, shared with the stats fallback), or NULL with err set (err may be
 * NULL). Ask only where the answer is needed: it costs a libvirt call. */
const struct vm_domxml *vm_eval_domxml(const struct vm_eval *ev, struct vm_err *err);

/* Report that a domain has no data to evaluate: an UNKNOWN item with the
 * reason, or nothing when --ignore-nodata was given. */
void vm_eval_nodata(const struct vm_eval *ev, struct vm_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "1.50 GiB", "512 B", "3.2 MiB": binary units, 3 significant digits. */
void vm_human_bytes(struct vm_buf *out, double bytes);

/* Evaluate thresholds whose ranges may be in percent (or bare numbers) or
 * in bytes: each range is compared with the value in its own unit. */
enum vm_status vm_eval_sized(const struct vm_thresh *t, double percent, double bytes);

/* The same thresholds expressed in one unit for perfdata: `total` is what
 * 100% means in bytes. to_bytes selects the direction. */
struct vm_thresh vm_thresh_in_unit(const struct vm_thresh *t, double total, bool to_bytes);

/* Rate per second of counter `field` between two value arrays with
 * presence bits (any of the stats structs' v[]/have). Returns 0 and *out,
 * or -1 when either side lacks the field or the counter went down. */
int vm_field_rate(const uint64_t *prev, uint32_t prev_have, const uint64_t *cur,
                  uint32_t cur_have, unsigned field, double elapsed_s, double *out);
#define VM_FIELD_RATE(pstruct, cstruct, field, elapsed, out) \
    vm_field_rate((pstruct).v, (pstruct).have, (cstruct).v, (cstruct).have, (field), (elapsed), (out))

/* Describe where a pair's figures come from, for long output:
 * "average over 300 s since the previous check" or "measured over 1.0 s". */
void vm_pair_describe(struct vm_buf *out, const struct vm_rate_pair *pair);

/* ---- added for check_vdisk / check_vnet (devices) ----------------------
 * Several metrics judged into one report item: the worst status so far and
 * the wording of the metrics that reached it, for the item's brief (what
 * the summary line shows). */
struct vm_verdict {
    enum vm_status status; /* worst so far (vm_status_rank order) */
    struct vm_buf why;     /* ", "-joined texts at `status`; empty while OK */
};
#define VM_VERDICT_INIT {VM_OK, VM_BUF_INIT}

/* Fold one metric's status into v; its text is kept when st is not OK and
 * at least as bad as the worst so far (a worse one replaces the texts). */
void vm_verdict_note(struct vm_verdict *v, enum vm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vm_verdict_free(struct vm_verdict *v); /* NULL accepted */

#endif
