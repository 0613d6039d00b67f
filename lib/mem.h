/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mem: the library's allocation functions. They return NULL on failure
 * (never abort) and treat a zero size as one byte, so NULL always means
 * "out of memory". What they return is released with free().
 *
 * Every allocation goes through one function, realloc-shaped, which a test
 * may replace (vm_mem_set_realloc) to make chosen allocations fail, as
 * jansson's json_set_alloc_funcs does for its test_chaos.
 *
 * Release words across the library: `vm_X_clear(s)` releases what a
 * caller-owned struct holds (s itself stays, zeroed or reusable; NULL
 * accepted); `vm_X_free(p)` would free a heap object itself (NULL
 * accepted); `_close` is only for a real connection (vm_conn_close). */
#ifndef VM_MEM_H
#define VM_MEM_H

#include <stddef.h>

void *vm_malloc(size_t size);
void *vm_calloc(size_t n, size_t size);
void *vm_reallocarray(void *p, size_t n, size_t size);
char *vm_strdup(const char *s); /* NULL in, NULL out */

/* For tests: use fn instead of realloc(3) (NULL restores realloc). fn must
 * return memory free() accepts, e.g. by calling realloc itself. */
typedef void *(*vm_realloc_fn)(void *p, size_t size);
void vm_mem_set_realloc(vm_realloc_fn fn);

#endif
