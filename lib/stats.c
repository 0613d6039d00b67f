/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stats: the snapshot model, the pure typed-param parser, lookups and
 * lifecycle (collect.c talks to libvirt). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define STATS_MAX_INDEX VM_STATS_MAX_INDEX

struct field {
    const char *name;
    unsigned idx;
};

static const struct field cpu_fields[] = {
    {"time", VM_CPU_TIME}, {"user", VM_CPU_USER}, {"system", VM_CPU_SYSTEM}, {NULL, 0}};
static const struct field bal_fields[] = {{"current", VM_BAL_CURRENT},
                                          {"maximum", VM_BAL_MAXIMUM},
                                          {"swap_in", VM_BAL_SWAP_IN},
                                          {"swap_out", VM_BAL_SWAP_OUT},
                                          {"major_fault", VM_BAL_MAJOR_FAULT},
                                          {"minor_fault", VM_BAL_MINOR_FAULT},
                                          {"unused", VM_BAL_UNUSED},
                                          {"available", VM_BAL_AVAILABLE},
                                          {"usable", VM_BAL_USABLE},
                                          {"rss", VM_BAL_RSS},
                                          {"disk_caches", VM_BAL_DISK_CACHES},
                                          {"last-update", VM_BAL_LAST_UPDATE},
                                          {"hugetlb_pgalloc", VM_BAL_HUGETLB_PGALLOC},
                                          {"hugetlb_pgfail", VM_BAL_HUGETLB_PGFAIL},
                                          {NULL, 0}};
static const struct field vcpu_fields[] = {{"state", VM_VCPU_STATE},
                                           {"time", VM_VCPU_TIME},
                                           {"wait", VM_VCPU_WAIT},
                                           {"delay", VM_VCPU_DELAY},
                                           {NULL, 0}};
static const struct field blk_fields[] = {{"rd.reqs", VM_BLK_RD_REQS},
                                          {"rd.bytes", VM_BLK_RD_BYTES},
                                          {"rd.times", VM_BLK_RD_TIMES},
                                          {"wr.reqs", VM_BLK_WR_REQS},
                                          {"wr.bytes", VM_BLK_WR_BYTES},
                                          {"wr.times", VM_BLK_WR_TIMES},
                                          {"fl.reqs", VM_BLK_FL_REQS},
                                          {"fl.times", VM_BLK_FL_TIMES},
                                          {"errors", VM_BLK_ERRORS},
                                          {"allocation", VM_BLK_ALLOCATION},
                                          {"capacity", VM_BLK_CAPACITY},
                                          {"physical", VM_BLK_PHYSICAL},
                                          {NULL, 0}};
static const struct field net_fields[] = {
    {"rx.bytes", VM_NET_RX_BYTES}, {"rx.pkts", VM_NET_RX_PKTS},   {"rx.errs", VM_NET_RX_ERRS},
    {"rx.drop", VM_NET_RX_DROP},   {"tx.bytes", VM_NET_TX_BYTES}, {"tx.pkts", VM_NET_TX_PKTS},
    {"tx.errs", VM_NET_TX_ERRS},   {"tx.drop", VM_NET_TX_DROP},   {NULL, 0}};

static int field_find(const struct field *t, const char *name)
{
    for (; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return (int)t->idx;
    return -1;
}

/* A non-negative integer value of any integer type. */
static bool param_u64(const virTypedParameter *p, uint64_t *out)
{
    long long sv; /* the signed types: negative is no figure */

    if (p->type == VIR_TYPED_PARAM_UINT || p->type == VIR_TYPED_PARAM_ULLONG) {
        *out = p->type == VIR_TYPED_PARAM_UINT ? p->value.ui : p->value.ul;
        return true;
    }
    if (p->type == VIR_TYPED_PARAM_INT)
        sv = p->value.i;
    else if (p->type == VIR_TYPED_PARAM_LLONG)
        sv = p->value.l;
    else
        return false;
    if (sv < 0)
        return false;
    *out = (uint64_t)sv;
    return true;
}

void *vm_stats_grow(void *arr, size_t *n, size_t idx, size_t size)
{
    char *p;

    if (idx < *n)
        return arr;
    p = vm_reallocarray(arr, idx + 1, size);
    if (!p)
        return NULL;
    memset(p + *n * size, 0, (idx + 1 - *n) * size);
    *n = idx + 1;
    return p;
}

/* "block.3.rd.bytes" with prefix "block." → 3 and rest "rd.bytes". */
static bool split_index(const char *name, size_t plen, unsigned long *idx, const char **rest)
{
    char *end;

    if (name[plen] < '0' || name[plen] > '9')
        return false;
    *idx = strtoul(name + plen, &end, 10);
    if (*end != '.' || *idx >= STATS_MAX_INDEX)
        return false;
    *rest = end + 1;
    return true;
}

/* vcpu.N.*, block.N.* and net.N.*: the device's field, or its name or path
 * (str: where a string parameter of that name goes). */
static int parse_indexed(struct vm_dom_stats *d, const virTypedParameter *p, struct vm_err *err)
{
    const char *name = p->field, *rest;
    const struct field *fields;
    unsigned long i;
    uint64_t v, *vals;
    uint32_t *have;
    char **str = NULL;
    int f;

    if (strncmp(name, "vcpu.", 5) == 0 && split_index(name, 5, &i, &rest)) {
        if (field_find(vcpu_fields, rest) < 0 || !param_u64(p, &v))
            return 0; /* a vCPU is listed only for a figure */
        if (!(d->vcpu = vm_stats_grow(d->vcpu, &d->nvcpu, i, sizeof(*d->vcpu))))
            return vm_err_set(err, "out of memory");
        fields = vcpu_fields;
        vals = d->vcpu[i].v;
        have = &d->vcpu[i].have;
        d->groups |= VM_GROUP_VCPU;
    } else if (strncmp(name, "block.", 6) == 0 && split_index(name, 6, &i, &rest)) {
        if (!(d->block = vm_stats_grow(d->block, &d->nblock, i, sizeof(*d->block))))
            return vm_err_set(err, "out of memory");
        fields = blk_fields;
        vals = d->block[i].v;
        have = &d->block[i].have;
        if (strcmp(rest, "name") == 0 || strcmp(rest, "path") == 0)
            str = rest[0] == 'n' ? &d->block[i].name : &d->block[i].path;
        d->groups |= VM_GROUP_BLOCK;
    } else if (strncmp(name, "net.", 4) == 0 && split_index(name, 4, &i, &rest)) {
        if (!(d->net = vm_stats_grow(d->net, &d->nnet, i, sizeof(*d->net))))
            return vm_err_set(err, "out of memory");
        fields = net_fields;
        vals = d->net[i].v;
        have = &d->net[i].have;
        if (strcmp(rest, "name") == 0)
            str = &d->net[i].name;
        d->groups |= VM_GROUP_NET;
    } else {
        return 0;
    }
    if (str && p->type == VIR_TYPED_PARAM_STRING && p->value.s) {
        free(*str);
        if (!(*str = vm_strdup(p->value.s)))
            return vm_err_set(err, "out of memory");
    } else if ((f = field_find(fields, rest)) >= 0 && param_u64(p, &v)) {
        vals[f] = v;
        *have |= 1u << f;
    }
    return 0;
}

int vm_stats_parse_params(struct vm_dom_stats *d, const virTypedParameter *params, int nparams,
                          struct vm_err *err)
{
    for (int k = 0; k < nparams; k++) {
        const virTypedParameter *p = &params[k];
        uint64_t v;
        int f;

        if (strcmp(p->field, "state.state") == 0 && p->type == VIR_TYPED_PARAM_INT) {
            d->state = p->value.i;
            d->have_state = true;
            d->groups |= VM_GROUP_STATE;
        } else if (strcmp(p->field, "state.reason") == 0 && p->type == VIR_TYPED_PARAM_INT) {
            d->reason = p->value.i;
        } else if (strncmp(p->field, "cpu.", 4) == 0) {
            if ((f = field_find(cpu_fields, p->field + 4)) >= 0 && param_u64(p, &v)) {
                d->cpu.v[f] = v;
                d->cpu.have |= 1u << f;
                d->groups |= VM_GROUP_CPU;
            }
        } else if (strncmp(p->field, "balloon.", 8) == 0) {
            if ((f = field_find(bal_fields, p->field + 8)) >= 0 && param_u64(p, &v)) {
                d->balloon.v[f] = v;
                d->balloon.have |= 1u << f;
                d->groups |= VM_GROUP_BALLOON;
            }
        } else if (strcmp(p->field, "vcpu.current") == 0 && param_u64(p, &v)) {
            d->vcpu_current = v > STATS_MAX_INDEX ? STATS_MAX_INDEX : (unsigned)v;
            d->groups |= VM_GROUP_VCPU;
        } else if (strcmp(p->field, "vcpu.maximum") == 0 && param_u64(p, &v)) {
            d->vcpu_maximum = v > STATS_MAX_INDEX ? STATS_MAX_INDEX : (unsigned)v;
            d->groups |= VM_GROUP_VCPU;
        } else if ((strcmp(p->field, "block.count") == 0 || strcmp(p->field, "net.count") == 0) &&
                   param_u64(p, &v)) {
            /* A count of 0 is the driver's whole answer for the group: no
             * devices. Without this the group looks left out and the
             * per-domain fallback fetches the XML of every such domain.
             * A count above 0 marks nothing: the devices' fields do. */
            if (v == 0)
                d->groups |= p->field[0] == 'b' ? VM_GROUP_BLOCK : VM_GROUP_NET;
        } else if (parse_indexed(d, p, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The one of n devices (`size` bytes each, their owned name first, as in
 * vm_block_stats and vm_net_stats) named `name`; name NULL: the one at
 * pos, when it has no name either. */
static const void *find_device(const void *devs, size_t n, size_t size, const char *name,
                               size_t pos)
{
    const char *p = devs;

#define DEV_NAME(i) (*(char *const *)(const void *)(p + (i)*size))
    if (!name)
        return pos < n && !DEV_NAME(pos) ? p + pos * size : NULL;
    for (size_t i = 0; i < n; i++)
        if (DEV_NAME(i) && strcmp(DEV_NAME(i), name) == 0)
            return p + i * size;
    return NULL;
#undef DEV_NAME
}

const struct vm_block_stats *vm_stats_block_find(const struct vm_dom_stats *d, const char *name,
                                                 size_t pos)
{
    return d ? find_device(d->block, d->nblock, sizeof(*d->block), name, pos) : NULL;
}

const struct vm_net_stats *vm_stats_net_find(const struct vm_dom_stats *d, const char *name,
                                             size_t pos)
{
    return d ? find_device(d->net, d->nnet, sizeof(*d->net), name, pos) : NULL;
}

const struct vm_dom_stats *vm_snapshot_find(const struct vm_snapshot *s, const char *uuid,
                                            size_t pos)
{
    /* It is nearly always at the same index (one run's samples, and the
     * previous run's saved in the same order), so look there first: a scan
     * per domain made --all quadratic (at 1,000 domains a sixth of our own
     * instructions, bench/RESULTS.md). After domains come or go, the next
     * saved snapshot is back in step. */
    if (s && pos < s->n && strcmp(s->dom[pos].uuid, uuid) == 0)
        return &s->dom[pos];
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->dom[i].uuid, uuid) == 0)
            return &s->dom[i];
    return NULL;
}

void vm_dom_stats_clear(struct vm_dom_stats *d)
{
    size_t i;

    if (!d)
        return;
    for (i = 0; i < d->nblock; i++) {
        free(d->block[i].name);
        free(d->block[i].path);
    }
    for (i = 0; i < d->nnet; i++)
        free(d->net[i].name);
    free(d->block);
    free(d->net);
    free(d->vcpu);
    free(d->name);
    free(d->error);
    memset(d, 0, sizeof(*d));
}

void vm_snapshot_clear(struct vm_snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        vm_dom_stats_clear(&s->dom[i]);
    free(s->dom);
    s->dom = NULL;
    s->n = 0;
}
