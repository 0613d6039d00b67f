/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stateline: fields of a state file's lines, written and read strictly. */
#include <config.h>

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "num.h"
#include "stateline.h"

static bool raw_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '/' || c == '@' || c == '+' || c == ',' || c == '~' ||
           c == '-';
}

void vm_stateline_put_str(struct vm_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;
    const char *run;

    vm_buf_append_len(out, " ", 1);
    if (!s) {
        vm_buf_append_len(out, "-", 1);
        return;
    }
    vm_buf_append_len(out, "=", 1);
    run = s;
    for (p = (const unsigned char *)s; *p; p++) {
        char esc[3];

        if (raw_char(*p))
            continue;
        vm_buf_append_len(out, run, (size_t)((const char *)p - run));
        esc[0] = '%';
        esc[1] = hex[*p >> 4];
        esc[2] = hex[*p & 15];
        vm_buf_append_len(out, esc, 3);
        run = (const char *)p + 1;
    }
    vm_buf_append_len(out, run, (size_t)((const char *)p - run));
}

/* " <v>" in decimal: what " %" PRIu64 writes, without a printf per
 * number (the values are most of a state file, and every run writes one
 * sample of them). */
static void put_u64(struct vm_buf *out, uint64_t v)
{
    char d[21];
    size_t i = sizeof(d);

    do
        d[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    d[--i] = ' ';
    vm_buf_append_len(out, d + i, sizeof(d) - i);
}

void vm_stateline_put_values(struct vm_buf *out, uint32_t have, const uint64_t *v, size_t n)
{
    size_t i;

    put_u64(out, have);
    for (i = 0; i < n; i++)
        put_u64(out, v[i]);
    vm_buf_append_len(out, "\n", 1);
}

/* Split the next line into fields. False at the end of the body, on an
 * empty field (two spaces, leading/trailing space) or too many fields. */
bool vm_stateline_next(struct vm_stateline *c)
{
    const char *nl, *q, *f;

    if (c->p >= c->end)
        return false;
    nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!nl)
        return false;
    c->nt = 0;
    for (f = q = c->p;; q++) {
        if (q == nl || *q == ' ') {
            if (q == f || c->nt == VM_STATELINE_MAX_FIELDS)
                return false;
            c->t[c->nt].s = f;
            c->t[c->nt].n = (size_t)(q - f);
            c->nt++;
            if (q == nl)
                break;
            f = q + 1;
        }
    }
    c->p = nl + 1;
    return true;
}

/* The next line must be `word` followed by exactly `nargs` fields. */
bool vm_stateline_expect(struct vm_stateline *c, const char *word, size_t nargs)
{
    size_t wn = strlen(word);

    return vm_stateline_next(c) && c->nt == nargs + 1 && c->t[0].n == wn &&
           memcmp(c->t[0].s, word, wn) == 0;
}

bool vm_stateline_field_is(const struct vm_stateline_field *t, const char *s)
{
    return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

/* Unsigned decimal, no sign, no leading zeros, <= max. */
bool vm_stateline_get_u64(const struct vm_stateline_field *t, uint64_t max, uint64_t *out)
{
    if (t->n > 1 && t->s[0] == '0')
        return false;
    return vm_num_digits(t->s, t->n, max, out);
}

bool vm_stateline_get_int(const struct vm_stateline_field *t, int min, int max, int *out)
{
    struct vm_stateline_field u = *t;
    uint64_t v;
    bool neg = false;

    if (u.n > 1 && u.s[0] == '-') {
        neg = true;
        u.s++;
        u.n--;
    }
    if (!vm_stateline_get_u64(&u, (uint64_t)INT_MAX + (neg ? 1 : 0), &v))
        return false;
    if (neg && v == 0)
        return false; /* "-0" */
    *out = neg ? (int)(-(int64_t)v) : (int)v;
    return *out >= min && *out <= max;
}

bool vm_stateline_get_uint(const struct vm_stateline_field *t, unsigned *out)
{
    uint64_t v;

    if (!vm_stateline_get_u64(t, UINT_MAX, &v))
        return false;
    *out = (unsigned)v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode "-" (NULL) or "=..." into a new string (*out). Returns 1, 0 when
 * malformed, -1 out of memory. */
int vm_stateline_get_str(const struct vm_stateline_field *t, char **out)
{
    char *s;
    size_t i, j;

    *out = NULL;
    if (vm_stateline_field_is(t, "-"))
        return 1;
    if (t->n == 0 || t->s[0] != '=')
        return 0;
    s = vm_malloc(t->n);
    if (!s)
        return -1;
    for (i = 1, j = 0; i < t->n; i++) {
        unsigned char ch = (unsigned char)t->s[i];

        if (ch == '%') {
            int hi, lo;

            if (i + 2 >= t->n)
                goto bad;
            hi = hexval(t->s[i + 1]);
            lo = hexval(t->s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                goto bad;
            s[j++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (raw_char(ch)) {
            s[j++] = (char)ch;
        } else {
            goto bad;
        }
    }
    s[j] = '\0';
    *out = s;
    return 1;
bad:
    free(s);
    return 0;
}

/* A string into a fixed buffer; NULL is not allowed there. Returns 1, 0
 * (malformed, too long) or -1 (out of memory). */
int vm_stateline_get_str_fixed(const struct vm_stateline_field *t, char *dst, size_t dstlen)
{
    char *s = NULL;
    int r = vm_stateline_get_str(t, &s);

    if (r == 1 && (!s || strlen(s) >= dstlen))
        r = 0;
    if (r == 1)
        memcpy(dst, s, strlen(s) + 1);
    free(s);
    return r;
}

/* `have` and n values starting at field `first`. */
bool vm_stateline_get_values(const struct vm_stateline *c, size_t first, size_t n, uint32_t *have,
                             uint64_t *v)
{
    uint64_t h;
    size_t i;

    if (c->nt != first + 1 + n || !vm_stateline_get_u64(&c->t[first], ((uint64_t)1 << n) - 1, &h))
        return false;
    *have = (uint32_t)h;
    for (i = 0; i < n; i++)
        if (!vm_stateline_get_u64(&c->t[first + 1 + i], UINT64_MAX, &v[i]))
            return false;
    return true;
}
