/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stats: one snapshot of domain statistics as plain structs (collect.h
 * takes it from libvirt).
 *
 * Collection asks libvirt in bulk first (virDomainListGetStats, with NOWAIT
 * where the library has it): one RPC for every selected domain. A group the
 * driver did not return for a running domain is filled through the
 * per-domain calls (virDomainGetInfo, virDomainMemoryStats,
 * virDomainGetVcpus, virDomainBlockStats + virDomainGetBlockInfo,
 * virDomainInterfaceStats), which is what libvirt's test driver needs: its
 * bulk stats return only `state.*`.
 *
 * Every value carries a presence bit: libvirt documents that "entire stats
 * groups or individual stat fields may be missing", and a missing value is
 * never the same as 0. */
#ifndef VM_STATS_H
#define VM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "err.h"

/* Groups, the same bits as libvirt's virDomainStatsTypes. */
#define VM_GROUP_STATE VIR_DOMAIN_STATS_STATE
#define VM_GROUP_CPU VIR_DOMAIN_STATS_CPU_TOTAL
#define VM_GROUP_BALLOON VIR_DOMAIN_STATS_BALLOON
#define VM_GROUP_VCPU VIR_DOMAIN_STATS_VCPU
#define VM_GROUP_NET VIR_DOMAIN_STATS_INTERFACE
#define VM_GROUP_BLOCK VIR_DOMAIN_STATS_BLOCK

/* Test a presence bit: VM_HAS(d->balloon, VM_BAL_USABLE). */
#define VM_HAS(group, field) (((group).have >> (field)) & 1u)

enum vm_cpu_field { VM_CPU_TIME, VM_CPU_USER, VM_CPU_SYSTEM, VM_CPU_NR }; /* ns */

enum vm_bal_field {                 /* `balloon.*`; sizes in KiB as libvirt gives them */
                    VM_BAL_CURRENT, /* balloon.current (actual) */
                    VM_BAL_MAXIMUM, /* balloon.maximum */
                    VM_BAL_SWAP_IN,
                    VM_BAL_SWAP_OUT,
                    VM_BAL_MAJOR_FAULT, /* count */
                    VM_BAL_MINOR_FAULT, /* count */
                    VM_BAL_UNUSED,      /* guest MemFree */
                    VM_BAL_AVAILABLE,   /* guest MemTotal */
                    VM_BAL_USABLE,      /* guest MemAvailable */
                    VM_BAL_RSS,         /* host RSS of the QEMU process */
                    VM_BAL_DISK_CACHES,
                    VM_BAL_LAST_UPDATE,     /* epoch seconds (balloon.last-update) */
                    VM_BAL_HUGETLB_PGALLOC, /* count (libvirt >= 5.4) */
                    VM_BAL_HUGETLB_PGFAIL,  /* count (libvirt >= 5.4) */
                    VM_BAL_NR
};

enum vm_vcpu_field {
    VM_VCPU_STATE,
    VM_VCPU_TIME,
    VM_VCPU_WAIT,
    VM_VCPU_DELAY,
    VM_VCPU_NR
}; /* ns */

enum vm_blk_field {
    VM_BLK_RD_REQS,
    VM_BLK_RD_BYTES,
    VM_BLK_RD_TIMES,
    VM_BLK_WR_REQS,
    VM_BLK_WR_BYTES,
    VM_BLK_WR_TIMES,
    VM_BLK_FL_REQS,
    VM_BLK_FL_TIMES,
    VM_BLK_ERRORS,
    VM_BLK_ALLOCATION,
    VM_BLK_CAPACITY,
    VM_BLK_PHYSICAL, /* bytes */
    VM_BLK_NR
};

enum vm_net_field {
    VM_NET_RX_BYTES,
    VM_NET_RX_PKTS,
    VM_NET_RX_ERRS,
    VM_NET_RX_DROP,
    VM_NET_TX_BYTES,
    VM_NET_TX_PKTS,
    VM_NET_TX_ERRS,
    VM_NET_TX_DROP,
    VM_NET_NR
};

struct vm_cpu_stats {
    uint64_t v[VM_CPU_NR];
    uint32_t have;
};
struct vm_bal_stats {
    uint64_t v[VM_BAL_NR];
    uint32_t have;
};
struct vm_vcpu_stats {
    uint64_t v[VM_VCPU_NR];
    uint32_t have;
};
struct vm_block_stats {
    char *name; /* target, e.g. "vda" (owned) */
    char *path; /* source path or NULL (owned) */
    uint64_t v[VM_BLK_NR];
    uint32_t have;
};
struct vm_net_stats {
    char *name; /* host device, e.g. "vnet3" (owned) */
    uint64_t v[VM_NET_NR];
    uint32_t have;
};

/* A domain whose QEMU did not give its figures: its monitor is stuck (a
 * hung storage backend stops QEMU's main loop) or a job holds the domain
 * (migration, save, dump, backup). collect fills it; busy.h words it. */
struct vm_busy {
    unsigned skipped;      /* VM_GROUP_* asked for that came without what QEMU's monitor gives */
    bool unanswered;       /* libvirt did not answer for it before the collection deadline */
    bool have_control;     /* the fields below were read (virDomainGetControlInfo) */
    int control;           /* virDomainControlState */
    int details;           /* virDomainControlErrorReason, for VIR_DOMAIN_CONTROL_ERROR */
    unsigned long long ms; /* how long the domain has been in that state */
};

struct vm_dom_stats {
    char *name; /* owned */
    char uuid[VIR_UUID_STRING_BUFLEN];
    int id; /* -1 when not running */
    bool have_state;
    int state;       /* virDomainState */
    int reason;      /* state reason, e.g. VIR_DOMAIN_PAUSED_IOERROR */
    unsigned groups; /* VM_GROUP_* that produced at least one value */
    struct vm_cpu_stats cpu;
    struct vm_bal_stats balloon;
    unsigned vcpu_current, vcpu_maximum; /* 0 when unknown */
    struct vm_vcpu_stats *vcpu;          /* indexed by vCPU number; holes have have == 0 */
    size_t nvcpu;
    struct vm_block_stats *block;
    size_t nblock;
    struct vm_net_stats *net;
    size_t nnet;
    char *error;         /* why stats are missing (owned), e.g. domain vanished */
    struct vm_busy busy; /* why libvirt skipped figures QEMU gives (lib/busy.h) */
};

struct vm_snapshot {
    struct vm_dom_stats *dom; /* in the order of the selection */
    size_t n;
    struct timespec boot; /* CLOCK_BOOTTIME when the counters were read (clock.h) */
    struct timespec wall; /* CLOCK_REALTIME, same moment */
};

/* Indexed entries (vcpu.<n>, block.<n>, net.<n>) beyond this are ignored:
 * a hostile or broken record must not make us allocate gigabytes. */
#define VM_STATS_MAX_INDEX 4096

/* Grow an array of `size`-byte elements to hold index idx (new ones
 * zeroed, *n updated); NULL on allocation failure (arr is kept). */
void *vm_stats_grow(void *arr, size_t *n, size_t idx, size_t size);

/* Pure: fill d from one bulk record's typed parameters (no connection).
 * Unknown names are ignored, wrong types are ignored, `*.count` larger than
 * the entries present and sparse `vcpu.<n>` are fine. Returns 0, or -1 on
 * allocation failure / absurd counts (err set). Repeated calls add. */
int vm_stats_parse_params(struct vm_dom_stats *d, const virTypedParameter *params, int nparams,
                          struct vm_err *err);

/* Device `name` of another sample of the same domain (d may be NULL), or
 * NULL. Matched by name, since hot-plug can reorder the arrays; an
 * unnamed device (name NULL) matches the unnamed one at its position
 * `pos`, if any. */
const struct vm_block_stats *vm_stats_block_find(const struct vm_dom_stats *d, const char *name,
                                                 size_t pos);
const struct vm_net_stats *vm_stats_net_find(const struct vm_dom_stats *d, const char *name,
                                             size_t pos);

/* The per-domain record for a UUID in another snapshot of the same
 * selection (s may be NULL), or NULL; the one at `pos` is tried first. */
const struct vm_dom_stats *vm_snapshot_find(const struct vm_snapshot *s, const char *uuid,
                                            size_t pos);

void vm_dom_stats_clear(struct vm_dom_stats *d); /* frees members, keeps d */
void vm_snapshot_clear(struct vm_snapshot *s);   /* NULL accepted */

#endif
