/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dev_calc: the arithmetic and the choices behind check_vdisk and
 * check_vnet, as pure functions of stats and XML structs (no connection),
 * so they are unit-tested with hand-built inputs. */
#ifndef VM_DEV_CALC_H
#define VM_DEV_CALC_H

#include <stdbool.h>
#include <stdint.h>

#include "domxml.h"
#include "stats.h"
#include "storage.h"

/* Average time per request in milliseconds between two samples of a disk:
 * delta of `times` (ns) over delta of `reqs`. Returns -1 (no figure) when
 * a field is missing, a counter went back, or there were no requests: no
 * I/O has no latency, which is not the same as a latency of 0. */
int vm_dev_latency_ms(const struct vm_block_stats *prev, const struct vm_block_stats *cur,
                      enum vm_blk_field reqs, enum vm_blk_field times, double *ms);

/* 100 * rate / limit; NAN when there is no limit (0) or no rate (NAN). */
double vm_dev_pct_of(double rate, double limit);

/* Rates of one disk, NAN where unknown. */
struct vm_dev_disk_rates {
    double rd_Bps, wr_Bps, rd_iops, wr_iops;
};

/* The <iotune> limit nearest to being hit: the highest percent of any
 * limit that is set (total_* compares the sum of read and write). Returns
 * NAN when no limit applies; else sets *which (e.g. "total_bytes_sec",
 * static) and *limit (the limit's value) when they are not NULL. */
double vm_dev_iotune_pct(const struct vm_iotune *t, const struct vm_dev_disk_rates *r,
                         const char **which, double *limit);
bool vm_dev_iotune_any(const struct vm_iotune *t);

/* <bandwidth> average (libvirt's kilobytes per second, 1000 bytes/s as
 * tc applies it) in bytes/s. */
double vm_dev_bandwidth_Bps(uint64_t average_kBps);

/* An empty removable drive (a CD-ROM without a medium) is not worth
 * checking. With the domain XML (x not NULL) that is certain: a cdrom or
 * floppy with no source. Without it, bulk stats tell: libvirt omits
 * block.N.path for empty drives (and for network disks), and reports no
 * capacity for an empty drive (a network disk has one). */
bool vm_dev_block_empty(const struct vm_block_stats *b, const struct vm_xml_disk *x);

/* --device: the disk's target ("vda") or its source path, exactly. */
bool vm_dev_block_match(const struct vm_block_stats *b, const char *sel);

/* --interface: the host device name ("vnet3"), the MAC (any case) or the
 * device alias; x may be NULL (no XML). */
bool vm_dev_net_match(const char *dev, const struct vm_xml_iface *x, const char *sel);

/* The domain is paused because of an I/O error (VIR_DOMAIN_PAUSED_IOERROR):
 * typically a thin image that filled the host storage. */
bool vm_dev_paused_ioerror(const struct vm_dom_stats *d);

/* The XML disk with this target / the XML interface with this host device
 * name, or NULL (x may be NULL). */
const struct vm_xml_disk *vm_dev_xml_disk(const struct vm_domxml *x, const char *target);
const struct vm_xml_iface *vm_dev_xml_iface(const struct vm_domxml *x, const char *dev);

/* A cumulative counter as libvirt reports it, for perfdata with UOM "c"
 * beside the rates (the Monitoring Plugins guidelines: graphers that derive
 * their own rates want the raw counter, and it survives a lost state file). */
struct vm_dev_raw {
    const char *metric; /* the label's last part, e.g. "read_bytes" (static) */
    uint64_t value;
};
#define VM_DEV_MAX_RAW 8

/* The raw counters of a disk (read/write bytes and requests, flush
 * requests) or of an interface (rx/tx bytes, packets, errors, drops) that
 * the driver reported, in perfdata order, into out[VM_DEV_MAX_RAW].
 * Returns how many were written; absent fields are left out, not 0. */
size_t vm_dev_block_raw(const struct vm_block_stats *b, struct vm_dev_raw *out);
size_t vm_dev_net_raw(const struct vm_net_stats *n, struct vm_dev_raw *out);

enum vm_dev_label { VM_DEV_LABEL_MAC, VM_DEV_LABEL_ALIAS, VM_DEV_LABEL_DEV };

/* What names an interface in output: the MAC, or the alias, falling back
 * (alias → MAC → host device) to what is known; never NULL when dev is
 * not NULL. The host device name (vnet3) changes on every restart, so it
 * is the last resort. */
const char *vm_dev_net_label(enum vm_dev_label how, const char *dev, const struct vm_xml_iface *x);

/* The figures of one disk between two samples (p NULL: no previous
 * sample, no rates) and its <iotune> (xd may be NULL). */
/* Everything measured for one disk; NAN where unknown. */
struct vm_dev_disk_fig {
    struct vm_dev_disk_rates r;
    double fl_ps, lat_r, lat_w;
    bool have_err;
    uint64_t nerr;
    double alloc, cap, phys, fill;
    double thr, lim;
    const char *lim_name;
    bool have_times; /* the driver reports rd/wr times at all */
};
void vm_dev_disk_measure(const struct vm_block_stats *p, const struct vm_block_stats *b,
                         const struct vm_xml_disk *xd, double el, struct vm_dev_disk_fig *f);

/* How much more a file image can grow into its host storage, and how soon
 * that storage is full (storage.h's figures, vm_storage_growth done; d or
 * h NULL: not known). headroom is the host storage's free space; the
 * image's own room (virtual size - allocation) is beside it, not part of
 * it: that one is `fill`'s business. The storage fills at the summed
 * growth of the disks on it that grow (their allocation, libvirt's "du"
 * figure; physical is the container's apparent size, "ls", which a
 * sparse raw image has in full from the start), and only as far as their
 * own room lets them: when that sum is below the free space, it is not
 * filling up from them. */
struct vm_dev_room {
    double host_free, host_size; /* bytes; NAN: not known */
    double headroom;             /* host_free */
    double pct;                  /* headroom in % of host_size; NAN without it */
    double image_room;           /* this image's own; NAN: no capacity or allocation */
    bool image_alone_short;      /* image_room < headroom: it alone cannot fill it */
    double own_Bps;              /* this image's growth; NAN: not known; <= 0: not growing */
    double growth_Bps;           /* the storage's (sum); NAN: no disk's is known */
    double grow_room;            /* the growing disks' own room summed; NAN: no bound */
    bool bounded;                /* grow_room < headroom: not filling up from them */
    double full_s;               /* headroom / growth_Bps; INFINITY: not filling up;
                                  * NAN: not known */
};
void vm_dev_room_measure(const struct vm_storage_disk *d, const struct vm_storage_host *h,
                         struct vm_dev_room *r);

/* The same for an interface and its <bandwidth> (xi may be NULL). */
/* Everything measured for one interface; NAN where unknown. */
struct vm_dev_net_fig {
    double rx_Bps, tx_Bps, rx_pps, tx_pps, rx_err, tx_err, rx_drop, tx_drop;
    double tput, errs, drops;
    double in_lim, out_lim, in_pct, out_pct, thr;
};
void vm_dev_net_measure(const struct vm_net_stats *p, const struct vm_net_stats *n,
                        const struct vm_xml_iface *xi, double el, struct vm_dev_net_fig *f);

#endif
