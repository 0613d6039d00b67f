/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conn: read-only libvirt connection, quiet errors. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>
#include <libxml/xmlerror.h>

#include "conn.h"

#define VM_DEFAULT_URI "qemu:///system"

const char *vm_conn_uri(const char *given)
{
    const char *env;

    if (given && *given)
        return given;
    env = getenv("LIBVIRT_DEFAULT_URI");
    if (env && *env)
        return env;
    return VM_DEFAULT_URI;
}

static void conn_ignore_error(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

/* libxml2's own messages: an in-process driver (test:///PATH) that cannot
 * load its file makes libxml2 print "I/O warning : failed to load external
 * entity" on stderr. libvirt reports the failure itself. */
static void conn_ignore_xml(void *data, const char *fmt, ...)
{
    (void)data;
    (void)fmt;
}

void vm_conn_quiet(void)
{
    /* A NULL handler would restore libvirt's printing to stderr; a no-op
     * handler silences it. Set before the first open so that open errors
     * are silenced too. libvirt's error state must be initialised before
     * the first virResetLastError(). */
    virInitialize();
    virSetErrorFunc(NULL, conn_ignore_error);
    xmlSetGenericErrorFunc(NULL, conn_ignore_xml);
}

static const char *conn_hint(const virError *e)
{
    const char *m = e->message ? e->message : "";

    if (e->code == VIR_ERR_AUTH_FAILED || e->code == VIR_ERR_ACCESS_DENIED ||
        e->code == VIR_ERR_AUTH_UNAVAILABLE || e->code == VIR_ERR_OPERATION_DENIED ||
        strstr(m, "Permission denied"))
        return " (permission denied: the monitoring user needs the read-only socket; "
               "see polkit action org.libvirt.unix.monitor)";
    if (e->code == VIR_ERR_SYSTEM_ERROR &&
        (strstr(m, "No such file") || strstr(m, "Connection refused")))
        return " (is libvirtd/virtqemud running?)";
    if (e->code == VIR_ERR_NO_CONNECT)
        return " (is the URI right?)";
    return "";
}

int vm_conn_error(struct vm_err *err, const char *what)
{
    const virError *e = virGetLastError();

    if (!e || !e->message)
        return vm_err_set(err, "%s: unknown libvirt error", what);
    return vm_err_set(err, "%s: %s%s", what, e->message, conn_hint(e));
}

virConnectPtr vm_conn_open(const char *uri, struct vm_err *err)
{
    virConnectPtr conn;

    vm_conn_quiet();
    virResetLastError();
    /* Always read-only: the plugins only ever read, and the read-only
     * socket is the one an unprivileged monitoring user may use. */
    conn = virConnectOpenReadOnly(uri);
    if (!conn) {
        const virError *e = virGetLastError();

        vm_err_set(err, "cannot connect to %s: %s%s", uri,
                   e && e->message ? e->message : "unknown libvirt error", e ? conn_hint(e) : "");
        return NULL;
    }
    return conn;
}

int vm_conn_close(virConnectPtr conn)
{
    return conn ? virConnectClose(conn) : 0;
}
