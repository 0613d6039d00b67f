/* SPDX-License-Identifier: GPL-3.0-or-later */
/* storage: the host storage under the disk images of a run.
 *
 * For each disk of a snapshot with a host path, what holds it: a plain
 * file sits in a libvirt storage pool (virStorageVolLookupByPath, then
 * virStoragePoolLookupByVolume and virStoragePoolGetInfo, all allowed on a
 * read-only connection) or, outside any pool, on the file system of its
 * folder (statvfs: f_bavail, what an unprivileged user may still get). A
 * block device or a disk without a host path (RBD, iSCSI, NBD: network
 * disks) has no such figure here. Each pool and each file system is read
 * once per run, however many disks it holds; the disks it holds are
 * listed so that a plugin can say they share it.
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

/* One pool or file system. */
struct vm_storage_host {
    char *pool;   /* the libvirt pool's name (owned); NULL: a file system */
    char *dir;    /* file system: the folder statvfs read (owned); NULL for a pool */
    dev_t dev;    /* file system: st_dev of the images on it */
    double size;  /* bytes in all */
    double avail; /* bytes still free for an unprivileged user (pool: available) */
};

/* One disk: block[blk] of dom[dom] in the snapshot. */
struct vm_storage_disk {
    size_t dom, blk;
    char *label; /* "web01:vdb" (owned), for "shared with" */
    enum vm_storage_kind kind;
    size_t host;       /* FILE with !err.msg[0]: index in hosts */
    struct vm_err err; /* FILE or UNKNOWN: why the host storage is not known */
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

/* Disk blk of domain dom, or NULL (s may be NULL). */
const struct vm_storage_disk *vm_storage_disk(const struct vm_storage *s, size_t dom, size_t blk);

/* The host storage of d, or NULL when it is not known. */
const struct vm_storage_host *vm_storage_host_of(const struct vm_storage *s,
                                                 const struct vm_storage_disk *d);

/* How many other disks share d's host storage; the first `max` of their
 * labels (borrowed from s) into names. */
size_t vm_storage_shared(const struct vm_storage *s, const struct vm_storage_disk *d,
                         const char **names, size_t max);

void vm_storage_clear(struct vm_storage *s); /* NULL accepted */

#endif
