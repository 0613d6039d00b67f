/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state: the private state folder that keeps the previous snapshot.
 *
 * Where: --state-dir, else $XDG_STATE_HOME/monitoring-plugins-libvirt, else
 * $HOME/.local/state/monitoring-plugins-libvirt when HOME is a folder the
 * user owns, else /var/tmp/monitoring-plugins-libvirt-<uid>. The folder is
 * created 0700; an existing one must be a real folder (not a symlink),
 * owned by the effective user and closed to group and others, checked on an
 * O_NOFOLLOW|O_DIRECTORY handle. Everything after that is done with *at()
 * calls relative to that handle. Environment overrides are ignored when the
 * process runs setuid/setgid.
 *
 * Files: one per key, holding up to VM_STATE_RING_MAX samples. A key names plugin + URI + selection (see
 * vm_state_key); the text inside repeats plugin and URI and is checked on
 * load. Writes go to a temporary file, fsync, rename; a lock file per key
 * (flock) serialises overlapping runs. A file that fails any check is
 * reported as "no previous sample", never trusted.
 *
 * Time base: the file keeps the snapshot's `boot` (CLOCK_BOOTTIME, see
 * clock.h), its wall time, and the kernel's boot_id. A file from another boot, or with a time in the future, is not
 * usable: elapsed time across runs is only meaningful on one boot clock. */
#ifndef VM_STATE_H
#define VM_STATE_H

#include <stddef.h>

#include "err.h"
#include "statefile.h"
#include "stats.h"

#define VM_STATE_MAX_BYTES (16u * 1024 * 1024) /* refuse larger files */

struct vm_state_dir {
    int fd;     /* verified folder handle, -1 when closed */
    char *path; /* for messages (owned) */
};

/* Fill m: plugin and uri are borrowed (NULL uri is taken as ""), boot_id is
 * read from the kernel. */
void vm_state_meta_init(struct vm_state_meta *m, const char *plugin, const char *uri);

/* Resolve, create if needed and verify the folder. `explicit_path` may be
 * NULL. Returns 0 or -1 with a clear reason (symlink, owner, mode...). */
int vm_state_dir_open(struct vm_state_dir *d, const char *explicit_path, struct vm_err *err);
void vm_state_dir_clear(struct vm_state_dir *d); /* NULL / closed accepted */

/* A file-name-safe key: "<plugin>-<16 hex digits>" from a hash of plugin,
 * URI and the given argument strings. Writes into key[keylen]. */
void vm_state_key(const char *plugin, const char *uri, char *const *args, size_t nargs, char *key,
                  size_t keylen);

/* Take the per-key lock (waits up to `wait_ms`). Returns a lock fd (>= 0)
 * to pass to vm_state_unlock, or -1 with err set; errno is EWOULDBLOCK
 * when another process held the lock for the whole wait. */
int vm_state_lock(struct vm_state_dir *d, const char *key, unsigned wait_ms, struct vm_err *err);
void vm_state_unlock(int lockfd);

/* Load the samples saved under `key`. Returns 1 when some were loaded, 0 when
 * there is none or it is not usable (why in *why: static text), -1 on a
 * folder-level error. A file for another plugin/URI/boot is "not usable".
 * A symlink, FIFO, folder or foreign file at the name is "not usable" too
 * (never followed, never waited on). *out is overwritten (pass an empty
 * one); it stays empty unless 1 is returned. */
int vm_state_load(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                  struct vm_state_ring *out, const char **why, struct vm_err *err);

/* The same, lazily (vm_statefile_index): the samples' domains are read by
 * vm_state_ring_read, and their text is kept for vm_state_save_items.
 * vm_state_load is this load with every sample read at once. */
int vm_state_load_lazy(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err);

/* Save snaps[0..n) (newest first, see vm_statefile_format) atomically
 * (temp file in the folder, fsync, rename, fsync of the folder). When they
 * would pass VM_STATE_MAX_BYTES, the oldest are left out until they fit;
 * the newest alone too large is an error. A symlink at the name is
 * replaced, never written through. On failure the temp file is removed and
 * the previous file is left as it was. Returns 0 or -1. */
int vm_state_save(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                  const struct vm_snapshot *const *snaps, size_t n, struct vm_err *err);
/* The same from items[0..n): kept samples are copied as they were read. */
int vm_state_save_items(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                        const struct vm_state_item *items, size_t n, struct vm_err *err);

#endif
