/* SPDX-License-Identifier: GPL-3.0-or-later */
/* roundtrip: the state file invariant that fuzz_state and fuzz_stats share. */
#ifndef VM_FUZZ_ROUNDTRIP_H
#define VM_FUZZ_ROUNDTRIP_H

#include "fuzz.h"
#include "statefile.h"

/* snap must survive the state file: formatted, it parses back (with meta
 * m), and the result formats to the same text. Aborts otherwise. */
static inline void fuzz_statefile_roundtrip(const struct vm_snapshot *snap,
                                            const struct vm_state_meta *m)
{
    struct vm_snapshot back;
    struct vm_buf a = VM_BUF_INIT, b = VM_BUF_INIT;
    const char *why = NULL;

    vm_statefile_format(snap, m, &a);
    FUZZ_ASSERT(!a.oom);
    if (vm_statefile_parse(a.s, a.len, m, &back, &why, NULL) != 1) {
        fprintf(stderr, "formatted state does not read back (%s):\n%s", why ? why : "?", a.s);
        abort();
    }
    vm_statefile_format(&back, m, &b);
    FUZZ_ASSERT(!b.oom && a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
    vm_snapshot_clear(&back);
    vm_buf_clear(&a);
    vm_buf_clear(&b);
}

#endif
