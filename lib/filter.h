/* SPDX-License-Identifier: GPL-3.0-or-later */
/* filter: the --include/--exclude regexes (POSIX extended, matched against
 * a domain's name).
 *
 * Two steps, because glibc's regcomp can take seconds and gigabytes on a
 * pathological pattern: vm_filter_check() refuses such patterns while the
 * options are parsed; vm_filter_compile() runs later, once the -t alarm is
 * set. The compiled filter is the runtime's object, not part of the parsed
 * options. */
#ifndef VM_FILTER_H
#define VM_FILTER_H

#include <locale.h>
#include <regex.h>
#include <stdbool.h>

#include "err.h"

struct vm_filter {
    bool has_include, has_exclude;
    regex_t include, exclude;
    locale_t utf8; /* LC_CTYPE the regexes run under (owned; 0: none installed) */
};

/* Refuse `re` when its compiled form would be too large (repeat counts
 * multiplied out, nesting depth). `what` names the option in err. */
int vm_filter_check(const char *re, const char *what, struct vm_err *err);

/* Compile into f (start from a zeroed one); NULL text = no such filter.
 * Returns 0, or -1 with err set (f is still cleared by vm_filter_clear). */
int vm_filter_compile(struct vm_filter *f, const char *include_re, const char *exclude_re,
                      struct vm_err *err);

/* True when `name` passes: matches include (if any) and not exclude (if
 * any). A NULL filter passes everything. Patterns and names are matched by
 * UTF-8 character whatever the caller's locale; a name that is not valid
 * UTF-8 still matches byte for byte where it can ('.' takes no stray byte). */
bool vm_filter_match(const struct vm_filter *f, const char *name);

/* Release the compiled regexes; f can be compiled again. NULL accepted. */
void vm_filter_clear(struct vm_filter *f);

#endif
