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
    char *target;  /* <target dev>, owned */
    char *source;  /* <source file|dev|name>, owned, NULL for an empty drive */
    char *device;  /* "disk", "cdrom", "floppy", "lun" (owned) */
    struct vm_iotune iotune;
};

struct vm_xml_iface {
    char *target;  /* <target dev>, owned, may be NULL */
    char *mac;     /* <mac address>, owned, may be NULL */
    char *alias;   /* <alias name>, owned, may be NULL */
    uint64_t in_average_kib, out_average_kib; /* <bandwidth> average, KiB/s; 0 = none */
};

struct vm_domxml {
    enum vm_balloon_kind balloon;
    unsigned stats_period;          /* <memballoon><stats period>, 0 = not set */
    unsigned vcpus;                 /* <vcpu> (current= if given) */
    long long quota_us;             /* <cputune><quota>, 0 = none (<0 = unlimited) */
    unsigned long long period_us;   /* <cputune><period>, 0 = default */
    struct vm_xml_disk *disks;
    size_t ndisks;
    struct vm_xml_iface *ifaces;
    size_t nifaces;
};

/* Pure: parse `xml`. Returns 0, or -1 with err set on malformed XML. */
int vm_domxml_parse(const char *xml, struct vm_domxml *out, struct vm_err *err);

/* virDomainGetXMLDesc(dom, 0) then vm_domxml_parse. */
int vm_domxml_fetch(virDomainPtr dom, struct vm_domxml *out, struct vm_err *err);

void vm_domxml_clear(struct vm_domxml *x); /* frees members; NULL accepted */

#endif
