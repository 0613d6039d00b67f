/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_label: the perfdata label sanitiser and entry formatter, and the
 * report's text cleaner, on any names. Input: label parts separated by NUL
 * bytes (at most 8); the first byte also picks the UOM. */
#include <config.h>

#include <math.h>

#include "fuzz.h"
#include "perfdata.h"
#include "report.h"

#define FUZZ_MAXPARTS 8

static bool label_byte_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_.:/@+-", c) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const uoms[] = {"", "%", "B", "s", "ms", "c"};
    static const double values[] = {0, -0.0, 1.5, -3, 1e300, NAN, INFINITY, 123456789012345678.0};
    const char *parts[FUZZ_MAXPARTS];
    char *copy = fuzz_cstr(data, size);
    struct vm_buf label = VM_BUF_INIT, entry = VM_BUF_INIT, clean = VM_BUF_INIT;
    struct vm_perf perf;
    size_t nparts = 0, i, start = 0, body;
    const char *s;

    for (i = 0; i <= size && nparts < FUZZ_MAXPARTS; i++) {
        if (i == size || copy[i] == '\0') {
            parts[nparts++] = copy + start;
            start = i + 1;
        }
    }
    if (size > 0 && data[0] == 0xff)
        nparts = 0; /* the "no parts at all" case */

    /* The label: only safe bytes, never empty, never "::". */
    vm_perf_label(&label, parts, nparts);
    FUZZ_ASSERT(!label.oom && label.len > 0);
    for (s = vm_buf_str(&label); *s; s++)
        FUZZ_ASSERT(label_byte_ok((unsigned char)*s));
    FUZZ_ASSERT(strstr(vm_buf_str(&label), "::") == NULL);

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

    /* The report's cleaner: no '|', no control characters, same length. */
    vm_report_clean_text(&clean, copy);
    FUZZ_ASSERT(!clean.oom && clean.len == strlen(copy));
    for (s = vm_buf_str(&clean); *s; s++)
        FUZZ_ASSERT(*s != '|' && (unsigned char)*s >= 0x20 && *s != 0x7f);

    vm_buf_clear(&entry);
    vm_buf_clear(&clean);
    free(copy);
    return 0;
}
