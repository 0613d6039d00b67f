/* SPDX-License-Identifier: GPL-3.0-or-later */
/* range: the guideline table, strict parsing, units, formatting, numbers. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ck_run.h"
#include "range.h"

#define P VM_RANGE_ALLOW_PERCENT
#define S VM_RANGE_ALLOW_SIZE
#define PS (VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE)
#define MS VM_RANGE_ALLOW_MS
#define SEC VM_RANGE_ALLOW_SECONDS
#define GiB 1073741824.0
#define MiB 1048576.0

/* --- evaluation: every guideline row, probed around each endpoint --- */

static const struct {
    const char *range;
    double value;
    bool alerts;
} evals[] = {
    /* "10": alert if < 0 or > 10 */
    {"10", -1, true},
    {"10", -0.001, true},
    {"10", 0, false},
    {"10", 5, false},
    {"10", 10, false},
    {"10", 10.001, true},
    {"10", 11, true},
    /* "10:": alert if < 10 */
    {"10:", -5, true},
    {"10:", 9.999, true},
    {"10:", 10, false},
    {"10:", 11, false},
    {"10:", 1e300, false},
    /* "~:10": alert if > 10 */
    {"~:10", -1e300, false},
    {"~:10", -5, false},
    {"~:10", 10, false},
    {"~:10", 10.5, true},
    {"~:10", 11, true},
    /* "10:20": alert if < 10 or > 20 */
    {"10:20", 9, true},
    {"10:20", 10, false},
    {"10:20", 15, false},
    {"10:20", 20, false},
    {"10:20", 20.0001, true},
    {"10:20", 21, true},
    /* "@10:20": alert if 10 <= x <= 20 */
    {"@10:20", 9, false},
    {"@10:20", 9.999, false},
    {"@10:20", 10, true},
    {"@10:20", 15, true},
    {"@10:20", 20, true},
    {"@10:20", 20.001, false},
    {"@10:20", 21, false},
    /* negatives and decimals */
    {"-5:-1", -6, true},
    {"-5:-1", -5, false},
    {"-5:-1", -3, false},
    {"-5:-1", -1, false},
    {"-5:-1", -0.5, true},
    {"-5:-1", 0, true},
    {"0.5:1.5", 0.4, true},
    {"0.5:1.5", 0.5, false},
    {"0.5:1.5", 1, false},
    {"0.5:1.5", 1.5, false},
    {"0.5:1.5", 1.6, true},
    /* the guideline's command-line examples */
    {"1:", 0, true},
    {"1:", 1, false},
    {"5:6", 4.9, true},
    {"5:6", 5.5, false},
    {"5:6", 6.1, true},
    /* no limits at all, and its inversion */
    {"~:", -1e300, false},
    {"~:", 0, false},
    {"~:", 1e300, false},
    {"@~:", -1e300, true},
    {"@~:", 0, true},
    {"@~:", 1e300, true},
    /* "@N" is "@0:N" */
    {"@10", -1, false},
    {"@10", 0, true},
    {"@10", 10, true},
    {"@10", 11, false},
    /* a single point */
    {"10:10", 9.99, true},
    {"10:10", 10, false},
    {"10:10", 10.01, true},
    {"@10:10", 10, true},
    {"@10:10", 10.01, false},
    /* ":N" is "0:N" */
    {":10", -1, true},
    {":10", 0, false},
    {":10", 10, false},
    {":10", 11, true},
    /* the five upstream mp_check_range defects (style-anchors 1.9) */
    {"6", -1, true},
    {"6", -100, true}, /* no colon starts at 0, not -inf */
    {"~:56", 56, false},
    {"~:10", 10, false}, /* end inclusive with -inf start */
    {"~:-95.99", -1, true},
    {"~:-95.99", -100, false}, /* negative doubles compare right */
    {"@~:-1", -1, true},
    {"@~:-1", -0.5, false},
    /* exponents, signs and sizes evaluate like any number */
    {"1e3", 1000, false},
    {"1e3", 1000.5, true},
    {"+10", 10, false},
    {"+10", -1, true},
    {"1K", 1024, false},
    {"1K", 1025, true},
    {"~:1.5G", 1.5 * GiB, false},
    {"~:1.5G", 1.5 * GiB + 1, true},
    /* infinite values */
    {"10", INFINITY, true},
    {"10:", INFINITY, false},
    {"~:10", -INFINITY, false},
    {"10:20", -INFINITY, true},
    {"~:", INFINITY, false},
    /* NaN always alerts, even where nothing else could */
    {"10", NAN, true},
    {"~:", NAN, true},
    {"@10:20", NAN, true},
    {"@~:", NAN, true},
};

START_TEST(test_alerts)
{
    struct vm_range r;
    struct vm_err err;

    ck_assert_msg(vm_range_parse(&r, evals[_i].range, PS, &err) == 0, "%s", err.msg);
    ck_assert_msg(vm_range_alerts(&r, evals[_i].value) == evals[_i].alerts,
                  "range '%s' value %g: want alerts=%d", evals[_i].range, evals[_i].value,
                  evals[_i].alerts);
}
END_TEST

/* --- accepted ranges, field by field --- */

static const struct {
    const char *text;
    unsigned allow;
    double start, end;
    bool start_inf, end_inf, inside;
    enum vm_unit unit;
} goods[] = {
    {"10", 0, 0, 10, false, false, false, VM_UNIT_NONE},
    {"10:", 0, 10, 0, false, true, false, VM_UNIT_NONE},
    {"~:10", 0, 0, 10, true, false, false, VM_UNIT_NONE},
    {"10:20", 0, 10, 20, false, false, false, VM_UNIT_NONE},
    {"@10:20", 0, 10, 20, false, false, true, VM_UNIT_NONE},
    {"-5:-1", 0, -5, -1, false, false, false, VM_UNIT_NONE},
    {"0.5:1.5", 0, 0.5, 1.5, false, false, false, VM_UNIT_NONE},
    {"~:", 0, 0, 0, true, true, false, VM_UNIT_NONE}, /* guideline: -inf..+inf */
    {"@~:", 0, 0, 0, true, true, true, VM_UNIT_NONE}, /* always alerts; kept, it is well-formed */
    {":10", 0, 0, 10, false, false, false, VM_UNIT_NONE},    /* start omitted = 0, as upstream */
    {"10:10", 0, 10, 10, false, false, false, VM_UNIT_NONE}, /* start == end is fine */
    {"0", 0, 0, 0, false, false, false, VM_UNIT_NONE},
    {"0:", 0, 0, 0, false, true, false, VM_UNIT_NONE},
    {"@10", 0, 0, 10, false, false, true, VM_UNIT_NONE},
    {"+10", 0, 0, 10, false, false, false, VM_UNIT_NONE},     /* a '+' sign is harmless */
    {"-0", 0, 0, 0, false, false, false, VM_UNIT_NONE},       /* -0 is 0, not "start > end" */
    {"007:010", 0, 7, 10, false, false, false, VM_UNIT_NONE}, /* decimal, never octal */
    {"1e3", 0, 0, 1000, false, false, false, VM_UNIT_NONE},
    {"1E2:", 0, 100, 0, false, true, false, VM_UNIT_NONE},
    {".5:5.", 0, 0.5, 5, false, false, false, VM_UNIT_NONE},
    {"~:-5", 0, 0, -5, true, false, false, VM_UNIT_NONE},
    {"-5:", 0, -5, 0, false, true, false, VM_UNIT_NONE},
    {"@-5:-1", 0, -5, -1, false, false, true, VM_UNIT_NONE},
    /* percent; a bare end beside a percent end is a percent */
    {"10%", P, 0, 10, false, false, false, VM_UNIT_PERCENT},
    {"10:20%", P, 10, 20, false, false, false, VM_UNIT_PERCENT},
    {"10%:20", P, 10, 20, false, false, false, VM_UNIT_PERCENT},
    {"10%:20%", P, 10, 20, false, false, false, VM_UNIT_PERCENT},
    {"~:90%", P, 0, 90, true, false, false, VM_UNIT_PERCENT},
    {"90%:", P, 90, 0, false, true, false, VM_UNIT_PERCENT},
    {"@80%:90%", PS, 80, 90, false, false, true, VM_UNIT_PERCENT},
    {"150%", P, 0, 150, false, false, false, VM_UNIT_PERCENT}, /* CPU % can pass 100 */
    {"10", P, 0, 10, false, false, false, VM_UNIT_NONE},
    /* sizes, stored in bytes */
    {"6GiB", S, 0, 6 * GiB, false, false, false, VM_UNIT_BYTES},
    {"6G", PS, 0, 6 * GiB, false, false, false, VM_UNIT_BYTES},
    {"1.5G", S, 0, 1.5 * GiB, false, false, false, VM_UNIT_BYTES},
    {"512MiB:1GiB", S, 512 * MiB, GiB, false, false, false, VM_UNIT_BYTES},
    {"1K:2KiB", S, 1024, 2048, false, false, false, VM_UNIT_BYTES},
    {"1B", S, 0, 1, false, false, false, VM_UNIT_BYTES},
    {"0B:10G", S, 0, 10 * GiB, false, false, false, VM_UNIT_BYTES},
    {"~:2T", S, 0, 2 * 1099511627776.0, true, false, false, VM_UNIT_BYTES},
    {"1TiB:", S, 1099511627776.0, 0, false, true, false, VM_UNIT_BYTES},
    {"@1G:2G", S, GiB, 2 * GiB, false, false, true, VM_UNIT_BYTES},
    {"1M", S, 0, MiB, false, false, false, VM_UNIT_BYTES},
    {"-1G:", S, -GiB, 0, false, true, false, VM_UNIT_BYTES},
    {"10", S, 0, 10, false, false, false, VM_UNIT_NONE},
    {"1e3K", S, 0, 1024000, false, false, false, VM_UNIT_BYTES},
    /* times, stored in ms */
    {"20", MS, 0, 20, false, false, false, VM_UNIT_NONE},
    {"20ms", MS, 0, 20, false, false, false, VM_UNIT_NONE},
    {"1s", MS, 0, 1000, false, false, false, VM_UNIT_NONE},
    {"0.5s:", MS, 500, 0, false, true, false, VM_UNIT_NONE},
    {"500us:1s", MS, 500 * 0.001, 1000, false, false, false, VM_UNIT_NONE},
    {"2\xc2\xb5s", MS, 0, 2 * 0.001, false, false, false, VM_UNIT_NONE}, /* micro sign */
    {"3\xce\xbcs", MS, 0, 3 * 0.001, false, false, false, VM_UNIT_NONE}, /* Greek mu */
    {"@1ms:2", MS, 1, 2, false, false, true, VM_UNIT_NONE},
    /* spans, stored in s */
    {"4h:", SEC, 4 * 3600, 0, false, true, false, VM_UNIT_NONE},
    {"90", SEC, 0, 90, false, false, false, VM_UNIT_NONE},
    {"30s:2min", SEC, 30, 120, false, false, false, VM_UNIT_NONE},
    {"@1d:1.5d", SEC, 86400, 1.5 * 86400, false, false, true, VM_UNIT_NONE},
};

START_TEST(test_parse_ok)
{
    struct vm_range r;
    struct vm_err err;

    memset(&r, 0x5a, sizeof(r)); /* every field must be written */
    ck_assert_msg(vm_range_parse(&r, goods[_i].text, goods[_i].allow, &err) == 0, "'%s': %s",
                  goods[_i].text, err.msg);
    ck_assert_int_eq(r.start_inf, goods[_i].start_inf);
    ck_assert_int_eq(r.end_inf, goods[_i].end_inf);
    ck_assert_int_eq(r.inside, goods[_i].inside);
    ck_assert_int_eq(r.unit, goods[_i].unit);
    if (!r.start_inf)
        ck_assert_double_eq(r.start, goods[_i].start);
    if (!r.end_inf)
        ck_assert_double_eq(r.end, goods[_i].end);
    ck_assert(!signbit(r.start) || r.start != 0); /* no -0 */
    ck_assert(!signbit(r.end) || r.end != 0);
}
END_TEST

/* --- rejections: each message names the text and says why --- */

static const struct {
    const char *text;
    unsigned allow;
    const char *why; /* must appear in the message */
} bads[] = {
    {"", PS, "the range is empty"},
    {" 10", PS, "spaces are not allowed"},
    {"10 ", PS, "spaces are not allowed"},
    {"1 0", PS, "spaces are not allowed"},
    {"\t10", PS, "spaces are not allowed"},
    {"1:2\n", PS, "spaces are not allowed"},
    /* start > end */
    {"10:5", PS, "start '10' is greater than end '5'"},
    {"@10:5", PS, "start '10' is greater than end '5'"},
    {"5:-5", PS, "greater than end"},
    {"1GiB:512MiB", S, "start '1GiB' is greater than end '512MiB'"}, /* compared in bytes */
    {"20%:10", P, "greater than end"},
    /* "-10" is 0..-10, as upstream: an error, not "swap the ends" */
    {"-10", PS,
     "a range without ':' starts at 0, and -10 is below 0 (did you mean '~:-10' or '-10:'?)"},
    {"@-1", PS, "did you mean '@~:-1' or '@-1:'?"},
    {"-1e-9", PS, "below 0"},
    /* junk */
    {"10x", PS, "unknown unit 'x'"},
    {"10x", 0, "unexpected 'x' after the number"},
    {"10x", P, "unknown unit 'x' (only '%' is accepted)"},
    {"10:20:30", PS, "more than one ':'"},
    {"10;20", 0, "unexpected ';20' after the number"},
    {"10,5", 0, "unexpected ',5' after the number"},
    {"1e", 0, "unexpected 'e' after the number"},
    {"1:abc", PS, "end 'abc': not a number"},
    {"abc:1", PS, "start 'abc': not a number"},
    {"abc", PS, "not a number"},
    {"--", PS, "not a number"},
    {"--5", PS, "not a number"},
    {"+", PS, "not a number"},
    {".", PS, "not a number"},
    {"-.", PS, "not a number"},
    {"@@10", PS, "not a number"},
    {"%", P, "not a number"},
    {"10:%", P, "end '%': not a number"},
    {"10%%", P, "unknown unit '%%'"},
    /* NaN and infinities, any spelling, either end */
    {"nan", PS, "not a finite number"},
    {"NaN", PS, "not a finite number"},
    {"10:nan", PS, "end 'nan': not a finite number"},
    {"-nan:1", PS, "not a finite number"},
    {"inf", PS, "not a finite number"},
    {"~:inf", PS, "not a finite number"},
    {"-inf:0", PS, "not a finite number"},
    {"infinity", PS, "not a finite number"},
    {"Infinity:", PS, "not a finite number"},
    /* overflow and underflow */
    {"1e309", PS, "too large"},
    {"~:1e309", PS, "end '1e309': too large"},
    {"-1e309:", PS, "too large"},
    {"1e308T", S, "too large"}, /* overflows only with its unit */
    {"1e-400", PS, "too small"},
    /* hex is not a decimal number, although strtod() takes it */
    {"0x10", PS, "not a decimal number"},
    {"0x10:20", PS, "start '0x10': not a decimal number"},
    {"0X1p3", PS, "not a decimal number"},
    /* '@' and ':' with nothing to say */
    {"@", PS, "'@' needs a range after it"},
    {"@:", PS, "':' alone is not a range"},
    {":", PS, "':' alone is not a range"}, /* decided: a typo, not "0:" */
    /* '~' is minus infinity, so only a start, and only alone */
    {"~", PS, "'~' (minus infinity) is only a start"},
    {"1:~", PS, "'~' (minus infinity) is only a start"},
    {"~:~", PS, "'~' (minus infinity) is only a start"}, /* decided: reject, "~:" says it */
    {"~10", PS, "'~' (minus infinity) stands alone"},
    {"~~:1", PS, "stands alone"},
    /* time units only where a metric is a time, and only these */
    {"10ms", PS, "unknown unit 'ms'"},
    {"10ms", 0, "unexpected 'ms' after the number"},
    {"10m", MS, "unknown unit 'm' (a time: ms, us or s; a bare number is ms)"},
    {"1min", MS, "unknown unit 'min'"},
    {"1ms", SEC, "unknown unit 'ms' (a time: s, min, h or d; a bare number is s)"},
    {"1m", SEC, "unknown unit 'm'"},
    {"1w", SEC, "unknown unit 'w'"},
    {"1GiB", SEC, "size unit 'GiB' is not accepted here"},
    {"10%", MS, "'%' is not accepted here"},
    {"1G", MS, "size unit 'G' is not accepted here"},
    {"1s:2K", MS, "end '2K': size unit 'K' is not accepted here"},
    /* units the caller does not take */
    {"10%", 0, "'%' is not accepted here"},
    {"10%", S, "'%' is not accepted here"},
    {"10G", 0, "size unit 'G' is not accepted here"},
    {"1GiB", P, "size unit 'GiB' is not accepted here"},
    /* ambiguous and unknown size units */
    {"1KB", S, "'KB' is ambiguous (1000 or 1024?): use K or KiB"},
    {"1MB", S, "'MB' is ambiguous (1000 or 1024?): use M or MiB"},
    {"1GB", S, "'GB' is ambiguous (1000 or 1024?): use G or GiB"},
    {"1TB", S, "'TB' is ambiguous (1000 or 1024?): use T or TiB"},
    {"1gib", S, "unknown unit 'gib'"},
    {"1k", S, "unknown unit 'k'"},
    {"1kB", S, "unknown unit 'kB'"},
    {"1Gi", S, "unknown unit 'Gi'"},
    {"1PiB", S, "unknown unit 'PiB'"},
    /* mixed units */
    {"10%:1GiB", PS, "mixed units"},
    {"1G:20%", PS, "mixed units"},
    {"0:1G", S, "mixed units"}, /* decided: "0B:1G" says it is meant */
    {"1G:10", S, "mixed units"},
};

START_TEST(test_parse_bad)
{
    struct vm_range r, before;
    struct vm_err err;
    char head[128];

    err.msg[0] = '\0';
    memset(&r, 0x5a, sizeof(r));
    before = r;
    ck_assert_msg(vm_range_parse(&r, bads[_i].text, bads[_i].allow, &err) == -1, "'%s' accepted",
                  bads[_i].text);
    ck_assert_msg(strstr(err.msg, bads[_i].why), "'%s': got \"%s\", want \"%s\"", bads[_i].text,
                  err.msg, bads[_i].why);
    /* names the text (newlines and tabs become spaces in err) */
    snprintf(head, sizeof(head), "invalid range '%s': ", bads[_i].text);
    for (char *p = head; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0, "%s", err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    ck_assert(memcmp(&r, &before, sizeof(r)) == 0); /* *out untouched on error */
    /* a NULL err is fine */
    ck_assert_int_eq(vm_range_parse(&r, bads[_i].text, bads[_i].allow, NULL), -1);
}
END_TEST

/* --- formatting --- */

/* A row of formats and dbl_bad: the text, and what it gives exactly. */
struct text_case {
    const char *text;
    const char *want;
};

static const struct text_case formats[] = {
    {"10", "10"},
    {"0:10", "10"},
    {":10", "10"},
    {"10:", "10:"},
    {"0:", "0:"},
    {"~:10", "~:10"},
    {"~:", "~:"},
    {"@~:", "@~:"},
    {"@10:20", "@10:20"},
    {"@10", "@10"},
    {"@0:0", "@0"},
    {"-0:5", "5"},
    {"-5:-1", "-5:-1"},
    {"-0.5:0.25", "-0.5:0.25"},
    {"6GiB", "6442450944"},
    {"1.5K", "1536"},
    {"1TiB:", "1099511627776:"},
    {"10%", "10"},
    {"0.1", "0.1"},
    {"0.3", "0.3"},
    {"1e-5", "0.00001"},
    {"1.25e-7:1", "0.000000125:1"},
    {"1e20", "100000000000000000000"},
    {"123456789.125", "123456789.125"},
    {"007.50", "7.5"},
    {"+3", "3"},
    {"1E2:", "100:"},
    {"9007199254740993", "9007199254740992"},         /* the nearest double */
    {"18446744073709551616", "18446744073709552000"}, /* shortest digits */
};

START_TEST(test_format)
{
    struct vm_range r;
    struct vm_buf b = VM_BUF_INIT;
    struct vm_err err;

    ck_assert_msg(vm_range_parse(&r, formats[_i].text, PS, &err) == 0, "%s", err.msg);
    vm_buf_append(&b, "x="); /* appends, never replaces */
    vm_range_format(&r, &b);
    ck_assert_int_eq(strncmp(vm_buf_str(&b), "x=", 2), 0);
    ck_assert_str_eq(vm_buf_str(&b) + 2, formats[_i].want);
    vm_buf_clear(&b);
}
END_TEST

/* Checked by hand rather than with ck_assert_*: every passing ck_assert
 * is a message to the runner, and the random test makes 40000 of these. */
static void assert_round_trip(const struct vm_range *r)
{
    struct vm_buf b = VM_BUF_INIT;
    struct vm_range back;
    struct vm_err err;
    const char *s;

    vm_range_format(r, &b);
    s = vm_buf_str(&b);
    if (strpbrk(s, "eE"))
        ck_abort_msg("exponent in '%s'", s);
    if (vm_range_parse(&back, s, 0, &err) < 0)
        ck_abort_msg("'%s': %s", s, err.msg);
    if (back.inside != r->inside || back.start_inf != r->start_inf || back.end_inf != r->end_inf)
        ck_abort_msg("'%s': flags differ", s);
    if (!r->start_inf && back.start != r->start)
        ck_abort_msg("'%s': start %.17g != %.17g", s, back.start, r->start);
    if (!r->end_inf && back.end != r->end)
        ck_abort_msg("'%s': end %.17g != %.17g", s, back.end, r->end);
    vm_buf_clear(&b);
}

/* Every accepted range of the table reads back the same. */
START_TEST(test_round_trip_table)
{
    struct vm_range r;

    ck_assert_int_eq(vm_range_parse(&r, goods[_i].text, goods[_i].allow, NULL), 0);
    assert_round_trip(&r);
}
END_TEST

/* A deterministic xorshift stream of doubles across the whole normal range
 * (subnormals are refused by the parser as underflow). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double next_double(void)
{
    for (;;) {
        uint64_t x = rng_state;
        double d;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rng_state = x;
        memcpy(&d, &x, sizeof(d));
        if (isnormal(d))
            return d;
    }
}

START_TEST(test_round_trip_random)
{
    static const double fixed[] = {0.1 + 0.2,
                                   1.0 / 3,
                                   2.0 / 3,
                                   1e-300,
                                   1e300,
                                   5e-324 * 1e16,
                                   4503599627370496.5,
                                   9007199254740991,
                                   0.000123,
                                   1e15,
                                   1e16,
                                   1e22,
                                   1e23,
                                   1.7976931348623157e308,
                                   2.2250738585072014e-308,
                                   6442450944,
                                   8589934592 * 0.8};

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        struct vm_range r = {.start = -fixed[i], .end = fixed[i]};

        assert_round_trip(&r);
        r = (struct vm_range){.end = fixed[i], .start_inf = true, .inside = true};
        assert_round_trip(&r);
    }
    for (int i = 0; i < 20000; i++) {
        double a = next_double(), c = next_double();
        struct vm_range r = {.start = fmin(a, c), .end = fmax(a, c), .inside = i % 2};

        assert_round_trip(&r);
        r.end_inf = true;
        assert_round_trip(&r);
    }
}
END_TEST

/* --- scaling percent to bytes and back --- */

START_TEST(test_scale)
{
    struct vm_range r, s;

    ck_assert_int_eq(vm_range_parse(&r, "80%", PS, NULL), 0);
    s = vm_range_scale(&r, 8 * GiB / 100, VM_UNIT_BYTES);
    ck_assert_int_eq(s.unit, VM_UNIT_BYTES);
    ck_assert_double_eq_tol(s.end, 0.8 * 8 * GiB, 1e-3);
    ck_assert_double_eq(s.start, 0);
    ck_assert(!s.start_inf && !s.end_inf && !s.inside);
    ck_assert_int_eq(r.unit, VM_UNIT_PERCENT); /* the input is untouched */
    ck_assert_double_eq(r.end, 80);

    ck_assert_int_eq(vm_range_parse(&r, "@~:50%", PS, NULL), 0);
    s = vm_range_scale(&r, 2, VM_UNIT_BYTES);
    ck_assert(s.start_inf && s.inside && !s.end_inf);
    ck_assert_double_eq(s.end, 100);

    ck_assert_int_eq(vm_range_parse(&r, "10%:", PS, NULL), 0);
    s = vm_range_scale(&r, 3, VM_UNIT_BYTES);
    ck_assert(s.end_inf && !s.start_inf);
    ck_assert_double_eq(s.start, 30);

    ck_assert_int_eq(vm_range_parse(&r, "1G:2G", PS, NULL), 0);
    s = vm_range_scale(&r, 100.0 / (4 * GiB), VM_UNIT_PERCENT);
    ck_assert_int_eq(s.unit, VM_UNIT_PERCENT);
    ck_assert_double_eq(s.start, 25);
    ck_assert_double_eq(s.end, 50);
    ck_assert(vm_range_alerts(&s, 24.9) && !vm_range_alerts(&s, 25) && vm_range_alerts(&s, 51));

    s = vm_range_scale(&r, 0, VM_UNIT_PERCENT); /* a total of 0 */
    ck_assert_double_eq(s.start, 0);
    ck_assert_double_eq(s.end, 0);
}
END_TEST

/* --- vm_parse_double --- */

/* A row of dbl_ok: the text, and the double it reads as. */
struct dbl_case {
    const char *text;
    double want;
};

static const struct dbl_case dbl_ok[] = {
    /* a sign is fine here (decided); -0 reads as 0 so no "-0" is ever printed */
    {"0", 0},
    {"-0", 0},
    {"+0", 0},
    {"007", 7},
    {"1.5", 1.5},
    {"-2.25", -2.25},
    {"+3", 3},
    {".5", 0.5},
    {"5.", 5},
    {"1e3", 1000},
    {"1E-3", 0.001},
    {"1e+2", 100},
    {"1.7976931348623157e308", 1.7976931348623157e308},
    {"18446744073709551616", 18446744073709551616.0},
    {"99999999999999999999999999999", 1e29},
    {"0.000000000000000000001", 1e-21},
};

START_TEST(test_double_ok)
{
    double v = -1;
    struct vm_err err;

    ck_assert_msg(vm_parse_double(dbl_ok[_i].text, &v, "--x", &err) == 0, "%s", err.msg);
    ck_assert_double_eq(v, dbl_ok[_i].want);
    ck_assert(!signbit(v) || v != 0);
}
END_TEST

/* want: the whole message */
static const struct text_case dbl_bad[] = {
    {"", "invalid --interval '': the value is empty"},
    {" 1", "invalid --interval ' 1': spaces are not allowed"},
    {"1 ", "invalid --interval '1 ': spaces are not allowed"},
    {"abc", "invalid --interval 'abc': not a number"},
    {"10s", "invalid --interval '10s': unexpected 's' after the number"},
    {"1,5", "invalid --interval '1,5': unexpected ',5' after the number"},
    {"1e", "invalid --interval '1e': unexpected 'e' after the number"},
    {"0x10", "invalid --interval '0x10': not a decimal number"},
    {"nan", "invalid --interval 'nan': not a finite number"},
    {"-inf", "invalid --interval '-inf': not a finite number"},
    {"INFINITY", "invalid --interval 'INFINITY': not a finite number"},
    {"1e309", "invalid --interval '1e309': too large"},
    {"-1e309", "invalid --interval '-1e309': too large"},
    {"1e-400", "invalid --interval '1e-400': too small (closer to 0 than a double can hold)"},
    {"--1", "invalid --interval '--1': not a number"},
    {"+", "invalid --interval '+': not a number"},
    {"-", "invalid --interval '-': not a number"},
    {".", "invalid --interval '.': not a number"},
    {"50%", "invalid --interval '50%': '%' is not accepted here"},
    {"1G", "invalid --interval '1G': size unit 'G' is not accepted here"},
    {"1:2", "invalid --interval '1:2': unexpected ':2' after the number"},
};

START_TEST(test_double_bad)
{
    double v = 42;
    struct vm_err err;

    ck_assert_int_eq(vm_parse_double(dbl_bad[_i].text, &v, "--interval", &err), -1);
    ck_assert_str_eq(err.msg, dbl_bad[_i].want);
    ck_assert_int_eq(vm_parse_double(dbl_bad[_i].text, &v, "--interval", NULL), -1);
}
END_TEST

/* --- vm_parse_uint --- */

#define UMAX 18446744073709551615ull

static const struct {
    const char *text;
    unsigned long long min, max, want;
    const char *msg; /* NULL: accepted */
} uints[] = {
    {"0", 0, 10, 0, NULL},
    {"10", 1, 86400, 10, NULL},
    {"007", 0, 10, 7, NULL}, /* decimal, never octal */
    {"010", 0, 100, 10, NULL},
    {"86400", 1, 86400, 86400, NULL},
    {"18446744073709551615", 0, UMAX, UMAX, NULL},
    {"0000000000000000000000000001", 0, UMAX, 1, NULL},
    {"", 1, 86400, 0, "invalid --timeout '': the value is empty"},
    {"10s", 1, 86400, 0, "invalid --timeout '10s': not a number"},
    {"abc", 1, 86400, 0, "invalid --timeout 'abc': not a number"},
    {"0x10", 0, UMAX, 0, "invalid --timeout '0x10': not a number"},
    {"-1", 0, UMAX, 0, "invalid --timeout '-1': must not be negative"},
    {"-0", 0, UMAX, 0, "invalid --timeout '-0': must not be negative"}, /* no sign at all */
    {"-", 0, UMAX, 0, "invalid --timeout '-': not a number"},
    {"+5", 0, UMAX, 0, "invalid --timeout '+5': write it without a '+'"}, /* decided: digits only */
    {"1.5", 0, UMAX, 0, "invalid --timeout '1.5': not a whole number"},
    {"1e3", 0, UMAX, 0, "invalid --timeout '1e3': not a whole number"},
    {" 5", 0, UMAX, 0, "invalid --timeout ' 5': not a number"},
    {"5 ", 0, UMAX, 0, "invalid --timeout '5 ': not a number"},
    {"0", 1, 86400, 0, "invalid --timeout '0': must be between 1 and 86400"},
    {"86401", 1, 86400, 0, "invalid --timeout '86401': must be between 1 and 86400"},
    {"18446744073709551616", 1, 86400, 0,
     "invalid --timeout '18446744073709551616': must be between 1 and 86400"},
    {"18446744073709551616", 0, UMAX, 0, "invalid --timeout '18446744073709551616': too large"},
    {"99999999999999999999999", 0, UMAX, 0,
     "invalid --timeout '99999999999999999999999': too large"},
    {"3", 5, UMAX, 0, "invalid --timeout '3': must be at least 5"},
};

START_TEST(test_uint)
{
    unsigned long long v = 4242;
    struct vm_err err;
    int rc = vm_parse_uint(uints[_i].text, uints[_i].min, uints[_i].max, &v, "--timeout", &err);

    if (!uints[_i].msg) {
        ck_assert_msg(rc == 0, "%s", err.msg);
        ck_assert_uint_eq(v, uints[_i].want);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.msg, uints[_i].msg);
        ck_assert_uint_eq(v, 4242); /* untouched on error */
    }
}
END_TEST

/* --- vm_parse_size --- */

static const struct {
    const char *text;
    double want;
    const char *msg;
} sizes[] = {
    {"512", 512, NULL},
    {"512B", 512, NULL},
    {"2GiB", 2 * GiB, NULL},
    {"2G", 2 * GiB, NULL},
    {"1.5G", 1.5 * GiB, NULL},
    {"1K", 1024, NULL},
    {"1KiB", 1024, NULL},
    {"3M", 3 * MiB, NULL},
    {"1T", 1099511627776.0, NULL},
    {"0", 0, NULL},
    {"-0", 0, NULL},
    {"0.5", 0.5, NULL},
    {"", 0, "invalid --size '': the value is empty"},
    {"1GB", 0, "invalid --size '1GB': 'GB' is ambiguous (1000 or 1024?): use G or GiB"},
    {"1g", 0, "invalid --size '1g': unknown unit 'g' (use B, K/KiB, M/MiB, G/GiB or T/TiB)"},
    {"-1K", 0, "invalid --size '-1K': must not be negative"},
    {"10%", 0, "invalid --size '10%': '%' is not accepted here"},
    {"1e308T", 0, "invalid --size '1e308T': too large"},
    {"K", 0, "invalid --size 'K': not a number"},
    {"1 G", 0, "invalid --size '1 G': spaces are not allowed"},
    {"nan", 0, "invalid --size 'nan': not a finite number"},
};

/* The digits primitive the option parser and the state file share:
 * exactly s[0..n), digits only, no overflow, at most max. */
static const struct {
    const char *s;
    size_t n;
    uint64_t max;
    bool ok;
    uint64_t v;
} digits[] = {
    {"0", 1, 0, true, 0},
    {"7", 1, 7, true, 7},
    {"8", 1, 7, false, 0}, /* a last digit above max */
    {"10", 2, 9, false, 0},
    {"99", 1, 9, true, 9}, /* the length bounds it, not a NUL */
    {"", 0, UINT64_MAX, false, 0},
    {"18446744073709551615", 20, UINT64_MAX, true, UINT64_MAX},
    {"18446744073709551616", 20, UINT64_MAX, false, 0},
    {"99999999999999999999", 20, UINT64_MAX, false, 0},
    {"2147483648", 10, 2147483647, false, 0},
    {"2147483647", 10, 2147483647, true, 2147483647},
    {"007", 3, 7, true, 7}, /* leading zeros are the caller's rule */
    {"-1", 2, UINT64_MAX, false, 0},
    {"+1", 2, UINT64_MAX, false, 0},
    {" 1", 2, UINT64_MAX, false, 0},
    {"1 ", 2, UINT64_MAX, false, 0},
    {"0x1", 3, UINT64_MAX, false, 0},
};

START_TEST(test_digits)
{
    uint64_t v = 12345;
    bool ok = vm_num_digits(digits[_i].s, digits[_i].n, digits[_i].max, &v);

    ck_assert_msg(ok == digits[_i].ok, "'%.*s' max %ju", (int)digits[_i].n, digits[_i].s,
                  (uintmax_t)digits[_i].max);
    ck_assert_uint_eq(v, ok ? digits[_i].v : 12345); /* untouched on failure */
}
END_TEST

START_TEST(test_size)
{
    double v = 42;
    struct vm_err err;
    int rc = vm_parse_size(sizes[_i].text, &v, "--size", &err);

    if (!sizes[_i].msg) {
        ck_assert_msg(rc == 0, "%s", err.msg);
        ck_assert_double_eq(v, sizes[_i].want);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.msg, sizes[_i].msg);
    }
}
END_TEST

VM_CK_MAIN_TCASE("range", "range", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_LOOP(test_alerts, VM_CK_N(evals)), VM_CK_LOOP(test_parse_ok, VM_CK_N(goods)),
                 VM_CK_LOOP(test_parse_bad, VM_CK_N(bads)),
                 VM_CK_LOOP(test_format, VM_CK_N(formats)),
                 VM_CK_LOOP(test_round_trip_table, VM_CK_N(goods)),
                 VM_CK_TEST(test_round_trip_random), VM_CK_TEST(test_scale),
                 VM_CK_LOOP(test_double_ok, VM_CK_N(dbl_ok)),
                 VM_CK_LOOP(test_double_bad, VM_CK_N(dbl_bad)),
                 VM_CK_LOOP(test_uint, VM_CK_N(uints)), VM_CK_LOOP(test_size, VM_CK_N(sizes)),
                 VM_CK_LOOP(test_digits, VM_CK_N(digits)))
