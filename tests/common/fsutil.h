/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsutil: files and folders for the unit and integration tests. */
#ifndef VM_FSUTIL_H
#define VM_FSUTIL_H

#include <stddef.h>

/* Remove path and everything below it, without following links; a missing
 * path is not an error. -1 when something could not be removed (the rest
 * still is). */
int vm_fs_rm_rf(const char *path);

/* The whole of the file at path (not followed when a link), NUL-terminated,
 * its length in *len when len is not NULL. Owned (free() it). A file that
 * cannot be read fails the running Check test. */
char *vm_fs_slurp(const char *path, size_t *len);

/* Create or truncate path (0600, not through a link) to hold data[0..len).
 * A failure fails the running Check test. */
void vm_fs_spit(const char *path, const void *data, size_t len);

/* The entries of folder dir other than "." and "..", only those whose name
 * contains part when part is not NULL; -1 when dir cannot be opened. */
int vm_fs_count_entries(const char *dir, const char *part);

#endif
