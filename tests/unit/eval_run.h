/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared harness of the test_eval_* suites: one plugin's evaluate run on
 * hand-built stats, thresholds and domain XML, rendered as the plugin
 * would print it. No connection: the XML comes from a canned text through
 * the cache's read seam. Include after the plugin file (built with
 * VM_EVAL_TEST, so without its main). */
#ifndef VM_EVAL_RUN_H
#define VM_EVAL_RUN_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "render.h"

#define EVAL_MAX_METRICS 16

/* Stats structs hold writable names; every suite's domain is "db". */
static char eval_db[] = "db";

struct eval_run {
    struct vm_cli cli;
    struct vm_thresh th[EVAL_MAX_METRICS];
    struct vm_report rep;
    struct vm_domxml_cache xml;
    const char *xmltext; /* what the XML read returns; NULL: the read fails */
    struct vm_buf out;
    enum vm_status st;
};

static char *eval_read(void *arg, size_t i, struct vm_err *err)
{
    struct eval_run *r = arg;
    char *s;

    (void)i;
    if (!r->xmltext) {
        vm_err_set(err, "cannot read domain XML: test says no");
        return NULL;
    }
    s = strdup(r->xmltext);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Thresholds as typed: "w:used=80", "c:90" (w = -w, c = -c). */
static inline void eval_setup(struct eval_run *r, const struct vm_metric_def *defs, size_t ndefs,
                              const char *const *th, size_t nth, const char *xml)
{
    struct vm_thresh_arg args[8];
    struct vm_err err = {""};
    size_t i;

    ck_assert_uint_le(ndefs, EVAL_MAX_METRICS);
    ck_assert_uint_le(nth, 8);
    memset(r, 0, sizeof(*r));
    for (i = 0; i < nth; i++)
        args[i] = (struct vm_thresh_arg){th[i][0] == 'c', th[i] + 2};
    ck_assert_msg(vm_thresh_resolve(defs, ndefs, args, nth, r->th, &err) == 0, "%s", err.msg);
    r->cli.th = r->th;
    r->cli.all = true;
    r->xmltext = xml;
    vm_domxml_cache_init(&r->xml, NULL, 1);
    r->xml.read = eval_read;
    r->xml.arg = r;
    vm_report_init(&r->rep, "TEST", "domain");
}

/* An evaluation context for domain `cur` (named by it) and an optional pair. */
static inline struct vm_eval eval_ctx(struct eval_run *r, void *ctx, const struct vm_dom_stats *cur,
                                      const struct vm_rate_pair *pair)
{
    struct vm_eval ev = {
        .cli = &r->cli,
        .ctx = ctx,
        .xml = &r->xml,
        .index = 0,
        .cur = cur,
        .pair = pair,
        .name = cur->name,
        .now = 1000000,
    };
    return ev;
}

/* The plugin a suite runs: its metrics, validate (may be NULL), evaluate. */
struct eval_plugin {
    const struct vm_metric_def *defs;
    size_t ndefs;
    int (*validate)(void *ctx, const struct vm_cli *cli, struct vm_err *err);
    void (*evaluate)(const struct vm_eval *ev, struct vm_report *rep);
};

/* struct eval_plugin of a metrics array, validate and evaluate. */
#define EVAL_PLUGIN(metrics, validate, evaluate)                                                   \
    {                                                                                              \
        (metrics), sizeof(metrics) / sizeof((metrics)[0]), (validate), (evaluate)                  \
    }

#define EVAL_PAUSED 1u        /* checked although paused */
#define EVAL_NOT_ALL 2u       /* -d rather than --all */
#define EVAL_IGNORE_NODATA 4u /* --ignore-nodata */

static inline const char *eval_render(struct eval_run *r);

/* Set up with thresholds th[0..nth) and the XML text, validate the
 * plugin's options in ctx, evaluate domain `cur`, render. */
static inline void eval_plugin(struct eval_run *r, const struct eval_plugin *p, void *ctx,
                               const struct vm_dom_stats *cur, const struct vm_rate_pair *pair,
                               const char *const *th, size_t nth, const char *xml, unsigned flags)
{
    struct vm_err err = {""};
    struct vm_eval ev;

    eval_setup(r, p->defs, p->ndefs, th, nth, xml);
    r->cli.all = !(flags & EVAL_NOT_ALL);
    r->cli.ignore_nodata = flags & EVAL_IGNORE_NODATA;
    if (p->validate)
        ck_assert_msg(p->validate(ctx, &r->cli, &err) == 0, "%s", err.msg);
    ev = eval_ctx(r, ctx, cur, pair);
    ev.paused = flags & EVAL_PAUSED;
    p->evaluate(&ev, &r->rep);
    eval_render(r);
}

/* Render (no budget); the text stays in r->out. */
static inline const char *eval_render(struct eval_run *r)
{
    r->st = vm_render_report(&r->rep, 0, &r->out);
    return vm_buf_str(&r->out);
}

static inline void eval_free(struct eval_run *r)
{
    vm_buf_clear(&r->out);
    vm_report_clear(&r->rep);
    vm_domxml_cache_clear(&r->xml);
}

/* A table row: up to two thresholds, the state and texts they give. */
struct eval_judged {
    const char *th[2];
    enum vm_status st;
    const char *brief; /* NULL: not checked */
    const char *perf;
};

#define eval_nth(j) ((j)->th[1] ? 2u : (j)->th[0] ? 1u : 0u)

static inline void eval_assert_judged(struct eval_run *r, const struct eval_judged *j)
{
    ck_assert_int_eq(r->st, j->st);
    if (j->brief)
        ck_assert_msg(strstr(vm_buf_str(&r->out), j->brief), "missing [%s] in:\n%s", j->brief,
                      vm_buf_str(&r->out));
    ck_assert_msg(strstr(vm_buf_str(&r->out), j->perf), "missing [%s] in:\n%s", j->perf,
                  vm_buf_str(&r->out));
}

/* Row j judged right, then eval_free(r). */
static inline void eval_judged_check(struct eval_run *r, const struct eval_judged *j)
{
    eval_assert_judged(r, j);
    eval_free(r);
}

/* A NULL-terminated list of texts as a compound literal. */
#define EVAL_TEXTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The run gave state st and an output with every text of has and none of
 * lacks (NULL-terminated; either may be NULL); then eval_free(r). */
static inline void eval_check(struct eval_run *r, enum vm_status st, const char *const *has,
                              const char *const *lacks)
{
    const char *out = vm_buf_str(&r->out);

    ck_assert_msg(r->st == st, "state %d, not %d:\n%s", r->st, st, out);
    for (; has && *has; has++)
        ck_assert_msg(strstr(out, *has), "missing [%s] in:\n%s", *has, out);
    for (; lacks && *lacks; lacks++)
        ck_assert_msg(!strstr(out, *lacks), "unexpected [%s] in:\n%s", *lacks, out);
    eval_free(r);
}

#define eval_has(r, text)                                                                          \
    ck_assert_msg(strstr(vm_buf_str(&(r)->out), (text)), "missing [%s] in:\n%s", (text),           \
                  vm_buf_str(&(r)->out))
#define eval_lacks(r, text)                                                                        \
    ck_assert_msg(!strstr(vm_buf_str(&(r)->out), (text)), "unexpected [%s] in:\n%s", (text),       \
                  vm_buf_str(&(r)->out))

/* A suite's case run with EVAL_* flags; returns the run holding the result. */
typedef struct eval_run *(*eval_case_fn)(void *c, unsigned flags);

/* Under --all case c is skipped once, why; under -d it is UNKNOWN with
 * the text unknown, which r still holds on return (the caller frees it). */
static inline struct eval_run *eval_assert_skipped(eval_case_fn run, void *c, const char *why,
                                                   const char *unknown)
{
    struct eval_run *r = run(c, 0);

    ck_assert_uint_eq(r->rep.nitems, 0);
    ck_assert_uint_eq(r->rep.nskip, 1);
    ck_assert_str_eq(r->rep.skip[0].why, why);
    eval_free(r);
    r = run(c, EVAL_NOT_ALL);
    eval_has(r, unknown);
    return r;
}

/* A suite's eval(c, flags, th, nth, xml), its plugin plug run on the case
 * struct case_type (options o, samples cur over pair, run r), and
 * eval_case_run, the eval_case_fn of no thresholds on the XML text xml. */
#define EVAL_CASE_FN(case_type, xml)                                                               \
    static void eval(struct case_type *c, unsigned flags, const char *const *th, size_t nth,       \
                     const char *xmltext)                                                          \
    {                                                                                              \
        eval_plugin(&c->r, &plug, &c->o, &c->cur, &c->pair, th, nth, xmltext, flags);              \
    }                                                                                              \
    static struct eval_run *eval_case_run(void *c, unsigned flags)                                 \
    {                                                                                              \
        eval(c, flags, NULL, 0, (xml));                                                            \
        return &((struct case_type *)c)->r;                                                        \
    }

#endif
