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
#include "human.h"
#include "report.h"
#include "sample.h"
#include "stats.h"
#include "storage.h"

/* What a plugin sees for one domain: data only, no libvirt handle. */
struct vm_eval {
    const struct vm_cli *cli;
    void *ctx;                       /* the plugin's own options */
    struct vm_domxml_cache *xml;     /* the run's domain XML; read through vm_eval_domxml */
    size_t index;                    /* this domain's slot in `xml` */
    const struct vm_dom_stats *cur;  /* newest sample */
    const struct vm_rate_pair *pair; /* rate plugins: prev/cur/elapsed; NULL otherwise */
    const char *name;                /* domain name (unsanitised; report cleans it) */
    bool paused;                     /* checked although paused (--paused=check) */
    time_t now;                      /* wall clock of the sample */
    /* The host storage under the run's disks (vm_storage_disk(storage,
     * index, i)): gathered once after sampling when the plugin's
     * needs_storage says so; NULL otherwise. */
    const struct vm_storage *storage;
};

struct vm_plugin {
    struct vm_plugin_def def;
    void *ctx;
    vm_opt_cb opt; /* may be NULL when def.nopts == 0 */
    /* Check the plugin's own option combination after parsing (may be NULL). */
    int (*validate)(void *ctx, const struct vm_cli *cli, struct vm_err *err);
    /* Rate plugins: may this run sample twice, --interval apart, when no
     * saved sample is a base? NULL: always (check_vcpu, check_vdisk,
     * check_vnet). false: the rates come only from a saved sample, and
     * the run answers at once without them (check_vmem's pressure, unless
     * a threshold or --pressure asks for them). */
    bool (*in_run)(void *ctx, const struct vm_cli *cli);
    /* Turn one domain into report items. */
    void (*evaluate)(const struct vm_eval *ev, struct vm_report *rep);
    /* Does this run need the host storage under the disks (ev->storage)?
     * Asked after validate; NULL: never. It costs a file-system read per
     * image and libvirt calls per image and pool (storage.h). */
    bool (*needs_storage)(const void *ctx);
    /* After every domain: append notes about the whole run (lines ending
     * in '\n', last in the long output) to `note` (may be NULL). */
    void (*finish)(void *ctx, struct vm_buf *note);
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

/* One figure of item `it`, judged against the run's threshold for
 * defs[mi] (mi < 0: none; show_only: shown, judged elsewhere), and in
 * perfdata (min 0, max unless NAN) as the label parts[0..nparts) (parts
 * NULL: judged only). Returns its state (vm_item_metric). */
enum vm_status vm_eval_metric(struct vm_item *it, const struct vm_eval *ev,
                              const struct vm_metric_def *defs, const char *const *parts,
                              size_t nparts, double v, const char *uom, int mi, double max,
                              bool show_only);

/* A plugin option that takes one of n words (case-insensitive): the
 * index of arg in words, or -1 with "invalid --basis 'x': use usable or
 * free" in err (opt: "--basis"). */
int vm_opt_choice(const char *opt, const char *arg, const char *const *words, size_t n,
                  struct vm_err *err);

/* Describe where a pair's figures come from, for long output:
 * "average over 300 s since the previous check" or "measured over 1.0 s". */
void vm_pair_describe(struct vm_buf *out, const struct vm_rate_pair *pair);

#endif
