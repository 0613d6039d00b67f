/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err: one-line error messages handed from the library to a plugin.
 *
 * The library never prints or exits; a failing function returns -1 (or NULL)
 * and fills a struct vm_err when one is given (NULL is accepted). */
#ifndef VM_ERR_H
#define VM_ERR_H

#include <stddef.h>

/* Most code that can fail also allocates: the allocators come along. */
#include "mem.h"

#define VM_ERR_LEN 512

struct vm_err {
    char msg[VM_ERR_LEN]; /* one line, no trailing newline */
};

/* What a '|' in text becomes on output, where it would start the perfdata:
 * U+00A6 BROKEN BAR, which looks like it and cannot be taken for a path's
 * '/' (a disk at /srv/a|b shows as /srv/a¦b). */
#define VM_ERR_PIPE "\xc2\xa6"

/* Format into err (if not NULL); newlines and control characters become
 * ' ' and '|' VM_ERR_PIPE, so that the message can go on a plugin's first
 * output line as it is. Returns -1 so a caller can write
 * `return vm_err_set(err, ...);`. */
int vm_err_set(struct vm_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
