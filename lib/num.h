/* SPDX-License-Identifier: GPL-3.0-or-later */
/* num: strict number parsing shared by every option, the ranges and the
 * state file: whole string, finite, no overflow, no blanks, no hex. */
#ifndef VM_NUM_H
#define VM_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum vm_unit {
    VM_UNIT_NONE = 0, /* a bare number */
    VM_UNIT_PERCENT,  /* written with a trailing '%' */
    VM_UNIT_BYTES,    /* written with a size suffix; value is in bytes */
};

/* Units a caller accepts (vm_num_parse, vm_range_parse); a bare number is
 * always accepted. */
#define VM_RANGE_ALLOW_PERCENT 0x1u
#define VM_RANGE_ALLOW_SIZE 0x2u
/* A time in milliseconds: "ms" (the same as a bare number), "us" or "µs",
 * and "s" are accepted and converted to ms; the unit stays VM_UNIT_NONE. */
#define VM_RANGE_ALLOW_MS 0x4u
/* A time in seconds, for spans of hours and days: "s" (the same as a bare
 * number), "min", "h" and "d" (86400 s) are accepted and converted to
 * seconds; the unit stays VM_UNIT_NONE. Not with VM_RANGE_ALLOW_MS. */
#define VM_RANGE_ALLOW_SECONDS 0x8u

/* Strict unsigned decimal s[0..n): n > 0, digits only (no sign, blank or
 * base prefix), at most `max`. Leading zeros are the caller's rule. */
bool vm_num_digits(const char *s, size_t n, uint64_t max, uint64_t *out);

/* s[0..n) (n > 0) as a finite number with an optional unit from `allow`,
 * in bytes for a size. s[n] must be NUL or ':'. `why` gets a reason
 * without a subject ("not a number"). Returns 0 or -1. */
int vm_num_parse(const char *s, size_t n, unsigned allow, double *out, enum vm_unit *unit,
                 struct vm_err *why);

/* Any isspace() byte in s? */
bool vm_num_has_space(const char *s);

/* Whole-string parsers for options. Return 0 or -1 with err naming `what`. */
int vm_parse_double(const char *text, double *out, const char *what, struct vm_err *err);
/* Non-negative integer in [min, max]. */
int vm_parse_uint(const char *text, unsigned long long min, unsigned long long max,
                  unsigned long long *out, const char *what, struct vm_err *err);
/* A size such as "512", "512B", "2GiB", "1.5G" (binary multiples) → bytes. */
int vm_parse_size(const char *text, double *bytes, const char *what, struct vm_err *err);

#endif
