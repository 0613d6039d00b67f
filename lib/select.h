/* SPDX-License-Identifier: GPL-3.0-or-later */
/* select: which domains a check looks at.
 *
 * -d NAME|UUID|ID (repeatable; looked up like virsh does: ID, then UUID,
 * then name), or --all with optional --include/--exclude regexes (POSIX
 * extended, matched against the name). A named domain that does not exist
 * is kept as a "missing" entry so the plugin can report it by name. */
#ifndef VM_SELECT_H
#define VM_SELECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include <libvirt/libvirt.h>

#include "err.h"

struct vm_select_opts {
    char *const *names;  /* -d values (borrowed) */
    size_t nnames;
    bool all;
    const regex_t *include; /* NULL = everything */
    const regex_t *exclude; /* NULL = nothing */
};

struct vm_selection {
    virDomainPtr *doms;   /* found domains, owned (virDomainFree), sorted by name for --all */
    size_t n;
    char **missing;       /* -d values that matched no domain (owned copies) */
    size_t nmissing;
    size_t nexcluded;     /* --all: domains dropped by include/exclude */
};

int vm_select_domains(virConnectPtr conn, const struct vm_select_opts *o,
                      struct vm_selection *out, struct vm_err *err);
void vm_selection_free(struct vm_selection *s); /* NULL accepted */

/* virDomainState → "running", "paused", "shut off", ... */
const char *vm_select_state_name(int state);

enum vm_dom_class { VM_DOM_RUNNING, VM_DOM_PAUSED, VM_DOM_INACTIVE };
/* running/blocked/shutting down → RUNNING; paused/pmsuspended → PAUSED;
 * shut off/crashed/no state → INACTIVE. */
enum vm_dom_class vm_select_classify(int state);

#endif
