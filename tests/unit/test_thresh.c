/* SPDX-License-Identifier: GPL-3.0-or-later */
/* thresh: evaluation order and resolving -w/-c arguments to metrics. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_run.h"
#include "thresh.h"

#define GiB 1073741824.0

/* --- vm_thresh_eval --- */

static const struct {
    const char *warn, *crit; /* NULL: not set */
    double value;
    enum vm_status want;
} evals[] = {
    /* the guideline's "-w10 -c20": CRITICAL above 20, WARNING above 10, and
     * CRITICAL below 0, where both ranges alert */
    {"10", "20", 5, VM_OK},
    {"10", "20", 0, VM_OK},
    {"10", "20", 10, VM_OK},
    {"10", "20", 10.5, VM_WARNING},
    {"10", "20", 20, VM_WARNING},
    {"10", "20", 20.5, VM_CRITICAL},
    {"10", "20", -1, VM_CRITICAL},
    /* "-w~:10 -c~:20": the same, but negative values are OK */
    {"~:10", "~:20", -1, VM_OK},
    {"~:10", "~:20", 15, VM_WARNING},
    {"~:10", "~:20", 25, VM_CRITICAL},
    /* "-c1:", "-c5:6", "-c@10:20" */
    {NULL, "1:", 0, VM_CRITICAL},
    {NULL, "1:", 1, VM_OK},
    {NULL, "5:6", 4, VM_CRITICAL},
    {NULL, "5:6", 5.5, VM_OK},
    {NULL, "5:6", 7, VM_CRITICAL},
    {NULL, "@10:20", 9, VM_OK},
    {NULL, "@10:20", 10, VM_CRITICAL},
    {NULL, "@10:20", 21, VM_OK},
    /* a value in both ranges is CRITICAL, whichever is stricter */
    {"~:5", "~:10", 12, VM_CRITICAL},
    {"~:10", "~:5", 7, VM_CRITICAL},
    {"~:10", "~:5", 12, VM_CRITICAL},
    {"@0:100", "@0:100", 50, VM_CRITICAL},
    /* low-side thresholds */
    {"20:", "10:", 15, VM_WARNING},
    {"20:", "10:", 5, VM_CRITICAL},
    {"20:", "10:", 25, VM_OK},
    /* only one level set */
    {"10", NULL, 11, VM_WARNING},
    {"10", NULL, 1e300, VM_WARNING},
    {NULL, "10", 11, VM_CRITICAL},
    {NULL, NULL, 1e300, VM_OK},
    {NULL, NULL, -1e300, VM_OK},
    /* NaN alerts wherever a range is set */
    {"10", "20", NAN, VM_CRITICAL},
    {"10", NULL, NAN, VM_WARNING},
    {NULL, NULL, NAN, VM_OK},
};

START_TEST(test_eval)
{
    struct vm_thresh t;

    memset(&t, 0, sizeof(t));
    if (evals[_i].warn) {
        ck_assert_int_eq(vm_range_parse(&t.warn, evals[_i].warn, 0, NULL), 0);
        t.has_warn = true;
    }
    if (evals[_i].crit) {
        ck_assert_int_eq(vm_range_parse(&t.crit, evals[_i].crit, 0, NULL), 0);
        t.has_crit = true;
    }
    ck_assert_msg(vm_thresh_eval(&t, evals[_i].value) == evals[_i].want,
                  "-w %s -c %s value %g: want %s", evals[_i].warn ? evals[_i].warn : "-",
                  evals[_i].crit ? evals[_i].crit : "-", evals[_i].value,
                  vm_status_name(evals[_i].want));
}
END_TEST

/* A range that is not "set" is ignored even when its fields would alert. */
START_TEST(test_eval_unset_ignored)
{
    struct vm_thresh t;

    memset(&t, 0, sizeof(t));
    ck_assert_int_eq(vm_range_parse(&t.crit, "@~:", 0, NULL), 0); /* always alerts */
    ck_assert_int_eq(vm_range_parse(&t.warn, "@~:", 0, NULL), 0);
    ck_assert_int_eq(vm_thresh_eval(&t, 1), VM_OK);
    t.has_warn = true;
    ck_assert_int_eq(vm_thresh_eval(&t, 1), VM_WARNING);
    t.has_crit = true;
    ck_assert_int_eq(vm_thresh_eval(&t, 1), VM_CRITICAL);
}
END_TEST

/* --- vm_thresh_resolve --- */

static const struct vm_metric_def defs[] = {
    {"used", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE, "memory in use", NULL, NULL},
    {"rss", VM_RANGE_ALLOW_SIZE, "resident size", NULL, NULL},
    {"count", 0, "a plain count", "old_count", NULL},
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))
#define MAXA 6

struct arg {
    char level; /* 'w' or 'c' */
    const char *text;
};

static int resolve(const struct arg *a, struct vm_thresh *out, struct vm_err *err)
{
    struct vm_thresh_arg args[MAXA];
    size_t n = 0;

    for (; n < MAXA && a[n].text; n++) {
        args[n].critical = a[n].level == 'c';
        args[n].text = a[n].text;
    }
    memset(out, 0x5a, NDEFS * sizeof(*out)); /* resolve zeroes it */
    err->msg[0] = '\0';
    return vm_thresh_resolve(defs, NDEFS, args, n, out, err);
}

START_TEST(test_resolve_none)
{
    struct vm_thresh out[NDEFS], zero;
    struct vm_err err;
    static const struct arg none[] = {{0, NULL}};

    ck_assert_int_eq(resolve(none, out, &err), 0);
    memset(&zero, 0, sizeof(zero));
    for (size_t i = 0; i < NDEFS; i++)
        ck_assert(memcmp(&out[i], &zero, sizeof(zero)) == 0);
}
END_TEST

START_TEST(test_resolve_bare)
{
    struct vm_thresh out[NDEFS];
    struct vm_err err;
    static const struct arg a[] = {{'w', "80"}, {'c', "90%"}, {0, NULL}};

    ck_assert_msg(resolve(a, out, &err) == 0, "%s", err.msg);
    ck_assert(out[0].has_warn && out[0].has_crit);
    ck_assert_double_eq(out[0].warn.end, 80);
    ck_assert_int_eq(out[0].warn.unit, VM_UNIT_NONE);
    ck_assert_double_eq(out[0].crit.end, 90);
    ck_assert_int_eq(out[0].crit.unit, VM_UNIT_PERCENT);
    ck_assert(!out[1].has_warn && !out[1].has_crit);
    ck_assert(!out[2].has_warn && !out[2].has_crit);
}
END_TEST

START_TEST(test_resolve_named)
{
    struct vm_thresh out[NDEFS];
    struct vm_err err;
    static const struct arg a[] = {{'w', "used=10:"}, {'c', "used=@1G:2GiB"}, {'w', "rss=1GiB"},
                                   {'c', "count=3"},  {'c', "rss=~:2G"},      {0, NULL}};

    ck_assert_msg(resolve(a, out, &err) == 0, "%s", err.msg);
    ck_assert(out[0].has_warn && out[0].warn.end_inf);
    ck_assert_double_eq(out[0].warn.start, 10);
    ck_assert(out[0].has_crit && out[0].crit.inside);
    ck_assert_double_eq(out[0].crit.end, 2 * GiB);
    ck_assert_int_eq(out[0].crit.unit, VM_UNIT_BYTES);
    ck_assert(out[1].has_warn && out[1].has_crit);
    ck_assert_double_eq(out[1].warn.end, GiB);
    ck_assert(out[1].crit.start_inf);
    ck_assert(!out[2].has_warn && out[2].has_crit);
    ck_assert_double_eq(out[2].crit.end, 3);
    ck_assert_int_eq(vm_thresh_eval(&out[2], 4), VM_CRITICAL);
    ck_assert_int_eq(vm_thresh_eval(&out[0], 1.5 * GiB), VM_CRITICAL);
    ck_assert_int_eq(vm_thresh_eval(&out[0], 5), VM_WARNING);
}
END_TEST

static const struct {
    struct arg a[3];
    const char *msg; /* the whole message */
} resolve_bad[] = {
    {{{'w', "foo=10"}},
     "invalid warning threshold 'foo=10': unknown metric 'foo' (use used, rss or count)"},
    {{{'c', "USED=10"}},
     "invalid critical threshold 'USED=10': unknown metric 'USED' (use used, rss or count)"},
    {{{'w', "=10"}}, "invalid warning threshold '=10': unknown metric '' (use used, rss or count)"},
    {{{'w', "80"}, {'w', "90"}},
     "invalid warning threshold '90': a warning threshold for used was given twice"},
    {{{'w', "80"}, {'w', "used=90"}},
     "invalid warning threshold 'used=90': a warning threshold for used was given twice"},
    {{{'c', "rss=1G"}, {'w', "rss=1G"}, {'c', "rss=2G"}},
     "invalid critical threshold 'rss=2G': a critical threshold for rss was given twice"},
    {{{'w', "count=10%"}}, "invalid warning threshold 'count=10%': '%' is not accepted here"},
    {{{'w', "rss=10%"}}, "invalid warning threshold 'rss=10%': '%' is not accepted here"},
    {{{'w', "count=1K"}},
     "invalid warning threshold 'count=1K': size unit 'K' is not accepted here"},
    {{{'c', "rss=10:5"}},
     "invalid critical threshold 'rss=10:5': start '10' is greater than end '5'"},
    {{{'w', "used="}}, "invalid warning threshold 'used=': the range is empty"},
    {{{'w', "used=abc"}}, "invalid warning threshold 'used=abc': not a number"},
    {{{'w', "rss=1GB"}},
     "invalid warning threshold 'rss=1GB': 'GB' is ambiguous (1000 or 1024?): use G or GiB"},
    {{{'w', "10x"}},
     "invalid warning threshold '10x': unknown unit 'x' (use B, K/KiB, M/MiB, G/GiB or T/TiB)"},
    {{{'c', "-1"}},
     "invalid critical threshold '-1': a range without ':' starts at 0, and -1 is below 0 "
     "(did you mean '~:-1' or '-1:'?)"},
    {{{'w', "used=10%:1GiB"}},
     "invalid warning threshold 'used=10%:1GiB': mixed units: give both ends a size unit, or "
     "neither"},
    {{{'w', ""}}, "invalid warning threshold '': the range is empty"},
    {{{'w', "count=1=2"}},
     "invalid warning threshold 'count=1=2': unexpected '=2' after the number"},
    {{{'w', "80"}, {'c', "nan"}}, "invalid critical threshold 'nan': not a finite number"},
};

/* An alias sets the metric it names, and counts as that metric. */
START_TEST(test_resolve_alias)
{
    struct vm_thresh out[NDEFS];
    struct vm_err err;
    static const struct arg a[] = {{'w', "old_count=3"}, {'c', "count=5"}, {0, NULL}};
    static const struct arg twice[] = {{'w', "old_count=3"}, {'w', "count=5"}, {0, NULL}};

    ck_assert_msg(resolve(a, out, &err) == 0, "%s", err.msg);
    ck_assert(out[2].has_warn && out[2].has_crit);
    ck_assert_double_eq(out[2].warn.end, 3);
    ck_assert_double_eq(out[2].crit.end, 5);
    ck_assert_int_eq(resolve(twice, out, &err), -1);
    ck_assert_str_eq(err.msg,
                     "invalid warning threshold 'count=5': a warning threshold for count was "
                     "given twice");
}
END_TEST

START_TEST(test_resolve_bad)
{
    struct vm_thresh out[NDEFS];
    struct vm_err err;
    struct arg a[4];

    memset(a, 0, sizeof(a));
    memcpy(a, resolve_bad[_i].a, sizeof(resolve_bad[_i].a));
    ck_assert_int_eq(resolve(a, out, &err), -1);
    ck_assert_str_eq(err.msg, resolve_bad[_i].msg);
}
END_TEST

/* -w and -c of the same metric are separate levels, never a duplicate. */
START_TEST(test_resolve_levels_independent)
{
    struct vm_thresh out[NDEFS];
    struct vm_err err;
    static const struct arg a[] = {
        {'w', "80"}, {'c', "80"}, {'w', "rss=1"}, {'c', "rss=1"}, {0, NULL}};

    ck_assert_msg(resolve(a, out, &err) == 0, "%s", err.msg);
    ck_assert(out[0].has_warn && out[0].has_crit && out[1].has_warn && out[1].has_crit);
}
END_TEST

START_TEST(test_resolve_no_metrics)
{
    struct vm_thresh out[1];
    struct vm_thresh_arg a = {false, "10"};
    struct vm_err err;

    ck_assert_int_eq(vm_thresh_resolve(NULL, 0, NULL, 0, out, &err), 0);
    ck_assert_int_eq(vm_thresh_resolve(NULL, 0, &a, 1, out, &err), -1);
    ck_assert_str_eq(err.msg, "invalid warning threshold '10': this plugin takes no thresholds");
}
END_TEST

START_TEST(test_resolve_null_err)
{
    struct vm_thresh out[NDEFS];
    struct vm_thresh_arg a[] = {{false, "10"}, {false, "nosuch=1"}};

    ck_assert_int_eq(vm_thresh_resolve(defs, NDEFS, a, 1, out, NULL), 0);
    ck_assert_int_eq(vm_thresh_resolve(defs, NDEFS, a, 2, out, NULL), -1);
}
END_TEST

/* A range longer than the message buffer still yields one sane line. */
START_TEST(test_resolve_long_text)
{
    char text[1200];
    struct vm_thresh out[NDEFS];
    struct vm_thresh_arg a = {true, text};
    struct vm_err err;

    memcpy(text, "used=", 5);
    memset(text + 5, '9', sizeof(text) - 7);
    text[sizeof(text) - 2] = 'x';
    text[sizeof(text) - 1] = '\0';
    ck_assert_int_eq(vm_thresh_resolve(defs, NDEFS, &a, 1, out, &err), -1);
    ck_assert_int_eq(strncmp(err.msg, "invalid critical threshold 'used=999", 36), 0);
    ck_assert_uint_eq(strlen(err.msg), VM_ERR_LEN - 1);
}
END_TEST

VM_CK_MAIN_TCASE("thresh", "thresh", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_LOOP(test_eval, VM_CK_N(evals)), VM_CK_TEST(test_eval_unset_ignored),
                 VM_CK_TEST(test_resolve_none), VM_CK_TEST(test_resolve_bare),
                 VM_CK_TEST(test_resolve_named), VM_CK_TEST(test_resolve_alias),
                 VM_CK_LOOP(test_resolve_bad, VM_CK_N(resolve_bad)),
                 VM_CK_TEST(test_resolve_levels_independent), VM_CK_TEST(test_resolve_no_metrics),
                 VM_CK_TEST(test_resolve_null_err), VM_CK_TEST(test_resolve_long_text))
