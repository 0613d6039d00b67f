/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calls: libvirt stats calls under a deadline.
 *
 * A domain whose QEMU is stuck makes the first stats call that takes its
 * job wait on QEMU's monitor for as long as QEMU stays stuck; NOWAIT only
 * spares the calls after it. So each call is made in a thread of its own
 * and the collection stops waiting at its deadline. A call left behind
 * keeps running in its thread: it holds references on its domains, and
 * whichever of the caller and the last thread leaves the set last frees it
 * (libvirt's client serves several calls on one connection at once; but
 * see collect.c for one way that goes wrong on libvirt 9.0).
 */
#ifndef VM_CALLS_H
#define VM_CALLS_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "stats.h"

struct vm_stats_call {
    virDomainPtr *list; /* NULL-terminated, one reference each (the call's own) */
    virDomainStatsRecordPtr *recs;
    int nrec;
    struct vm_busy busy; /* with `control`: the first domain's control state after the call */
    struct timespec boot, wall; /* when the call returned, in its own thread: the caller may
                                   wake much later on a loaded host */
    bool done;
    bool answered; /* done by the deadline: the caller reads only these (set under mu) */
};

struct vm_call_set {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs; /* the caller and each thread still running */
    unsigned groups, flags;
    bool control; /* each call also reads its domain's control state */
    struct vm_stats_call *calls;
    size_t ncalls, next, ndone;
    pthread_t threads[4];
    size_t nthreads;
    bool abandoned; /* the caller stopped waiting: the threads run on, detached */
};

/* Make the calls (each over a NULL-terminated list of domains), up to 4 at
 * once, each also reading its first domain's control state when `control`,
 * waiting at most wait_s seconds. Returns the set (NULL when out of
 * memory); calls[i].answered says which answered in time. The caller takes
 * the results of those, then gives the set up with vm_call_set_leave(). */
struct vm_call_set *vm_call_set_run(virDomainPtr *const *lists, size_t ncalls, unsigned groups,
                                    unsigned flags, bool control, double wait_s);
void vm_call_set_leave(struct vm_call_set *cs);

/* One virDomainListGetStats call, here and now (no deadline); retried
 * without flags on a daemon that does not know NOWAIT. */
int vm_stats_call_run(virDomainPtr *list, unsigned groups, unsigned flags,
                      virDomainStatsRecordPtr **recs);

#endif
