/* SPDX-License-Identifier: GPL-3.0-or-later */
/* status: plugin states. */
#include <config.h>

#include <strings.h>

#include "status.h"

static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *vm_status_name(enum vm_status s)
{
    return (unsigned)s < 4 ? names[s] : "UNKNOWN";
}

int vm_status_rank(enum vm_status s)
{
    switch (s) {
    case VM_OK:
        return 0;
    case VM_UNKNOWN:
        return 1;
    case VM_WARNING:
        return 2;
    case VM_CRITICAL:
        return 3;
    }
    return 1;
}

enum vm_status vm_status_worst(enum vm_status a, enum vm_status b)
{
    return vm_status_rank(b) > vm_status_rank(a) ? b : a;
}

int vm_status_parse(const char *text, enum vm_status *out)
{
    for (unsigned i = 0; i < 4; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *out = (enum vm_status)i;
            return 0;
        }
    }
    return -1;
}
