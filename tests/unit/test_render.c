/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/render.c: summary wording, ordering, injection, label
 * uniqueness, the size budget and the trailer, and that Icinga 2 can parse
 * the output. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_run.h"
#include "render.h"
#include "report.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- helpers ---------------------------------------------------------- */

/* Add an item with a "<name>:used" percent entry; brief/detail may be NULL. */
static struct vm_item *add(struct vm_report *r, enum vm_status st, const char *name,
                           const char *brief, const char *detail, double pct)
{
    const char *parts[] = {name, "used"};
    struct vm_item *it = vm_report_add(r, st, name);

    ck_assert_ptr_nonnull(it);
    if (brief)
        vm_item_brief(it, "%s", brief);
    if (detail)
        vm_item_detail(it, "%s", detail);
    if (!isnan(pct))
        vm_item_perf(it, parts, 2, pct, "%", NULL, 0, 100);
    return it;
}

static char *render(struct vm_report *r, size_t budget, enum vm_status *st)
{
    struct vm_buf out = VM_BUF_INIT;
    enum vm_status s = vm_render_report(r, budget, &out);

    ck_assert(!out.oom);
    if (st)
        *st = s;
    return vm_buf_steal(&out);
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

/* Line `n` (0-based) of s, without its '\n', into a fresh string. */
static char *line(const char *s, size_t n)
{
    const char *e;
    char *l;

    while (n-- > 0) {
        s = strchr(s, '\n');
        ck_assert_ptr_nonnull(s);
        s++;
    }
    e = strchr(s, '\n');
    ck_assert_ptr_nonnull(e);
    l = strndup(s, (size_t)(e - s));
    ck_assert_ptr_nonnull(l);
    return l;
}

/* Render r without a budget: the output must be `want`, the state st;
 * then r is cleared. */
static void check_output(struct vm_report *r, const char *want, enum vm_status st)
{
    enum vm_status got;
    char *s = render(r, 0, &got);

    ck_assert_str_eq(s, want);
    ck_assert_int_eq(got, st);
    free(s);
    vm_report_clear(r);
}

/* Render r within budget: its first line must be `want`. Returns the state. */
static enum vm_status check_summary(struct vm_report *r, size_t budget, const char *want)
{
    enum vm_status st;
    char *s = render(r, budget, &st), *l = line(s, 0);

    ck_assert_str_eq(l, want);
    free(l);
    free(s);
    return st;
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int n = *p < 0x80                  ? 0
                : *p >= 0xC2 && *p <= 0xDF ? 1
                : *p >= 0xE0 && *p <= 0xEF ? 2
                : *p >= 0xF0 && *p <= 0xF4 ? 3
                                           : -1;

        if (n < 0)
            return false;
        p++;
        while (n-- > 0)
            if ((*p++ & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* ---- a small Icinga 2 perfdata reader ---------------------------------- */
/* After PluginUtility::ParseCheckOutput / SplitPerfdata and
 * PerfdataValue::Parse (lib/icinga/pluginutility.cpp, lib/base/perfdatavalue.cpp):
 * every line is split at its first '|' when a '=' follows; entries are found
 * by scanning for '=' and taking the value up to the next space; the label
 * is left-trimmed and loses its surrounding quotes; the value is numbers
 * [+-0-9.e] then a unit; warn;crit;min;max follow. We are stricter: labels
 * must be quoted and quote-free, units must be known, and "::" (check_multi
 * prefixes) must not occur. Returns the number of entries, or -1 (the
 * reason in *why). Labels go to labels[] when given. */
#define MAX_ENTRIES 4096

static bool plain_number(const char *s, size_t n)
{
    char buf[64], *end;

    if (n == 0 || n >= sizeof(buf) || strspn(s, "-0123456789.") < n)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return isfinite(strtod(buf, &end)) && *end == '\0';
}

static bool known_uom(const char *s, size_t n)
{
    static const char *const uoms[] = {"", "%", "B", "s", "ms", "us", "c"};

    for (int i = 0; i < N(uoms); i++)
        if (strlen(uoms[i]) == n && strncmp(uoms[i], s, n) == 0)
            return true;
    return false;
}

static int icinga_parse_value(const char *v, size_t n)
{
    size_t f = 0, num, len;
    const char *p = v;

    while (p <= v + n) {
        const char *semi = memchr(p, ';', (size_t)(v + n - p));

        len = semi ? (size_t)(semi - p) : (size_t)(v + n - p);
        if (f == 0) {
            if (len == 1 && *p == 'U')
                num = 1;
            else if (!plain_number(p, num = strspn(p, "-0123456789.")) || num > len)
                return -1;
            if (!(len == 1 && *p == 'U') && !known_uom(p + num, len - num))
                return -1;
        } else if (f <= 2) {
            /* warn/crit: a range in our own output */
            if (strspn(p, "-0123456789.:~@") < len)
                return -1;
        } else if (f <= 4) {
            if (len > 0 && !plain_number(p, len))
                return -1;
        } else {
            return -1;
        }
        f++;
        if (!semi)
            break;
        p = semi + 1;
    }
    return 0;
}

static int icinga_parse(const char *output, char **labels, const char **why)
{
    const char *nl = strchr(output, '\n'), *bar, *p, *end;
    int n = 0;

    *why = "no newline";
    if (!nl)
        return -1;
    /* later lines must be text only */
    for (p = nl + 1; *p; p++) {
        if (*p == '|') {
            *why = "'|' in a later line";
            return -1;
        }
    }
    bar = memchr(output, '|', (size_t)(nl - output));
    if (!bar)
        return 0;
    *why = "second '|' on line 1";
    if (memchr(bar + 1, '|', (size_t)(nl - bar - 1)))
        return -1;
    p = bar + 1;
    end = nl;
    while (p < end) {
        const char *eq, *sp, *l, *le;

        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        eq = memchr(p, '=', (size_t)(end - p));
        *why = "entry without '='";
        if (!eq)
            return -1;
        l = p;
        le = eq;
        *why = "label not quoted";
        if (le - l < 3 || *l != '\'' || le[-1] != '\'')
            return -1;
        l++;
        le--;
        *why = "quote, space or :: inside a label";
        if (memchr(l, '\'', (size_t)(le - l)) || memchr(l, ' ', (size_t)(le - l)))
            return -1;
        for (const char *q = l; q + 1 < le; q++)
            if (q[0] == ':' && q[1] == ':')
                return -1;
        sp = memchr(eq, ' ', (size_t)(end - eq));
        if (!sp)
            sp = end;
        *why = "bad value";
        if (icinga_parse_value(eq + 1, (size_t)(sp - eq - 1)) < 0)
            return -1;
        if (labels && n < MAX_ENTRIES)
            labels[n] = strndup(l, (size_t)(le - l));
        n++;
        p = sp;
    }
    return n;
}

static void free_labels(char **labels, int n)
{
    for (int i = 0; i < n && i < MAX_ENTRIES; i++)
        free(labels[i]);
}

/* ---- summaries -------------------------------------------------------- */

START_TEST(test_empty)
{
    struct vm_report r;
    enum vm_status st;
    char *s;

    vm_report_init(&r, "VMEM", "domain");
    s = render(&r, 0, &st);
    ck_assert_str_eq(s, "VMEM UNKNOWN - no domains to check\n");
    ck_assert_int_eq(st, VM_UNKNOWN);
    free(s);
    vm_report_init(&r, "VDISK", "disk");
    s = render(&r, 0, &st);
    ck_assert_str_eq(s, "VDISK UNKNOWN - no disks to check\n");
    free(s);
    vm_report_clear(&r);
}
END_TEST

static const struct {
    enum vm_status st;
    const char *brief, *detail, *want;
} ones[] = {
    {VM_OK, "40% used", "40.2% used (1.6 GiB of 4.0 GiB)",
     "VMEM OK - web01: 40% used | 'web01:used'=40.25%;;;0;100\n"
     "[OK] web01: 40.2% used (1.6 GiB of 4.0 GiB)\n"},
    {VM_WARNING, NULL, "only a detail",
     "VMEM WARNING - web01: only a detail | 'web01:used'=40.25%;;;0;100\n"
     "[WARNING] web01: only a detail\n"},
    {VM_CRITICAL, "only a brief", NULL,
     "VMEM CRITICAL - web01: only a brief | 'web01:used'=40.25%;;;0;100\n"
     "[CRITICAL] web01: only a brief\n"},
    {VM_UNKNOWN, NULL, NULL,
     "VMEM UNKNOWN - web01 | 'web01:used'=40.25%;;;0;100\n"
     "[UNKNOWN] web01\n"},
    {VM_OK, "", "", /* empty texts count as none */
     "VMEM OK - web01 | 'web01:used'=40.25%;;;0;100\n"
     "[OK] web01\n"},
};

START_TEST(test_one)
{
    struct vm_report r;

    vm_report_init(&r, "VMEM", "domain");
    add(&r, ones[_i].st, "web01", ones[_i].brief, ones[_i].detail, 40.25);
    check_output(&r, ones[_i].want, ones[_i].st);
}
END_TEST

START_TEST(test_all_ok)
{
    struct vm_report r;

    vm_report_init(&r, "VDISK", "disk");
    add(&r, VM_OK, "vda", "1 MB/s", "1 MB/s read", 1);
    add(&r, VM_OK, "vdb", "2 MB/s", NULL, 2);
    check_output(&r,
                 "VDISK OK - 2 disks OK | 'vda:used'=1%;;;0;100 'vdb:used'=2%;;;0;100\n"
                 "[OK] vda: 1 MB/s read\n"
                 "[OK] vdb: 2 MB/s\n",
                 VM_OK);
}
END_TEST

/* The example of the design, added in a scrambled order. */
START_TEST(test_mixed)
{
    struct vm_report r;

    vm_report_init(&r, "VMEM", "domain");
    add(&r, VM_OK, "a", "10% used", "10% used of 1 GiB", 10);
    add(&r, VM_WARNING, "web01", "91% used", "91% used of 4 GiB", 91);
    add(&r, VM_CRITICAL, "db01", "95% used", "95% used of 8 GiB", 95);
    add(&r, VM_OK, "b", "20% used", NULL, 20);
    add(&r, VM_WARNING, "web02", "85% used", NULL, 85);
    add(&r, VM_OK, "c", NULL, NULL, NAN);
    check_output(&r,
                 "VMEM CRITICAL - 1 CRITICAL: db01 (95% used); 2 WARNING: web01 (91% used), "
                 "web02 (85% used); 3 OK | 'db01:used'=95%;;;0;100 'web01:used'=91%;;;0;100 "
                 "'web02:used'=85%;;;0;100 'a:used'=10%;;;0;100 'b:used'=20%;;;0;100\n"
                 "[CRITICAL] db01: 95% used of 8 GiB\n"
                 "[WARNING] web01: 91% used of 4 GiB\n"
                 "[WARNING] web02: 85% used\n"
                 "[OK] a: 10% used of 1 GiB\n"
                 "[OK] b: 20% used\n"
                 "[OK] c\n",
                 VM_CRITICAL);
}
END_TEST

/* More than three in a group; UNKNOWN below WARNING; no OK at all; an
 * out-of-range status counts as UNKNOWN. */
START_TEST(test_groups)
{
    struct vm_report r;
    enum vm_status st;
    char *s;

    vm_report_init(&r, "VCPU", "domain");
    add(&r, VM_UNKNOWN, "u1", NULL, "no data", NAN);
    add(&r, VM_CRITICAL, "c1", "99%", NULL, NAN);
    add(&r, VM_CRITICAL, "c2", "98%", NULL, NAN);
    add(&r, (enum vm_status)7, "u2", NULL, NULL, NAN);
    add(&r, VM_CRITICAL, "c3", "97%", NULL, NAN);
    add(&r, VM_WARNING, "w1", "80%", NULL, NAN);
    add(&r, VM_CRITICAL, "c4", "96%", NULL, NAN);
    add(&r, VM_CRITICAL, "c5", "95%", NULL, NAN);
    /* no budget: every one is named */
    check_summary(&r, 0,
                  "VCPU CRITICAL - 5 CRITICAL: c1 (99%), c2 (98%), c3 (97%), c4 (96%), "
                  "c5 (95%); 1 WARNING: w1 (80%); 2 UNKNOWN: u1, u2");
    /* a budget: names while the summary is within a quarter of it (58 of
     * 60 bytes after c3), at least one per group */
    check_summary(&r, 240,
                  "VCPU CRITICAL - 5 CRITICAL: c1 (99%), c2 (98%), c3 (97%), +2 more; "
                  "1 WARNING: w1 (80%); 2 UNKNOWN: u1, +1 more");
    s = render(&r, 0, &st);
    ck_assert_str_eq(strchr(s, '\n') + 1, "[CRITICAL] c1: 99%\n[CRITICAL] c2: 98%\n"
                                          "[CRITICAL] c3: 97%\n[CRITICAL] c4: 96%\n"
                                          "[CRITICAL] c5: 95%\n[WARNING] w1: 80%\n"
                                          "[UNKNOWN] u1: no data\n[UNKNOWN] u2\n");
    ck_assert_int_eq(st, VM_CRITICAL);
    free(s);
    vm_report_clear(&r);
}
END_TEST

/* Worst state wins by rank: UNKNOWN never hides a WARNING, and all-UNKNOWN
 * is UNKNOWN. */
static const struct {
    enum vm_status a, b, want;
    const char *summary;
} worst[] = {
    {VM_OK, VM_UNKNOWN, VM_UNKNOWN, "X UNKNOWN - 1 UNKNOWN: b; 1 OK"},
    {VM_UNKNOWN, VM_WARNING, VM_WARNING, "X WARNING - 1 WARNING: b; 1 UNKNOWN: a"},
    {VM_UNKNOWN, VM_UNKNOWN, VM_UNKNOWN, "X UNKNOWN - 2 UNKNOWN: a, b"},
    {VM_CRITICAL, VM_OK, VM_CRITICAL, "X CRITICAL - 1 CRITICAL: a; 1 OK"},
};

START_TEST(test_worst)
{
    struct vm_report r;

    vm_report_init(&r, "X", "thing");
    add(&r, worst[_i].a, "a", NULL, NULL, NAN);
    add(&r, worst[_i].b, "b", NULL, NULL, NAN);
    ck_assert_int_eq(check_summary(&r, 0, worst[_i].summary), worst[_i].want);
    vm_report_clear(&r);
}
END_TEST

/* ---- injection -------------------------------------------------------- */

static const char *const hostile[] = {
    "web|01 'x'=y \xc3\xbcmlaut",
    "a|b\n[CRITICAL] fake | 'x'=1",
    "\r\n|",
    "|'inj'=1;2;3",
    "x' 'y'=1",
    "a::b",
};

START_TEST(test_injection)
{
    struct vm_report r;
    char *labels[MAX_ENTRIES];
    const char *why = "";
    char *s;
    int n;

    vm_report_init(&r, "VMEM", "domain");
    for (int k = 0; k < 3; k++) {
        /* 1 item, then 2, then 3: all three summary forms */
        add(&r, k == 1 ? VM_CRITICAL : VM_OK, hostile[_i], "9|1% used\n| 'b'=2",
            "line1\nline2 | 'inj'=1", 50);
        s = render(&r, 0, NULL);
        ck_assert_msg(count_char(s, '|') == 1, "%s", s);
        ck_assert_uint_eq(count_char(s, '\n'), r.nitems + 1);
        ck_assert(strstr(s, " | '") == strchr(s, '|') - 1);
        n = icinga_parse(s, labels, &why);
        ck_assert_msg(n == (int)r.nitems, "%d: %s in %s", n, why, s);
        /* what a user sees of the name on a later line */
        ck_assert_ptr_nonnull(strstr(s, "line1 line2 \xc2\xa6 'inj'=1"));
        free_labels(labels, n);
        free(s);
    }
    vm_report_clear(&r);
}
END_TEST

/* ---- label uniqueness ------------------------------------------------- */

START_TEST(test_unique)
{
    struct vm_report r;
    char *labels[MAX_ENTRIES];
    const char *why = "";
    const char *parts[] = {"other", "x"};
    char *s, *s2;
    int n;

    vm_report_init(&r, "VMEM", "domain");
    /* names that an older sanitiser merged stay apart */
    add(&r, VM_OK, "web|01", NULL, NULL, 1);
    add(&r, VM_CRITICAL, "web 01", NULL, NULL, 2);
    add(&r, VM_OK, "web'01", NULL, NULL, 3);
    vm_item_perf(add(&r, VM_OK, "web_01", NULL, NULL, 4), parts, 2, 5, "", NULL, NAN, NAN);
    /* the same label twice (one name, two items): "~2" in insertion order,
     * although the second comes first in the output */
    add(&r, VM_OK, "dup", NULL, NULL, 6);
    add(&r, VM_CRITICAL, "dup", NULL, NULL, 7);
    s = render(&r, 0, NULL);
    n = icinga_parse(s, labels, &why);
    ck_assert_int_eq(n, 7);
    ck_assert_str_eq(labels[0], "web%2001:used");
    ck_assert_str_eq(labels[1], "dup:used~2");
    ck_assert_str_eq(labels[2], "web%7C01:used");
    ck_assert_str_eq(labels[3], "web%2701:used");
    ck_assert_str_eq(labels[4], "web_01:used");
    ck_assert_str_eq(labels[5], "other:x");
    ck_assert_str_eq(labels[6], "dup:used");
    ck_assert_ptr_nonnull(strstr(s, "'web%2001:used'=2%;;;0;100 'dup:used~2'=7%"));
    /* deterministic, and render leaves the report as it was */
    s2 = render(&r, 0, NULL);
    ck_assert_str_eq(s, s2);
    free(s2);
    free_labels(labels, n);
    free(s);
    vm_report_clear(&r);
}
END_TEST

/* The perfdata labels of one report of these names (one item each). */
static int labels_of(const char *const *names, size_t n, char **labels)
{
    struct vm_report r;
    const char *why = "";
    char *s;
    int got;

    vm_report_init(&r, "VMEM", "domain");
    for (size_t i = 0; i < n; i++)
        add(&r, VM_OK, names[i], NULL, NULL, 1);
    s = render(&r, 0, NULL);
    got = icinga_parse(s, labels, &why);
    ck_assert_msg(got >= 0, "%s", why);
    free(s);
    vm_report_clear(&r);
    return got;
}

/* A label depends on its own domain only: domains that come or go (here
 * one listed before the others, with the name a lossy mapping gave them)
 * leave the other labels as they were. */
START_TEST(test_unique_stable)
{
    static const char *const names[] = {"M_ller", "M\xc3\xbcller", "M\xc3\xb8ller", "\xe6\x97\xa5"};
    char *before[MAX_ENTRIES], *after[MAX_ENTRIES];
    int n, m;

    n = labels_of(names + 1, 3, before);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(before[0], "M\xc3\xbcller:used");
    ck_assert_str_eq(before[1], "M\xc3\xb8ller:used");
    ck_assert_str_eq(before[2], "\xe6\x97\xa5:used");
    m = labels_of(names, 4, after);
    ck_assert_int_eq(m, 4);
    ck_assert_str_eq(after[0], "M_ller:used");
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(after[i + 1], before[i]);
    free_labels(before, n);
    free_labels(after, m);
}
END_TEST

/* ---- budget ----------------------------------------------------------- */

#define BIG_ITEMS 30
#define BIG_PERF 3

/* 30 domains, mixed states, UTF-8 names, three entries each. */
static void make_big(struct vm_report *r, size_t nitems)
{
    static const enum vm_status states[] = {VM_OK, VM_WARNING, VM_OK, VM_CRITICAL, VM_UNKNOWN};

    vm_report_init(r, "VMEM", "domain");
    for (size_t i = 0; i < nitems; i++) {
        char name[64];
        struct vm_item *it;

        snprintf(name, sizeof(name), "d\xc3\xbcmain-%03zu", i);
        it = vm_report_add(r, states[i % N(states)], name);
        ck_assert_ptr_nonnull(it);
        vm_item_brief(it, "%zu%% used", i % 100);
        vm_item_detail(it, "%zu%% used (%zu MiB of 4096 MiB)", i % 100, i * 40);
        for (size_t j = 0; j < BIG_PERF; j++) {
            const char *metric[] = {"used", "used_pct", "rss"};
            const char *parts[] = {name, metric[j]};

            vm_item_perf(it, parts, 2, (double)(i * 1000 + j), j == 1 ? "%" : "B", NULL, 0,
                         j == 1 ? 100 : NAN);
        }
    }
}

/* make_big's entry or line `t` (from its "main-NNN"): is its item OK? */
static bool big_ok(const char *t)
{
    static const enum vm_status states[] = {VM_OK, VM_WARNING, VM_OK, VM_CRITICAL, VM_UNKNOWN};
    const char *p = strstr(t, "main-");

    ck_assert_ptr_nonnull(p);
    return states[strtoul(p + 5, NULL, 10) % N(states)] == VM_OK;
}

/* The pieces of a rendering: perfdata entries and long-output lines. */
struct pieces {
    char *e[4096];
    size_t ne;
    char *l[2048];
    size_t nl;
};

static void pieces_split(const char *out, struct pieces *p)
{
    const char *nl = strchr(out, '\n'), *bar = strstr(out, " | "), *q;

    memset(p, 0, sizeof(*p));
    for (q = bar && bar < nl ? bar + 3 : nl; q < nl;) {
        const char *sp = memchr(q, ' ', (size_t)(nl - q));
        size_t n = (size_t)((sp ? sp : nl) - q);

        ck_assert_uint_lt(p->ne, N(p->e));
        p->e[p->ne++] = strndup(q, n);
        q += n + (sp ? 1 : 0);
    }
    for (q = nl + 1; *q;) {
        const char *e = strchr(q, '\n');

        ck_assert_ptr_nonnull(e);
        ck_assert_uint_lt(p->nl, N(p->l));
        p->l[p->nl++] = strndup(q, (size_t)(e - q));
        q = e + 1;
    }
}

static void pieces_free(struct pieces *p)
{
    for (size_t i = 0; i < p->ne; i++)
        free(p->e[i]);
    for (size_t i = 0; i < p->nl; i++)
        free(p->l[i]);
}

/* `kept` (n of them) is what is left of `all` (m): each class (OK or not)
 * keeps a prefix of its own, in order; dropped[ok] counts the rest. */
static void check_kept(char *const *all, size_t m, char *const *kept, size_t n, size_t dropped[2],
                       size_t seen[2])
{
    size_t j = 0, kept_of[2] = {0};

    seen[0] = seen[1] = 0;
    for (size_t i = 0; i < m; i++) {
        bool ok = big_ok(all[i]);

        seen[ok]++;
        if (j < n && strcmp(all[i], kept[j]) == 0) {
            ck_assert_msg(kept_of[ok] + 1 == seen[ok], "a gap before %s", kept[j]);
            kept_of[ok]++;
            j++;
        }
    }
    ck_assert_msg(j == n, "kept %zu of %zu in order", j, n);
    dropped[0] = seen[0] - kept_of[0];
    dropped[1] = seen[1] - kept_of[1];
}

/* The trimmed summary keeps the state and every group's count; it may
 * name fewer items ("+K more"). */
static void check_head(const char *full0, const char *s0)
{
    static const char *const groups[] = {" CRITICAL: ", " WARNING: ", " UNKNOWN: "};
    const char *dash = strstr(full0, " - ");

    ck_assert_ptr_nonnull(dash);
    ck_assert(strncmp(full0, s0, (size_t)(dash - full0) + 3) == 0);
    for (int g = 0; g < N(groups); g++) {
        const char *p = strstr(full0, groups[g]);
        char want[32];

        if (!p)
            continue;
        while (p > full0 && p[-1] >= '0' && p[-1] <= '9')
            p--;
        snprintf(want, sizeof(want), "%.*s", (int)(strstr(p, ": ") + 2 - p), p);
        ck_assert_msg(strstr(s0, want), "%s lost in %s", want, s0);
    }
}

/* Check one trimmed rendering against the full one. */
static void check_trimmed(const char *full, const char *s, size_t budget, size_t nitems)
{
    char *full0 = line(full, 0), *s0 = line(s, 0), *l = NULL;
    size_t slines = count_char(s, '\n'), fperf = count_char(full0, '='), np, nl;
    const char *why = "";
    char want[160];
    int n;

    ck_assert_msg(budget == 0 || strlen(s) <= budget, "%zu > %zu", strlen(s), budget);
    ck_assert(utf8_valid(s));
    ck_assert_int_eq(s[strlen(s) - 1], '\n');
    n = icinga_parse(s, NULL, &why);
    ck_assert_msg(n >= 0, "%s: %s", why, s);
    np = (size_t)n;
    if (strcmp(s, full) == 0) {
        ck_assert(budget == 0 || budget >= strlen(full));
        goto done;
    }
    ck_assert(budget > 0);
    l = line(s, slines - 1);
    if (strncmp(l, "[output trimmed to fit ", 23) == 0) {
        /* the note: counts add up; the summary is whole; what is left
         * went in order: OK lines, OK entries, other entries, other lines,
         * each class from its end */
        struct pieces *pf = malloc(sizeof(*pf)), *ps = malloc(sizeof(*ps));
        size_t dl[2], dp[2], tl[2], tp[2]; /* [1]: OK ones; dropped, total */

        ck_assert(pf && ps);
        nl = slines - 2;
        snprintf(want, sizeof(want),
                 "[output trimmed to fit %zu bytes: %zu line%s and %zu perfdata value%s left out]",
                 budget, nitems - nl, nitems - nl == 1 ? "" : "s", fperf - np,
                 fperf - np == 1 ? "" : "s");
        ck_assert_str_eq(l, want);
        ck_assert(nl < nitems || np < fperf);
        check_head(full0, s0);
        pieces_split(full, pf);
        pieces_split(s, ps);
        ck_assert_uint_eq(ps->nl, nl + 1);
        check_kept(pf->l, pf->nl, ps->l, nl, dl, tl);
        check_kept(pf->e, pf->ne, ps->e, ps->ne, dp, tp);
        if (dp[1]) /* OK entries go once every OK line is gone */
            ck_assert_uint_eq(dl[1], tl[1]);
        if (dp[0]) /* other entries, once every OK one is */
            ck_assert_uint_eq(dp[1], tp[1]);
        if (dl[0]) /* non-OK lines last, once every entry is gone */
            ck_assert_uint_eq(dp[0] + dp[1], pf->ne);
        pieces_free(pf);
        pieces_free(ps);
        free(pf);
        free(ps);
    } else if (strcmp(l, "[output trimmed]") == 0) {
        /* no room for the counts: only the whole summary and a short note */
        ck_assert_uint_eq(slines, 2);
        ck_assert_uint_eq(np, 0);
        check_head(full0, s0);
        snprintf(want, sizeof(want),
                 "[output trimmed to fit %zu bytes: %zu lines and %zu perfdata values left out]",
                 budget, nitems, fperf);
        ck_assert_uint_gt(strlen(s0) + 1 + strlen(want) + 1, budget);
    } else {
        /* no room for any note: only the summary, cut if need be */
        ck_assert_uint_eq(slines, 1);
        ck_assert_uint_eq(np, 0);
        if (budget > 8 && strcmp(s0 + strlen(s0) - 3, "...") == 0)
            ck_assert_uint_ge(strlen(s) + 3, budget); /* cut no more than a character */
        else if (strlen(s0) > 20)
            check_head(full0, s0);
    }
done:
    free(l);
    free(full0);
    free(s0);
}

static const size_t budgets[] = {0,   65536, 8192, 4096, 2000, 1024, 1023, 700, 600, 512, 480,
                                 460, 440,   420,  400,  300,  100,  40,   9,   8,   2,   1};

START_TEST(test_budget)
{
    struct vm_report r;
    char *full, *s, *s2;

    make_big(&r, BIG_ITEMS);
    full = render(&r, 0, NULL);
    s = render(&r, budgets[_i], NULL);
    check_trimmed(full, s, budgets[_i], BIG_ITEMS);
    /* the same input always gives the same output */
    s2 = render(&r, budgets[_i], NULL);
    ck_assert_str_eq(s, s2);
    free(s2);
    free(s);
    free(full);
    vm_report_clear(&r);
}
END_TEST

/* Every budget from 1 to past the full size. */
START_TEST(test_budget_sweep)
{
    struct vm_report r;
    char *full, *s;
    size_t len;

    make_big(&r, 8);
    full = render(&r, 0, NULL);
    len = strlen(full);
    for (size_t b = 1; b <= len + 2; b++) {
        s = render(&r, b, NULL);
        check_trimmed(full, s, b, 8);
        free(s);
    }
    free(full);
    vm_report_clear(&r);
}
END_TEST

/* ---- size, memory, odd inputs ----------------------------------------- */

START_TEST(test_large)
{
    struct vm_report r;
    char **labels = calloc(MAX_ENTRIES, sizeof(*labels));
    const char *why = "";
    char *s, *full;
    int n;

    ck_assert_ptr_nonnull(labels);
    make_big(&r, 1000);
    s = render(&r, 0, NULL);
    ck_assert_uint_eq(count_char(s, '\n'), 1001);
    n = icinga_parse(s, labels, &why);
    ck_assert_msg(n == 3000, "%d: %s", n, why);
    free_labels(labels, n);
    full = s;
    s = render(&r, 65535, NULL);
    check_trimmed(full, s, 65535, 1000);
    free(s);
    s = render(&r, 1023, NULL);
    check_trimmed(full, s, 1023, 1000);
    free(s);
    free(full);
    free(labels);
    vm_report_clear(&r);
}
END_TEST

START_TEST(test_oom)
{
    struct vm_report r;
    struct vm_item *it;
    enum vm_status st;
    char *s;

    vm_report_init(&r, "VMEM", "domain");
    add(&r, VM_OK, "a", "fine", NULL, 1);
    r.oom = true;
    s = render(&r, 0, &st);
    ck_assert_str_eq(s, "VMEM UNKNOWN - out of memory\n");
    ck_assert_int_eq(st, VM_UNKNOWN);
    free(s);
    r.oom = false;
    it = add(&r, VM_CRITICAL, "b", NULL, NULL, NAN);
    it->oom = true;
    check_output(&r, "VMEM UNKNOWN - out of memory\n", VM_UNKNOWN);
}
END_TEST

/* A trailer line stays inside the budget, and goes first when the rest
 * would get less than VM_RENDER_MIN_SUMMARY bytes. */
START_TEST(test_trailer)
{
    static const char note[] = "note: state lock busy; this run's sample was not saved\n";
    const size_t tbudget[] = {0, 400, sizeof(note) - 1 + VM_RENDER_MIN_SUMMARY,
                              sizeof(note) - 2 + VM_RENDER_MIN_SUMMARY, 100};
    const bool kept[] = {true, true, true, false, false};

    for (size_t i = 0; i < sizeof(tbudget) / sizeof(tbudget[0]); i++) {
        struct vm_report r;
        struct vm_buf out = VM_BUF_INIT;
        struct vm_item *it;

        vm_report_init(&r, "T", "domain");
        for (int k = 0; k < 20; k++) {
            it = vm_report_add(&r, VM_OK, "web");
            vm_item_detail(it, "a long-output line that takes room, number %d", k);
        }
        vm_report_trailer(&r, note);
        vm_render_report(&r, tbudget[i], &out);
        if (tbudget[i])
            ck_assert_uint_le(out.len, tbudget[i]);
        ck_assert_msg((strstr(vm_buf_str(&out), note) != NULL) == kept[i], "budget %zu: %s",
                      tbudget[i], vm_buf_str(&out));
        if (kept[i]) /* last */
            ck_assert_str_eq(vm_buf_str(&out) + out.len - (sizeof(note) - 1), note);
        vm_buf_clear(&out);
        vm_report_clear(&r);
    }
}
END_TEST

VM_CK_MAIN_TCASE("render", "render", 60, NULL, NULL, VM_CK_TEST(test_empty),
                 VM_CK_LOOP(test_one, N(ones)), VM_CK_TEST(test_all_ok), VM_CK_TEST(test_mixed),
                 VM_CK_TEST(test_groups), VM_CK_LOOP(test_worst, N(worst)),
                 VM_CK_LOOP(test_injection, N(hostile)), VM_CK_TEST(test_unique),
                 VM_CK_TEST(test_unique_stable), VM_CK_LOOP(test_budget, N(budgets)),
                 VM_CK_TEST(test_budget_sweep), VM_CK_TEST(test_large), VM_CK_TEST(test_oom),
                 VM_CK_TEST(test_trailer))
