/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_label: the perfdata label sanitiser and entry formatter, and the
 * report's text cleaner, on any names. Input: label parts separated by NUL
 * bytes (at most 8); the first byte also picks the UOM. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "fuzz.h"
#include "perfdata.h"
#include "report.h"

#define FUZZ_MAXPARTS 8

static bool label_ascii_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_.:@+-", c) != NULL);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* s[0..n) with its %XX escapes undone, into out (NUL-terminated); false
 * when an escape is malformed. */
static bool unescape(const char *s, size_t n, char *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[k++] = s[i];
            continue;
        }
        if (i + 2 >= n + 1 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
            return false;
        out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
        i += 2;
    }
    out[k] = '\0';
    return true;
}

/* The whole label is valid UTF-8 without C1 controls. */
static bool utf8_ok(const unsigned char *p)
{
    while (*p) {
        unsigned cp;
        size_t n;

        if (*p < 0x80) {
            p++;
            continue;
        }
        n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 0;
        if (n == 0 || *p > 0xF4)
            return false;
        cp = *p & (0x7F >> n);
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if (cp < (n == 2   ? 0xA0u
                  : n == 3 ? 0x800u
                           : 0x10000u) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const uoms[] = {"", "%", "B", "s", "ms", "c"};
    static const double values[] = {0, -0.0, 1.5, -3, 1e300, NAN, INFINITY, 123456789012345678.0};
    const char *parts[FUZZ_MAXPARTS];
    char *copy = fuzz_cstr(data, size);
    struct vm_buf label = VM_BUF_INIT, entry = VM_BUF_INIT, clean = VM_BUF_INIT;
    struct vm_perf perf;
    size_t nparts = 0, i, start = 0, body, n;
    const char *s;

    for (i = 0; i <= size && nparts < FUZZ_MAXPARTS; i++) {
        if (i == size || copy[i] == '\0') {
            parts[nparts++] = copy + start;
            start = i + 1;
        }
    }
    if (size > 0 && data[0] == 0xff)
        nparts = 0; /* the "no parts at all" case */

    /* The label: only safe ASCII, escapes and valid UTF-8, never empty,
     * never "::"; with up to three parts it splits back into them at its
     * first and last ':' (so distinct parts never share a label). */
    vm_perf_label(&label, parts, nparts);
    FUZZ_ASSERT(!label.oom && label.len > 0);
    for (s = vm_buf_str(&label); *s; s++)
        FUZZ_ASSERT((unsigned char)*s >= 0x80 || *s == '%' || label_ascii_ok((unsigned char)*s));
    FUZZ_ASSERT(utf8_ok((const unsigned char *)vm_buf_str(&label)));
    FUZZ_ASSERT(strstr(vm_buf_str(&label), "::") == NULL);
    if (nparts >= 1 && nparts <= 3) {
        const char *l = vm_buf_str(&label), *first = strchr(l, ':'), *last = strrchr(l, ':');
        const char *from[3], *to[3];
        char *back = malloc(label.len + 1);

        FUZZ_ASSERT(back != NULL);
        FUZZ_ASSERT(nparts == 1 ? first == NULL
                                : first != NULL && (nparts == 2) == (first == last));
        from[0] = l;
        to[0] = nparts == 1 ? l + label.len : first;
        from[nparts - 1] = nparts == 1 ? l : last + 1;
        to[nparts - 1] = l + label.len;
        if (nparts == 3) {
            from[1] = first + 1;
            to[1] = last;
        }
        for (i = 0; i < nparts; i++) {
            FUZZ_ASSERT(unescape(from[i], (size_t)(to[i] - from[i]), back));
            /* an empty part is "%00", which unescapes to "" as well */
            FUZZ_ASSERT(strcmp(back, parts[i]) == 0);
        }
        free(back);
    }

    /* The entry: "'label'=value[UOM][;...]", one token without blanks. */
    memset(&perf, 0, sizeof(perf));
    perf.label = vm_buf_steal(&label);
    perf.value = values[(size ? data[size - 1] : 0) % (sizeof(values) / sizeof(values[0]))];
    perf.uom = uoms[(size ? data[0] : 0) % (sizeof(uoms) / sizeof(uoms[0]))];
    perf.has_min = size > 2 && (data[1] & 1);
    perf.min = 0;
    vm_perf_format(&entry, &perf);
    FUZZ_ASSERT(!entry.oom);
    s = vm_buf_str(&entry);
    FUZZ_ASSERT(s[0] == '\'');
    body = strcspn(s + 1, "'");
    FUZZ_ASSERT(s[1 + body] == '\'' && s[2 + body] == '=');
    FUZZ_ASSERT(strpbrk(s, " \t\r\n|") == NULL);
    FUZZ_ASSERT(strchr(s + 3 + body, '\'') == NULL && strchr(s + 3 + body, '=') == NULL);
    FUZZ_ASSERT(strpbrk(s + 3 + body, "eE") == NULL);       /* never exponent notation */
    FUZZ_ASSERT(strpbrk(s + 3 + body, "naifNAIF") == NULL); /* no "nan", "inf" */
    vm_perf_clear(&perf);

    /* The report's cleaner: no '|', no control characters, the same
     * length but for each '|', which became the wider VM_ERR_PIPE. */
    vm_report_clean_text(&clean, copy);
    n = strlen(copy);
    for (s = strchr(copy, '|'); s; s = strchr(s + 1, '|'))
        n += strlen(VM_ERR_PIPE) - 1;
    FUZZ_ASSERT(!clean.oom && clean.len == n);
    for (s = vm_buf_str(&clean); *s; s++)
        FUZZ_ASSERT(*s != '|' && (unsigned char)*s >= 0x20 && *s != 0x7f);

    vm_buf_clear(&entry);
    vm_buf_clear(&clean);
    free(copy);
    return 0;
}
