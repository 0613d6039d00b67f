/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/human.c: sizes, percentages and durations in text. */
#include <config.h>

#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_run.h"
#include "human.h"

#define KiB 1024.0
#define MiB (1024.0 * KiB)
#define GiB (1024.0 * MiB)
#define TiB (1024.0 * GiB)

/* A row of the tables of one formatter: v gives exactly `want`. */
struct human_case {
    double v;
    const char *want;
};

static const struct human_case sizes[] = {
    {0, "0 B"},
    {512, "512 B"},
    {1023, "1023 B"},
    {1024, "1.00 KiB"},
    {1.5 * MiB, "1.50 MiB"},
    {3.2 * MiB, "3.20 MiB"},
    {15 * GiB, "15.0 GiB"},
    {100 * GiB, "100 GiB"},
    {512 * MiB, "512 MiB"},
    {1024 * MiB, "1.00 GiB"},
    /* the unit follows the rounding: never 1024 of a unit, nor "100.00" */
    {1023.9996 * GiB, "1.00 TiB"},
    {1099506450432.0, "1.00 TiB"}, /* the test driver's disk: 1023.995 GiB */
    {1023.6 * MiB, "1.00 GiB"},
    {9.996 * GiB, "10.0 GiB"},
    {99.96 * GiB, "100 GiB"},
    {1023.4 * GiB, "1023 GiB"},
    {-2 * KiB, "-2.00 KiB"},
    {1e30, "867361737988 EiB"},
};

/* fmt(v) gives exactly `want`. */
static void assert_human(void (*fmt)(struct vm_buf *, double), double v, const char *want)
{
    struct vm_buf b = VM_BUF_INIT;

    fmt(&b, v);
    ck_assert_str_eq(vm_buf_str(&b), want);
    vm_buf_clear(&b);
}

START_TEST(bytes)
{
    assert_human(vm_human_bytes, sizes[_i].v, sizes[_i].want);
}
END_TEST

START_TEST(rate)
{
    assert_human(vm_human_rate, 1.5 * MiB, "1.50 MiB/s");
}
END_TEST

static const struct {
    double a, b;
    const char *want;
} pairs[] = {
    {10 * GiB, 20 * GiB, "10.0 GiB of 20.0 GiB"},
    {9.999 * GiB, 20 * GiB, "10.0 GiB of 20.0 GiB"},
    {TiB, 1099506450432.0, "1.00 TiB of 1.00 TiB"},
    {512 * MiB, 1024 * MiB, "512 MiB of 1.00 GiB"},
    {3 * GiB, 4 * GiB, "3.00 GiB of 4.00 GiB"},
    {150 * GiB, 200 * GiB, "150 GiB of 200 GiB"},
    {5.25 * GiB, 200 * GiB, "5.25 GiB of 200.00 GiB"},
    {100, 2 * KiB, "100 B of 2.00 KiB"},
};

START_TEST(pair)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_human_bytes_pair(&b, pairs[_i].a, " of ", pairs[_i].b);
    ck_assert_str_eq(vm_buf_str(&b), pairs[_i].want);
    vm_buf_clear(&b);
}
END_TEST

static const struct human_case pcts[] = {
    {97.7, "97.7%"},    {97.66, "97.7%"},
    {0, "0.0%"},        {100, "100.0%"},
    {100.2, "100.2%"},  {100.0004708, "100.0005%"},  /* the test driver's disk image */
    {99.96, "99.96%"},  {99.9999999, "100.000000%"}, /* 6 decimals are the most */
    {250.04, "250.0%"},
};

START_TEST(pct)
{
    assert_human(vm_human_pct, pcts[_i].v, pcts[_i].want);
}
END_TEST

static const struct human_case durations[] = {
    {0, "0 s"},
    {42, "42 s"},
    {59.499, "59 s"},
    {59.5, "1 min 0 s"},
    {754, "12 min 34 s"},
    {3600, "1 h 0 min"},
    {3 * 3600 + 5 * 60 + 59, "3 h 5 min"},
    {86399, "23 h 59 min"},
    {90000, "1 d 1 h"},
    {364 * 86400.0 + 23 * 3600, "364 d 23 h"},
    {365 * 86400.0, "1 y 0 d"},
    {1168798349, "37 y 22 d"}, /* "last updated 1168798349 s ago" */
    {-42, "-42 s"},
    {-90000, "-1 d 1 h"},
    {1e300, "570776255707 y 278 d"},
    {NAN, "? s"},
};

START_TEST(duration)
{
    assert_human(vm_human_duration, durations[_i].v, durations[_i].want);
}
END_TEST

VM_CK_MAIN_TCASE("human", "human", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_LOOP(bytes, VM_CK_N(sizes)),
                 VM_CK_TEST(rate), VM_CK_LOOP(pair, VM_CK_N(pairs)), VM_CK_LOOP(pct, VM_CK_N(pcts)),
                 VM_CK_LOOP(duration, VM_CK_N(durations)))
