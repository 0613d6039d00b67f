/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz: what every fuzz target shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(). Built with clang
 * -fsanitize=fuzzer it is a libFuzzer target (fuzz/smoke.sh); built with
 * the project's compiler and fuzz/replay.c it is a test program that feeds
 * every file of fuzz/corpus/<name> and fuzz/regress/<name> through the same
 * function once (make check), so a crash found once stays a test. A target
 * signals a broken invariant with FUZZ_ASSERT, which aborts: libFuzzer and
 * the replay driver both count that as a crash. */
#ifndef VM_FUZZ_H
#define VM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of data[0..size) (owned; aborts on no memory). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
