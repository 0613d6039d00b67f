/* SPDX-License-Identifier: GPL-3.0-or-later */
/* select: domain lookup and listing. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "conn.h"
#include "select.h"

const char *vm_select_state_name(int state)
{
    switch (state) {
    case VIR_DOMAIN_NOSTATE:
        return "in no state";
    case VIR_DOMAIN_RUNNING:
        return "running";
    case VIR_DOMAIN_BLOCKED:
        return "blocked";
    case VIR_DOMAIN_PAUSED:
        return "paused";
    case VIR_DOMAIN_SHUTDOWN:
        return "shutting down";
    case VIR_DOMAIN_SHUTOFF:
        return "shut off";
    case VIR_DOMAIN_CRASHED:
        return "crashed";
    case VIR_DOMAIN_PMSUSPENDED:
        return "suspended by guest power management";
    }
    return "in an unknown state";
}

enum vm_dom_class vm_select_classify(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_SHUTDOWN:
        return VM_DOM_RUNNING;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
        return VM_DOM_PAUSED;
    case VIR_DOMAIN_CRASHED:
    case VIR_DOMAIN_NOSTATE:
        return VM_DOM_CRASHED;
    default:
        return VM_DOM_INACTIVE;
    }
}

/* Look a -d value up the way virsh does: a number is tried as an ID, then
 * a UUID, then a name. NULL when nothing matches. */
static virDomainPtr select_lookup(virConnectPtr conn, const char *spec)
{
    virDomainPtr dom = NULL;
    char *end = NULL;
    unsigned long id;

    if (*spec >= '0' && *spec <= '9') {
        id = strtoul(spec, &end, 10);
        if (*end == '\0' && id <= 0x7fffffffUL)
            dom = virDomainLookupByID(conn, (int)id);
    }
    if (!dom && strlen(spec) >= 32)
        dom = virDomainLookupByUUIDString(conn, spec);
    if (!dom)
        dom = virDomainLookupByName(conn, spec);
    return dom;
}

static int select_by_name(const void *a, const void *b)
{
    const char *na = virDomainGetName(*(virDomainPtr const *)a);
    const char *nb = virDomainGetName(*(virDomainPtr const *)b);

    return strcmp(na ? na : "", nb ? nb : "");
}

static int select_all(virConnectPtr conn, const struct vm_select_opts *o, struct vm_selection *out,
                      struct vm_err *err)
{
    virDomainPtr *list = NULL;
    int n, i;

    virResetLastError();
    n = virConnectListAllDomains(conn, &list, 0);
    if (n < 0)
        return vm_conn_error(err, "cannot list domains");
    out->doms = vm_calloc((size_t)n + 1, sizeof(*out->doms));
    if (!out->doms) {
        for (i = 0; i < n; i++)
            virDomainFree(list[i]);
        free(list);
        return vm_err_set(err, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const char *name = virDomainGetName(list[i]);

        if (name && vm_filter_match(o->filter, name)) {
            out->doms[out->n++] = list[i];
        } else {
            out->nexcluded++;
            virDomainFree(list[i]);
        }
    }
    free(list);
    /* libvirt lists in no particular order; sort for stable output. */
    qsort(out->doms, out->n, sizeof(*out->doms), select_by_name);
    return 0;
}

static int select_named(virConnectPtr conn, const struct vm_select_opts *o,
                        struct vm_selection *out, struct vm_err *err)
{
    size_t i, j;

    out->doms = vm_calloc(o->nnames + 1, sizeof(*out->doms));
    out->missing = vm_calloc(o->nnames + 1, sizeof(*out->missing));
    if (!out->doms || !out->missing)
        return vm_err_set(err, "out of memory");
    for (i = 0; i < o->nnames; i++) {
        virDomainPtr dom;
        bool dup = false;

        virResetLastError();
        dom = select_lookup(conn, o->names[i]);
        if (!dom) {
            int code = virGetLastErrorCode();

            if (code != VIR_ERR_NO_DOMAIN && code != VIR_ERR_OK && code != VIR_ERR_INVALID_ARG)
                return vm_conn_error(err, "cannot look up domains");
            out->missing[out->nmissing] = vm_strdup(o->names[i]);
            if (!out->missing[out->nmissing])
                return vm_err_set(err, "out of memory");
            out->nmissing++;
            continue;
        }
        /* "-d web01 -d 3" may name one domain twice: check it once. */
        for (j = 0; j < out->n && !dup; j++) {
            unsigned char a[VIR_UUID_BUFLEN], b[VIR_UUID_BUFLEN];

            dup = virDomainGetUUID(dom, a) == 0 && virDomainGetUUID(out->doms[j], b) == 0 &&
                  memcmp(a, b, sizeof(a)) == 0;
        }
        if (dup)
            virDomainFree(dom);
        else
            out->doms[out->n++] = dom;
    }
    return 0;
}

int vm_select_domains(virConnectPtr conn, const struct vm_select_opts *o, struct vm_selection *out,
                      struct vm_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = o->all ? select_all(conn, o, out, err) : select_named(conn, o, out, err);
    if (rc < 0)
        vm_selection_clear(out);
    return rc;
}

void vm_selection_clear(struct vm_selection *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        virDomainFree(s->doms[i]);
    for (size_t i = 0; i < s->nmissing; i++)
        free(s->missing[i]);
    free(s->doms);
    free(s->missing);
    memset(s, 0, sizeof(*s));
}

enum vm_policy_action vm_policy_decide(enum vm_policy shutoff, enum vm_policy paused, bool all,
                                       enum vm_status crashed, enum vm_dom_class cls,
                                       enum vm_status *st)
{
    enum vm_policy p;

    if (cls == VM_DOM_RUNNING)
        return VM_POLICY_EVALUATE;
    if (cls == VM_DOM_CRASHED) {
        *st = crashed;
        return VM_POLICY_ANSWER;
    }
    if (cls == VM_DOM_PAUSED)
        p = paused == VM_POLICY_DEFAULT ? VM_POLICY_CHECK : paused;
    else
        p = shutoff != VM_POLICY_DEFAULT ? shutoff : all ? VM_POLICY_SKIP : VM_POLICY_UNKNOWN;
    switch (p) {
    case VM_POLICY_CHECK:
        /* only --paused offers it; a shut-off domain has nothing to check */
        if (cls == VM_DOM_PAUSED)
            return VM_POLICY_EVALUATE;
        *st = VM_UNKNOWN;
        return VM_POLICY_ANSWER;
    case VM_POLICY_SKIP:
        return VM_POLICY_LEAVE_OUT;
    case VM_POLICY_OK:
        *st = VM_OK;
        return VM_POLICY_ANSWER;
    case VM_POLICY_WARNING:
        *st = VM_WARNING;
        return VM_POLICY_ANSWER;
    case VM_POLICY_CRITICAL:
        *st = VM_CRITICAL;
        return VM_POLICY_ANSWER;
    default:
        *st = VM_UNKNOWN;
        return VM_POLICY_ANSWER;
    }
}
