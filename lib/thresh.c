/* SPDX-License-Identifier: GPL-3.0-or-later */
/* thresh: warning/critical pairs and the -w/-c arguments that set them. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thresh.h"

enum vm_status vm_thresh_eval(const struct vm_thresh *t, double value)
{
    /* Critical first, as monitoring-plugins' get_status() does: a value in
     * both ranges is CRITICAL. */
    if (t->has_crit && vm_range_alerts(&t->crit, value))
        return VM_CRITICAL;
    if (t->has_warn && vm_range_alerts(&t->warn, value))
        return VM_WARNING;
    return VM_OK;
}

static bool sized_alerts(const struct vm_range *r, double value, double bytes)
{
    return vm_range_alerts(r, r->unit == VM_UNIT_BYTES ? bytes : value);
}

enum vm_status vm_thresh_eval_sized(const struct vm_thresh *t, double value, double bytes,
                                    const struct vm_range **broke)
{
    const struct vm_range *r = NULL;
    enum vm_status st = VM_OK;

    if (t->has_crit && sized_alerts(&t->crit, value, bytes)) {
        r = &t->crit;
        st = VM_CRITICAL;
    } else if (t->has_warn && sized_alerts(&t->warn, value, bytes)) {
        r = &t->warn;
        st = VM_WARNING;
    }
    if (broke)
        *broke = r;
    return st;
}

/* Six significant digits: a percent worked out from a size is no more
 * exact than that, and its last binary digits are noise
 * (0.0000000023283064365386963). */
static double six_digits(double v)
{
    char s[40];

    snprintf(s, sizeof(s), "%.6g", v);
    return strtod(s, NULL); /* the same locale both ways */
}

static struct vm_range range_in_unit(const struct vm_range *r, double total, bool to_bytes)
{
    struct vm_range p;

    /* In bytes, perfdata prints whole numbers (vm_perf_format). */
    if (to_bytes && r->unit != VM_UNIT_BYTES)
        return vm_range_scale(r, total / 100.0, VM_UNIT_BYTES);
    if (to_bytes || r->unit != VM_UNIT_BYTES)
        return *r;
    p = vm_range_scale(r, total > 0 ? 100.0 / total : 0, VM_UNIT_PERCENT);
    p.start = six_digits(p.start);
    p.end = six_digits(p.end);
    return p;
}

struct vm_thresh vm_thresh_in_unit(const struct vm_thresh *t, double total, bool to_bytes)
{
    struct vm_thresh out = *t;

    if (t->has_warn)
        out.warn = range_in_unit(&t->warn, total, to_bytes);
    if (t->has_crit)
        out.crit = range_in_unit(&t->crit, total, to_bytes);
    return out;
}

/* "a, b or c" for an error message. */
static void names_list(const struct vm_metric_def *defs, size_t ndefs, struct vm_buf *b)
{
    for (size_t i = 0; i < ndefs; i++) {
        if (i > 0)
            vm_buf_append(b, i + 1 == ndefs ? " or " : ", ");
        vm_buf_append(b, defs[i].name);
    }
}

static bool name_is(const char *name, const char *text, size_t n)
{
    return name && strlen(name) == n && memcmp(name, text, n) == 0;
}

static int resolve_one(const struct vm_metric_def *defs, size_t ndefs,
                       const struct vm_thresh_arg *a, struct vm_thresh *out, struct vm_err *err)
{
    const char *level = a->critical ? "critical" : "warning";
    const char *eq = strchr(a->text, '='), *range = a->text;
    struct vm_buf names = VM_BUF_INIT;
    struct vm_thresh *t;
    struct vm_range *r;
    struct vm_err why;
    size_t i = 0;
    int ret = -1;

    if (ndefs == 0)
        return vm_err_set(err, "invalid %s threshold '%s': this plugin takes no thresholds", level,
                          a->text);
    if (eq) {
        size_t n = (size_t)(eq - a->text);

        for (i = 0; i < ndefs; i++)
            if (name_is(defs[i].name, a->text, n) || name_is(defs[i].alias, a->text, n))
                break;
        if (i == ndefs) {
            names_list(defs, ndefs, &names);
            vm_err_set(err, "invalid %s threshold '%s': unknown metric '%.*s' (use %s)", level,
                       a->text, (int)n, a->text, vm_buf_str(&names));
            goto cleanup;
        }
        range = eq + 1;
    }

    t = &out[i];
    if (a->critical ? t->has_crit : t->has_warn) {
        vm_err_set(err, "invalid %s threshold '%s': a %s threshold for %s was given twice", level,
                   a->text, level, defs[i].name);
        goto cleanup;
    }
    r = a->critical ? &t->crit : &t->warn;
    if (vm_range_parse(r, range, defs[i].allow, &why) < 0) {
        /* why reads "invalid range 'RANGE': reason"; name the whole
         * argument instead, unless the message was cut short. */
        size_t skip = strlen("invalid range '") + strlen(range) + strlen("': ");

        for (const char *p = strchr(range, '|'); p; p = strchr(p + 1, '|'))
            skip += strlen(VM_ERR_PIPE) - 1; /* vm_err_set made each '|' wider */

        vm_err_set(err, "invalid %s threshold '%s': %s", level, a->text,
                   strlen(why.msg) > skip ? why.msg + skip : why.msg);
        goto cleanup;
    }
    if (a->critical) {
        t->has_crit = true;
        t->crit_text = range;
    } else {
        t->has_warn = true;
        t->warn_text = range;
    }
    ret = 0;
cleanup:
    vm_buf_clear(&names);
    return ret;
}

int vm_thresh_resolve(const struct vm_metric_def *defs, size_t ndefs,
                      const struct vm_thresh_arg *args, size_t nargs, struct vm_thresh *out,
                      struct vm_err *err)
{
    if (ndefs > 0)
        memset(out, 0, ndefs * sizeof(*out));
    for (size_t i = 0; i < nargs; i++)
        if (resolve_one(defs, ndefs, &args[i], out, err) < 0)
            return -1;
    return 0;
}
