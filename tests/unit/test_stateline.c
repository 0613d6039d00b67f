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

/* Numbers: decimal, no sign, '+' or leading zero; within the bounds. An
 * int (min < 0, or max <= INT_MAX) may have a '-', but not "-0". */
static const struct {
    const char *s;
    bool is_int;
    long long min;
    uint64_t max;
    bool ok;
    long long want;
} nums[] = {
    {"0", false, 0, 1, true, 0},
    {"1", false, 0, 1, true, 1},
    {"2", false, 0, 1, false, 0},
    {"01", false, 0, 9, false, 0},
    {"+1", false, 0, 9, false, 0},
    {"-1", false, 0, 9, false, 0},
    {"0x7", false, 0, 99, false, 0},
    {"18446744073709551615", false, 0, UINT64_MAX, true, -1},
    {"18446744073709551616", false, 0, UINT64_MAX, false, 0},
    {"99999999999999999999", false, 0, UINT64_MAX, false, 0},
    {"-1", true, -1, INT_MAX, true, -1},
    {"-2", true, -1, INT_MAX, false, 0},
    {"-0", true, -1, INT_MAX, false, 0},
    {"2147483647", true, 0, INT_MAX, true, INT_MAX},
    {"2147483648", true, 0, INT_MAX, false, 0},
    {"-2147483648", true, INT_MIN, INT_MAX, true, INT_MIN},
    {"-2147483649", true, INT_MIN, INT_MAX, false, 0},
    {"07", true, 0, INT_MAX, false, 0},
    {"-", true, -1, INT_MAX, false, 0},
    {"5", true, 0, 4, false, 0},
};

START_TEST(test_number)
{
    struct vm_stateline_field f = field(nums[_i].s);
    uint64_t u = 0;
    int v = 0;
    unsigned w;
    bool ok = nums[_i].is_int ? vm_stateline_get_int(&f, (int)nums[_i].min, (int)nums[_i].max, &v)
                              : vm_stateline_get_u64(&f, nums[_i].max, &u);

    ck_assert_msg(ok == nums[_i].ok, "%s", nums[_i].s);
    if (ok && nums[_i].is_int)
        ck_assert_int_eq(v, nums[_i].want);
    else if (ok)
        ck_assert_uint_eq(u, (uint64_t)nums[_i].want);
    f = field("4294967295");
    ck_assert(vm_stateline_get_uint(&f, &w) && w == UINT_MAX);
    f = field("4294967296");
    ck_assert(!vm_stateline_get_uint(&f, &w));
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
                 VM_CK_LOOP(test_number, N(nums)), VM_CK_TEST(test_values))
