/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err: one-line error messages. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int vm_err_set(struct vm_err *err, const char *fmt, ...)
{
    char raw[VM_ERR_LEN];
    size_t i, n = 0;
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    /* The message ends up on the first output line: keep it one line and
     * free of the perfdata separator. Other control bytes (from a URI or a
     * libvirt message) go too: a terminal or web UI could act on them. */
    for (i = 0; raw[i] && n + 1 < sizeof(err->msg); i++) {
        if (raw[i] == '|') {
            if (n + sizeof(VM_ERR_PIPE) > sizeof(err->msg))
                break;
            memcpy(err->msg + n, VM_ERR_PIPE, sizeof(VM_ERR_PIPE) - 1);
            n += sizeof(VM_ERR_PIPE) - 1;
        } else {
            err->msg[n++] = (unsigned char)raw[i] < 0x20 || raw[i] == 0x7f ? ' ' : raw[i];
        }
    }
    err->msg[n] = '\0';
    return -1;
}
