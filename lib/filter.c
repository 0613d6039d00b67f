/* SPDX-License-Identifier: GPL-3.0-or-later */
/* filter: --include/--exclude, checked at parse time, compiled and matched
 * at run time. */
#include <config.h>

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "filter.h"

/* glibc's regcomp expands a bounded repeat into copies of its atom, so
 * "a{255}{255}{255}" costs 16 million copies and "a++++...+" doubles with
 * each '+': seconds of CPU and gigabytes before the -t alarm is even set.
 * Estimate the expanded size (atoms times the counts of the repeats around
 * them) and refuse large patterns. */
#define FILTER_MAX_ATOMS 10000
#define FILTER_DEPTH 64

static size_t filter_mul(size_t a, size_t b)
{
    return b != 0 && a > (FILTER_MAX_ATOMS + 1) / b ? FILTER_MAX_ATOMS + 1 : a * b;
}

static size_t filter_add(size_t a, size_t b)
{
    return a + b > FILTER_MAX_ATOMS ? FILTER_MAX_ATOMS + 1 : a + b;
}

/* Parse "{m}", "{m,}" or "{m,n}" at p: the copies it makes (n, else m + 1),
 * with *end past it; 0 when p is not a repeat count. */
static size_t filter_count(const char *p, const char **end)
{
    unsigned long m = 0, n = 0;
    bool comma = false, upper = false;

    if (*p++ != '{' || *p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++)
        m = m > FILTER_MAX_ATOMS ? m : m * 10 + (unsigned long)(*p - '0');
    if (*p == ',') {
        comma = true;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            n = n > FILTER_MAX_ATOMS ? n : n * 10 + (unsigned long)(*p - '0');
            upper = true;
        }
    }
    if (*p != '}')
        return 0;
    *end = p + 1;
    if (upper)
        return n > 0 ? n : 1;
    return comma ? m + 1 : (m > 0 ? m : 1);
}

/* Skip a bracket expression "[...]" starting at p; returns its last char. */
static const char *filter_bracket(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p && *p != ']'; p++) {
        if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *close = strchr(p + 2, p[1]);

            if (close && close[1] == ']')
                p = close + 1;
        }
    }
    return *p ? p : p - 1;
}

static size_t filter_size(const char *re)
{
    size_t sum[FILTER_DEPTH + 1] = {0}, last = 0;
    int depth = 0;
    const char *p, *end;

    for (p = re; *p; p++) {
        /* "x+" is compiled as "xx*": each '+' doubles what it repeats. */
        size_t copies = *p == '+' ? 2 : filter_count(p, &end);

        /* Sums only grow, and each level's counts in its parent's. */
        if (sum[depth] > FILTER_MAX_ATOMS)
            return sum[depth];

        if (copies) {
            /* The repeat replaces the last item by `copies` of it. */
            sum[depth] = filter_add(sum[depth] - last, filter_mul(last, copies));
            last = filter_mul(last, copies);
            if (*p != '+')
                p = end - 1;
            continue;
        }
        if (*p == '*' || *p == '?')
            continue; /* repeats that copy nothing */
        if (*p == '(') {
            if (depth == FILTER_DEPTH)
                return FILTER_MAX_ATOMS + 1;
            sum[++depth] = 0;
            last = 0;
            continue;
        }
        if (*p == ')' && depth > 0) {
            last = filter_add(sum[depth--], 1);
            sum[depth] = filter_add(sum[depth], last);
            continue;
        }
        if (*p == '[')
            p = filter_bracket(p);
        else if (*p == '\\' && p[1])
            p++;
        last = 1;
        sum[depth] = filter_add(sum[depth], 1);
    }
    while (depth > 0) { /* unbalanced: regcomp refuses it; count it anyway */
        last = sum[depth--];
        sum[depth] = filter_add(sum[depth], last);
    }
    return sum[0];
}

int vm_filter_check(const char *re, const char *what, struct vm_err *err)
{
    if (filter_size(re) > FILTER_MAX_ATOMS)
        return vm_err_set(err,
                          "invalid %s regex '%s': too large once its {m,n} repeats are "
                          "expanded (over %d elements) or groups nested over %d deep",
                          what, re, FILTER_MAX_ATOMS, FILTER_DEPTH);
    return 0;
}

static int filter_compile(regex_t *re, bool *has, const char *text, const char *what,
                          struct vm_err *err)
{
    char msg[128];
    int rc;

    if (!text || *has)
        return 0;
    rc = regcomp(re, text, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        regerror(rc, re, msg, sizeof(msg));
        regfree(re);
        return vm_err_set(err, "invalid %s regex '%s': %s", what, text, msg);
    }
    *has = true;
    return 0;
}

/* Domain names are UTF-8 (libvirt's XML is), but NRPE and Icinga run the
 * plugins with LC_ALL=C or no locale at all, where regcomp sees bytes: '.'
 * takes one byte of "ü" and [[:alpha:]] none. So the regexes are compiled
 * and run under a UTF-8 LC_CTYPE, set for this thread around the regex
 * calls only: numbers in the output keep their '.'. */
static locale_t filter_utf8(void)
{
    static const char *const names[] = {"C.UTF-8", "en_US.UTF-8"};
    locale_t l = (locale_t)0;

    for (size_t i = 0; !l && i < sizeof(names) / sizeof(names[0]); i++)
        l = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
    return l;
}

static bool filter_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

int vm_filter_compile(struct vm_filter *f, const char *include_re, const char *exclude_re,
                      struct vm_err *err)
{
    locale_t old = (locale_t)0;
    int rc;

    if (!include_re && !exclude_re)
        return 0;
    if (!f->utf8)
        f->utf8 = filter_utf8();
    /* Without one, an ASCII pattern still matches as it always did, by
     * bytes; one with other characters would silently mean something else. */
    if (!f->utf8 && !(filter_ascii(include_re) && filter_ascii(exclude_re)))
        return vm_err_set(err, "--include/--exclude with non-ASCII characters need a UTF-8 "
                               "locale and none is installed (C.UTF-8 or en_US.UTF-8)");
    if (f->utf8)
        old = uselocale(f->utf8);
    rc = filter_compile(&f->include, &f->has_include, include_re, "--include", err);
    if (rc == 0)
        rc = filter_compile(&f->exclude, &f->has_exclude, exclude_re, "--exclude", err);
    if (f->utf8)
        uselocale(old);
    return rc;
}

bool vm_filter_match(const struct vm_filter *f, const char *name)
{
    locale_t old = (locale_t)0;
    bool pass = true;

    if (!f || !(f->has_include || f->has_exclude))
        return true;
    if (f->utf8)
        old = uselocale(f->utf8);
    if (f->has_include && regexec(&f->include, name, 0, NULL, 0) != 0)
        pass = false;
    else if (f->has_exclude && regexec(&f->exclude, name, 0, NULL, 0) == 0)
        pass = false;
    if (f->utf8)
        uselocale(old);
    return pass;
}

void vm_filter_clear(struct vm_filter *f)
{
    if (!f)
        return;
    if (f->has_include)
        regfree(&f->include);
    if (f->has_exclude)
        regfree(&f->exclude);
    if (f->utf8)
        freelocale(f->utf8);
    f->utf8 = (locale_t)0;
    f->has_include = f->has_exclude = false;
}
