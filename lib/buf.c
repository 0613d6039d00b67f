/* SPDX-License-Identifier: GPL-3.0-or-later */
/* buf: growable string buffer. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

static bool buf_reserve(struct vm_buf *b, size_t extra)
{
    size_t need, cap;
    char *s;

    if (b->oom)
        return false;
    if (extra > (size_t)-1 - b->len - 1)
        goto fail;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    s = vm_reallocarray(b->s, cap, 1);
    if (!s)
        goto fail;
    b->s = s;
    b->cap = cap;
    return true;
fail:
    b->oom = true;
    return false;
}

void vm_buf_append_len(struct vm_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void vm_buf_append(struct vm_buf *b, const char *s)
{
    vm_buf_append_len(b, s, strlen(s));
}

void vm_buf_vprintf(struct vm_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void vm_buf_printf(struct vm_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vm_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void vm_buf_truncate(struct vm_buf *b, size_t n)
{
    if (n < b->len) {
        b->len = n;
        b->s[n] = '\0';
    }
}

const char *vm_buf_str(const struct vm_buf *b)
{
    return b->s ? b->s : "";
}

char *vm_buf_steal(struct vm_buf *b)
{
    char *s = b->s;

    if (!s)
        s = vm_calloc(1, 1);
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void vm_buf_clear(struct vm_buf *b)
{
    if (!b)
        return;
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}
