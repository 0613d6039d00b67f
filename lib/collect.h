/* SPDX-License-Identifier: GPL-3.0-or-later */
/* collect: take a snapshot (stats.h) from libvirt. */
#ifndef VM_COLLECT_H
#define VM_COLLECT_H

#include "domxml.h"
#include "stats.h"

/* Take one snapshot of `groups` (VM_GROUP_*; STATE is always added) for
 * domains doms[0..n). A failure that concerns one domain lands in that
 * domain's `error`; only a failure of the whole call returns -1. The
 * per-domain fallback takes the device lists from `xml`, the run's cache
 * over the same doms[0..n) (not NULL), so the XML is read once per run.
 * The snapshot's `boot` is CLOCK_BOOTTIME when the counters were read.
 *
 * A stuck guest costs only its own figures. With wait_s > 0 the bulk call
 * is waited for at most wait_s seconds; past that, each domain is asked on
 * its own (with NOWAIT, a few at once) for at most max(1, wait_s / 2)
 * seconds more, and a domain without an answer by then is marked
 * busy.unanswered. A connection with a call left running on it is not
 * called on again: doms[0..n) are then replaced in place by handles on a
 * fresh read-only connection to `uri` (none when NULL or the open fails),
 * which the caller's later calls (XML cache, control reads) use. A domain whose record came without what QEMU's monitor
 * gives has busy.skipped set; both read the cause with
 * virDomainGetControlInfo, which waits for nothing. Groups the driver
 * serves in bulk are never asked for again per domain (those calls wait
 * for the domain's job). Calls still running at the deadline are left to
 * run in threads of their own, holding their own domain references: the
 * process may exit with them. wait_s <= 0: one bulk call, waited for. */
int vm_stats_collect(virDomainPtr *doms, size_t n, unsigned groups, double wait_s, const char *uri,
                     struct vm_domxml_cache *xml, struct vm_snapshot *snap, struct vm_err *err);

/* The domain's control state (virDomainGetControlInfo: it waits for no
 * job) into b: why libvirt cannot read what QEMU's monitor gives. */
void vm_stats_read_control(virDomainPtr dom, struct vm_busy *b);

#endif
