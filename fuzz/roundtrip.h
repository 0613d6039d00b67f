/* SPDX-License-Identifier: GPL-3.0-or-later */
/* roundtrip: the state file invariant that fuzz_state and fuzz_stats share. */
#ifndef VM_FUZZ_ROUNDTRIP_H
#define VM_FUZZ_ROUNDTRIP_H

#include "fuzz.h"
#include "statefile.h"

/* snaps[0..n) must survive the state file: formatted, they parse back
 * (with meta m), and the result formats to the same text. Aborts
 * otherwise. */
static inline void fuzz_statefile_roundtrip(const struct vm_snapshot *const *snaps, size_t n,
                                            const struct vm_state_meta *m)
{
    struct vm_state_ring back;
    const struct vm_snapshot *again[VM_STATE_RING_MAX];
    struct vm_buf a = VM_BUF_INIT, b = VM_BUF_INIT;
    const char *why = NULL;
    size_t k;

    vm_statefile_format(snaps, n, m, &a);
    FUZZ_ASSERT(!a.oom);
    if (vm_statefile_parse(a.s, a.len, m, &back, &why, NULL) != 1) {
        fprintf(stderr, "formatted state does not read back (%s):\n%s", why ? why : "?", a.s);
        abort();
    }
    FUZZ_ASSERT(back.n == n);
    for (k = 0; k < back.n; k++)
        again[k] = &back.snap[k];
    vm_statefile_format(again, back.n, m, &b);
    FUZZ_ASSERT(!b.oom && a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
    vm_state_ring_clear(&back);
    vm_buf_clear(&a);
    vm_buf_clear(&b);
}

#endif
