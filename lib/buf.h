/* SPDX-License-Identifier: GPL-3.0-or-later */
/* buf: a growable NUL-terminated string buffer.
 *
 * Appends never fail loudly: on allocation failure the buffer keeps what it
 * had and sets `oom`, so a caller can build a whole text and check once. */
#ifndef VM_BUF_H
#define VM_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct vm_buf {
    char *s;    /* always NUL-terminated once anything was appended; may be NULL before */
    size_t len; /* bytes in s, without the NUL */
    size_t cap;
    bool oom;
};

#define VM_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void vm_buf_append(struct vm_buf *b, const char *s);
void vm_buf_append_len(struct vm_buf *b, const char *s, size_t n);
void vm_buf_printf(struct vm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_buf_vprintf(struct vm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Shorten to n bytes (no-op when already shorter). */
void vm_buf_truncate(struct vm_buf *b, size_t n);
/* The text, never NULL ("" for an empty buffer). Borrowed. */
const char *vm_buf_str(const struct vm_buf *b);
/* Hand the string to the caller (free() it); the buffer is empty after. */
char *vm_buf_steal(struct vm_buf *b);
void vm_buf_clear(struct vm_buf *b);

#endif
