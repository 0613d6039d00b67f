/* SPDX-License-Identifier: GPL-3.0-or-later */
/* storage: the host storage under the disk images of a run. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <libvirt/virterror.h>

#include "buf.h"
#include "mem.h"
#include "sample.h"
#include "storage.h"

/* A volume of a running pool: its key, which for the file pools (dir,
 * fs, netfs) is its path (borrowed from vol), and its pool's index. */
struct storage_vol {
    const char *key;
    size_t pool;
    virStorageVolPtr vol; /* owned */
};

/* The run's lookups. The pools and their volumes are listed once, at the
 * first file image: one call, and one per pool, however many images (a
 * lookup per image cost three calls each, 6,000 on a host of 2,000
 * guests). */
struct storage_run {
    virConnectPtr conn;
    bool listed;
    virStoragePoolPtr *pools; /* owned */
    size_t npools;
    struct storage_vol *vols; /* owned, sorted by key */
    size_t nvols;
    struct vm_err perr; /* why the pools are not known, when listing failed */
    struct vm_storage *s;
};

static int storage_host_add(struct vm_storage *s, struct vm_storage_host *h, size_t *at)
{
    struct vm_storage_host *p = vm_reallocarray(s->hosts, s->nhosts + 1, sizeof(*p));

    if (!p)
        return -1;
    s->hosts = p;
    p[s->nhosts] = *h;
    *at = s->nhosts++;
    return 0;
}

static void storage_pools_free(struct storage_run *run)
{
    for (size_t i = 0; i < run->nvols; i++)
        virStorageVolFree(run->vols[i].vol);
    for (size_t i = 0; i < run->npools; i++)
        virStoragePoolFree(run->pools[i]);
    free(run->vols);
    free(run->pools);
}

static int storage_vol_cmp(const void *a, const void *b)
{
    return strcmp(((const struct storage_vol *)a)->key, ((const struct storage_vol *)b)->key);
}

/* The volumes of pool i into run->vols. 0, or -1 out of memory. A pool
 * that cannot list its volumes (gone since the list) holds none. */
static int storage_pool_vols(struct storage_run *run, size_t i)
{
    virStorageVolPtr *list = NULL;
    struct storage_vol *v;
    int n = virStoragePoolListAllVolumes(run->pools[i], &list, 0), rc = 0;

    virResetLastError();
    v = n > 0 ? vm_reallocarray(run->vols, run->nvols + (size_t)n, sizeof(*v)) : NULL;
    if (n > 0 && !v)
        rc = -1; /* the handles are freed all the same */
    else if (v)
        run->vols = v;
    for (int k = 0; k < n; k++) {
        const char *key = virStorageVolGetKey(list[k]);

        if (rc == 0 && key)
            run->vols[run->nvols++] = (struct storage_vol){key, i, list[k]};
        else
            virStorageVolFree(list[k]);
    }
    free(list);
    return rc;
}

/* The running pools and their volumes, once per run. A connection without
 * a storage driver (an older or a modular daemon without virtstoraged)
 * has none. 0, or -1 out of memory. */
static int storage_pools_list(struct storage_run *run)
{
    int n;

    if (run->listed || !run->conn)
        return 0;
    run->listed = true;
    n = virConnectListAllStoragePools(run->conn, &run->pools,
                                      VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    if (n < 0) {
        if (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
            vm_err_set(&run->perr, "the storage pools: %s", virGetLastErrorMessage());
        virResetLastError();
        run->pools = NULL;
        return 0;
    }
    run->npools = (size_t)n;
    for (size_t i = 0; i < run->npools; i++)
        if (storage_pool_vols(run, i) < 0)
            return -1;
    if (run->nvols)
        qsort(run->vols, run->nvols, sizeof(*run->vols), storage_vol_cmp);
    return 0;
}

/* The pool `path` is a volume of, or NULL: in none. The pool only names
 * the storage and is the fallback for its figures. */
static virStoragePoolPtr storage_pool_of(const struct storage_run *run, const char *path)
{
    struct storage_vol key = {.key = path};
    const struct storage_vol *v =
        run->nvols ? bsearch(&key, run->vols, run->nvols, sizeof(key), storage_vol_cmp) : NULL;

    return v ? run->pools[v->pool] : NULL;
}

/* The fallback: pool d->pool's figures, as libvirt last computed them,
 * read once. 0, or -1 out of memory. */
static int storage_pool_info(struct storage_run *run, virStoragePoolPtr pool,
                             struct vm_storage_disk *d)
{
    struct vm_storage_host h = {0};
    virStoragePoolInfo info;

    for (size_t i = 0; i < run->s->nhosts; i++)
        if (run->s->hosts[i].cached && strcmp(run->s->hosts[i].pool, d->pool) == 0) {
            d->host = i;
            d->err.msg[0] = '\0';
            return 0;
        }
    if (virStoragePoolGetInfo(pool, &info) < 0) {
        vm_err_set(&d->err, "pool %s: %s", d->pool, virGetLastErrorMessage());
        virResetLastError();
        return 0;
    }
    d->err.msg[0] = '\0';
    h.pool = vm_strdup(d->pool);
    h.cached = true;
    h.size = (double)info.capacity;
    h.avail = (double)info.available;
    if (!h.pool || storage_host_add(run->s, &h, &d->host) < 0) {
        free(h.pool);
        return -1;
    }
    return 0;
}

/* The folder of an image's path (owned): "/img/a.qcow2" gives "/img",
 * "/a" gives "/". NULL: out of memory. */
static char *storage_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = vm_strdup(path);

    if (dir)
        dir[slash == path ? 1 : slash - path] = '\0';
    return dir;
}

/* The file system of folder `dir` (st_dev dev), read once: 0 (d->err
 * says when statvfs failed), -1 out of memory. */
static int storage_fs(struct storage_run *run, const char *dir, dev_t dev,
                      struct vm_storage_disk *d)
{
    struct vm_storage_host h = {0};
    struct statvfs sv;

    for (size_t i = 0; i < run->s->nhosts; i++)
        if (!run->s->hosts[i].cached && run->s->hosts[i].dev == dev) {
            d->host = i;
            return 0;
        }
    if (statvfs(dir, &sv) < 0) {
        vm_err_set(&d->err, "statvfs %s: %s", dir, strerror(errno));
        return 0;
    }
    h.dir = vm_strdup(dir);
    h.dev = dev;
    h.size = (double)sv.f_blocks * (double)sv.f_frsize;
    h.avail = (double)sv.f_bavail * (double)sv.f_frsize;
    if (!h.dir || storage_host_add(run->s, &h, &d->host) < 0) {
        free(h.dir);
        return -1;
    }
    return 0;
}

/* The file system first, live; the pool's cached figures when it cannot
 * be read (a path this user cannot look at, the test driver's made-up
 * paths). */
static int storage_one(struct storage_run *run, const struct vm_block_stats *b,
                       struct vm_storage_disk *d)
{
    virStoragePoolPtr pool;
    struct stat st;
    char *dir = NULL;
    int rc = -1, serr = 0;

    /* a network disk's source is a name ("rbd/vol", an iSCSI IQN), when
     * it reaches us at all (libvirt leaves block.N.path out for it) */
    if (!b->path || b->path[0] != '/') {
        d->kind = VM_STORAGE_NETWORK;
        return 0;
    }
    if (stat(b->path, &st) < 0)
        serr = errno;
    else if (S_ISBLK(st.st_mode))
        d->kind = VM_STORAGE_BLOCK;
    else if (!S_ISREG(st.st_mode))
        d->kind = VM_STORAGE_OTHER;
    if (d->kind != VM_STORAGE_FILE)
        return 0;
    if (!(dir = storage_dir(b->path)) || storage_pools_list(run) < 0)
        goto cleanup;
    pool = storage_pool_of(run, b->path);
    if (pool && !(d->pool = vm_strdup(virStoragePoolGetName(pool))))
        goto cleanup;
    if (!serr && storage_fs(run, dir, st.st_dev, d) < 0)
        goto cleanup;
    rc = 0;
    if ((serr || d->err.msg[0]) && pool)
        rc = storage_pool_info(run, pool, d);
    else if (serr) {
        d->kind = VM_STORAGE_UNKNOWN;
        vm_err_set(&d->err, "stat %s: %s%s%s", b->path, strerror(serr),
                   run->perr.msg[0] ? "; " : "", run->perr.msg);
    }

cleanup:
    free(dir);
    return rc;
}

int vm_storage_gather(virConnectPtr conn, const struct vm_snapshot *snap, struct vm_storage *out,
                      struct vm_err *err)
{
    struct storage_run run = {.conn = conn, .s = out};
    size_t n = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < snap->n; i++)
        n += snap->dom[i].nblock;
    out->disks = n ? vm_calloc(n, sizeof(*out->disks)) : NULL;
    if (n && !out->disks)
        goto cleanup;
    for (size_t i = 0; i < snap->n; i++) {
        const struct vm_dom_stats *dom = &snap->dom[i];

        for (size_t k = 0; k < dom->nblock; k++) {
            struct vm_storage_disk *d = &out->disks[out->ndisks++];
            struct vm_buf l = VM_BUF_INIT;

            d->dom = i;
            d->blk = k;
            d->growth_Bps = d->room = NAN;
            vm_buf_printf(&l, "%s:%s", dom->name ? dom->name : "?",
                          dom->block[k].name ? dom->block[k].name : "?");
            d->label = l.oom ? NULL : vm_strdup(vm_buf_str(&l));
            vm_buf_clear(&l);
            if (!d->label || storage_one(&run, &dom->block[k], d) < 0)
                goto cleanup;
        }
    }
    rc = 0;

cleanup:
    storage_pools_free(&run);
    if (rc < 0) {
        vm_storage_clear(out);
        vm_err_set(err, "out of memory");
    }
    return rc;
}

void vm_storage_growth(struct vm_storage *s, const struct vm_snapshot *snap,
                       const struct vm_rate_pair *pairs, size_t npairs)
{
    for (size_t i = 0; i < s->nhosts; i++) {
        s->hosts[i].growth_Bps = 0;
        s->hosts[i].grow_room = 0;
        s->hosts[i].nknown = 0;
    }
    for (size_t i = 0; i < s->ndisks; i++) {
        struct vm_storage_disk *d = &s->disks[i];
        const struct vm_block_stats *b, *p = NULL;
        const struct vm_rate_pair *pr = d->dom < npairs ? &pairs[d->dom] : NULL;
        struct vm_storage_host *h = vm_storage_host_of(s, d) ? &s->hosts[d->host] : NULL;
        double cap, alloc;

        d->growth_Bps = d->room = NAN;
        if (d->dom >= snap->n || d->blk >= snap->dom[d->dom].nblock)
            continue; /* not of this snapshot */
        b = &snap->dom[d->dom].block[d->blk];
        if (pr && pr->prev)
            p = vm_stats_block_find(pr->prev, b->name, d->blk);
        cap = VM_HAS(*b, VM_BLK_CAPACITY) ? (double)b->v[VM_BLK_CAPACITY] : NAN;
        alloc = VM_HAS(*b, VM_BLK_ALLOCATION) ? (double)b->v[VM_BLK_ALLOCATION] : NAN;

        /* qcow2 metadata can take the allocation past the virtual size */
        d->room = cap > alloc ? cap - alloc : isnan(cap - alloc) ? NAN : 0;
        /* a counter that went back is a shrink (a discard, a sparsify), as
         * good as no growth: a signed difference, not vm_pair_delta */
        if (p && pr->elapsed_s > 0 && VM_HAS(*p, VM_BLK_ALLOCATION) && !isnan(alloc))
            d->growth_Bps = (alloc - (double)p->v[VM_BLK_ALLOCATION]) / pr->elapsed_s;
        if (!h || isnan(d->growth_Bps))
            continue;
        h->nknown++;
        if (d->growth_Bps > 0) {
            h->growth_Bps += d->growth_Bps;
            h->grow_room += d->room; /* NAN stays NAN: no bound known */
        }
    }
}

const struct vm_storage_disk *vm_storage_disk(const struct vm_storage *s, size_t dom, size_t blk)
{
    for (size_t i = 0; s && i < s->ndisks; i++)
        if (s->disks[i].dom == dom && s->disks[i].blk == blk)
            return &s->disks[i];
    return NULL;
}

const struct vm_storage_host *vm_storage_host_of(const struct vm_storage *s,
                                                 const struct vm_storage_disk *d)
{
    if (!s || !d || d->kind != VM_STORAGE_FILE || d->err.msg[0] || d->host >= s->nhosts)
        return NULL;
    return &s->hosts[d->host];
}

size_t vm_storage_shared(const struct vm_storage *s, const struct vm_storage_disk *d, bool growing,
                         const char **names, size_t max)
{
    size_t n = 0;

    if (!vm_storage_host_of(s, d))
        return 0;
    for (size_t i = 0; i < s->ndisks; i++) {
        const struct vm_storage_disk *o = &s->disks[i];

        if (o == d || vm_storage_host_of(s, o) != vm_storage_host_of(s, d) ||
            (growing && !(o->growth_Bps > 0)))
            continue;
        if (n < max)
            names[n] = o->label;
        n++;
    }
    return n;
}

void vm_storage_clear(struct vm_storage *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nhosts; i++) {
        free(s->hosts[i].pool);
        free(s->hosts[i].dir);
    }
    for (size_t i = 0; i < s->ndisks; i++) {
        free(s->disks[i].label);
        free(s->disks[i].pool);
    }
    free(s->hosts);
    free(s->disks);
    memset(s, 0, sizeof(*s));
}
