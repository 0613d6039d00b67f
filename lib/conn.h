/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conn: the read-only libvirt connection and libvirt errors as one line. */
#ifndef VM_CONN_H
#define VM_CONN_H

#include <libvirt/libvirt.h>

#include "err.h"

/* The URI to use: `given`, else $LIBVIRT_DEFAULT_URI, else qemu:///system.
 * Never NULL, never "" (an empty URI would make libvirt probe, and for an
 * unprivileged user start a session daemon). Borrowed. */
const char *vm_conn_uri(const char *given);

/* Switch libvirt's stderr error printing off for the whole process
 * (Icinga 2 merges stderr into plugin output). Idempotent. */
void vm_conn_quiet(void);

/* Open `uri` read-only (always). NULL with err set to one clear line. */
virConnectPtr vm_conn_open(const char *uri, struct vm_err *err);
/* Close: virConnectClose's result, that is 0, -1 on error, or the number
 * of references still held when something (a virDomainPtr not freed)
 * keeps the connection alive. NULL accepted (0). */
int vm_conn_close(virConnectPtr conn);

/* Fill err from libvirt's last error: "<what>: <libvirt message>", plus a
 * hint for the common causes (daemon down, permission denied). Returns -1. */
int vm_conn_error(struct vm_err *err, const char *what);

#endif
