/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err: one-line error messages. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int vm_err_set(struct vm_err *err, const char *fmt, ...)
{
    va_list ap;
    char *p;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    /* The message ends up on the first output line: keep it one line and
     * free of the perfdata separator. Other control bytes (from a URI or a
     * libvirt message) go too: a terminal or web UI could act on them. */
    for (p = err->msg; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
        else if (*p == '|')
            *p = '/';
    }
    return -1;
}
