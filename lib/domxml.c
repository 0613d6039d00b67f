/* SPDX-License-Identifier: GPL-3.0-or-later */
/* domxml: facts from a domain's XML, parsed with libxml2. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <libvirt/virterror.h>

#include "domxml.h"

/* The text of an XPath expression evaluated at `node` (string()), or NULL
 * when empty. Owned by the caller. */
static char *xml_str(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr o;
    char *s = NULL;

    ctx->node = node;
    o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
        s = vm_strdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    return s;
}

static unsigned long long xml_ull(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    char *s = xml_str(ctx, node, expr), *end = NULL;
    unsigned long long v = 0;

    if (s && s[0] != '-') {
        v = strtoull(s, &end, 10);
        if (*end)
            v = 0;
    }
    free(s);
    return v;
}

/* A signed number (a quota: negative means unlimited), 0 when absent or
 * not a number. */
static long long xml_ll(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    char *s = xml_str(ctx, node, expr), *end = NULL;
    long long v = 0;

    if (s) {
        v = strtoll(s, &end, 10);
        if (*end)
            v = 0;
    }
    free(s);
    return v;
}

/* libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED, in KiB */
#define DOMXML_MEM_UNLIMITED_KIB 9007199254740991ULL

uint64_t vm_domxml_memsize(const char *value, const char *unit)
{
    static const struct {
        const char *name;
        unsigned base, power;
    } units[] = {{"b", 1, 0},      {"bytes", 1, 0},  {"KB", 1000, 1},  {"k", 1024, 1},
                 {"KiB", 1024, 1}, {"MB", 1000, 2},  {"M", 1024, 2},   {"MiB", 1024, 2},
                 {"GB", 1000, 3},  {"G", 1024, 3},   {"GiB", 1024, 3}, {"TB", 1000, 4},
                 {"T", 1024, 4},   {"TiB", 1024, 4}, {"PB", 1000, 5},  {"P", 1024, 5},
                 {"PiB", 1024, 5}, {"EB", 1000, 6},  {"E", 1024, 6},   {"EiB", 1024, 6}};
    unsigned long long v;
    uint64_t mul = 1;
    char *end = NULL;
    size_t i;

    if (!value || value[0] < '0' || value[0] > '9')
        return 0;
    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || *end)
        return 0;
    if (!unit)
        unit = "KiB";
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(unit, units[i].name) == 0) /* libvirt's case rule (virScaleInteger) */
            break;
    if (i == sizeof(units) / sizeof(units[0]))
        return 0;
    for (unsigned k = 0; k < units[i].power; k++)
        mul *= units[i].base;
    /* The unlimited mark, or more than 64 bits of bytes: no limit. */
    if (v >= DOMXML_MEM_UNLIMITED_KIB * 1024 / mul || v > UINT64_MAX / mul)
        return 0;
    return v * mul;
}

/* One <memtune> child in bytes, 0 when not set. */
static uint64_t xml_memtune(xmlXPathContextPtr ctx, xmlNodePtr root, const char *child)
{
    char expr[64], *v, *u;
    uint64_t b;

    snprintf(expr, sizeof(expr), "string(memtune/%s)", child);
    v = xml_str(ctx, root, expr);
    snprintf(expr, sizeof(expr), "string(memtune/%s/@unit)", child);
    u = xml_str(ctx, root, expr);
    b = vm_domxml_memsize(v, u);
    free(v);
    free(u);
    return b;
}

/* One <disk>: false when it has no target (no stats either), so is not kept. */
static bool xml_disk(xmlXPathContextPtr ctx, xmlNodePtr d, void *elem)
{
    struct vm_xml_disk *k = elem;

    k->target = xml_str(ctx, d, "string(target/@dev)");
    if (!k->target)
        return false;
    k->device = xml_str(ctx, d, "string(@device)");
    k->source = xml_str(ctx, d, "string(source/@file)");
    if (!k->source)
        k->source = xml_str(ctx, d, "string(source/@dev)");
    if (!k->source)
        k->source = xml_str(ctx, d, "string(source/@name)");
    if (!k->source)
        k->source = xml_str(ctx, d, "string(source/@volume)");
    k->iotune.total_bytes_sec = xml_ull(ctx, d, "string(iotune/total_bytes_sec)");
    k->iotune.read_bytes_sec = xml_ull(ctx, d, "string(iotune/read_bytes_sec)");
    k->iotune.write_bytes_sec = xml_ull(ctx, d, "string(iotune/write_bytes_sec)");
    k->iotune.total_iops_sec = xml_ull(ctx, d, "string(iotune/total_iops_sec)");
    k->iotune.read_iops_sec = xml_ull(ctx, d, "string(iotune/read_iops_sec)");
    k->iotune.write_iops_sec = xml_ull(ctx, d, "string(iotune/write_iops_sec)");
    return true;
}

/* One <interface>: always kept (one without a target has no stats, but
 * its MAC still names it). */
static bool xml_iface(xmlXPathContextPtr ctx, xmlNodePtr d, void *elem)
{
    struct vm_xml_iface *f = elem;

    f->target = xml_str(ctx, d, "string(target/@dev)");
    f->mac = xml_str(ctx, d, "string(mac/@address)");
    f->alias = xml_str(ctx, d, "string(alias/@name)");
    f->in_average_kBps = xml_ull(ctx, d, "string(bandwidth/inbound/@average)");
    f->out_average_kBps = xml_ull(ctx, d, "string(bandwidth/outbound/@average)");
    return true;
}

/* The nodes at expr (from the root), each read by one() into the next of
 * an array of `size`-byte elements: *arr (owned by the caller, zeroed),
 * *n the elements one() kept. -1: out of memory. */
static int xml_each(xmlXPathContextPtr ctx, const char *expr, size_t size, void **arr, size_t *n,
                    bool (*one)(xmlXPathContextPtr ctx, xmlNodePtr node, void *elem))
{
    xmlXPathObjectPtr o;
    int nodes = 0;
    char *a;

    ctx->node = xmlDocGetRootElement(ctx->doc);
    o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (o && o->type == XPATH_NODESET && o->nodesetval)
        nodes = o->nodesetval->nodeNr;
    *arr = a = vm_calloc((size_t)nodes, size);
    for (int i = 0; a && i < nodes; i++)
        if (one(ctx, o->nodesetval->nodeTab[i], a + *n * size))
            (*n)++;
    xmlXPathFreeObject(o);
    return a ? 0 : -1;
}

int vm_domxml_parse(const char *xml, struct vm_domxml *out, struct vm_err *err)
{
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlNodePtr root;
    void *arr;
    char *s;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    /* No network, no entity substitution, no error printing. */
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return vm_err_set(err, "domain XML is not well-formed");
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "domain") != 0) {
        vm_err_set(err, "domain XML has no <domain> root");
        goto cleanup;
    }
    ctx = xmlXPathNewContext(doc);
    if (!ctx) {
        vm_err_set(err, "out of memory");
        goto cleanup;
    }
    s = xml_str(ctx, root, "string(devices/memballoon/@model)");
    out->balloon = !s                       ? VM_BALLOON_ABSENT
                   : strcmp(s, "none") == 0 ? VM_BALLOON_NONE
                                            : VM_BALLOON_PRESENT;
    free(s);
    out->memtune.hard_limit = xml_memtune(ctx, root, "hard_limit");
    out->memtune.soft_limit = xml_memtune(ctx, root, "soft_limit");
    out->memtune.swap_hard_limit = xml_memtune(ctx, root, "swap_hard_limit");
    out->stats_period = (unsigned)xml_ull(ctx, root, "string(devices/memballoon/stats/@period)");
    out->vcpus = (unsigned)xml_ull(ctx, root, "string(vcpu/@current)");
    if (!out->vcpus)
        out->vcpus = (unsigned)xml_ull(ctx, root, "string(vcpu)");
    out->quota_us = xml_ll(ctx, root, "string(cputune/quota)");
    out->period_us = xml_ull(ctx, root, "string(cputune/period)");
    out->global_quota_us = xml_ll(ctx, root, "string(cputune/global_quota)");
    out->global_period_us = xml_ull(ctx, root, "string(cputune/global_period)");
    rc = xml_each(ctx, "/domain/devices/disk", sizeof(*out->disks), &arr, &out->ndisks, xml_disk);
    out->disks = arr;
    if (rc == 0) {
        rc = xml_each(ctx, "/domain/devices/interface", sizeof(*out->ifaces), &arr, &out->nifaces,
                      xml_iface);
        out->ifaces = arr;
    }
    if (rc < 0) {
        vm_err_set(err, "out of memory");
        goto cleanup;
    }
    rc = 0;

cleanup:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    if (rc < 0)
        vm_domxml_clear(out);
    return rc;
}

static char *domxml_read(virDomainPtr dom, struct vm_err *err)
{
    char *xml;

    virResetLastError();
    xml = virDomainGetXMLDesc(dom, 0); /* flag 0: allowed read-only */
    if (!xml) {
        const char *m = virGetLastErrorMessage();

        vm_err_set(err, "cannot read domain XML: %s", m ? m : "unknown error");
    }
    return xml;
}

int vm_domxml_fetch(virDomainPtr dom, struct vm_domxml *out, struct vm_err *err)
{
    char *xml;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!(xml = domxml_read(dom, err)))
        return -1;
    rc = vm_domxml_parse(xml, out, err);
    free(xml);
    return rc;
}

void vm_domxml_clear(struct vm_domxml *x)
{
    size_t i;

    if (!x)
        return;
    for (i = 0; i < x->ndisks; i++) {
        free(x->disks[i].target);
        free(x->disks[i].source);
        free(x->disks[i].device);
    }
    for (i = 0; i < x->nifaces; i++) {
        free(x->ifaces[i].target);
        free(x->ifaces[i].mac);
        free(x->ifaces[i].alias);
    }
    free(x->disks);
    free(x->ifaces);
    memset(x, 0, sizeof(*x));
}

/* ---- the run's cache -------------------------------------------------- */

void vm_domxml_cache_init(struct vm_domxml_cache *c, virDomainPtr *doms, size_t n)
{
    memset(c, 0, sizeof(*c));
    c->doms = doms;
    c->n = n;
}

const struct vm_domxml *vm_domxml_cache_get(struct vm_domxml_cache *c, size_t i, struct vm_err *err)
{
    struct vm_domxml_slot *s;
    char *xml;

    if (!c || i >= c->n) {
        vm_err_set(err, "no domain XML for this domain");
        return NULL;
    }
    if (!c->slots && !(c->slots = vm_calloc(c->n, sizeof(*c->slots)))) {
        vm_err_set(err, "out of memory");
        return NULL;
    }
    s = &c->slots[i];
    if (s->read == 0) {
        c->reads++;
        xml = c->read ? c->read(c->arg, i, &s->err) : domxml_read(c->doms[i], &s->err);
        s->code = xml ? 0 : virGetLastErrorCode();
        s->read = xml && vm_domxml_parse(xml, &s->x, &s->err) == 0 ? 1 : -1;
        free(xml);
    }
    if (s->read < 0) {
        if (err)
            *err = s->err;
        return NULL;
    }
    return &s->x;
}

int vm_domxml_cache_code(const struct vm_domxml_cache *c, size_t i)
{
    return c && c->slots && i < c->n ? c->slots[i].code : 0;
}

void vm_domxml_cache_clear(struct vm_domxml_cache *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; c->slots && i < c->n; i++)
        vm_domxml_clear(&c->slots[i].x);
    free(c->slots);
    c->slots = NULL;
    c->reads = 0;
}
