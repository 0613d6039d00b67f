/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The test snapshot shared by test_state.c and test_statefile.c. */
#ifndef VM_SNAP_FIXTURE_H
#define VM_SNAP_FIXTURE_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

#define TEST_BOOT "0c3a1d2e-1111-4222-8333-944455556666"

static const struct vm_state_meta test_meta = {"check_vcpu", "test:///default", TEST_BOOT};

static inline char *xstrdup(const char *s)
{
    char *r = strdup(s);

    ck_assert_ptr_nonnull(r);
    return r;
}

static inline void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    ck_assert_ptr_nonnull(p);
    return p;
}

/* Two domains: one with every group and hostile names, one shut off with
 * nothing but an error. `v` shifts every counter (for concurrency). */
static inline void make_snapshot(struct vm_snapshot *s, uint64_t v)
{
    struct vm_dom_stats *d;
    size_t i, f;

    memset(s, 0, sizeof(*s));
    s->n = 2;
    s->dom = xcalloc(2, sizeof(*s->dom));
    s->boot.tv_sec = 5;
    s->boot.tv_nsec = 123456789;
    s->wall.tv_sec = 1700000000;
    s->wall.tv_nsec = 42;

    d = &s->dom[0];
    d->name = xstrdup("web|01 'x'=y \xc3\xbcmlaut\n\"q\"%20\ttab");
    strcpy(d->uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    d->id = 7;
    d->have_state = true;
    d->state = 1;
    d->reason = 5;
    d->groups = VM_GROUP_STATE | VM_GROUP_CPU | VM_GROUP_BALLOON | VM_GROUP_VCPU | VM_GROUP_BLOCK |
                VM_GROUP_NET;
    for (f = 0; f < VM_CPU_NR; f++)
        d->cpu.v[f] = v + 1000 * (f + 1);
    d->cpu.have = (1u << VM_CPU_NR) - 1;
    for (f = 0; f < VM_BAL_NR; f++)
        d->balloon.v[f] = v + f;
    d->balloon.have = 0x5a5; /* some missing: not the same as 0 */
    d->vcpu_current = 2;
    d->vcpu_maximum = 4;
    d->nvcpu = 3;
    d->vcpu = xcalloc(3, sizeof(*d->vcpu));
    for (i = 0; i < 3; i++) {
        if (i == 1)
            continue; /* a hole */
        for (f = 0; f < VM_VCPU_NR; f++)
            d->vcpu[i].v[f] = v + 10 * i + f;
        d->vcpu[i].have = (1u << VM_VCPU_NR) - 1;
    }
    d->nblock = 3;
    d->block = xcalloc(3, sizeof(*d->block));
    d->block[0].name = xstrdup("vda");
    d->block[0].path = xstrdup("/var/lib/libvirt/images/a b|c \"d\".qcow2");
    d->block[1].name = xstrdup("sda");
    d->block[1].path = NULL;
    d->block[2].name = xstrdup("");
    d->block[2].path = xstrdup("");
    for (i = 0; i < 3; i++) {
        for (f = 0; f < VM_BLK_NR; f++)
            d->block[i].v[f] = v + 100 * i + f;
        d->block[i].have = i == 2 ? 0 : (1u << VM_BLK_NR) - 1;
    }
    d->nnet = 2;
    d->net = xcalloc(2, sizeof(*d->net));
    d->net[0].name = xstrdup("tap web 01 \xe2\x82\xac");
    d->net[1].name = NULL;
    for (f = 0; f < VM_NET_NR; f++) {
        d->net[0].v[f] = v + f;
        d->net[1].v[f] = UINT64_MAX - f; /* the extreme must survive */
    }
    d->net[0].have = d->net[1].have = (1u << VM_NET_NR) - 1;

    d = &s->dom[1];
    d->name = xstrdup("");
    strcpy(d->uuid, "00000000-0000-0000-0000-000000000001");
    d->id = -1;
    d->have_state = true;
    d->state = 5;
    d->reason = 0;
    d->groups = VM_GROUP_STATE;
    d->error = xstrdup("domain is not running: 55 %s\n");
}

#endif
