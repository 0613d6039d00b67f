/* SPDX-License-Identifier: GPL-3.0-or-later */
/* num: the strict number parsers every option uses.
 *
 * strtod() alone is too lenient (it skips leading blanks, takes hex, "inf"
 * and "nan", and stops silently at junk), so a number is first matched
 * against a plain decimal grammar and strtod() only converts what matched.
 * We never call setlocale(), so strtod's decimal point is always '.'. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"

/* The accepted size suffixes, all binary. "KB", "MB", ... are refused below:
 * they mean 1000 to some readers (and to Icinga 2) and 1024 to others. */
static const struct {
    const char *suffix;
    double factor;
} size_units[] = {
    {"B", 1.0},
    {"K", 1024.0},
    {"KiB", 1024.0},
    {"M", 1048576.0},
    {"MiB", 1048576.0},
    {"G", 1073741824.0},
    {"GiB", 1073741824.0},
    {"T", 1099511627776.0},
    {"TiB", 1099511627776.0},
};
static const char *const ambiguous_units[] = {"KB", "MB", "GB", "TB"};

struct time_unit {
    const char *suffix;
    double factor;
};

/* Time suffixes for a figure in milliseconds (VM_RANGE_ALLOW_MS). */
static const struct time_unit ms_units[] = {
    {"ms", 1.0},          {"us", 0.001}, {"\xc2\xb5s", 0.001}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", 0.001},                                      /* U+03BC GREEK SMALL LETTER MU */
    {"s", 1000.0},
};

/* Time suffixes for a figure in seconds (VM_RANGE_ALLOW_SECONDS). */
static const struct time_unit sec_units[] = {
    {"s", 1.0},
    {"min", 60.0},
    {"h", 3600.0},
    {"d", 86400.0},
};

/* The time suffixes `allow` takes (NULL: none) and how many, and how an
 * unknown one is explained. */
static const struct time_unit *time_units(unsigned allow, size_t *n, const char **known)
{
    if (allow & VM_RANGE_ALLOW_MS) {
        *n = sizeof(ms_units) / sizeof(ms_units[0]);
        *known = "ms, us or s; a bare number is ms";
        return ms_units;
    }
    if (allow & VM_RANGE_ALLOW_SECONDS) {
        *n = sizeof(sec_units) / sizeof(sec_units[0]);
        *known = "s, min, h or d; a bare number is s";
        return sec_units;
    }
    *n = 0;
    return NULL;
}

bool vm_num_has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return true;
    return false;
}

static size_t scan_digits(const char *s, size_t n, size_t i)
{
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    return i;
}

/* Length of the plain decimal number at the start of s[0..n):
 * [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits], or 0. */
static size_t scan_decimal(const char *s, size_t n)
{
    size_t i = 0, d, e;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    d = scan_digits(s, n, i);
    if (d < n && s[d] == '.') {
        size_t f = scan_digits(s, n, d + 1);

        if (d == i && f == d + 1)
            return 0; /* "." or "-." */
        d = f;
    } else if (d == i) {
        return 0;
    }
    i = d;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        e = i + 1;
        if (e < n && (s[e] == '+' || s[e] == '-'))
            e++;
        d = scan_digits(s, n, e);
        if (d > e)
            i = d; /* else "1e" is a number followed by junk */
    }
    return i;
}

/* Match a unit suffix s[0..n) against what `allow` accepts. */
static int unit_parse(const char *s, size_t n, unsigned allow, enum vm_unit *unit, double *factor,
                      struct vm_err *why)
{
    const char *known = NULL;
    size_t i, nt;
    const struct time_unit *tu = time_units(allow, &nt, &known);

    *unit = VM_UNIT_NONE;
    *factor = 1.0;
    if (n == 0)
        return 0;
    if (n == 1 && s[0] == '%') {
        if (!(allow & VM_RANGE_ALLOW_PERCENT))
            return vm_err_set(why, "'%%' is not accepted here");
        *unit = VM_UNIT_PERCENT;
        return 0;
    }
    for (i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++) {
        if (strlen(size_units[i].suffix) == n && memcmp(s, size_units[i].suffix, n) == 0) {
            if (!(allow & VM_RANGE_ALLOW_SIZE))
                return vm_err_set(why, "size unit '%.*s' is not accepted here", (int)n, s);
            *unit = VM_UNIT_BYTES;
            *factor = size_units[i].factor;
            return 0;
        }
    }
    for (i = 0; i < nt; i++) {
        if (strlen(tu[i].suffix) == n && memcmp(s, tu[i].suffix, n) == 0) {
            *factor = tu[i].factor;
            return 0;
        }
    }
    if (tu)
        return vm_err_set(why, "unknown unit '%.*s' (a time: %s)", (int)n, s, known);
    if (allow & VM_RANGE_ALLOW_SIZE) {
        for (i = 0; i < sizeof(ambiguous_units) / sizeof(ambiguous_units[0]); i++)
            if (n == 2 && memcmp(s, ambiguous_units[i], 2) == 0)
                return vm_err_set(why, "'%.*s' is ambiguous (1000 or 1024?): use %c or %ciB",
                                  (int)n, s, s[0], s[0]);
        return vm_err_set(why, "unknown unit '%.*s' (use B, K/KiB, M/MiB, G/GiB or T/TiB)", (int)n,
                          s);
    }
    if (allow & VM_RANGE_ALLOW_PERCENT)
        return vm_err_set(why, "unknown unit '%.*s' (only '%%' is accepted)", (int)n, s);
    return vm_err_set(why, "unexpected '%.*s' after the number", (int)n, s);
}

/* Parse s[0..n) (n > 0) as a finite number with an optional unit. s[n] must
 * be NUL or ':', which no number contains, so strtod() cannot run past n.
 * `why` gets a reason without a subject ("not a number"); callers add one. */
int vm_num_parse(const char *s, size_t n, unsigned allow, double *out, enum vm_unit *unit,
                 struct vm_err *why)
{
    size_t len = scan_decimal(s, n);
    const char *word = s + (n > 0 && (s[0] == '+' || s[0] == '-'));
    char *end;
    double v, factor;

    if (len == 0) {
        if (strncasecmp(word, "nan", 3) == 0 || strncasecmp(word, "inf", 3) == 0)
            return vm_err_set(why, "not a finite number");
        return vm_err_set(why, "not a number");
    }
    errno = 0;
    v = strtod(s, &end);
    if (end != s + len) /* strtod took more than the grammar: "0x10" */
        return vm_err_set(why, "not a decimal number");
    if (errno == ERANGE)
        return vm_err_set(why, fabs(v) > 1.0 ? "too large"
                                             : "too small (closer to 0 than a double can hold)");
    if (unit_parse(s + len, n - len, allow, unit, &factor, why) < 0)
        return -1;
    v *= factor;
    if (!isfinite(v))
        return vm_err_set(why, "too large");
    *out = v == 0 ? 0.0 : v; /* no "-0" in any later output */
    return 0;
}

bool vm_num_digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0)
        return false;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* The whole of `text` as one number with the units `allow` takes. */
static int num_parse_whole(const char *text, unsigned allow, double *out, const char *what,
                           struct vm_err *err)
{
    struct vm_err why;
    enum vm_unit unit;

    if (!*text)
        return vm_err_set(err, "invalid %s '': the value is empty", what);
    if (vm_num_has_space(text))
        return vm_err_set(err, "invalid %s '%s': spaces are not allowed", what, text);
    if (vm_num_parse(text, strlen(text), allow, out, &unit, &why) < 0)
        return vm_err_set(err, "invalid %s '%s': %s", what, text, why.msg);
    return 0;
}

int vm_parse_double(const char *text, double *out, const char *what, struct vm_err *err)
{
    return num_parse_whole(text, 0, out, what, err);
}

int vm_parse_uint(const char *text, unsigned long long min, unsigned long long max,
                  unsigned long long *out, const char *what, struct vm_err *err)
{
    size_t n = strlen(text);
    uint64_t v = 0;
    bool big;

    if (n == 0)
        return vm_err_set(err, "invalid %s '': the value is empty", what);
    /* Digits only: strtoull() would also take blanks, a sign ("-1" wraps
     * to a huge value) and, with base 0, hex and octal. */
    if (scan_digits(text, n, 0) != n) {
        const char *why = text[0] == '-' && n > 1      ? "must not be negative"
                          : text[0] == '+'             ? "write it without a '+'"
                          : scan_decimal(text, n) == n ? "not a whole number"
                                                       : "not a number";

        return vm_err_set(err, "invalid %s '%s': %s", what, text, why);
    }
    big = !vm_num_digits(text, n, UINT64_MAX, &v);
    if (big && max == ULLONG_MAX)
        return vm_err_set(err, "invalid %s '%s': too large", what, text);
    if (big || v < min || v > max) {
        if (max == ULLONG_MAX)
            return vm_err_set(err, "invalid %s '%s': must be at least %llu", what, text, min);
        return vm_err_set(err, "invalid %s '%s': must be between %llu and %llu", what, text, min,
                          max);
    }
    *out = v;
    return 0;
}

int vm_parse_size(const char *text, double *bytes, const char *what, struct vm_err *err)
{
    if (num_parse_whole(text, VM_RANGE_ALLOW_SIZE, bytes, what, err) < 0)
        return -1;
    if (*bytes < 0)
        return vm_err_set(err, "invalid %s '%s': must not be negative", what, text);
    return 0;
}
