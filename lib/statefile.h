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

#define VM_STATE_VERSION 2 /* 2: records without bulk_groups */

struct vm_state_meta {
    const char *plugin; /* "check_vcpu" */
    const char *uri;    /* connection URI as given */
    char boot_id[64];   /* /proc/sys/kernel/random/boot_id, "" if unreadable */
};

/* FNV-1a 64: the file's checksum, and state.c's key hash. Start with
 * h = VM_FNV1A_INIT. */
#define VM_FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t vm_statefile_fnv1a(uint64_t h, const void *data, size_t n);

/* Append the text of snap with its metadata to `out` (check out->oom). */
void vm_statefile_format(const struct vm_snapshot *snap, const struct vm_state_meta *m,
                         struct vm_buf *out);

/* Returns 1 parsed, 0 not usable (*why set), -1 allocation failure. Strict:
 * any malformed line or number, wrong count, bad checksum, a plugin/URI/
 * boot_id other than m's (m may be NULL to skip these three), or a boot or
 * wall time later than now makes the text not usable. *out is overwritten
 * (pass an empty one); it stays empty unless 1 is returned. */
int vm_statefile_parse(const char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_snapshot *out, const char **why, struct vm_err *err);

#endif
