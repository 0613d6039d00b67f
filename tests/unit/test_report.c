/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/report.c: text cleaning, the API's edges, item notes,
 * one call per metric (judged, its breach recorded and worded, perfdata in
 * the value's unit), and which thresholds met a figure. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_run.h"
#include "render.h"
#include "report.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- clean text ------------------------------------------------------- */

static const struct {
    const char *in, *want;
} cleans[] = {
    {"", ""},
    {"plain text", "plain text"},
    {"a|b", "a¦b"}, /* U+00A6: cannot be read as a path's '/' */
    {"||", "\xc2\xa6\xc2\xa6"},
    {"x\ny\r\tz", "x y  z"},
    {"del\x7f", "del "},
    {"\xc3\xbcmlaut \xe6\x97\xa5", "\xc3\xbcmlaut \xe6\x97\xa5"},
    {"web|01 'x'=y", "web¦01 'x'=y"},
    {"/srv/a|b.qcow2", "/srv/a¦b.qcow2"},
    {"\x01\x1f", "  "},
};

START_TEST(test_clean)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_buf_append(&b, ">");
    vm_report_clean_text(&b, cleans[_i].in);
    ck_assert_str_eq(vm_buf_str(&b) + 1, cleans[_i].want);
    ck_assert_int_eq(vm_buf_str(&b)[0], '>');
    vm_buf_clear(&b);
}
END_TEST

START_TEST(test_clean_null)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_report_clean_text(&b, NULL);
    ck_assert_str_eq(vm_buf_str(&b), "");
    vm_buf_clear(&b);
}
END_TEST

START_TEST(test_api_edges)
{
    struct vm_report r;
    struct vm_buf out = VM_BUF_INIT;
    struct vm_item *it;
    struct vm_thresh th;
    const char *parts[] = {"a", "b"};

    vm_report_clear(NULL);
    vm_item_brief(NULL, "%d", 1);
    vm_item_detail(NULL, "%d", 1);
    vm_item_perf(NULL, parts, 2, 1, "B", NULL, 0, 0);

    memset(&th, 0, sizeof(th));
    th.has_crit = true;
    th.crit.end = 9;
    vm_report_init(&r, "T", NULL);
    it = vm_report_add(&r, VM_OK, NULL);
    ck_assert_ptr_nonnull(it);
    vm_item_brief(it, "first %d", 1);
    vm_item_brief(it, "second %d", 2); /* replaces */
    vm_item_perf(it, parts, 2, 5, NULL, NULL, NAN, NAN);
    vm_item_perf(it, parts + 1, 1, 5, "B", &th, 0, INFINITY);
    vm_item_perf(it, parts, 0, 5, "c", NULL, NAN, 7);
    vm_buf_append(&out, "before\n");
    ck_assert_int_eq(vm_render_report(&r, 0, &out), VM_OK);
    ck_assert_str_eq(vm_buf_str(&out),
                     "before\nT OK - : second 2 | 'a:b'=5 'b'=5B;;9;0 '_'=5c;;;;7\n"
                     "[OK] : second 2\n");
    vm_buf_clear(&out);
    vm_report_clear(&r);
    vm_report_clear(&r); /* twice is harmless */
    ck_assert_uint_eq(r.nitems, 0);

    vm_report_init(&r, "T", NULL);
    vm_report_add(&r, VM_OK, "x");
    vm_report_add(&r, VM_OK, "y");
    ck_assert_int_eq(vm_render_report(&r, 0, &out), VM_OK);
    ck_assert_str_eq(vm_buf_str(&out), "T OK - 2 items OK\n[OK] x\n[OK] y\n");
    vm_buf_clear(&out);
    vm_report_clear(&r);
}
END_TEST

/* An item's notes keep the worst status and the words of what reached it. */
static const struct {
    enum vm_status st[4];
    const char *txt[4];
    enum vm_status want;
    const char *why;
} ver[] = {
    {{VM_OK, VM_OK}, {"a", "b"}, VM_OK, ""},
    {{VM_WARNING, VM_OK}, {"a", "b"}, VM_WARNING, "a"},
    {{VM_WARNING, VM_WARNING}, {"a", "b"}, VM_WARNING, "a, b"},
    {{VM_WARNING, VM_CRITICAL, VM_WARNING}, {"a", "b", "c"}, VM_CRITICAL, "b"},
    {{VM_CRITICAL, VM_WARNING, VM_CRITICAL}, {"a", "b", "c"}, VM_CRITICAL, "a, c"},
    /* UNKNOWN ranks below WARNING: a real problem is not hidden */
    {{VM_UNKNOWN, VM_WARNING}, {"a", "b"}, VM_WARNING, "b"},
    {{VM_WARNING, VM_UNKNOWN}, {"a", "b"}, VM_WARNING, "a"},
    {{VM_UNKNOWN, VM_OK}, {"a", "b"}, VM_UNKNOWN, "a"},
};

START_TEST(test_item_note)
{
    struct vm_report r;
    struct vm_item *it;

    vm_report_init(&r, "T", "disk");
    it = vm_report_add(&r, VM_OK, "d");
    ck_assert_ptr_nonnull(it);
    for (size_t i = 0; i < 4 && ver[_i].txt[i]; i++)
        vm_item_note(it, ver[_i].st[i], "%s", ver[_i].txt[i]);
    ck_assert_int_eq(it->status, ver[_i].want);
    ck_assert_str_eq(vm_buf_str(&it->why), ver[_i].why);
    vm_item_note(NULL, VM_CRITICAL, "%s", "no item");
    vm_report_clear(&r);
}
END_TEST

/* vm_item_metric: one call judges, records the broken limit and prints
 * the thresholds in the value's unit. */
static struct vm_thresh th_of(const char *w, const char *c)
{
    struct vm_thresh t;
    struct vm_err err = {""};

    memset(&t, 0, sizeof(t));
    if (w) {
        ck_assert_int_eq(
            vm_range_parse(&t.warn, w, VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE, &err), 0);
        t.has_warn = true;
    }
    if (c) {
        ck_assert_int_eq(
            vm_range_parse(&t.crit, c, VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE, &err), 0);
        t.has_crit = true;
    }
    return t;
}

/* A figure of a 4 KiB size: label d:<part>, its value in uom (0 to max). */
static struct vm_metric_out size_metric(const char *const *label, double value, const char *uom,
                                        const struct vm_thresh *th, double max)
{
    return (struct vm_metric_out){.label = label,
                                  .nlabel = 2,
                                  .value = value,
                                  .uom = uom,
                                  .th = th,
                                  .min = 0,
                                  .max = max,
                                  .total = 4096};
}

START_TEST(test_item_metric)
{
    struct vm_thresh t = th_of("50", "3KiB"); /* 50% of 4 KiB; 3 KiB */
    const char *used[] = {"d", "used"}, *pct[] = {"d", "used_pct"};
    struct vm_metric_out m_used = size_metric(used, 2560, "B", &t, 4096);
    struct vm_metric_out m_pct = size_metric(pct, 62.5, "%", &t, 100);
    struct vm_metric_out m_nan = {.label = used, .nlabel = 2, .value = NAN, .uom = "", .th = &t};
    struct vm_thresh plain = th_of("10", NULL);
    struct vm_metric_out m_judge = {.metric = "iops", .value = 11, .uom = "", .th = &plain};
    struct vm_report r;
    struct vm_buf out = VM_BUF_INIT;
    struct vm_item *it;

    m_pct.bytes = 2560; /* the percent's figure, shown only: m_used judges it */
    m_pct.show_only = true;
    vm_report_init(&r, "T", "domain");
    it = vm_report_add(&r, VM_OK, "d");
    ck_assert_int_eq(vm_item_metric(it, &m_used), VM_WARNING); /* 62.5% > 50, 2.5 KiB < 3 */
    ck_assert_int_eq(vm_item_metric(it, &m_pct), VM_OK);       /* shown, not judged again */
    ck_assert_int_eq(vm_item_metric(it, &m_nan), VM_OK);       /* not measured: nothing */
    ck_assert_int_eq(it->status, VM_WARNING);
    ck_assert_uint_eq(it->nperf, 2);
    ck_assert_uint_eq(it->nbreach, 1);
    ck_assert_str_eq(it->breach[0].metric, "used");
    ck_assert_double_eq(it->breach[0].value, 62.5); /* in the unit of the limit: percent */
    ck_assert_int_ne(it->breach[0].limit.unit, VM_UNIT_BYTES); /* a bare number: percent */
    ck_assert_int_eq(it->breach[0].status, VM_WARNING);
    m_used.value = 3584; /* 3.5 KiB: critical by the size */
    ck_assert_int_eq(vm_item_metric(it, &m_used), VM_CRITICAL);
    ck_assert_double_eq(it->breach[1].value, 3584);
    ck_assert_int_eq(it->breach[1].limit.unit, VM_UNIT_BYTES);
    ck_assert_int_eq(vm_item_metric(it, &m_judge), VM_WARNING); /* judged only */
    ck_assert_str_eq(it->breach[2].metric, "iops");
    ck_assert_uint_eq(it->nperf, 3);
    ck_assert_int_eq(it->status, VM_CRITICAL);
    ck_assert_int_eq(vm_item_metric(NULL, &m_used), VM_OK);
    vm_render_report(&r, 0, &out);
    /* 50% shows as 2048 B on the bytes figure, 3 KiB as 75% on the percent one */
    ck_assert_msg(strstr(vm_buf_str(&out),
                         "'d:used'=2560B;2048;3072;0;4096 "
                         "'d:used_pct'=62.5%;50;75;0;100 'd:used~2'=3584B;2048;3072"),
                  "%s", vm_buf_str(&out));
    vm_buf_clear(&out);
    vm_report_clear(&r);
}
END_TEST

/* A non-OK line opens with what broke: metric, value in the unit of the
 * limit, the limit as written (canonical when not written), the level. */
static const struct {
    const char *w, *c; /* as written; "!" first: leave the text out */
    double value, total;
    const char *uom, *metric, *want;
} breaches[] = {
    {"1", NULL, 33332.4, 0, "", "write_iops", "[WARNING] d: write_iops 33332 > 1 (warning); fig\n"},
    {"50", NULL, 2560, 4096, "B", "used", "[WARNING] d: used 62.5% > 50% (warning); fig\n"},
    {NULL, "2KiB", 2560, 4096, "B", "used", "[CRITICAL] d: used 2.5KiB > 2KiB (critical); fig\n"},
    {"10:20", NULL, 25.5, 0, "ms", "latency", "latency 25.5 ms > 20 (warning)"},
    {"10:", NULL, 5, 0, "", "x", "x 5 < 10 (warning)"},
    {"@40:60", NULL, 50, 0, "%", "x", "x 50.0% in @40:60 (warning)"},
    {"!~:10", NULL, 11, 0, "", "x", "x 11 > 10 (warning)"},
    {"~:10", "~:20", 21.34, 0, "", "x", "x 21.3 > 20 (critical); fig"},
};

START_TEST(test_breach_words)
{
    bool bare = breaches[_i].w && breaches[_i].w[0] == '!';
    const char *w = bare ? breaches[_i].w + 1 : breaches[_i].w;
    struct vm_thresh t = th_of(w, breaches[_i].c);
    struct vm_metric_out m = {.metric = breaches[_i].metric,
                              .value = breaches[_i].value,
                              .uom = breaches[_i].uom,
                              .th = &t,
                              .total = breaches[_i].total};
    struct vm_report r;
    struct vm_buf out = VM_BUF_INIT;
    struct vm_item *it;

    t.warn_text = bare ? NULL : w;
    t.crit_text = breaches[_i].c;
    vm_report_init(&r, "T", "domain");
    it = vm_report_add(&r, VM_OK, "d");
    vm_item_detail(it, "fig");
    vm_item_metric(it, &m);
    vm_render_report(&r, 0, &out);
    ck_assert_msg(strstr(vm_buf_str(&out), breaches[_i].want), "%s", vm_buf_str(&out));
    vm_buf_clear(&out);
    vm_report_clear(&r);
}
END_TEST

/* vm_report_judged: a pair that met no figure; the remark that says so. */
START_TEST(test_judged_remark)
{
    struct vm_thresh th[2] = {th_of("10", NULL), th_of("5", NULL)};
    struct vm_metric_out m = {.metric = "a", .value = 1, .uom = "", .th = &th[0]};
    struct vm_report r;
    struct vm_buf out = VM_BUF_INIT;
    struct vm_item *it;

    vm_report_init(&r, "T", "domain");
    vm_report_thresholds(&r, th, 2);
    it = vm_report_add(&r, VM_OK, "d");
    vm_item_metric(it, &m);
    m.th = &th[1];
    m.value = NAN; /* not measured: not judged */
    vm_item_metric(it, &m);
    ck_assert(vm_report_judged(&r, 0));
    ck_assert(!vm_report_judged(&r, 1));
    ck_assert(!vm_report_judged(&r, 2));
    vm_report_remark(&r, VM_OK, "threshold on b not applied");
    ck_assert_int_eq(vm_render_report(&r, 0, &out), VM_OK);
    ck_assert_str_eq(vm_buf_str(&out), "T OK - d\nnote: threshold on b not applied\n[OK] d\n");
    vm_buf_truncate(&out, 0);
    vm_report_remark(&r, VM_UNKNOWN, "threshold on b not applied");
    ck_assert_int_eq(vm_render_report(&r, 0, &out), VM_UNKNOWN);
    ck_assert_str_eq(vm_buf_str(&out), "T UNKNOWN - threshold on b not applied; d\n"
                                       "[UNKNOWN] threshold on b not applied\n[OK] d\n");
    vm_buf_clear(&out);
    vm_report_clear(&r);
}
END_TEST

VM_CK_MAIN_TCASE("report", "report", 60, NULL, NULL, VM_CK_LOOP(test_clean, N(cleans)),
                 VM_CK_TEST(test_clean_null), VM_CK_TEST(test_api_edges),
                 VM_CK_LOOP(test_item_note, N(ver)), VM_CK_TEST(test_item_metric),
                 VM_CK_LOOP(test_breach_words, N(breaches)), VM_CK_TEST(test_judged_remark))
