/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perfdata: safe labels, locale-free numbers, whole entries. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"

static bool label_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_.:/@+-", c) != NULL);
}

/* How many continuation bytes a UTF-8 lead byte announces (0 otherwise). */
static int utf8_tail(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 1;
    if (c >= 0xE0 && c <= 0xEF)
        return 2;
    if (c >= 0xF0 && c <= 0xF4)
        return 3;
    return 0;
}

/* Append one label byte. A second ':' in a row becomes '_': Icinga 2 reads
 * "a::b" as a check_multi prefix and would prepend it to later labels. */
static void label_put(struct vm_buf *out, char c, char *prev)
{
    if (c == ':' && *prev == ':')
        c = '_';
    vm_buf_append_len(out, &c, 1);
    *prev = c;
}

void vm_perf_label(struct vm_buf *out, const char *const *parts, size_t nparts)
{
    char prev = '\0';

    if (nparts == 0)
        label_put(out, '_', &prev);
    for (size_t i = 0; i < nparts; i++) {
        const unsigned char *p = (const unsigned char *)(parts[i] ? parts[i] : "");

        if (i > 0)
            label_put(out, ':', &prev);
        /* An empty part would leave "a::b" or a bare ":"; keep a placeholder. */
        if (*p == '\0')
            label_put(out, '_', &prev);
        while (*p) {
            char c = label_char_ok(*p) ? (char)*p : '_';
            int tail = utf8_tail(*p++);

            /* one '_' per character, not per byte */
            while (tail-- > 0 && (*p & 0xC0) == 0x80)
                p++;
            label_put(out, c, &prev);
        }
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

/* Digits after the point: seconds need microseconds, percent two places,
 * everything else (rates, counts) three. */
static int perf_decimals(const char *uom)
{
    if (strcmp(uom, "s") == 0)
        return 6;
    if (strcmp(uom, "%") == 0)
        return 2;
    return 3;
}

void vm_perf_format(struct vm_buf *out, const struct vm_perf *p)
{
    const char *uom = p->uom ? p->uom : "";
    const char *l = p->label && *p->label ? p->label : "_";
    int dec = perf_decimals(uom), last;

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

    /* Fields warn;crit;min;max, dropping the empty ones at the end. */
    last = p->has_max ? 4 : p->has_min ? 3 : p->th.has_crit ? 2 : p->th.has_warn ? 1 : 0;
    for (int f = 1; f <= last; f++) {
        vm_buf_append(out, ";");
        if (f == 1 && p->th.has_warn)
            vm_range_format(&p->th.warn, out);
        else if (f == 2 && p->th.has_crit)
            vm_range_format(&p->th.crit, out);
        else if (f == 3 && p->has_min)
            vm_perf_number(out, p->min, dec);
        else if (f == 4 && p->has_max)
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
