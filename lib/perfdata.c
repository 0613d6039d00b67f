/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perfdata: safe labels, locale-free numbers, whole entries. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"

/* ASCII that a label keeps as it is. Everything else of ASCII is escaped:
 * ' and = end a label for Icinga 2 (it takes the label up to the first
 * '=' and strips only the outer quotes, so a doubled '' would stay in
 * it); blanks, '\' and '/' are what Icinga 2's Graphite writer turns into
 * '_' (so they would merge series there); ` ~ $ & | ' " < > are the
 * characters Nagios' illegal_macro_output_chars usually strips from
 * $SERVICEPERFDATA$; ';' separates the fields; '%' is the escape itself;
 * and the rest (* ? [ ] { } ( ) # ! ,) mean something to a shell, a URL or
 * Graphite's globs. ':' has rules of its own (label_part). */
static bool label_ascii_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_.+@-", c) != NULL);
}

/* Length of the valid UTF-8 character at p (1 to 4), or 0 when the bytes
 * there are not one: a stray continuation byte, a truncated sequence, an
 * overlong form, a surrogate or a code point above U+10FFFF. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n, i;
    unsigned char lo = 0x80, hi = 0xBF;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        n = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0; /* overlong */
    else if (p[0] == 0xED)
        hi = 0x9F; /* surrogates */
    else if (p[0] == 0xF0)
        lo = 0x90; /* overlong */
    else if (p[0] == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    for (i = 1; i < n; i++) {
        if (p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return n;
}

static void label_escape(struct vm_buf *out, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        char e[3] = {'%', hex[p[i] >> 4], hex[p[i] & 0xF]};

        vm_buf_append_len(out, e, 3);
    }
}

/* One part. A ':' is escaped everywhere in it unless `colons`, and even
 * then at its start, its end and after another ':' (no "::", which Icinga
 * 2 takes for a check_multi prefix, and no ':' beside the separator). */
static void label_part(struct vm_buf *out, const char *part, bool colons)
{
    const unsigned char *p = (const unsigned char *)part;

    if (*p == '\0') {
        /* NUL cannot be in a name, so "%00" cannot be mistaken for one */
        vm_buf_append(out, "%00");
        return;
    }
    while (*p) {
        size_t n = utf8_len(p);

        if (*p == ':') {
            bool ok = colons && p != (const unsigned char *)part && p[-1] != ':' && p[1] != '\0';

            if (ok)
                vm_buf_append_len(out, ":", 1);
            else
                label_escape(out, p, 1);
        } else if (n == 1 && label_ascii_ok(*p)) {
            vm_buf_append_len(out, (const char *)p, 1);
        } else if (n > 1 && !(p[0] == 0xC2 && p[1] < 0xA0)) {
            vm_buf_append_len(out, (const char *)p, n); /* C1 controls are escaped */
        } else {
            n = n ? n : 1;
            label_escape(out, p, n);
        }
        p += n;
    }
}

void vm_perf_label(struct vm_buf *out, const char *const *parts, size_t nparts)
{
    if (nparts == 0)
        vm_buf_append(out, "_");
    for (size_t i = 0; i < nparts; i++) {
        if (i > 0)
            vm_buf_append(out, ":");
        /* Only a middle part (the device: a MAC has colons) keeps its
         * colons; with at most one such part, the label splits back
         * unambiguously at its first and last ':'. */
        label_part(out, parts[i] ? parts[i] : "", i > 0 && i + 1 < nparts);
    }
}

void vm_perf_number(struct vm_buf *out, double v, int decimals)
{
    char s[400]; /* DBL_MAX in %.0f is 309 digits */
    char *p;
    size_t sep, len;

    if (!isfinite(v)) {
        vm_buf_append(out, "U");
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 15)
        decimals = 15;
    /* Integers print without a fraction. Every double from 2^52 up is one,
     * so the fraction path below never sees more than 16 digits before the
     * point. (No trunc(): the library does not need libm.) */
    if (fabs(v) >= 4503599627370496.0 || v == (double)(long long)v)
        decimals = 0;
    snprintf(s, sizeof(s), "%.*f", decimals, v);
    /* %f follows LC_NUMERIC; whatever separator the locale gave (a comma,
     * or several bytes), put a '.' in its place. %f never groups digits. */
    p = s + (*s == '-');
    p += strspn(p, "0123456789");
    if (*p) {
        sep = strcspn(p, "0123456789");
        *p = '.';
        memmove(p + 1, p + sep, strlen(p + sep) + 1);
        len = strlen(s);
        while (s[len - 1] == '0')
            len--;
        if (s[len - 1] == '.')
            len--;
        s[len] = '\0';
    }
    /* -0.0, or a small negative rounded away */
    vm_buf_append(out, strcmp(s, "-0") == 0 ? "0" : s);
}

/* Digits after the point: bytes and counters are whole numbers, seconds
 * need microseconds, percent two places, everything else (rates) three. */
static int perf_decimals(const char *uom)
{
    if (strcmp(uom, "B") == 0 || strcmp(uom, "c") == 0)
        return 0;
    if (strcmp(uom, "s") == 0)
        return 6;
    if (strcmp(uom, "%") == 0)
        return 2;
    return 3;
}

/* A threshold in a whole-number unit is printed whole: 85% of a disk in
 * bytes is not 107352093286.40001 bytes. The figure is still judged on
 * the exact range; this is what graphers draw. */
static double perf_whole(double v)
{
    /* half away from zero; from 2^52 up every double is whole already */
    if (!(fabs(v) < 4503599627370496.0))
        return v;
    v = (double)(long long)(v + (v < 0 ? -0.5 : 0.5));
    return v == 0 ? 0.0 : v;
}

static void perf_range(struct vm_buf *out, const struct vm_range *r, bool whole)
{
    struct vm_range w = *r;

    if (whole) {
        w.start = perf_whole(w.start);
        w.end = perf_whole(w.end);
    }
    vm_range_format(&w, out);
}

void vm_perf_format(struct vm_buf *out, const struct vm_perf *p)
{
    const char *uom = p->uom ? p->uom : "";
    const char *l = p->label && *p->label ? p->label : "_";
    int dec = perf_decimals(uom), last;
    bool has_min, has_max;

    /* Labels are sanitised already; still never let a hand-built one end
     * the quote, the entry or the line. */
    vm_buf_append(out, "'");
    for (; *l; l++) {
        unsigned char c = (unsigned char)*l;

        vm_buf_append_len(
            out, (c <= ' ' || c == 0x7f || c == '\'' || c == '=' || c == '|') ? "_" : l, 1);
    }
    vm_buf_append(out, "'=");
    vm_perf_number(out, p->value, dec);
    if (isfinite(p->value))
        vm_buf_append(out, uom);

    /* A bound the value breaks is no bound (an image's allocation can pass
     * its capacity, a process its share): left out rather than the value
     * clamped, so that min <= value <= max always holds. */
    has_min = p->has_min && !(isfinite(p->value) && p->value < p->min);
    has_max = p->has_max && !(isfinite(p->value) && p->value > p->max);

    /* Fields warn;crit;min;max, dropping the empty ones at the end. */
    last = has_max ? 4 : has_min ? 3 : p->th.has_crit ? 2 : p->th.has_warn ? 1 : 0;
    for (int f = 1; f <= last; f++) {
        vm_buf_append(out, ";");
        if (f == 1 && p->th.has_warn)
            perf_range(out, &p->th.warn, dec == 0);
        else if (f == 2 && p->th.has_crit)
            perf_range(out, &p->th.crit, dec == 0);
        else if (f == 3 && has_min)
            vm_perf_number(out, p->min, dec);
        else if (f == 4 && has_max)
            vm_perf_number(out, p->max, dec);
    }
}

void vm_perf_clear(struct vm_perf *p)
{
    if (!p)
        return;
    free(p->label);
    p->label = NULL;
}
