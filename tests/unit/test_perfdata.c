/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/perfdata.c: numbers, labels, whole entries. */
#include <config.h>

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_run.h"
#include "fsutil.h"
#include "perfdata.h"

/* ---- numbers ---------------------------------------------------------- */

static const struct {
    double v;
    int decimals;
    const char *want;
} numbers[] = {
    {0.0, 2, "0"},
    {1.0, 2, "1"},
    {-1.0, 2, "-1"},
    {0.5, 2, "0.5"},
    {1.0 / 3.0, 2, "0.33"},
    {2.0 / 3.0, 2, "0.67"},
    {-1.0 / 3.0, 3, "-0.333"},
    {1e15, 2, "1000000000000000"},
    {6442450944.0, 3, "6442450944"},
    {9007199254740992.0, 2, "9007199254740992"}, /* 2^53 */
    {1e-9, 2, "0"},
    {1e-9, 15, "0.000000001"},
    {-1e-9, 2, "0"}, /* rounds to -0.00: no "-0" */
    {-0.0, 2, "0"},
    {1.10, 2, "1.1"},
    {99.999, 2, "100"},
    {123.456, 1, "123.5"},
    {0.000123, 6, "0.000123"},
    {12.5, 0, "12"},                      /* round half to even, as printf does */
    {0.75, -3, "1"},                      /* negative decimals count as 0 */
    {1.0 / 3.0, 40, "0.333333333333333"}, /* capped at 15 */
    {1e20, 2, "100000000000000000000"},
    {-4294967296.0, 0, "-4294967296"},
    {NAN, 2, "U"},
    {INFINITY, 2, "U"},
    {-INFINITY, 2, "U"},
};

START_TEST(test_number)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_perf_number(&b, numbers[_i].v, numbers[_i].decimals);
    ck_assert_msg(strcmp(vm_buf_str(&b), numbers[_i].want) == 0, "%g/%d: got '%s', want '%s'",
                  numbers[_i].v, numbers[_i].decimals, vm_buf_str(&b), numbers[_i].want);
    vm_buf_clear(&b);
}
END_TEST

/* The largest doubles: never an exponent, only digits. */
START_TEST(test_number_huge)
{
    static const double v[] = {1e300, -1.7976931348623157e308, 4.9e-324};
    struct vm_buf b = VM_BUF_INIT;
    const char *s;

    vm_perf_number(&b, v[_i], 3);
    s = vm_buf_str(&b);
    ck_assert_ptr_null(strpbrk(s, "eE"));
    ck_assert_uint_eq(strspn(s, "-0123456789."), strlen(s));
    ck_assert_double_eq(strtod(s, NULL), _i == 2 ? 0.0 : v[_i]);
    vm_buf_clear(&b);
}
END_TEST

/* %f follows LC_NUMERIC. Build locales with a comma (de_DE) and a two-byte
 * separator U+066B (ps_AF) in a private folder and check that the output
 * stays C. Without localedef or the locale sources this cannot run. */
static const char *const locales[] = {"de_DE", "ps_AF"};

START_TEST(test_number_locale)
{
    char dir[] = "/tmp/test_perfdata.XXXXXX", cmd[256];
    struct vm_buf b = VM_BUF_INIT;
    struct vm_perf p;
    const char *ok;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd), "localedef -i %s -f UTF-8 %s/%s.UTF-8 >/dev/null 2>&1", locales[_i],
             dir, locales[_i]);
    if (system(cmd) != 0) {
        fprintf(stderr, "# localedef %s failed: locale test not run\n", locales[_i]);
        goto cleanup;
    }
    setenv("LOCPATH", dir, 1);
    snprintf(cmd, sizeof(cmd), "%s.UTF-8", locales[_i]);
    ok = setlocale(LC_NUMERIC, cmd);
    ck_assert_ptr_nonnull(ok);
    /* the locale really differs, or the test would prove nothing */
    snprintf(cmd, sizeof(cmd), "%.1f", 1.5);
    ck_assert_str_ne(cmd, "1.5");

    vm_perf_number(&b, 1.5, 2);
    vm_buf_append(&b, " ");
    vm_perf_number(&b, -1.0 / 3.0, 3);
    vm_buf_append(&b, " ");
    vm_perf_number(&b, 1234567.25, 2);
    vm_buf_append(&b, " ");
    memset(&p, 0, sizeof(p));
    p.label = (char *)"a";
    p.uom = "%";
    p.value = 12.5;
    p.has_max = true;
    p.max = 99.5;
    vm_perf_format(&b, &p);
    setlocale(LC_NUMERIC, "C");
    ck_assert_str_eq(vm_buf_str(&b), "1.5 -0.333 1234567.25 'a'=12.5%;;;;99.5");

cleanup:
    setlocale(LC_NUMERIC, "C");
    unsetenv("LOCPATH");
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
    vm_buf_clear(&b);
}
END_TEST

/* ---- labels ----------------------------------------------------------- */

static const char *const p_disk[] = {"web01", "vda", "read_Bps"};
static const char *const p_hostile[] = {"web|01 'x'=y \xc3\xbcmlaut", "used"};
static const char *const p_umlaut[] = {"\xc3\xbcmlaut"};
static const char *const p_mueller[] = {"M\xc3\xbcller", "used"}; /* Müller */
static const char *const p_moeller[] = {"M\xc3\xb8ller", "used"}; /* Møller */
static const char *const p_empty[] = {""};
static const char *const p_empty2[] = {"", "used", ""};
static const char *const p_null[] = {NULL, "x"};
static const char *const p_multi[] = {"a::b", "c"};
static const char *const p_colon_end[] = {"a:", ":b"};
static const char *const p_mac[] = {"web01", "52:54:00:ab:cd:ef", "rx_Bps"};
static const char *const p_mid_colons[] = {"d:1", "::x:", "m"};
static const char *const p_cjk[] = {"\xe6\x97\xa5\xe6\x9c\xac-vm"}; /* 日本-vm */
static const char *const p_emoji[] = {"\xf0\x9f\x98\x80x"};         /* U+1F600 x */
static const char *const p_bad[] = {"\xff\x80\x80z"};               /* no lead byte */
static const char *const p_trunc[] = {"a\xc3"};                     /* lead at the end */
static const char *const p_lead_ascii[] = {"\xc3"
                                           "A"};                  /* lead, no tail */
static const char *const p_overlong[] = {"\xc0\xaf\xe0\x80\xaf"}; /* "/" twice, overlong */
static const char *const p_surrogate[] = {"\xed\xa0\x80"};        /* U+D800 */
static const char *const p_too_big[] = {"\xf4\x90\x80\x80"};      /* U+110000 */
static const char *const p_c1[] = {"a\xc2\x85"
                                   "b\xc2\xa0"
                                   "c"}; /* NEL, NBSP */
static const char *const p_allowed[] = {"a.b/c@d+e-f_G9"};
static const char *const p_specials[] = {"%~`$&\"<>;,*?[]{}()#!\\^"};
static const char *const p_ctrl[] = {"a\tb\nc\rd\x7f"
                                     "e"};
static const char *const p_inject[] = {"x' 'y'=1 z", "|"};

static const struct {
    const char *const *parts;
    size_t n;
    const char *want;
} labels[] = {
    {p_disk, 3, "web01:vda:read_Bps"},
    {p_hostile, 2, "web%7C01%20%27x%27%3Dy%20\xc3\xbcmlaut:used"},
    {p_umlaut, 1, "\xc3\xbcmlaut"},
    {p_mueller, 2, "M\xc3\xbcller:used"},
    {p_moeller, 2, "M\xc3\xb8ller:used"},
    {p_empty, 1, "%00"},
    {p_empty, 0, "_"},
    {p_empty2, 3, "%00:used:%00"},
    {p_null, 2, "%00:x"},
    {p_multi, 2, "a%3A%3Ab:c"},
    {p_colon_end, 2, "a%3A:%3Ab"},
    {p_mac, 3, "web01:52:54:00:ab:cd:ef:rx_Bps"},
    {p_mid_colons, 3, "d%3A1:%3A%3Ax%3A:m"},
    {p_cjk, 1, "\xe6\x97\xa5\xe6\x9c\xac-vm"},
    {p_emoji, 1, "\xf0\x9f\x98\x80x"},
    {p_bad, 1, "%FF%80%80z"},
    {p_trunc, 1, "a%C3"},
    {p_lead_ascii, 1, "%C3A"},
    {p_overlong, 1, "%C0%AF%E0%80%AF"},
    {p_surrogate, 1, "%ED%A0%80"},
    {p_too_big, 1, "%F4%90%80%80"},
    {p_c1, 1,
     "a%C2%85b\xc2\xa0"
     "c"},
    {p_allowed, 1, "a.b%2Fc@d+e-f_G9"},
    {p_specials, 1, "%25%7E%60%24%26%22%3C%3E%3B%2C%2A%3F%5B%5D%7B%7D%28%29%23%21%5C%5E"},
    {p_ctrl, 1, "a%09b%0Ac%0Dd%7Fe"},
    {p_inject, 2, "x%27%20%27y%27%3D1%20z:%7C"},
};

START_TEST(test_label)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_perf_label(&b, labels[_i].parts, labels[_i].n);
    ck_assert_str_eq(vm_buf_str(&b), labels[_i].want);
    vm_buf_clear(&b);
}
END_TEST

/* Undo vm_perf_label's escapes in s[0..n) into out (NUL-terminated). */
static void unescape(const char *s, size_t n, char *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            ck_assert_msg(i + 2 < n + 1 && strchr("0123456789ABCDEF", s[i + 1]) &&
                              strchr("0123456789ABCDEF", s[i + 2]),
                          "bad escape in '%.*s'", (int)n, s);
            out[k++] = (char)strtol((char[]){s[i + 1], s[i + 2], '\0'}, NULL, 16);
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
}

/* Every byte value, alone, doubled and between letters, in each position
 * of a three-part label: the label holds only letters, digits, _.+@-,
 * escapes and whole UTF-8 characters, never "::", and splits back at its
 * first and last ':' into exactly the parts (so no two differ). */
START_TEST(test_label_all_bytes)
{
    for (unsigned c = 1; c < 256; c++) {
        for (unsigned pos = 0; pos < 3; pos++) {
            char s[8] = {'a', (char)c, (char)c, 'b', '\0'}, back[3][32];
            const char *parts[3] = {"dom", "dev", "metric"};
            struct vm_buf b = VM_BUF_INIT;
            const char *l, *first, *last;

            parts[pos] = (c & 1) ? s : s + 1;
            vm_perf_label(&b, parts, 3);
            l = vm_buf_str(&b);
            ck_assert_msg(strstr(l, "::") == NULL, "byte %u: '%s'", c, l);
            for (const char *q = l; *q; q++)
                ck_assert_msg((unsigned char)*q >= 0x80 || isalnum((unsigned char)*q) ||
                                  strchr("_.+@-:%", *q),
                              "byte %u: '%s'", c, l);
            if (c >= 0x80) /* a lone byte of that value is not UTF-8 */
                ck_assert_msg(strchr(l, (char)c) == NULL, "byte %u: '%s'", c, l);
            first = strchr(l, ':');
            last = strrchr(l, ':');
            ck_assert(first && last && first < last);
            unescape(l, (size_t)(first - l), back[0]);
            unescape(first + 1, (size_t)(last - first - 1), back[1]);
            unescape(last + 1, strlen(last + 1), back[2]);
            for (unsigned k = 0; k < 3; k++)
                ck_assert_msg(strcmp(back[k], parts[k]) == 0, "byte %u part %u: '%s'", c, k, l);
            vm_buf_clear(&b);
        }
    }
}
END_TEST

/* ---- entries ---------------------------------------------------------- */

#define RANGE(s, e)                                                                                \
    {                                                                                              \
        .start = (s), .end = (e)                                                                   \
    }

static const struct {
    const char *label, *uom;
    double value;
    bool has_warn, has_crit, has_min, has_max;
    struct vm_range warn, crit;
    double min, max;
    const char *want;
} entries[] = {
    {"a", "", 5, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=5"},
    {"a", "B", 5, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=5B"},
    {"a", "B", 5, false, false, true, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=5B;;;0"},
    {"a", "B", 5, false, false, false, true, RANGE(0, 0), RANGE(0, 0), 0, 1e3, "'a'=5B;;;;1000"},
    {"a", "%", 5, true, false, false, false, RANGE(0, 80), RANGE(0, 0), 0, 0, "'a'=5%;80"},
    {"a", "%", 5, false, true, false, false, RANGE(0, 0), RANGE(0, 90), 0, 0, "'a'=5%;;90"},
    {"a", "%", 5, true, true, true, true, RANGE(0, 80), RANGE(0, 90), 0, 100, "'a'=5%;80;90;0;100"},
    {"a", "%", 5, true, true, false, true, RANGE(0, 80), RANGE(0, 90), 0, 100, "'a'=5%;80;90;;100"},
    {"a", "%", 100.0 / 3, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=33.33%"},
    {"a", "s", 0.000123456, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0,
     "'a'=0.000123s"},
    {"a", "", 2.0 / 3, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=0.667"},
    {"mem:used", "B", 6442450944.0, false, false, true, true, RANGE(0, 0), RANGE(0, 0), 0,
     8589934592.0, "'mem:used'=6442450944B;;;0;8589934592"},
    {"a", "c", 12345678901234.0, false, false, true, false, RANGE(0, 0), RANGE(0, 0), 0, 0,
     "'a'=12345678901234c;;;0"},
    /* bytes and counters are whole numbers, thresholds in them too */
    {"a", "B", 1126.4, true, true, false, false, RANGE(0, 107352093286.40001), RANGE(0.5, 1.5), 0,
     0, "'a'=1126B;107352093286;1:2"},
    {"a", "c", 2.5, true, false, false, false, RANGE(-2.5, 2.5), RANGE(0, 0), 0, 0, "'a'=2c;-3:3"},
    {"a", "", 0.0005, true, false, false, false, RANGE(0, 0.0001), RANGE(0, 0), 0, 0,
     "'a'=0.001;0.0001"},
    /* a bound the value passes is left out, the value is not clamped */
    {"a", "%", 100.2, false, false, true, true, RANGE(0, 0), RANGE(0, 0), 0, 100, "'a'=100.2%;;;0"},
    {"a", "B", -1, false, false, true, true, RANGE(0, 0), RANGE(0, 0), 0, 100, "'a'=-1B;;;;100"},
    {"a", "B", NAN, false, false, true, true, RANGE(0, 0), RANGE(0, 0), 0, 100, "'a'=U;;;0;100"},
    /* not determinable: a bare U, no unit */
    {"a", "B", NAN, false, false, true, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=U;;;0"},
    {"a", "%", INFINITY, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'a'=U"},
    /* hand-built labels that were never sanitised still cannot break out */
    {"x'=y |z\n", "", 1, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0,
     "'x__y__z_'=1"},
    {"", NULL, 1, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'_'=1"},
    {NULL, "B", 1, false, false, false, false, RANGE(0, 0), RANGE(0, 0), 0, 0, "'_'=1B"},
};

START_TEST(test_entry)
{
    struct vm_buf b = VM_BUF_INIT;
    struct vm_perf p;

    memset(&p, 0, sizeof(p));
    p.label = (char *)entries[_i].label; /* not freed here */
    p.uom = entries[_i].uom;
    p.value = entries[_i].value;
    p.th.has_warn = entries[_i].has_warn;
    p.th.has_crit = entries[_i].has_crit;
    p.th.warn = entries[_i].warn;
    p.th.crit = entries[_i].crit;
    p.has_min = entries[_i].has_min;
    p.has_max = entries[_i].has_max;
    p.min = entries[_i].min;
    p.max = entries[_i].max;
    vm_perf_format(&b, &p);
    ck_assert_str_eq(vm_buf_str(&b), entries[_i].want);
    vm_buf_clear(&b);
}
END_TEST

/* Ranges other than a plain upper bound go through vm_range_format. */
START_TEST(test_entry_ranges)
{
    struct vm_buf b = VM_BUF_INIT, want = VM_BUF_INIT;
    struct vm_perf p;

    memset(&p, 0, sizeof(p));
    p.label = (char *)"r";
    p.uom = "B";
    p.value = 7;
    p.th.has_warn = p.th.has_crit = true;
    p.th.warn = (struct vm_range){.start = 10, .end_inf = true};
    p.th.crit = (struct vm_range){.start = 1, .end = 2, .inside = true};
    vm_perf_format(&b, &p);
    vm_buf_append(&want, "'r'=7B;");
    vm_range_format(&p.th.warn, &want);
    vm_buf_append(&want, ";");
    vm_range_format(&p.th.crit, &want);
    ck_assert_str_eq(vm_buf_str(&b), vm_buf_str(&want));
    ck_assert_str_eq(vm_buf_str(&b), "'r'=7B;10:;@1:2");
    vm_buf_clear(&b);
    vm_buf_clear(&want);
}
END_TEST

START_TEST(test_free)
{
    struct vm_perf p;

    memset(&p, 0, sizeof(p));
    vm_perf_clear(NULL);
    p.label = strdup("x");
    ck_assert_ptr_nonnull(p.label);
    vm_perf_clear(&p);
    ck_assert_ptr_null(p.label);
    vm_perf_clear(&p); /* twice is harmless */
}
END_TEST

/* 60 s: localedef takes a few seconds */
VM_CK_MAIN_TCASE("perfdata", "perfdata", 60, NULL, NULL, VM_CK_LOOP(test_number, VM_CK_N(numbers)),
                 VM_CK_LOOP(test_number_huge, 3), VM_CK_LOOP(test_number_locale, VM_CK_N(locales)),
                 VM_CK_LOOP(test_label, VM_CK_N(labels)), VM_CK_TEST(test_label_all_bytes),
                 VM_CK_LOOP(test_entry, VM_CK_N(entries)), VM_CK_TEST(test_entry_ranges),
                 VM_CK_TEST(test_free))
