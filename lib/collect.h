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
 * The snapshot's `boot` is CLOCK_BOOTTIME when the counters were read. */
int vm_stats_collect(virDomainPtr *doms, size_t n, unsigned groups, struct vm_domxml_cache *xml,
                     struct vm_snapshot *snap, struct vm_err *err);

#endif
