/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calls: see calls.h. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "calls.h"
#include "clock.h"
#include "collect.h"
#include "mem.h"

/* At most this many calls at once: libvirtd serves 5 per client
 * (max_client_requests), and one may be stuck already. */
#define CALL_WORKERS (sizeof(((struct vm_call_set *)0)->threads) / sizeof(pthread_t))

static void call_set_free(struct vm_call_set *cs)
{
    for (size_t i = 0; i < cs->ncalls; i++) {
        for (virDomainPtr *d = cs->calls[i].list; d && *d; d++)
            virDomainFree(*d);
        free(cs->calls[i].list);
        if (cs->calls[i].recs)
            virDomainStatsRecordListFree(cs->calls[i].recs);
    }
    free(cs->calls);
    pthread_cond_destroy(&cs->cv);
    pthread_mutex_destroy(&cs->mu);
    free(cs);
}

void vm_call_set_leave(struct vm_call_set *cs)
{
    bool last;

    pthread_mutex_lock(&cs->mu);
    last = --cs->refs == 0;
    pthread_mutex_unlock(&cs->mu);
    if (last)
        call_set_free(cs);
}

int vm_stats_call_run(virDomainPtr *list, unsigned groups, unsigned flags,
                      virDomainStatsRecordPtr **recs)
{
    int n;

    virResetLastError();
    n = virDomainListGetStats(list, groups, recs, flags);
    if (n < 0 && flags && virGetLastErrorCode() == VIR_ERR_INVALID_ARG)
        n = virDomainListGetStats(list, groups, recs, 0); /* a daemon without NOWAIT */
    return n;
}

static void *call_worker(void *arg)
{
    struct vm_call_set *cs = arg;

    for (;;) {
        struct vm_stats_call *c;
        virDomainStatsRecordPtr *recs = NULL;
        int n;

        pthread_mutex_lock(&cs->mu);
        c = cs->next < cs->ncalls ? &cs->calls[cs->next++] : NULL;
        pthread_mutex_unlock(&cs->mu);
        if (!c)
            break;
        n = vm_stats_call_run(c->list, cs->groups, cs->flags, &recs);
        clock_gettime(CLOCK_BOOTTIME, &c->boot);
        clock_gettime(CLOCK_REALTIME, &c->wall);
        if (cs->control && c->list[0])
            vm_stats_read_control(c->list[0], &c->busy);
        pthread_mutex_lock(&cs->mu);
        c->recs = recs;
        c->nrec = n;
        c->done = true;
        cs->ndone++;
        pthread_cond_signal(&cs->cv);
        pthread_mutex_unlock(&cs->mu);
    }
    vm_call_set_leave(cs);
    return NULL;
}

struct vm_call_set *vm_call_set_run(virDomainPtr *const *lists, size_t ncalls, unsigned groups,
                                    unsigned flags, bool control, double wait_s)
{
    struct vm_call_set *cs = vm_calloc(1, sizeof(*cs));
    pthread_condattr_t ca;
    struct timespec end;
    size_t i, nthreads;

    if (!cs || !(cs->calls = vm_calloc(ncalls, sizeof(*cs->calls)))) {
        free(cs);
        return NULL;
    }
    cs->groups = groups;
    cs->flags = flags;
    cs->control = control;
    cs->ncalls = ncalls;
    cs->refs = 1;
    pthread_mutex_init(&cs->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cs->cv, &ca);
    pthread_condattr_destroy(&ca);
    for (i = 0; i < ncalls; i++) {
        size_t k = 0;

        while (lists[i][k])
            k++;
        if (!(cs->calls[i].list = vm_calloc(k + 1, sizeof(virDomainPtr)))) {
            call_set_free(cs);
            return NULL;
        }
        for (k = 0; lists[i][k]; k++)
            if (virDomainRef(lists[i][k]) == 0)
                cs->calls[i].list[k] = lists[i][k];
    }

    nthreads = ncalls < CALL_WORKERS ? ncalls : CALL_WORKERS;
    for (i = 0; i < nthreads; i++) {
        pthread_mutex_lock(&cs->mu);
        cs->refs++;
        pthread_mutex_unlock(&cs->mu);
        if (pthread_create(&cs->threads[i], NULL, call_worker, cs) != 0) {
            pthread_mutex_lock(&cs->mu);
            cs->refs--;
            pthread_mutex_unlock(&cs->mu);
            break;
        }
    }
    cs->nthreads = i;
    if (i == 0) { /* no thread: make the calls here, without a deadline */
        cs->refs++;
        call_worker(cs);
    }

    clock_gettime(CLOCK_MONOTONIC, &end);
    end = vm_clock_from_ns(vm_clock_ns(&end) + (long long)(wait_s * 1e9));
    pthread_mutex_lock(&cs->mu);
    while (cs->ndone < cs->ncalls)
        if (pthread_cond_timedwait(&cs->cv, &cs->mu, &end) == ETIMEDOUT)
            break;
    cs->abandoned = cs->ndone < cs->ncalls;
    for (i = 0; i < cs->ncalls; i++)
        cs->calls[i].answered = cs->calls[i].done;
    pthread_mutex_unlock(&cs->mu);
    /* All answered: the threads are leaving; wait for them, so that every
     * domain reference is dropped before the caller closes the connection. */
    for (i = 0; i < cs->nthreads; i++)
        if (cs->abandoned)
            pthread_detach(cs->threads[i]);
        else
            pthread_join(cs->threads[i], NULL);
    return cs;
}
