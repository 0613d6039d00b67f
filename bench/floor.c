/* SPDX-License-Identifier: GPL-3.0-or-later */
/* floor: the least a client can do to get the figures a plugin reports.
 *
 *   floor URI balloon|cpu|block|net NAME|--all
 *
 * Opens the URI read-only, finds the domains (NAME, or --all: every
 * domain), makes one bulk stats call for the groups asked for, fills
 * whatever the driver left out with the same per-domain calls the plugins
 * make (what libvirt's test driver needs: its bulk call returns only the
 * state), prints one line and exits. No option parsing beyond that, no
 * thresholds, no state file, no output formatting: the baseline the
 * plugins are measured against.
 *
 * Per-domain calls, as lib/stats.c makes them for a running domain whose
 * bulk record lacks the group:
 *   balloon  virDomainGetInfo, virDomainMemoryStats
 *   cpu      virDomainGetInfo, virDomainGetVcpus
 *   block    virDomainGetXMLDesc, then per disk with a source
 *            virDomainBlockStats and virDomainGetBlockInfo
 *   net      virDomainGetXMLDesc, then per interface virDomainInterfaceStats
 * The device names are found in the XML with strstr, not a parser: the
 * floor is the least work, not a fair second implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static void quiet(void *d, virErrorPtr e)
{
    (void)d;
    (void)e;
}

static int has_prefix(const virDomainStatsRecord *r, const char *prefix)
{
    for (int i = 0; i < r->nparams; i++)
        if (strncmp(r->params[i].field, prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

/* Copy the value of attribute `attr` (e.g. "dev='") found after p, up to
 * the matching quote, into out; returns 0 or -1. */
static int attr(const char *p, const char *end, const char *name, char *out, size_t size)
{
    char key[32];
    const char *v, *q;

    for (const char *quote = "'\""; *quote; quote++) {
        snprintf(key, sizeof(key), "%s=%c", name, *quote);
        v = strstr(p, key);
        if (!v || v > end)
            continue;
        v += strlen(key);
        q = strchr(v, *quote);
        if (!q || (size_t)(q - v) >= size)
            return -1;
        memcpy(out, v, (size_t)(q - v));
        out[q - v] = '\0';
        return 0;
    }
    return -1;
}

/* Per-disk or per-interface calls over the devices named in the XML. */
static unsigned long long devices(virDomainPtr dom, int block)
{
    const char *open_tag = block ? "<disk " : "<interface ";
    const char *close_tag = block ? "</disk>" : "</interface>";
    unsigned long long sum = 0;
    char *xml = virDomainGetXMLDesc(dom, 0);
    char dev[256];

    for (const char *p = xml ? strstr(xml, open_tag) : NULL; p; p = strstr(p + 1, open_tag)) {
        const char *end = strstr(p, close_tag), *t;

        if (!end)
            break;
        t = strstr(p, "<target ");
        if (!t || t > end || attr(t, end, "dev", dev, sizeof(dev)) < 0)
            continue;
        if (block) {
            virDomainBlockStatsStruct s;
            virDomainBlockInfo bi;
            const char *src = strstr(p, "<source ");

            if (!src || src > end)
                continue; /* empty drive: no counters */
            if (virDomainBlockStats(dom, dev, &s, sizeof(s)) == 0)
                sum += (unsigned long long)(s.rd_bytes + s.wr_bytes + s.rd_req + s.wr_req);
            if (virDomainGetBlockInfo(dom, dev, &bi, 0) == 0)
                sum += bi.allocation + bi.capacity;
        } else {
            virDomainInterfaceStatsStruct s;

            if (virDomainInterfaceStats(dom, dev, &s, sizeof(s)) == 0)
                sum += (unsigned long long)(s.rx_bytes + s.tx_bytes + s.rx_packets + s.tx_packets);
        }
    }
    free(xml);
    return sum;
}

/* Per-domain fallback for a group the bulk call did not return. */
static unsigned long long fill(virDomainPtr dom, const char *what)
{
    unsigned long long sum = 0;
    virDomainInfo info;

    if (strcmp(what, "balloon") == 0) {
        virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
        int n;

        if (virDomainGetInfo(dom, &info) == 0)
            sum += info.memory;
        n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
        for (int i = 0; i < n; i++)
            sum += st[i].val;
    } else if (strcmp(what, "cpu") == 0) {
        virVcpuInfo vi[64];
        int n;

        if (virDomainGetInfo(dom, &info) == 0)
            sum += info.cpuTime;
        n = virDomainGetVcpus(dom, vi, 64, NULL, 0);
        for (int i = 0; i < n; i++)
            sum += vi[i].cpuTime;
    } else {
        sum += devices(dom, strcmp(what, "block") == 0);
    }
    return sum;
}

static unsigned int groups_of(const char *g)
{
    if (strcmp(g, "balloon") == 0)
        return VIR_DOMAIN_STATS_BALLOON;
    if (strcmp(g, "cpu") == 0)
        return VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_VCPU;
    if (strcmp(g, "block") == 0)
        return VIR_DOMAIN_STATS_BLOCK;
    if (strcmp(g, "net") == 0)
        return VIR_DOMAIN_STATS_INTERFACE;
    return 0;
}

static const char *prefix_of(const char *g)
{
    return strcmp(g, "balloon") == 0 ? "balloon."
           : strcmp(g, "cpu") == 0   ? "cpu."
           : strcmp(g, "block") == 0 ? "block."
                                     : "net.";
}

int main(int argc, char **argv)
{
    const char *uri, *group, *name;
    virConnectPtr conn;
    virDomainPtr *doms = NULL;
    virDomainStatsRecordPtr *recs = NULL;
    unsigned int stats;
    unsigned long long sum = 0;
    int n = 0, nrec;

    if (argc != 4 || !groups_of(argv[2])) {
        fprintf(stderr, "usage: floor URI balloon|cpu|block|net NAME|--all\n");
        return 2;
    }
    uri = argv[1];
    group = argv[2];
    name = argv[3];
    stats = VIR_DOMAIN_STATS_STATE | groups_of(group);
    virSetErrorFunc(NULL, quiet);
    conn = virConnectOpenReadOnly(uri);
    if (!conn)
        return 3;
    if (strcmp(name, "--all") == 0) {
        n = virConnectListAllDomains(conn, &doms, 0);
    } else {
        doms = calloc(2, sizeof(*doms));
        doms[0] = virDomainLookupByName(conn, name);
        n = doms[0] ? 1 : -1;
    }
    if (n < 0)
        return 3;
    doms = realloc(doms, (size_t)(n + 1) * sizeof(*doms));
    doms[n] = NULL;
    nrec = virDomainListGetStats(doms, stats, &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    for (int i = 0; i < nrec; i++) {
        int running = 0;

        for (int j = 0; j < recs[i]->nparams; j++) {
            if (strcmp(recs[i]->params[j].field, "state.state") == 0)
                running = recs[i]->params[j].value.i == VIR_DOMAIN_RUNNING ||
                          recs[i]->params[j].value.i == VIR_DOMAIN_PAUSED;
            else if (recs[i]->params[j].type == VIR_TYPED_PARAM_ULLONG)
                sum += recs[i]->params[j].value.ul;
        }
        if (running && !has_prefix(recs[i], prefix_of(group)))
            sum += fill(recs[i]->dom, group);
    }
    printf("floor %d domains %llu\n", nrec, sum);
    if (recs)
        virDomainStatsRecordListFree(recs);
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    virConnectClose(conn);
    return 0;
}
