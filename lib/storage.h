/* SPDX-License-Identifier: GPL-3.0-or-later */
/* storage: the host storage under the disk images of a run.
 *
 * For each disk of a snapshot with a host path, what holds it: a plain
 * file sits on the file system of its folder, read live with statvfs
 * (f_bavail, what an unprivileged QEMU may still get, and f_blocks). The
 * libvirt storage pool it is a volume of (the running pools and their
 * volumes, listed once per run and matched by path, the key of a file
 * pool's volume; allowed on a read-only connection) only names it: a dir/fs/netfs pool's virStoragePoolGetInfo figures are those
 * of its last start or refresh (a read-only connection cannot refresh, and
 * a growing image changes nothing), and its "available" is f_bfree, which
 * counts the blocks reserved for root. The pool's figures are the fallback
 * when the folder cannot be read by this user (cached: true). A block
 * device or a disk without a host path (RBD, iSCSI, NBD: network disks)
 * has no such figure here. Each file system (by st_dev) and each pool is
 * read once per run, however many disks it holds: a pool image and a
 * pool-less file on one file system are one storage, and the disks on it
 * are listed so that a plugin can say they share it.
 *
 * vm_storage_gather is the impure read (libvirt and the file system);
 * the rest works on the plain structs, which tests build by hand. */
#ifndef VM_STORAGE_H
#define VM_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <libvirt/libvirt.h>

#include "err.h"
#include "stats.h"

enum vm_storage_kind {
    VM_STORAGE_FILE,    /* a plain file: `host` holds it (or `err` says why unknown) */
    VM_STORAGE_BLOCK,   /* a block device: the free space is its volume manager's or array's */
    VM_STORAGE_NETWORK, /* no host path (not absolute): a network disk, an empty drive */
    VM_STORAGE_OTHER,   /* a host path that is neither a file nor a block device */
    VM_STORAGE_UNKNOWN, /* its path could not be looked at: `err` says why */
};

/* One file system, or (cached) a pool whose folder could not be read. */
struct vm_storage_host {
    char *pool;   /* cached: the libvirt pool's name (owned); NULL: a file system */
    char *dir;    /* file system: the folder statvfs read (owned); NULL for a pool */
    dev_t dev;    /* file system: st_dev of the images on it */
    double size;  /* bytes in all */
    double avail; /* bytes still free for an unprivileged user (pool: available) */
    bool cached;  /* the pool's figures, as of its last refresh: not live */
    /* vm_storage_growth, over the disks on it whose allocation grew: */
    double growth_Bps; /* their growth summed; 0 when none grows */
    double grow_room;  /* their own room summed; NAN when one's is not known */
    size_t nknown;     /* disks on it whose growth is known */
};

/* One disk: block[blk] of dom[dom] in the snapshot. */
struct vm_storage_disk {
    size_t dom, blk;
    char *label; /* "web01:vdb" (owned), for "shared with" */
    enum vm_storage_kind kind;
    size_t host;       /* FILE with !err.msg[0]: index in hosts */
    struct vm_err err; /* FILE or UNKNOWN: why the host storage is not known */
    char *pool;        /* the pool the image is a volume of (owned), NULL: none */
    /* vm_storage_growth: NAN until then or when not known */
    double growth_Bps; /* the allocation's, between the pair's samples */
    double room;       /* capacity - allocation, at least 0 */
};

struct vm_storage {
    struct vm_storage_host *hosts; /* owned */
    size_t nhosts;
    struct vm_storage_disk *disks; /* owned, in snapshot order */
    size_t ndisks;
};

/* Look at the storage under every disk of snap (conn may be NULL: file
 * systems only). What one disk's lookup could not tell is in its entry;
 * returns -1 with err set only when memory ran out. */
int vm_storage_gather(virConnectPtr conn, const struct vm_snapshot *snap, struct vm_storage *out,
                      struct vm_err *err);

/* The growth of every disk (its allocation between pairs[d->dom].prev and
 * snap, the newest sample; npairs 0: none known) and its own room, and per
 * host the sums over the disks that grow. Pure. */
struct vm_rate_pair;
void vm_storage_growth(struct vm_storage *s, const struct vm_snapshot *snap,
                       const struct vm_rate_pair *pairs, size_t npairs);

/* Disk blk of domain dom, or NULL (s may be NULL). */
const struct vm_storage_disk *vm_storage_disk(const struct vm_storage *s, size_t dom, size_t blk);

/* The host storage of d, or NULL when it is not known. */
const struct vm_storage_host *vm_storage_host_of(const struct vm_storage *s,
                                                 const struct vm_storage_disk *d);

/* How many other disks share d's host storage (growing: only those whose
 * allocation grew); the first `max` of their labels (borrowed from s)
 * into names. */
size_t vm_storage_shared(const struct vm_storage *s, const struct vm_storage_disk *d, bool growing,
                         const char **names, size_t max);

void vm_storage_clear(struct vm_storage *s); /* NULL accepted */

#endif
