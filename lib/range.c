/* SPDX-License-Identifier: GPL-3.0-or-later */
/* range: strict Nagios ranges and the strict number parsers every option uses.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "range.h"

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

static bool has_space(const char *s)
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
    size_t i;

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
    if (allow & VM_RANGE_ALLOW_SIZE) {
        for (i = 0; i < sizeof(ambiguous_units) / sizeof(ambiguous_units[0]); i++)
            if (n == 2 && memcmp(s, ambiguous_units[i], 2) == 0)
                return vm_err_set(why, "'%.*s' is ambiguous (1000 or 1024?): use %c or %ciB",
                                  (int)n, s, s[0], s[0]);
        return vm_err_set(why, "unknown unit '%.*s' (use B, K/KiB, M/MiB, G/GiB or T/TiB)",
                          (int)n, s);
    }
    if (allow & VM_RANGE_ALLOW_PERCENT)
        return vm_err_set(why, "unknown unit '%.*s' (only '%%' is accepted)", (int)n, s);
    return vm_err_set(why, "unexpected '%.*s' after the number", (int)n, s);
}

/* Parse s[0..n) (n > 0) as a finite number with an optional unit. s[n] must
 * be NUL or ':', which no number contains, so strtod() cannot run past n.
 * `why` gets a reason without a subject ("not a number"); callers add one. */
static int number_parse(const char *s, size_t n, unsigned allow, double *out, enum vm_unit *unit,
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

int vm_parse_double(const char *text, double *out, const char *what, struct vm_err *err)
{
    struct vm_err why;
    enum vm_unit unit;

    if (!*text)
        return vm_err_set(err, "invalid %s '': the value is empty", what);
    if (has_space(text))
        return vm_err_set(err, "invalid %s '%s': spaces are not allowed", what, text);
    if (number_parse(text, strlen(text), 0, out, &unit, &why) < 0)
        return vm_err_set(err, "invalid %s '%s': %s", what, text, why.msg);
    return 0;
}

int vm_parse_uint(const char *text, unsigned long long min, unsigned long long max,
                  unsigned long long *out, const char *what, struct vm_err *err)
{
    size_t n = strlen(text);
    unsigned long long v;

    if (n == 0)
        return vm_err_set(err, "invalid %s '': the value is empty", what);
    /* Digits only: strtoull() would also take blanks, a sign ("-1" wraps
     * to a huge value) and, with base 0, hex and octal. */
    if (scan_digits(text, n, 0) != n) {
        const char *why = text[0] == '-' && n > 1 ? "must not be negative"
                          : text[0] == '+'         ? "write it without a '+'"
                          : scan_decimal(text, n) == n ? "not a whole number"
                                                       : "not a number";

        return vm_err_set(err, "invalid %s '%s': %s", what, text, why);
    }
    errno = 0;
    v = strtoull(text, NULL, 10);
    if (errno == ERANGE && max == ULLONG_MAX)
        return vm_err_set(err, "invalid %s '%s': too large", what, text);
    if (errno == ERANGE || v < min || v > max) {
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
    struct vm_err why;
    enum vm_unit unit;

    if (!*text)
        return vm_err_set(err, "invalid %s '': the value is empty", what);
    if (has_space(text))
        return vm_err_set(err, "invalid %s '%s': spaces are not allowed", what, text);
    if (number_parse(text, strlen(text), VM_RANGE_ALLOW_SIZE, bytes, &unit, &why) < 0)
        return vm_err_set(err, "invalid %s '%s': %s", what, text, why.msg);
    if (*bytes < 0)
        return vm_err_set(err, "invalid %s '%s': must not be negative", what, text);
    return 0;
}

/* One side of a range, s[0..n): empty, "~", or a number with a unit. */
struct endpoint {
    bool empty;
    bool tilde;
    double v;
    enum vm_unit unit;
};

static int endpoint_parse(const char *s, size_t n, unsigned allow, struct endpoint *ep,
                          struct vm_err *why)
{
    memset(ep, 0, sizeof(*ep));
    if (n == 0) {
        ep->empty = true;
        return 0;
    }
    if (s[0] == '~') {
        if (n > 1)
            return vm_err_set(why, "'~' (minus infinity) stands alone, as in '~:10'");
        ep->tilde = true;
        return 0;
    }
    return number_parse(s, n, allow, &ep->v, &ep->unit, why);
}

/* The parse proper; `why` gets the reason, vm_range_parse adds the text. */
static int range_parse(struct vm_range *r, const char *text, unsigned allow, struct vm_err *why)
{
    const char *p = text, *colon, *hi_s;
    size_t lo_n, hi_n;
    struct endpoint lo, hi;
    struct vm_err sub;

    memset(r, 0, sizeof(*r));
    if (!*p)
        return vm_err_set(why, "the range is empty");
    if (has_space(p))
        return vm_err_set(why, "spaces are not allowed");
    if (*p == '@') {
        r->inside = true;
        p++;
        if (!*p)
            return vm_err_set(why, "'@' needs a range after it, as in '@10:20'");
    }

    colon = strchr(p, ':');
    if (!colon) {
        /* "N" is "0:N": only the end is written. */
        if (endpoint_parse(p, strlen(p), allow, &hi, why) < 0)
            return -1;
        if (hi.tilde)
            return vm_err_set(why, "'~' (minus infinity) is only a start, as in '~:10'");
        r->end = hi.v;
        r->unit = hi.unit;
        if (r->end < 0) {
            const char *at = r->inside ? "@" : "";

            return vm_err_set(why, "a range without ':' starts at 0, and %s is below 0 "
                                   "(did you mean '%s~:%s' or '%s%s:'?)", p, at, p, at, p);
        }
        return 0;
    }

    if (strchr(colon + 1, ':'))
        return vm_err_set(why, "more than one ':'");
    lo_n = (size_t)(colon - p);
    hi_s = colon + 1;
    hi_n = strlen(hi_s);
    if (lo_n == 0 && hi_n == 0) /* says nothing; surely a slip */
        return vm_err_set(why, "':' alone is not a range (did you mean '0:' or '~:'?)");
    if (endpoint_parse(p, lo_n, allow, &lo, &sub) < 0)
        return vm_err_set(why, "start '%.*s': %s", (int)lo_n, p, sub.msg);
    if (endpoint_parse(hi_s, hi_n, allow, &hi, &sub) < 0)
        return vm_err_set(why, "end '%s': %s", hi_s, sub.msg);
    if (hi.tilde)
        return vm_err_set(why, "'~' (minus infinity) is only a start; leave the end empty "
                               "for plus infinity, as in '10:'");

    /* Both ends share one unit. A bare number beside a percent is a
     * percent ("10:20%"); a size needs its unit on both sides, as "0:1G"
     * is more likely a slip than 0 bytes. */
    if (!lo.empty && !lo.tilde && !hi.empty && lo.unit != hi.unit) {
        if (lo.unit == VM_UNIT_BYTES || hi.unit == VM_UNIT_BYTES)
            return vm_err_set(why, "mixed units: give both ends a size unit, or neither");
        r->unit = VM_UNIT_PERCENT;
    } else {
        r->unit = hi.empty ? lo.unit : hi.unit;
    }
    r->start_inf = lo.tilde;
    r->start = lo.v; /* 0 when omitted, as in ":10" */
    r->end_inf = hi.empty;
    r->end = hi.v;
    if (!r->start_inf && !r->end_inf && r->start > r->end)
        return vm_err_set(why, "start '%.*s' is greater than end '%s'", (int)lo_n, p, hi_s);
    return 0;
}

int vm_range_parse(struct vm_range *out, const char *text, unsigned allow, struct vm_err *err)
{
    struct vm_range r;
    struct vm_err why;

    if (range_parse(&r, text, allow, &why) < 0)
        return vm_err_set(err, "invalid range '%s': %s", text, why.msg);
    *out = r; /* untouched on error */
    return 0;
}

bool vm_range_alerts(const struct vm_range *r, double value)
{
    bool in;

    if (isnan(value))
        return true;
    in = (r->start_inf || value >= r->start) && (r->end_inf || value <= r->end);
    return r->inside ? in : !in;
}

/* The shortest text that reads back as exactly v, never in exponent
 * notation (perfdata readers such as Icinga 2 take plain numbers only):
 * find the fewest significant digits that round-trip via "%.*e", then
 * place the decimal point by hand. */
static void format_number(struct vm_buf *out, double v)
{
    char e[40], digits[24];
    const char *s;
    int prec, nd = 0, point, i;

    if (v == 0 || !isfinite(v)) { /* "-0" is "0"; non-finite cannot come from a parse */
        vm_buf_printf(out, "%g", v == 0 ? 0.0 : v);
        return;
    }
    for (prec = 0; prec < 16; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    snprintf(e, sizeof(e), "%.*e", prec, v); /* 17 digits always round-trip */

    s = e;
    if (*s == '-') {
        vm_buf_append(out, "-");
        s++;
    }
    for (; *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    point = atoi(s + 1) + 1; /* digits before the decimal point */

    if (point <= 0) {
        vm_buf_append(out, "0.");
        for (i = point; i < 0; i++)
            vm_buf_append(out, "0");
        vm_buf_append_len(out, digits, (size_t)nd);
    } else if (point >= nd) {
        vm_buf_append_len(out, digits, (size_t)nd);
        for (i = nd; i < point; i++)
            vm_buf_append(out, "0");
    } else {
        vm_buf_append_len(out, digits, (size_t)point);
        vm_buf_append(out, ".");
        vm_buf_append_len(out, digits + point, (size_t)(nd - point));
    }
}

void vm_range_format(const struct vm_range *r, struct vm_buf *out)
{
    if (r->inside)
        vm_buf_append(out, "@");
    if (!r->start_inf && r->start == 0 && !r->end_inf) {
        format_number(out, r->end); /* "0:N" is written "N" */
        return;
    }
    if (r->start_inf)
        vm_buf_append(out, "~");
    else
        format_number(out, r->start);
    vm_buf_append(out, ":");
    if (!r->end_inf)
        format_number(out, r->end);
}

struct vm_range vm_range_scale(const struct vm_range *r, double factor, enum vm_unit unit)
{
    struct vm_range s = *r;

    if (!s.start_inf)
        s.start *= factor;
    if (!s.end_inf)
        s.end *= factor;
    s.unit = unit;
    return s;
}
