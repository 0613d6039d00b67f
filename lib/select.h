/* SPDX-License-Identifier: GPL-3.0-or-later */
/* select: which domains a check looks at.
 *
 * -d NAME|UUID|ID (repeatable; looked up like virsh does: ID, then UUID,
 * then name), or --all with optional --include/--exclude regexes (POSIX
 * extended, matched against the name). A named domain that does not exist
 * is kept as a "missing" entry so the plugin can report it by name. */
#ifndef VM_SELECT_H
#define VM_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include <libvirt/libvirt.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "status.h"

struct vm_select_opts {
    char *const *names; /* -d values (borrowed) */
    size_t nnames;
    bool all;
    const struct vm_filter *filter; /* --all only; NULL = every domain */
};

struct vm_selection {
    virDomainPtr *doms; /* found domains, owned (virDomainFree), sorted by name for --all */
    size_t n;
    char **missing; /* -d values that matched no domain (owned copies) */
    size_t nmissing;
    size_t nexcluded; /* --all: domains dropped by include/exclude */
};

/* Fill *out (overwritten) with the domains `o` selects.
 * - With o->all: every domain of the connection that passes o->filter,
 *   sorted by name; the ones the filter drops are counted in nexcluded.
 * - Else: each of o->names looked up as an ID, then a UUID, then a name
 *   (as virsh does), in the order given; a name that finds a domain
 *   already found (by another spelling) adds nothing, one that finds
 *   none is copied into `missing`.
 * Returns 0, or -1 with err set when libvirt cannot list or look up
 * (out is then empty). The caller frees *out with vm_selection_clear()
 * before closing the connection. */
int vm_select_domains(virConnectPtr conn, const struct vm_select_opts *o, struct vm_selection *out,
                      struct vm_err *err);
void vm_selection_clear(struct vm_selection *s); /* NULL accepted */

/* virDomainState → "running", "paused", "shut off", ... */
const char *vm_select_state_name(int state);

enum vm_dom_class { VM_DOM_RUNNING, VM_DOM_PAUSED, VM_DOM_INACTIVE, VM_DOM_CRASHED };
/* running/blocked/shutting down → RUNNING; paused/pmsuspended → PAUSED;
 * crashed/no state → CRASHED (an incident, not a choice); the rest (shut
 * off) → INACTIVE. */
enum vm_dom_class vm_select_classify(int state);

/* The policy for a domain that is not running (DESIGN: select owns it).
 * Pure: from --shutoff and --paused (VM_POLICY_DEFAULT resolved here:
 * a paused domain is checked, a shut-off one is left out of --all and
 * UNKNOWN when named), `crashed` (--crashed: the state of a crashed
 * domain, named or not) and the domain's state class. */
enum vm_policy_action {
    VM_POLICY_EVALUATE, /* check it */
    VM_POLICY_LEAVE_OUT,
    VM_POLICY_ANSWER, /* an item in the returned state, saying why */
};
enum vm_policy_action vm_policy_decide(enum vm_policy shutoff, enum vm_policy paused, bool all,
                                       enum vm_status crashed, enum vm_dom_class cls,
                                       enum vm_status *st);

#endif
