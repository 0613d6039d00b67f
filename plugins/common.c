/* SPDX-License-Identifier: GPL-3.0-or-later */
/* common: the flow every plugin shares. */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"
#include "busy.h"
#include "conn.h"
#include "filter.h"
#include "help.h"
#include "render.h"
#include "select.h"
#include "timeout.h"

/* A one-line answer for failures before any domain is looked at. */
static int plugin_fail(const struct vm_plugin_def *def, enum vm_status st, const char *msg)
{
    printf("%s %s - %s\n", def->service, vm_status_name(st), msg);
    return (int)st;
}

const struct vm_domxml *vm_eval_domxml(const struct vm_eval *ev, struct vm_err *err)
{
    return vm_domxml_cache_get(ev->xml, ev->index, err);
}

void vm_eval_nodata(const struct vm_eval *ev, struct vm_report *rep, const char *fmt, ...)
{
    struct vm_buf b = VM_BUF_INIT;
    struct vm_item *it;
    va_list ap;

    if (ev->cli->ignore_nodata)
        return;
    va_start(ap, fmt);
    vm_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    it = vm_report_add(rep, VM_UNKNOWN, ev->name);
    if (it)
        vm_item_detail(it, "%s", vm_buf_str(&b));
    vm_buf_clear(&b);
}

enum vm_status vm_eval_metric(struct vm_item *it, const struct vm_eval *ev,
                              const struct vm_metric_def *defs, const char *const *parts,
                              size_t nparts, double v, const char *uom, int mi, double max,
                              bool show_only)
{
    struct vm_metric_out m = {.metric = mi < 0 ? NULL : defs[mi].name,
                              .label = parts,
                              .nlabel = nparts,
                              .value = v,
                              .uom = uom,
                              .th = mi < 0 ? NULL : &ev->cli->th[mi],
                              .min = 0,
                              .max = max,
                              .show_only = show_only};

    return vm_item_metric(it, &m);
}

int vm_opt_choice(const char *opt, const char *arg, const char *const *words, size_t n,
                  struct vm_err *err)
{
    struct vm_buf b = VM_BUF_INIT;

    for (size_t i = 0; i < n; i++)
        if (strcasecmp(arg, words[i]) == 0)
            return (int)i;
    for (size_t i = 0; i < n; i++)
        vm_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", words[i]);
    vm_err_set(err, "invalid %s '%s': use %s", opt, arg, vm_buf_str(&b));
    vm_buf_clear(&b);
    return -1;
}

void vm_pair_describe(struct vm_buf *out, const struct vm_rate_pair *pair)
{
    /* Seconds, a gap under 10 s with a decimal ("6.4 s"); from a minute on
     * in minutes and hours ("5 min 0 s"). An earlier check: the previous
     * one was within --min-window. */
    if (pair->from_state) {
        if (pair->elapsed_s < 60)
            vm_buf_printf(out, "average over %.*f s", pair->elapsed_s < 10 ? 1 : 0,
                          pair->elapsed_s);
        else {
            vm_buf_append(out, "average over ");
            vm_human_duration(out, pair->elapsed_s);
        }
        vm_buf_printf(out, " since %s check",
                      pair->from_state == VM_BASE_EARLIER ? "an earlier" : "the previous");
    } else
        vm_buf_printf(out, "measured over %.1f s in this run%s%s%s", pair->elapsed_s,
                      pair->note ? " (" : "", pair->note ? pair->note : "", pair->note ? ")" : "");
}

/* A domain that is not running, per --shutoff / --paused (vm_policy_decide).
 * Returns true when the plugin should still evaluate it. */
static bool plugin_policy(const struct vm_cli *cli, const struct vm_dom_stats *d,
                          struct vm_report *rep)
{
    enum vm_dom_class cls = d->have_state ? vm_select_classify(d->state) : VM_DOM_RUNNING;
    enum vm_status st = VM_UNKNOWN;
    struct vm_item *it;

    switch (vm_policy_decide(cli->shutoff, cli->paused, cli->all, cli->crashed_state, cls, &st)) {
    case VM_POLICY_EVALUATE:
        return true;
    case VM_POLICY_LEAVE_OUT:
        vm_report_skip(rep, vm_select_state_name(d->state));
        return false;
    case VM_POLICY_ANSWER:
        break;
    }
    it = vm_report_add(rep, st, d->name);
    if (it) {
        vm_item_brief(it, "%s", vm_select_state_name(d->state));
        vm_item_detail(it, "domain is %s%s", vm_select_state_name(d->state),
                       cls == VM_DOM_PAUSED    ? " (--paused decides its state)"
                       : cls == VM_DOM_CRASHED ? " (--crashed decides its state)"
                                               : " (--shutoff decides its state)");
    }
    return false;
}

struct plugin_run {
    const struct vm_plugin *p;
    struct vm_cli cli;
    struct vm_filter filter;
    virConnectPtr conn;
    struct vm_selection sel;
    struct vm_domxml_cache xml; /* over sel.doms */
    struct vm_snapshot snap;    /* non-rate plugins */
    struct vm_sampling smp;     /* rate plugins */
    struct vm_storage storage;  /* when p->needs_storage says so */
    struct vm_report rep;
    struct vm_buf out;
    struct vm_buf note; /* the state folder's trouble, for the last line */
};

static void plugin_run_free(struct plugin_run *r)
{
    const char *check;
    int refs;

    vm_buf_clear(&r->out);
    vm_buf_clear(&r->note);
    vm_report_clear(&r->rep);
    vm_sampling_clear(&r->smp);
    vm_storage_clear(&r->storage);
    vm_snapshot_clear(&r->snap);
    vm_domxml_cache_clear(&r->xml);
    vm_selection_clear(&r->sel);
    refs = vm_conn_close(r->conn);
    /* Tests ask for this: a leaked virDomainPtr is not "lost" memory to
     * valgrind, the connection still points at it. */
    if (refs > 0 && (check = getenv("VM_TEST_REFCHECK")) && strcmp(check, "1") == 0)
        fprintf(stderr, "internal error: %d libvirt references leaked\n", refs);
    vm_filter_clear(&r->filter);
    vm_cli_clear(&r->cli);
}

/* A domain whose figures libvirt skipped, or did not give before the
 * deadline: its true cause (busy.h), in the --busy state, never a figure
 * or an explanation that fits a guest with nothing to report. */
static void plugin_busy(struct plugin_run *r, const struct vm_dom_stats *d)
{
    struct vm_buf b = VM_BUF_INIT;
    struct vm_item *it;

    vm_busy_describe(d, r->p->def.groups, r->cli.deadline_s, &b);
    it = vm_report_add(&r->rep, r->cli.busy_state, d->name ? d->name : "?");
    if (it)
        vm_item_detail(it, "%s", vm_buf_str(&b));
    vm_buf_clear(&b);
}

/* A domain whose figures stand (read from the host) while libvirt says its
 * QEMU is stuck or held: the figures, the cause, and the --busy state. */
static void plugin_busy_note(struct plugin_run *r, const struct vm_dom_stats *d, size_t from)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_busy_describe(d, r->p->def.groups, r->cli.deadline_s, &b);
    for (size_t i = from; i < r->rep.nitems && !b.oom; i++) {
        struct vm_item *it = &r->rep.items[i];

        vm_item_note(it, r->cli.busy_state, "%s", vm_buf_str(&b));
        vm_item_detail(it, "%s; %s", it->detail ? it->detail : "", vm_buf_str(&b));
    }
    vm_buf_clear(&b);
}

/* A state folder that could not be used (lock held, disk full) is not an
 * error, but the admin should know: without a saved sample the next check
 * has to sample in-run again. One long-output line, last. */
static void plugin_state_note(struct plugin_run *r)
{
    if (!r->smp.state_note)
        return;
    vm_buf_append(&r->note, "note: ");
    vm_report_clean_text(&r->note,
                         r->smp.state_err.msg[0] ? r->smp.state_err.msg : r->smp.state_note);
    vm_buf_append(&r->note, "; this run's sample was not saved\n");
}

/* A threshold that met no figure in any item was never applied: say so
 * in one line, and answer UNKNOWN when that is true of every threshold
 * given (the check could not judge what it was asked to). `judgeable`:
 * items the plugin evaluated that are not UNKNOWN already. */
static void plugin_unjudged(struct plugin_run *r, size_t judgeable)
{
    const struct vm_plugin_def *def = &r->p->def;
    const char *noun = def->noun ? def->noun : "domain";
    struct vm_buf b = VM_BUF_INIT;
    size_t nset = 0, nmiss = 0;

    for (size_t i = 0; judgeable && i < def->nmetrics; i++) {
        if (!vm_thresh_is_set(&r->cli.th[i]))
            continue;
        nset++;
        if (vm_report_judged(&r->rep, i))
            continue;
        vm_buf_printf(&b, "%sthreshold on %s not applied: no %s reports it", nmiss++ ? "; " : "",
                      def->metrics[i].name, noun);
        if (def->metrics[i].absent)
            vm_buf_printf(&b, " (%s)", def->metrics[i].absent);
    }
    if (nmiss)
        vm_report_remark(&r->rep, nmiss == nset ? VM_UNKNOWN : VM_OK, vm_buf_str(&b));
    vm_buf_clear(&b);
}

/* Collect: one snapshot, or a pair for rates. Returns the newest. */
static const struct vm_snapshot *plugin_collect(struct plugin_run *r, const char *uri,
                                                struct vm_err *err)
{
    const struct vm_plugin_def *def = &r->p->def;

    if (!def->rates) {
        if (vm_stats_collect(r->sel.doms, r->sel.n, def->groups, r->cli.deadline_s, uri, &r->xml,
                             &r->snap, err) < 0)
            return NULL;
        return &r->snap;
    } else {
        struct vm_sample_opts o = {
            .interval_s = r->cli.interval_s,
            .max_age_s = r->cli.max_state_age_s,
            .min_window_s = r->cli.min_window_s,
            .wait_s = r->cli.deadline_s,
            .no_state = r->cli.no_state,
            .no_in_run = r->p->in_run && !r->p->in_run(r->p->ctx, &r->cli),
            .state_dir = r->cli.state_dir,
            .plugin = def->name,
            .uri = uri,
            .key_args = r->cli.key_args,
            .nkey_args = r->cli.nkey_args,
        };

        if (vm_sample_run(r->sel.doms, r->sel.n, def->groups, &r->xml, &o, &r->smp, err) < 0)
            return NULL;
        return &r->smp.cur;
    }
}

int vm_plugin_main(const struct vm_plugin *p, int argc, char **argv)
{
    const struct vm_plugin_def *def = &p->def;
    struct plugin_run r;
    const struct vm_snapshot *snap;
    struct vm_err err = {""};
    enum vm_status st;
    const char *uri;
    size_t i, nitems, judgeable = 0;
    bool storage;
    int rc;

    memset(&r, 0, sizeof(r));
    r.p = p;
    vm_conn_quiet();
    switch (vm_cli_parse(&r.cli, def, p->opt, p->ctx, argc, argv, &err)) {
    case VM_CLI_HELP:
        vm_help_render(def, &r.out);
        fputs(vm_buf_str(&r.out), stdout);
        rc = VM_UNKNOWN;
        goto cleanup;
    case VM_CLI_VERSION:
        vm_help_version(def, &r.out);
        fputs(vm_buf_str(&r.out), stdout);
        rc = VM_UNKNOWN;
        goto cleanup;
    case VM_CLI_ERROR:
        vm_buf_printf(&r.out, "%s (see --help)", err.msg);
        rc = plugin_fail(def, VM_UNKNOWN, vm_buf_str(&r.out));
        goto cleanup;
    case VM_CLI_RUN:
        break;
    }
    if (p->validate && p->validate(p->ctx, &r.cli, &err) < 0) {
        vm_buf_printf(&r.out, "%s (see --help)", err.msg);
        rc = plugin_fail(def, VM_UNKNOWN, vm_buf_str(&r.out));
        goto cleanup;
    }

    vm_timeout_arm(r.cli.timeout_s, def->service, r.cli.timeout_result);
    if (vm_filter_compile(&r.filter, r.cli.include_re, r.cli.exclude_re, &err) < 0) {
        vm_buf_printf(&r.out, "%s (see --help)", err.msg);
        rc = plugin_fail(def, VM_UNKNOWN, vm_buf_str(&r.out));
        goto cleanup;
    }
    uri = vm_conn_uri(r.cli.uri);
    r.conn = vm_conn_open(uri, &err);
    if (!r.conn) {
        rc = plugin_fail(def, VM_UNKNOWN, err.msg);
        goto cleanup;
    }
    {
        struct vm_select_opts so = {
            .names = r.cli.domains,
            .nnames = r.cli.ndomains,
            .all = r.cli.all,
            .filter = &r.filter,
        };

        if (vm_select_domains(r.conn, &so, &r.sel, &err) < 0) {
            rc = plugin_fail(def, VM_UNKNOWN, err.msg);
            goto cleanup;
        }
    }
    if (r.cli.all && r.sel.n == 0) {
        vm_timeout_arm(0, def->service, VM_UNKNOWN);
        rc = plugin_fail(def, r.cli.allow_empty ? VM_OK : VM_UNKNOWN,
                         r.sel.nexcluded ? "no domain matches --include/--exclude"
                                         : "no domains defined on this connection");
        goto cleanup;
    }

    vm_domxml_cache_init(&r.xml, r.sel.doms, r.sel.n);
    vm_report_init(&r.rep, def->service, def->noun ? def->noun : "domain");
    vm_report_thresholds(&r.rep, r.cli.th, def->nmetrics);
    for (i = 0; i < r.sel.nmissing; i++) {
        struct vm_item *it = vm_report_add(&r.rep, r.cli.missing_state, r.sel.missing[i]);

        if (it) {
            vm_item_brief(it, "not found");
            vm_item_detail(it, "no domain with this name, UUID or ID");
        }
    }
    snap = r.sel.n ? plugin_collect(&r, uri, &err) : NULL;
    if (r.sel.n && !snap) {
        rc = plugin_fail(def, VM_UNKNOWN, err.msg);
        goto cleanup;
    }
    storage = snap && p->needs_storage && p->needs_storage(p->ctx);
    if (storage && vm_storage_gather(r.conn, snap, &r.storage, &err) < 0) {
        rc = plugin_fail(def, VM_UNKNOWN, err.msg);
        goto cleanup;
    }
    if (storage) /* the storage fills at the growth of all the disks on it */
        vm_storage_growth(&r.storage, snap, r.smp.pairs, def->rates ? r.smp.npairs : 0);
    for (i = 0; snap && i < snap->n; i++) {
        const struct vm_dom_stats *d = &snap->dom[i];
        struct vm_eval ev = {
            .cli = &r.cli,
            .ctx = p->ctx,
            .xml = &r.xml,
            .index = i, /* snapshot order is selection order (vm_stats_collect) */
            .cur = d,
            .pair = def->rates && i < r.smp.npairs ? &r.smp.pairs[i] : NULL,
            .name = d->name ? d->name : "?",
            .now = snap->wall.tv_sec,
            .storage = storage ? &r.storage : NULL,
        };

        if (d->error) {
            vm_eval_nodata(&ev, &r.rep, "%s", d->error);
            continue;
        }
        if (!plugin_policy(&r.cli, d, &r.rep))
            continue;
        if (vm_busy_for(d, def->groups)) {
            plugin_busy(&r, d);
            continue;
        }
        ev.paused = d->have_state && vm_select_classify(d->state) == VM_DOM_PAUSED;
        nitems = r.rep.nitems;
        p->evaluate(&ev, &r.rep);
        for (size_t k = nitems; k < r.rep.nitems; k++)
            judgeable += r.rep.items[k].status != VM_UNKNOWN;
        if (d->busy.have_control && d->busy.control != VIR_DOMAIN_CONTROL_OK)
            plugin_busy_note(&r, d, nitems);
    }
    if (r.rep.nitems == 0 && r.sel.nmissing == 0) {
        vm_timeout_arm(0, def->service, VM_UNKNOWN);
        vm_buf_append(&r.out, r.cli.ignore_nodata ? "no domain with data to check"
                                                  : "no running domain to check");
        if (r.rep.nskip) {
            vm_buf_append(&r.out, " (");
            vm_report_skipped(&r.rep, &r.out);
            vm_buf_append(&r.out, ", skipped)");
        }
        rc = plugin_fail(def, r.cli.allow_empty ? VM_OK : VM_UNKNOWN, vm_buf_str(&r.out));
        goto cleanup;
    }
    if (p->finish)
        p->finish(p->ctx, &r.note);
    plugin_unjudged(&r, judgeable);
    plugin_state_note(&r);
    if (!r.note.oom)
        vm_report_trailer(&r.rep, vm_buf_str(&r.note)); /* the summary comes first */
    st = vm_render_report(&r.rep, r.cli.max_output, &r.out);
    /* Printing is the last step: make sure the alarm cannot cut it. */
    vm_timeout_arm(0, def->service, VM_UNKNOWN);
    fputs(vm_buf_str(&r.out), stdout);
    rc = (int)st;

cleanup:
    vm_timeout_arm(0, def->service, VM_UNKNOWN);
    /* An answer that did not reach the reader (a full disk, a closed
     * pipe) is no answer: UNKNOWN, and nothing on stderr, which Icinga 2
     * would merge into the output. */
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = VM_UNKNOWN;
    plugin_run_free(&r);
    return rc;
}
