/* SPDX-License-Identifier: GPL-3.0-or-later */
/* range: strict Nagios ranges; the numbers in them are num.c's. */
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
    return vm_num_parse(s, n, allow, &ep->v, &ep->unit, why);
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
    if (vm_num_has_space(p))
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

            return vm_err_set(why,
                              "a range without ':' starts at 0, and %s is below 0 "
                              "(did you mean '%s~:%s' or '%s%s:'?)",
                              p, at, p, at, p);
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
