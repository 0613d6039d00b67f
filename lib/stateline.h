/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stateline: the field level of a state file's text (statefile.h), pure.
 *
 * A line is fields separated by one space and ends in '\n'. A string field
 * is "-" for NULL or "=" followed by its bytes, everything outside
 * [A-Za-z0-9._:/@+,~-] written %XX (uppercase hex, never %00): a name with
 * spaces, newlines, quotes, '|' or UTF-8 stays one field. A number is
 * decimal without sign, '+' or leading zeros (an int may have a '-').
 *
 * Writing appends to a vm_buf (check out->oom). Reading walks a cursor
 * over a body line by line; the readers are strict: anything else than
 * the above is refused, so statefile.c can say "corrupt" and never guess. */
#ifndef VM_STATELINE_H
#define VM_STATELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define VM_STATELINE_MAX_FIELDS 20 /* the longest line (block) has 16 fields */

/* One field of the current line: n bytes at s (borrowed from the text). */
struct vm_stateline_field {
    const char *s;
    size_t n;
};

/* A cursor over a body of lines (borrowed; the text outlives it). */
struct vm_stateline {
    const char *p, *end;                                  /* the rest of the body */
    struct vm_stateline_field t[VM_STATELINE_MAX_FIELDS]; /* the current line's fields */
    size_t nt;
};

/* " =<escaped>", or " -" for NULL. */
void vm_stateline_put_str(struct vm_buf *out, const char *s);
/* " <have> <v[0]> ... <v[n-1]>\n" */
void vm_stateline_put_values(struct vm_buf *out, uint32_t have, const uint64_t *v, size_t n);

/* Split the next line into c->t. False at the end of the body, on a line
 * without '\n', an empty field (two spaces, a leading or trailing space)
 * or more than VM_STATELINE_MAX_FIELDS fields. */
bool vm_stateline_next(struct vm_stateline *c);
/* The next line is `word` followed by exactly `nargs` fields. */
bool vm_stateline_expect(struct vm_stateline *c, const char *word, size_t nargs);
bool vm_stateline_field_is(const struct vm_stateline_field *t, const char *s);

/* Numbers: false when malformed or out of range (u64: <= max; int: in
 * [min, max], "-0" refused; uint: <= UINT_MAX). */
bool vm_stateline_get_u64(const struct vm_stateline_field *t, uint64_t max, uint64_t *out);
bool vm_stateline_get_int(const struct vm_stateline_field *t, int min, int max, int *out);
bool vm_stateline_get_uint(const struct vm_stateline_field *t, unsigned *out);

/* A string field into a new string (*out, owned by the caller; NULL for
 * "-"). Returns 1, 0 when malformed, -1 out of memory. */
int vm_stateline_get_str(const struct vm_stateline_field *t, char **out);
/* A string into dst[dstlen]; "-" and a string too long are malformed.
 * Returns 1, 0 or -1 likewise. */
int vm_stateline_get_str_fixed(const struct vm_stateline_field *t, char *dst, size_t dstlen);
/* The current line from field `first` on is exactly `have` (a mask of n
 * bits) and n values. */
bool vm_stateline_get_values(const struct vm_stateline *c, size_t first, size_t n, uint32_t *have,
                             uint64_t *v);

#endif
