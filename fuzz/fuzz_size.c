/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_size: the strict number parsers every option uses (sizes, doubles,
 * bounded integers). Input: the text; its first byte also picks the bounds
 * for vm_parse_uint. */
#include <config.h>

#include <ctype.h>
#include <limits.h>
#include <math.h>

#include "fuzz.h"
#include "range.h"

static void check_msg(const struct vm_err *err)
{
    FUZZ_ASSERT(err->msg[0] != '\0');
    FUZZ_ASSERT(strpbrk(err->msg, "\n|") == NULL);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned long long maxes[] = {0, 1, 10, 86400, 16u << 20, ULLONG_MAX};
    unsigned long long u, min, max;
    struct vm_err err;
    double d;
    char *text = fuzz_cstr(data, size);

    if (vm_parse_size(text, &d, "--size", &err) == 0) {
        FUZZ_ASSERT(isfinite(d) && d >= 0);
        FUZZ_ASSERT(!signbit(d));
    } else {
        check_msg(&err);
    }

    if (vm_parse_double(text, &d, "--x", &err) == 0) {
        FUZZ_ASSERT(isfinite(d));
        FUZZ_ASSERT(d != 0 || !signbit(d)); /* never "-0" */
        /* A bare number is accepted as a size when it is not negative. */
        {
            double bytes;

            FUZZ_ASSERT((vm_parse_size(text, &bytes, "--size", NULL) == 0) == (d >= 0));
            FUZZ_ASSERT(d < 0 || bytes == d);
        }
    } else {
        check_msg(&err);
    }

    max = maxes[(size ? data[0] : 0) % (sizeof(maxes) / sizeof(maxes[0]))];
    min = size > 1 ? data[1] % 3 : 0;
    if (vm_parse_uint(text, min, max, &u, "--n", &err) == 0) {
        FUZZ_ASSERT(u >= min && u <= max);
        FUZZ_ASSERT(all_digits(text));
        FUZZ_ASSERT(strtoull(text, NULL, 10) == u);
    } else {
        check_msg(&err);
    }
    free(text);
    return 0;
}
