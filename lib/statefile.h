/* SPDX-License-Identifier: GPL-3.0-or-later */
/* statefile: the text of a state file, pure (no file system, no clock but
 * the "not from the future" check).
 *
 * A line-based, versioned format (described in statefile.c) whose last
 * line carries a checksum of everything before it, so a truncated or
 * altered file is detected. state.c reads and writes the files. */
#ifndef VM_STATEFILE_H
#define VM_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "stats.h"

#define VM_STATE_VERSION 3  /* 3: several samples per file; 2: records without bulk_groups */
#define VM_STATE_RING_MAX 4 /* samples one file holds (sample.c says which) */

/* The samples of one state file, newest first, each strictly older than
 * the one before it on the boot clock. */
struct vm_state_ring {
    struct vm_snapshot snap[VM_STATE_RING_MAX];
    size_t n;
};
void vm_state_ring_clear(struct vm_state_ring *r); /* NULL accepted */

struct vm_state_meta {
    const char *plugin; /* "check_vcpu" */
    const char *uri;    /* connection URI as given */
    char boot_id[64];   /* /proc/sys/kernel/random/boot_id, "" if unreadable */
};

/* FNV-1a 64: the file's checksum, and state.c's key hash. Start with
 * h = VM_FNV1A_INIT. */
#define VM_FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t vm_statefile_fnv1a(uint64_t h, const void *data, size_t n);

/* Append the text of snaps[0..n) (newest first, 1 <= n <=
 * VM_STATE_RING_MAX) with its metadata to `out` (check out->oom). */
void vm_statefile_format(const struct vm_snapshot *const *snaps, size_t n,
                         const struct vm_state_meta *m, struct vm_buf *out);

/* Returns 1 parsed, 0 not usable (*why set), -1 allocation failure. Strict:
 * any malformed line or number, wrong count, bad checksum, a plugin/URI/
 * boot_id other than m's (m may be NULL to skip these three), a boot or
 * wall time later than now, or samples not newest first makes the text not
 * usable. A version 2 file (one sample, no "samples" line) reads as a ring
 * of one: an upgrade keeps the previous sample. *out is overwritten (pass
 * an empty one); it stays empty unless 1 is returned. */
int vm_statefile_parse(const char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err);

#endif
