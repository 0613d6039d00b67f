/* SPDX-License-Identifier: GPL-3.0-or-later */
/* collect: a snapshot from libvirt, bulk first, then the per-domain
 * fallback for what the bulk call left out. The only code that asks
 * libvirt for counters. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "busy.h"
#include "calls.h"
#include "clock.h"
#include "collect.h"

#define STATS_MAX_INDEX VM_STATS_MAX_INDEX

#define SETV(s, f, val)                                                                            \
    do {                                                                                           \
        if ((long long)(val) >= 0) {                                                               \
            (s).v[f] = (uint64_t)(val);                                                            \
            (s).have |= 1u << (f);                                                                 \
        }                                                                                          \
    } while (0)

/* When the per-domain calls read counters: the start of the last such call
 * (an in-process driver reads its clock early in the call; a remote one
 * within the round trip, milliseconds later).
 * The snapshot's time is set from it, as the counters are as old as that
 * call, not as the bulk call before them (the domain's XML is fetched and
 * parsed in between, which a first run or a slow host can make long). */
struct read_clock {
    struct timespec t0;   /* CLOCK_BOOTTIME when the current call began */
    struct timespec boot; /* start of the last counter call */
    struct timespec wall; /* CLOCK_REALTIME at the same moment */
    bool set;
};

static void read_begin(struct read_clock *c)
{
    clock_gettime(CLOCK_BOOTTIME, &c->t0);
}

static void read_end(struct read_clock *c)
{
    struct timespec t1, w1;
    long long took;

    clock_gettime(CLOCK_BOOTTIME, &t1);
    clock_gettime(CLOCK_REALTIME, &w1);
    took = vm_clock_ns(&t1) - vm_clock_ns(&c->t0);
    c->boot = c->t0;
    c->wall = vm_clock_from_ns(vm_clock_ns(&w1) - took);
    c->set = true;
}

/* A per-domain call failed: note why when the domain itself is the cause. */
static void fallback_error_code(struct vm_dom_stats *d, int code)
{
    if (d->error)
        return;
    if (code == VIR_ERR_NO_DOMAIN)
        d->error = vm_strdup("domain vanished while it was being checked");
    else if (code == VIR_ERR_OPERATION_INVALID && !d->have_state)
        d->error = vm_strdup("domain is not running");
}

static void fallback_error(struct vm_dom_stats *d)
{
    fallback_error_code(d, virGetLastErrorCode());
}

/* The guest's balloon figures from virDomainMemoryStats into *m. */
static void fill_memstats(virDomainPtr dom, struct vm_bal_stats *m)
{
    static const int tags[][2] = {
        {VIR_DOMAIN_MEMORY_STAT_SWAP_IN, VM_BAL_SWAP_IN},
        {VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, VM_BAL_SWAP_OUT},
        {VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, VM_BAL_MAJOR_FAULT},
        {VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, VM_BAL_MINOR_FAULT},
        {VIR_DOMAIN_MEMORY_STAT_UNUSED, VM_BAL_UNUSED},
        {VIR_DOMAIN_MEMORY_STAT_AVAILABLE, VM_BAL_AVAILABLE},
        {VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, VM_BAL_CURRENT},
        {VIR_DOMAIN_MEMORY_STAT_RSS, VM_BAL_RSS},
        {VIR_DOMAIN_MEMORY_STAT_USABLE, VM_BAL_USABLE},
        {VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, VM_BAL_LAST_UPDATE},
        {VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, VM_BAL_DISK_CACHES},
        {VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, VM_BAL_HUGETLB_PGALLOC},
        {VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, VM_BAL_HUGETLB_PGFAIL},
    };
    virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
    int n;

    /* On "guest hasn't updated any stats yet" libvirt sets an error but
     * still returns the partial count: judge by the count. */
    virResetLastError();
    n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    for (int i = 0; i < n; i++)
        for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
            if ((int)st[i].tag == tags[t][0])
                SETV(*m, tags[t][1], st[i].val);
}

/* CPU time and the balloon. For the balloon alone, virDomainMemoryStats
 * is the one call when it gives the balloon size and no RSS: the maximum
 * that RSS is judged against comes only from virDomainGetInfo. */
static void fill_cpu_balloon(virDomainPtr dom, unsigned want, struct vm_dom_stats *d,
                             struct read_clock *rc)
{
    bool bal = (want & VM_GROUP_BALLOON) && !(d->groups & VM_GROUP_BALLOON);
    struct vm_bal_stats mem;
    virDomainInfo info;
    unsigned f;

    memset(&mem, 0, sizeof(mem));
    if (bal)
        fill_memstats(dom, &mem);
    if ((want & VM_GROUP_CPU) || !VM_HAS(mem, VM_BAL_CURRENT) || VM_HAS(mem, VM_BAL_RSS)) {
        read_begin(rc);
        if (virDomainGetInfo(dom, &info) < 0) {
            fallback_error(d);
            return;
        }
        if (want & VM_GROUP_CPU)
            read_end(rc);
        if ((want & VM_GROUP_CPU) && !(d->groups & VM_GROUP_CPU)) {
            SETV(d->cpu, VM_CPU_TIME, info.cpuTime);
            d->groups |= VM_GROUP_CPU;
        }
        if (!d->vcpu_current)
            d->vcpu_current = info.nrVirtCpu;
        if (bal) {
            SETV(d->balloon, VM_BAL_CURRENT, info.memory);
            SETV(d->balloon, VM_BAL_MAXIMUM, info.maxMem);
        }
    }
    if (bal) {
        for (f = 0; f < VM_BAL_NR; f++) /* the guest's own figures win */
            if (VM_HAS(mem, f))
                SETV(d->balloon, f, mem.v[f]);
        d->groups |= VM_GROUP_BALLOON;
    }
}

static void fill_vcpu(virDomainPtr dom, struct vm_dom_stats *d, struct read_clock *rc)
{
    virVcpuInfo info[STATS_MAX_INDEX / 16];
    int n;

    read_begin(rc);
    n = virDomainGetVcpus(dom, info, (int)(sizeof(info) / sizeof(info[0])), NULL, 0);
    if (n <= 0)
        return;
    read_end(rc);
    if (!(d->vcpu = vm_stats_grow(d->vcpu, &d->nvcpu, (size_t)n - 1, sizeof(*d->vcpu))))
        return;
    for (int i = 0; i < n; i++) {
        if (info[i].number >= (unsigned)n)
            continue;
        SETV(d->vcpu[info[i].number], VM_VCPU_STATE, info[i].state);
        SETV(d->vcpu[info[i].number], VM_VCPU_TIME, info[i].cpuTime);
    }
    if (!d->vcpu_current)
        d->vcpu_current = (unsigned)n;
    d->groups |= VM_GROUP_VCPU;
}

/* The device lists come from the domain XML, which the run's cache reads
 * once for both samples of an in-run interval (and for the plugin). */
static void fill_devices(virDomainPtr dom, unsigned want, struct vm_dom_stats *d,
                         struct vm_domxml_cache *xc, size_t di, struct read_clock *rc)
{
    const struct vm_domxml *xp;
    size_t i;

    if (!(xp = vm_domxml_cache_get(xc, di, NULL))) {
        fallback_error_code(d, vm_domxml_cache_code(xc, di));
        return;
    }
    if ((want & VM_GROUP_BLOCK) && !(d->groups & VM_GROUP_BLOCK) &&
        (d->block = vm_calloc(xp->ndisks, sizeof(*d->block)))) {
        for (i = 0; i < xp->ndisks; i++) {
            struct vm_block_stats *b = &d->block[d->nblock];
            virDomainBlockStatsStruct s;
            virDomainBlockInfo bi;

            b->name = vm_strdup(xp->disks[i].target);
            b->path = vm_strdup(xp->disks[i].source);
            d->nblock++;
            if (!xp->disks[i].source)
                continue; /* empty removable drive: listed, as in bulk stats, but no counters */
            read_begin(rc);
            if (virDomainBlockStats(dom, b->name, &s, sizeof(s)) == 0) {
                read_end(rc);
                SETV(*b, VM_BLK_RD_REQS, s.rd_req);
                SETV(*b, VM_BLK_RD_BYTES, s.rd_bytes);
                SETV(*b, VM_BLK_WR_REQS, s.wr_req);
                SETV(*b, VM_BLK_WR_BYTES, s.wr_bytes);
                SETV(*b, VM_BLK_ERRORS, s.errs);
            }
            if (virDomainGetBlockInfo(dom, b->name, &bi, 0) == 0) {
                SETV(*b, VM_BLK_ALLOCATION, bi.allocation);
                SETV(*b, VM_BLK_CAPACITY, bi.capacity);
                SETV(*b, VM_BLK_PHYSICAL, bi.physical);
            }
        }
        d->groups |= VM_GROUP_BLOCK;
    }
    if ((want & VM_GROUP_NET) && !(d->groups & VM_GROUP_NET) &&
        (d->net = vm_calloc(xp->nifaces, sizeof(*d->net)))) {
        for (i = 0; i < xp->nifaces; i++) {
            struct vm_net_stats *n = &d->net[d->nnet];
            const char *dev = xp->ifaces[i].target ? xp->ifaces[i].target : xp->ifaces[i].mac;
            virDomainInterfaceStatsStruct s;

            if (!dev)
                continue; /* no host device: no counters */
            n->name = vm_strdup(dev);
            d->nnet++;
            read_begin(rc);
            if (virDomainInterfaceStats(dom, dev, &s, sizeof(s)) == 0) {
                read_end(rc);
                SETV(*n, VM_NET_RX_BYTES, s.rx_bytes);
                SETV(*n, VM_NET_RX_PKTS, s.rx_packets);
                SETV(*n, VM_NET_RX_ERRS, s.rx_errs);
                SETV(*n, VM_NET_RX_DROP, s.rx_drop);
                SETV(*n, VM_NET_TX_BYTES, s.tx_bytes);
                SETV(*n, VM_NET_TX_PKTS, s.tx_packets);
                SETV(*n, VM_NET_TX_ERRS, s.tx_errs);
                SETV(*n, VM_NET_TX_DROP, s.tx_drop);
            }
        }
        d->groups |= VM_GROUP_NET;
    }
}

/* Fill, one domain at a time, the groups the bulk call left empty. */
static void stats_fallback(virDomainPtr dom, unsigned groups, struct vm_dom_stats *d,
                           struct vm_domxml_cache *xc, size_t di, struct read_clock *rc)
{
    unsigned missing = groups & ~d->groups;

    if (!d->have_state) {
        virResetLastError();
        if (virDomainGetState(dom, &d->state, &d->reason, 0) == 0)
            d->have_state = true;
        else
            fallback_error(d);
    }
    if (d->error || !d->have_state || d->state == VIR_DOMAIN_SHUTOFF ||
        d->state == VIR_DOMAIN_CRASHED || d->state == VIR_DOMAIN_NOSTATE)
        return; /* inactive domains have no stats, only a state */
    virResetLastError();
    if (missing & (VM_GROUP_CPU | VM_GROUP_BALLOON))
        fill_cpu_balloon(dom, missing, d, rc);
    if ((missing & VM_GROUP_VCPU) && !d->error)
        fill_vcpu(dom, d, rc);
    if ((missing & (VM_GROUP_BLOCK | VM_GROUP_NET)) && !d->error)
        fill_devices(dom, missing, d, xc, di, rc);
}

static int stats_identify(virDomainPtr dom, struct vm_dom_stats *d, struct vm_err *err)
{
    const char *name = virDomainGetName(dom);
    unsigned int id = virDomainGetID(dom);

    d->name = vm_strdup(name ? name : "?");
    if (!d->name)
        return vm_err_set(err, "out of memory");
    if (virDomainGetUUIDString(dom, d->uuid) < 0)
        d->uuid[0] = '\0';
    d->id = id == (unsigned int)-1 ? -1 : (int)id;
    return 0;
}

/* Parse call c's records into snap, by UUID. */
static int stats_take_records(struct vm_snapshot *snap, struct vm_stats_call *c, bool *seen,
                              unsigned *served, struct vm_err *err)
{
    size_t i;

    /* Records come back in any order, and may leave a domain out; mostly
     * they are in the order asked for, so try the record's own index
     * first (a scan per record made --all quadratic). */
    for (int r = 0; r < c->nrec; r++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        size_t start = (size_t)r < snap->n ? (size_t)r : 0;

        if (virDomainGetUUIDString(c->recs[r]->dom, uuid) < 0)
            continue;
        for (size_t k = 0; k < snap->n; k++) {
            i = (start + k) % snap->n;
            if (seen[i] || strcmp(snap->dom[i].uuid, uuid) != 0)
                continue;
            if (vm_stats_parse_params(&snap->dom[i], c->recs[r]->params, c->recs[r]->nparams, err) <
                0)
                return -1;
            seen[i] = true;
            *served |= snap->dom[i].groups;
            break;
        }
    }
    return 0;
}

void vm_stats_read_control(virDomainPtr dom, struct vm_busy *b)
{
    virDomainControlInfo ci;

    if (virDomainGetControlInfo(dom, &ci, 0) == 0) {
        b->have_control = true;
        b->control = (int)ci.state;
        b->details = (int)ci.details;
        b->ms = ci.stateTime;
    }
}

/* A connection that has a call still running on it (left at the deadline)
 * is not called on again in this run: on libvirt 9.0 a later call on it can
 * wait forever behind the stuck one (seen in the end-to-end lab, now and
 * then: virDomainGetXMLDesc behind an abandoned bulk stats call, whose
 * thread held the connection's reply reading). So doms[0..n) move to a
 * fresh read-only connection to `uri`: the handles in the caller's array
 * (which the run's XML cache borrows) are replaced, the old ones freed.
 * A domain that cannot be found there keeps its handle. Nothing moves when
 * `uri` is NULL or the open fails. */
static void stats_move_domains(virDomainPtr *doms, size_t n, const struct vm_snapshot *snap,
                               const char *uri)
{
    virConnectPtr conn;
    virDomainPtr *all = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    int nall, j;
    size_t i;

    if (!uri || !(conn = virConnectOpenReadOnly(uri)))
        return;
    /* One list call, not a lookup per domain: a host of 2,000 guests. */
    nall = virConnectListAllDomains(conn, &all, 0);
    for (j = 0; j < nall; j++) {
        if (virDomainGetUUIDString(all[j], uuid) == 0)
            for (i = 0; i < n; i++)
                if (strcmp(snap->dom[i].uuid, uuid) == 0) {
                    virDomainFree(doms[i]);
                    doms[i] = all[j];
                    all[j] = NULL;
                    break;
                }
        if (all[j])
            virDomainFree(all[j]);
    }
    free(all);
    virConnectClose(conn); /* the domain handles keep it open */
}

int vm_stats_collect(virDomainPtr *doms, size_t n, unsigned groups, double wait_s, const char *uri,
                     struct vm_domxml_cache *xml, struct vm_snapshot *snap, struct vm_err *err)
{
    struct vm_call_set *bulk = NULL, *single = NULL;
    virDomainPtr *list = NULL, *pairs = NULL, **lists = NULL;
    bool *seen = NULL, *unanswered = NULL;
    unsigned flags = 0, served = 0;
    int rc = -1;
    size_t i;

    memset(snap, 0, sizeof(*snap));
    groups |= VM_GROUP_STATE;
    snap->dom = vm_calloc(n, sizeof(*snap->dom));
    list = vm_calloc(n + 1, sizeof(*list)); /* NULL-terminated for libvirt */
    seen = vm_calloc(n + 1, sizeof(*seen));
    unanswered = vm_calloc(n + 1, sizeof(*unanswered));
    if (!snap->dom || !list || !seen || !unanswered)
        goto oom;
    snap->n = n;
    for (i = 0; i < n; i++) {
        list[i] = doms[i];
        if (stats_identify(doms[i], &snap->dom[i], err) < 0)
            goto cleanup;
    }
#if HAVE_DECL_VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT
    /* Do not wait up to 30 s for a domain job a busy guest holds. */
    flags |= VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;
#endif
    if (n && wait_s > 0) {
        /* One call for all: what a healthy host costs. */
        if (!(bulk = vm_call_set_run(&list, 1, groups, flags, false, wait_s)))
            goto oom;
        if (bulk->calls[0].answered) {
            if (stats_take_records(snap, &bulk->calls[0], seen, &served, err) < 0)
                goto cleanup;
        } else {
            /* It did not answer in time: one call per domain, a few at once,
             * each with its domain's control state. NOWAIT lets them past
             * the domain whose job the stuck call holds; a domain that
             * stalls its own call is left unanswered. They, and every call
             * after them, go over a connection of their own
             * (stats_move_domains). */
            bool left = false;

            pairs = vm_calloc(2 * n, sizeof(*pairs));
            lists = vm_calloc(n, sizeof(*lists));
            if (!pairs || !lists)
                goto oom;
            stats_move_domains(doms, n, snap, uri);
            for (i = 0; i < n; i++) {
                if (virDomainRef(doms[i]) == 0)
                    pairs[2 * i] = doms[i];
                lists[i] = &pairs[2 * i];
            }
            single = vm_call_set_run(lists, n, groups, flags, true,
                                     wait_s / 2 < 1 ? 1 : wait_s / 2);
            if (!single)
                goto oom;
            for (i = 0; i < n; i++)
                left |= !single->calls[i].answered;
            if (left) /* the control reads and XML below need a free connection */
                stats_move_domains(doms, n, snap, uri);
            for (i = 0; i < n; i++) {
                if (!single->calls[i].answered) {
                    unanswered[i] = true;
                    continue;
                }
                snap->dom[i].busy = single->calls[i].busy;
                if (stats_take_records(snap, &single->calls[i], seen, &served, err) < 0)
                    goto cleanup;
            }
        }
    } else if (n) {
        struct vm_stats_call c = {.list = list};

        c.nrec = vm_stats_call_run(list, groups, flags, &c.recs);
        rc = stats_take_records(snap, &c, seen, &served, err);
        if (c.recs)
            virDomainStatsRecordListFree(c.recs);
        if (rc < 0)
            goto cleanup;
        rc = -1;
    }
    clock_gettime(CLOCK_BOOTTIME, &snap->boot);
    clock_gettime(CLOCK_REALTIME, &snap->wall);
    /* The counters are as old as the call that read them; of several, the
     * last to return (as the per-domain fallback's clock below). */
    if (bulk && bulk->calls[0].answered) {
        snap->boot = bulk->calls[0].boot;
        snap->wall = bulk->calls[0].wall;
    } else if (single) {
        bool first = true;

        for (i = 0; i < n; i++)
            if (single->calls[i].answered &&
                (first || vm_clock_diff(&single->calls[i].boot, &snap->boot) > 0)) {
                snap->boot = single->calls[i].boot;
                snap->wall = single->calls[i].wall;
                first = false;
            }
    }
    {
        struct read_clock clk = {.set = false};

        for (i = 0; i < n; i++) {
            struct vm_dom_stats *d = &snap->dom[i];
            unsigned want = groups;

            if (unanswered[i]) { /* no per-domain call either: it would wait too */
                d->busy.unanswered = true;
                vm_stats_read_control(doms[i], &d->busy);
                continue;
            }
            if (seen[i]) {
                /* Never ask again, one domain at a time, for what the driver
                 * serves in bulk: a group it gave other domains but not this
                 * one is held by a job, and those calls would wait for it. */
                d->busy.skipped = vm_busy_gaps(d, groups);
                if (d->busy.skipped && !d->busy.have_control)
                    vm_stats_read_control(doms[i], &d->busy);
                want &= ~served;
            }
            /* No bulk stats at all (old driver, VIR_ERR_NO_SUPPORT) or
             * groups the driver left out (libvirt's test driver returns
             * only state.*). */
            if ((want & ~d->groups) || !d->have_state)
                stats_fallback(doms[i], want, d, xml, i, &clk);
        }
        if (clk.set) {
            snap->boot = clk.boot;
            snap->wall = clk.wall;
        }
    }
    rc = 0;
    goto cleanup;

oom:
    vm_err_set(err, "out of memory");
cleanup:
    if (bulk)
        vm_call_set_leave(bulk);
    if (single)
        vm_call_set_leave(single);
    free(list);
    for (i = 0; pairs && i < n; i++)
        if (pairs[2 * i])
            virDomainFree(pairs[2 * i]); /* the calls keep their own references */
    free(pairs);
    free(lists);
    free(seen);
    free(unanswered);
    if (rc < 0) {
        vm_snapshot_clear(snap);
        memset(snap, 0, sizeof(*snap));
    }
    return rc;
}
