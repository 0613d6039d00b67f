/* SPDX-License-Identifier: GPL-3.0-or-later */
/* statefile: the text of a state file, pure (no file system, no clock but
 * the "not from the future" check).
 *
 * A line-based, versioned format (described in statefile.c) whose last
 * line carries a checksum of everything before it, so a truncated or
 * altered file is detected. state.c reads and writes the files. */
#ifndef VM_STATEFILE_H
#define VM_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "stats.h"

#define VM_STATE_VERSION 3  /* 3: several samples per file; 2: records without bulk_groups */
#define VM_STATE_RING_MAX 4 /* samples one file holds (sample.c says which) */

/* The samples of one state file, newest first, each strictly older than
 * the one before it on the boot clock.
 *
 * Read lazily (vm_statefile_index): every sample's time line is read and
 * checked at once (that is all a base is chosen by), its domains only when
 * vm_state_ring_read asks, strictly as vm_statefile_parse reads them. A
 * sample's lines stay as text[k] (len[k] bytes, from its "time" line on)
 * so a save copies the ones it keeps instead of formatting them again:
 * a run pays for the sample it adds, not for the whole ring. */
struct vm_state_ring {
    struct vm_snapshot snap[VM_STATE_RING_MAX]; /* boot, wall; n, dom once read */
    bool read[VM_STATE_RING_MAX];               /* snap[k].dom/n are the file's */
    const char *text[VM_STATE_RING_MAX];        /* into buf; NULL: not kept */
    size_t len[VM_STATE_RING_MAX];
    char *buf; /* the file's text (owned), or NULL */
    size_t n;
};
void vm_state_ring_clear(struct vm_state_ring *r); /* NULL accepted */

/* Read sample k's domains into r->snap[k] if not read yet. Returns 1, 0
 * when they are corrupt ("state file is corrupt" in *why: the file as a
 * whole is then not usable, as vm_statefile_parse would have said) or -1
 * out of memory. */
int vm_state_ring_read(struct vm_state_ring *r, size_t k, const char **why, struct vm_err *err);

/* One sample to write: `text` (len bytes, a ring's text[k]) is copied as
 * it is; without it, `snap` is formatted. */
struct vm_state_item {
    const struct vm_snapshot *snap;
    const char *text;
    size_t len;
};

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
/* The same from items[0..n). */
void vm_statefile_format_items(const struct vm_state_item *items, size_t n,
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

/* The same, lazily: the frame, checksum, metadata and every sample's time
 * line are checked as vm_statefile_parse checks them; the domains are left
 * to vm_state_ring_read. `text` is taken over (freed, also on failure):
 * the ring's text[] point into it. A version 2 file (one sample) is read
 * whole, and its sample is formatted anew when saved. */
int vm_statefile_index(char *text, size_t len, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err);

#endif
