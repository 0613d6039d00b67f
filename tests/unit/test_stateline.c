/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/stateline.c: strings round-trip every byte and stay
 * one field; lines, numbers and strings that are not exactly the format
 * are refused. (test_statefile checks the same through whole files.) */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ck_run.h"
#include "stateline.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A cursor over the one line `text` (static storage), its fields read. */
static bool line_of(struct vm_stateline *c, const char *text)
{
    c->p = text;
    c->end = text + strlen(text);
    return vm_stateline_next(c);
}

static struct vm_stateline_field field(const char *s)
{
    struct vm_stateline_field f = {s, strlen(s)};

    return f;
}

/* Every byte but NUL, written and read back, is one field of one line. */
START_TEST(test_str_roundtrip)
{
    struct vm_buf b = VM_BUF_INIT;
    struct vm_stateline c;
    char in[256], *out = NULL;

    for (int i = 1; i < 256; i++)
        in[i - 1] = (char)i;
    in[255] = '\0';
    vm_buf_append(&b, "x");
    vm_stateline_put_str(&b, in);
    vm_stateline_put_str(&b, NULL);
    vm_buf_append(&b, "\n");
    ck_assert(!b.oom);
    ck_assert(line_of(&c, vm_buf_str(&b)));
    ck_assert_uint_eq(c.nt, 3);
    ck_assert(vm_stateline_field_is(&c.t[0], "x"));
    ck_assert_int_eq(vm_stateline_get_str(&c.t[1], &out), 1);
    ck_assert_str_eq(out, in);
    free(out);
    ck_assert(vm_stateline_field_is(&c.t[2], "-"));
    ck_assert_int_eq(vm_stateline_get_str(&c.t[2], &out), 1);
    ck_assert_ptr_null(out);
    vm_buf_clear(&b);
}
END_TEST

static const char *const bad_str[] = {
    "web", "=web|01", "=web%7c01", "=web%00", "=web%G1", "=web%7", "=a b", "--",
};

START_TEST(test_str_bad)
{
    struct vm_stateline_field f = field(bad_str[_i]);
    char *out = (char *)"untouched", fixed[8];

    ck_assert_int_eq(vm_stateline_get_str(&f, &out), 0);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(vm_stateline_get_str_fixed(&f, fixed, sizeof(fixed)), 0);
}
END_TEST

START_TEST(test_str_fixed)
{
    struct vm_stateline_field f = field("=abc%2F"), dash = field("-");
    char dst[5];

    ck_assert_int_eq(vm_stateline_get_str_fixed(&f, dst, sizeof(dst)), 1);
    ck_assert_str_eq(dst, "abc/");
    ck_assert_int_eq(vm_stateline_get_str_fixed(&f, dst, 4), 0); /* no room for the NUL */
    ck_assert_int_eq(vm_stateline_get_str_fixed(&dash, dst, sizeof(dst)), 0);
}
END_TEST

/* Lines: fields split on one space; anything looser is refused. */
static const struct {
    const char *text;
    int nt; /* -1: refused */
} lines[] = {
    {"a\n", 1},
    {"a b c\n", 3},
    {"a  b\n", -1},
    {" a\n", -1},
    {"a \n", -1},
    {"a", -1},
    {"\n", -1},
    {"", -1},
    {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n", 20},
    {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21\n", -1},
};

START_TEST(test_next)
{
    struct vm_stateline c;
    bool ok = line_of(&c, lines[_i].text);

    ck_assert_msg(ok == (lines[_i].nt >= 0), "%s", lines[_i].text);
    if (ok) {
        ck_assert_uint_eq(c.nt, (size_t)lines[_i].nt);
        ck_assert_ptr_eq(c.p, c.end); /* the whole line was taken */
    }
}
END_TEST

START_TEST(test_expect)
{
    static const char two[] = "groups 63\nerror -\n";
    struct vm_stateline c = {.p = two, .end = two + sizeof(two) - 1};

    ck_assert(vm_stateline_expect(&c, "groups", 1));
    ck_assert(!vm_stateline_expect(&c, "error", 2)); /* wrong count */
    c.p = two;
    ck_assert(!vm_stateline_expect(&c, "group", 1)); /* a prefix is not the word */
    ck_assert(vm_stateline_expect(&c, "error", 1));
    ck_assert(!vm_stateline_expect(&c, "error", 1)); /* the end */
}
END_TEST

/* Numbers: decimal, no sign, '+' or leading zero; within the bounds. */
static const struct {
    const char *s;
    uint64_t max;
    bool ok;
    uint64_t want;
} u64s[] = {
    {"0", 1, true, 0},
    {"1", 1, true, 1},
    {"2", 1, false, 0},
    {"01", 9, false, 0},
    {"+1", 9, false, 0},
    {"-1", 9, false, 0},
    {"0x7", 99, false, 0},
    {"18446744073709551615", UINT64_MAX, true, UINT64_MAX},
    {"18446744073709551616", UINT64_MAX, false, 0},
    {"99999999999999999999", UINT64_MAX, false, 0},
};

START_TEST(test_u64)
{
    struct vm_stateline_field f = field(u64s[_i].s);
    uint64_t v = 0;

    ck_assert_msg(vm_stateline_get_u64(&f, u64s[_i].max, &v) == u64s[_i].ok, "%s", u64s[_i].s);
    if (u64s[_i].ok)
        ck_assert_uint_eq(v, u64s[_i].want);
}
END_TEST

static const struct {
    const char *s;
    int min;
    bool ok;
    int want;
} ints[] = {
    {"-1", -1, true, -1},
    {"-2", -1, false, 0},
    {"-0", -1, false, 0},
    {"2147483647", 0, true, INT_MAX},
    {"2147483648", 0, false, 0},
    {"-2147483648", INT_MIN, true, INT_MIN},
    {"-2147483649", INT_MIN, false, 0},
    {"07", 0, false, 0},
    {"-", -1, false, 0},
};

START_TEST(test_int)
{
    struct vm_stateline_field f = field(ints[_i].s);
    int v = 0;
    unsigned u;

    ck_assert_msg(vm_stateline_get_int(&f, ints[_i].min, INT_MAX, &v) == ints[_i].ok, "%s",
                  ints[_i].s);
    if (ints[_i].ok)
        ck_assert_int_eq(v, ints[_i].want);
    f = field("4294967295");
    ck_assert(vm_stateline_get_uint(&f, &u) && u == UINT_MAX);
    f = field("4294967296");
    ck_assert(!vm_stateline_get_uint(&f, &u));
}
END_TEST

/* `have` is a mask of n bits, then exactly n values. */
START_TEST(test_values)
{
    struct vm_stateline c;
    uint32_t have = 0;
    uint64_t v[3] = {0};
    struct vm_buf b = VM_BUF_INIT;
    const uint64_t in[3] = {1000, 0, UINT64_MAX};

    vm_buf_append(&b, "cpu");
    vm_stateline_put_values(&b, 7, in, 3);
    ck_assert_str_eq(vm_buf_str(&b), "cpu 7 1000 0 18446744073709551615\n");
    ck_assert(line_of(&c, vm_buf_str(&b)));
    ck_assert(vm_stateline_get_values(&c, 1, 3, &have, v));
    ck_assert_uint_eq(have, 7);
    ck_assert(memcmp(v, in, sizeof(in)) == 0);
    ck_assert(!vm_stateline_get_values(&c, 1, 2, &have, v)); /* one value too many */
    ck_assert(line_of(&c, "cpu 8 1 2 3\n"));
    ck_assert(!vm_stateline_get_values(&c, 1, 3, &have, v)); /* a fourth bit */
    ck_assert(line_of(&c, "cpu 7 1 2\n"));
    ck_assert(!vm_stateline_get_values(&c, 1, 3, &have, v));
    vm_buf_clear(&b);
}
END_TEST

VM_CK_MAIN_TCASE("stateline", "stateline", 60, NULL, NULL, VM_CK_TEST(test_str_roundtrip),
                 VM_CK_LOOP(test_str_bad, N(bad_str)), VM_CK_TEST(test_str_fixed),
                 VM_CK_LOOP(test_next, N(lines)), VM_CK_TEST(test_expect),
                 VM_CK_LOOP(test_u64, N(u64s)), VM_CK_LOOP(test_int, N(ints)),
                 VM_CK_TEST(test_values))
