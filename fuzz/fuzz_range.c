/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_range: vm_range_parse on any text, then the properties a range must
 * keep. Input: one byte of VM_RANGE_ALLOW_* flags, then the text. */
#include <config.h>

#include <math.h>

#include "fuzz.h"
#include "range.h"

/* An error message must fit on a plugin's first line as it is. */
static void check_msg(const struct vm_err *err)
{
    FUZZ_ASSERT(err->msg[0] != '\0');
    FUZZ_ASSERT(strpbrk(err->msg, "\n|") == NULL);
}

static void check_range(const struct vm_range *r, unsigned allow)
{
    static const double probes[] = {-1e300, -1, 0, 0.5, 1, 10, 1e300, INFINITY, -INFINITY};
    struct vm_buf text = VM_BUF_INIT;
    struct vm_range back, outside;
    struct vm_err err;

    FUZZ_ASSERT(r->start_inf || isfinite(r->start));
    FUZZ_ASSERT(r->end_inf || isfinite(r->end));
    FUZZ_ASSERT(r->start_inf || r->end_inf || r->start <= r->end);
    FUZZ_ASSERT(r->unit == VM_UNIT_NONE ||
                (r->unit == VM_UNIT_PERCENT && (allow & VM_RANGE_ALLOW_PERCENT)) ||
                (r->unit == VM_UNIT_BYTES && (allow & VM_RANGE_ALLOW_SIZE)));

    /* The perfdata text reads back as the same range, in plain numbers. */
    vm_range_format(r, &text);
    FUZZ_ASSERT(!text.oom);
    FUZZ_ASSERT(strpbrk(vm_buf_str(&text), "eE;| ") == NULL);
    if (vm_range_parse(&back, vm_buf_str(&text), 0, &err) != 0) {
        fprintf(stderr, "formatted range does not parse: '%s': %s\n", vm_buf_str(&text), err.msg);
        abort();
    }
    FUZZ_ASSERT(back.inside == r->inside && back.start_inf == r->start_inf &&
                back.end_inf == r->end_inf);
    FUZZ_ASSERT(r->start_inf || back.start == r->start);
    FUZZ_ASSERT(r->end_inf || back.end == r->end);
    vm_buf_clear(&text);

    /* '@' turns the answer round for every number; NaN always alerts. */
    outside = *r;
    outside.inside = !r->inside;
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        FUZZ_ASSERT(vm_range_alerts(r, probes[i]) != vm_range_alerts(&outside, probes[i]));
    FUZZ_ASSERT(vm_range_alerts(r, NAN) && vm_range_alerts(&outside, NAN));
    if (!r->start_inf)
        FUZZ_ASSERT(vm_range_alerts(r, r->start) == r->inside);
    if (!r->end_inf)
        FUZZ_ASSERT(vm_range_alerts(r, r->end) == r->inside);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vm_range r;
    struct vm_err err;
    unsigned allow;
    char *text;

    if (size < 1)
        return 0;
    allow = data[0] & (VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE);
    text = fuzz_cstr(data + 1, size - 1);
    memset(&r, 0x5a, sizeof(r));
    if (vm_range_parse(&r, text, allow, &err) == 0)
        check_range(&r, allow);
    else
        check_msg(&err);
    free(text);
    return 0;
}
