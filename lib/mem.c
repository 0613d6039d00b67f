/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mem: allocation through one replaceable function. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static vm_realloc_fn mem_realloc = realloc;

void vm_mem_set_realloc(vm_realloc_fn fn)
{
    mem_realloc = fn ? fn : realloc;
}

void *vm_reallocarray(void *p, size_t n, size_t size)
{
    size_t bytes;

    if (size && n > SIZE_MAX / size)
        return NULL;
    bytes = n * size;
    return mem_realloc(p, bytes > 0 ? bytes : 1);
}

void *vm_malloc(size_t size)
{
    return vm_reallocarray(NULL, size, 1);
}

void *vm_calloc(size_t n, size_t size)
{
    void *p = vm_reallocarray(NULL, n, size);

    if (p)
        memset(p, 0, n * size > 0 ? n * size : 1);
    return p;
}

char *vm_strdup(const char *s)
{
    size_t n;
    char *p;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    p = vm_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
