/* SPDX-License-Identifier: GPL-3.0-or-later */
/* domxml: the few facts the plugins need from a domain's XML.
 *
 * virDomainGetXMLDesc(dom, 0) works on a read-only connection. The parsing
 * is a pure function of the XML text, tested without libvirt. */
#ifndef VM_DOMXML_H
#define VM_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "err.h"

enum vm_balloon_kind {
    VM_BALLOON_ABSENT,  /* no <memballoon> element at all */
    VM_BALLOON_NONE,    /* <memballoon model='none'/> */
    VM_BALLOON_PRESENT, /* any other model (virtio, virtio-transitional, xen...) */
};

struct vm_iotune { /* <disk><iotune>: 0 = no limit */
    uint64_t total_bytes_sec, read_bytes_sec, write_bytes_sec;
    uint64_t total_iops_sec, read_iops_sec, write_iops_sec;
};

struct vm_xml_disk {
    char *target; /* <target dev>, owned */
    char *source; /* <source file|dev|name>, owned, NULL for an empty drive */
    char *device; /* "disk", "cdrom", "floppy", "lun" (owned) */
    struct vm_iotune iotune;
};

struct vm_xml_iface {
    char *target; /* <target dev>, owned, may be NULL */
    char *mac;    /* <mac address>, owned, may be NULL */
    char *alias;  /* <alias name>, owned, may be NULL */
    /* <bandwidth> average in libvirt's unit, kilobytes per second: 1 =
     * 1000 bytes/s (vm_dev_bandwidth_Bps says why); 0 = none */
    uint64_t in_average_kBps, out_average_kBps;
};

/* <memtune> limits in bytes (the XML's KiB, or its `unit`); 0 = not set.
 * A limit at libvirt's "unlimited" (2^53 - 1 KiB) or beyond reads as not
 * set. */
struct vm_memtune {
    uint64_t hard_limit, soft_limit, swap_hard_limit;
};

struct vm_domxml {
    enum vm_balloon_kind balloon;
    struct vm_memtune memtune;
    unsigned stats_period; /* <memballoon><stats period>, 0 = not set */
    unsigned vcpus;        /* <vcpu> (current= if given) */
    /* <cputune> CPU bandwidth limits, in µs per period: a quota of 0 is
     * none, < 0 unlimited; a period of 0 is the default (100 ms). <quota>
     * bounds each vCPU thread, <global_quota> the whole domain (vCPUs,
     * emulator and I/O threads together). <emulator_quota> and
     * <iothread_quota> bound only QEMU's own threads, never the guest's
     * vCPUs, and are not read. */
    long long quota_us;                  /* <quota> */
    unsigned long long period_us;        /* <period> */
    long long global_quota_us;           /* <global_quota> */
    unsigned long long global_period_us; /* <global_period> */
    struct vm_xml_disk *disks;
    size_t ndisks;
    struct vm_xml_iface *ifaces;
    size_t nifaces;
};

/* Pure: a memtune figure in bytes from its text and `unit` attribute
 * (NULL: KiB), as libvirt's domain XML reads it: b/bytes, KB/MB/GB/TB/PB/EB
 * (powers of 1000), k/KiB, M/MiB ... E/EiB (powers of 1024), any case. 0 when absent,
 * not a number, in an unknown unit, or unlimited. */
uint64_t vm_domxml_memsize(const char *value, const char *unit);

/* Pure: parse `xml`. Returns 0, or -1 with err set on malformed XML. */
int vm_domxml_parse(const char *xml, struct vm_domxml *out, struct vm_err *err);

/* virDomainGetXMLDesc(dom, 0) then vm_domxml_parse. */
int vm_domxml_fetch(virDomainPtr dom, struct vm_domxml *out, struct vm_err *err);

void vm_domxml_clear(struct vm_domxml *x); /* frees members; NULL accepted */

/* The run's domain XML: one parsed copy per selected domain, read at most
 * once per run and only when something asks for it (the stats fallback
 * for the device lists, a plugin for its limits or labels, a diagnosis).
 * Index i is the selection's doms[i], which is also snapshot.dom[i]. */
struct vm_domxml_slot {
    int read; /* 0: not yet asked, 1: parsed, -1: failed (err, code) */
    int code; /* virErrorNumber of a failed read */
    struct vm_domxml x;
    struct vm_err err;
};

/* A test's stand-in for virDomainGetXMLDesc: the XML text of domain i
 * (malloc'd, the cache frees it), or NULL with err set. */
typedef char *(*vm_domxml_read_fn)(void *arg, size_t i, struct vm_err *err);

struct vm_domxml_cache {
    virDomainPtr *doms; /* borrowed; may be NULL with a `read` */
    size_t n;
    struct vm_domxml_slot *slots; /* owned, n of them, allocated on first use */
    vm_domxml_read_fn read;       /* NULL: virDomainGetXMLDesc(doms[i], 0) */
    void *arg;
    unsigned reads; /* XML texts read so far */
};

/* Borrows doms[0..n); read and arg stay NULL (set them in tests). */
void vm_domxml_cache_init(struct vm_domxml_cache *c, virDomainPtr *doms, size_t n);

/* Domain i's facts, read and parsed on first use; NULL with err set (also
 * on every later call) when it could not be read. err may be NULL. The
 * result lives until vm_domxml_cache_clear. */
const struct vm_domxml *vm_domxml_cache_get(struct vm_domxml_cache *c, size_t i,
                                            struct vm_err *err);

/* The virErrorNumber behind domain i's failed read, 0 when none. */
int vm_domxml_cache_code(const struct vm_domxml_cache *c, size_t i);

void vm_domxml_cache_clear(struct vm_domxml_cache *c); /* keeps doms; NULL accepted */

#endif
