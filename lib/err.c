/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err: one-line error messages and allocation helpers. */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

void *vm_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size ? size : 1);
}

void *vm_reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;

    return realloc(p, bytes > 0 ? bytes : 1);
}

char *vm_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}
