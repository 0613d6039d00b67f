/* SPDX-License-Identifier: GPL-3.0-or-later */
/* busy: telling "libvirt skipped this domain's figures because QEMU or a
 * job holds it" from "this domain has no such figures", and saying why.
 *
 * With VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT, libvirt does not wait for
 * a domain job another call holds: it returns what it reads without QEMU's
 * monitor (balloon.current/maximum, block.count/name/path, CPU time, tap
 * counters) and leaves out the rest. A balloon group without `rss` (read
 * from /proc whenever libvirt had the job) or a disk with a source but no
 * counters is that case, never "the guest reports nothing". All pure. */
#ifndef VM_BUSY_H
#define VM_BUSY_H

#include <stdbool.h>

#include "buf.h"
#include "stats.h"

/* The groups of `asked` that d's record (from a bulk or per-domain stats
 * call) has without the figures QEMU's monitor gives: VM_GROUP_BALLOON,
 * VM_GROUP_BLOCK, or 0. */
unsigned vm_busy_gaps(const struct vm_dom_stats *d, unsigned asked);

/* True when libvirt skipped, or did not answer with, any of `groups` for d. */
bool vm_busy_for(const struct vm_dom_stats *d, unsigned groups);

/* Why, for a person, in one clause without a trailing period, e.g.
 * "QEMU's monitor has not answered for 37 s; libvirt skipped its memory
 * stats". wait_s is the collection deadline (for "did not answer within"). */
void vm_busy_describe(const struct vm_dom_stats *d, unsigned groups, double wait_s,
                      struct vm_buf *out);

#endif
