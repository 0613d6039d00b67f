/* SPDX-License-Identifier: GPL-3.0-or-later */
/* floor: the least a client can do to get the figures a plugin reports.
 *
 * Opens the URI read-only, finds the domains (-d NAME or --all), makes one
 * bulk stats call for the groups asked for, fills whatever the driver left
 * out with the per-domain calls (what libvirt's test driver needs), prints
 * one line and exits. No option parsing beyond that, no thresholds, no
 * output formatting: the baseline the plugins are measured against. */
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

/* Per-domain fallback for a group the bulk call did not return. */
static unsigned long long fill(virDomainPtr dom, const char *what)
{
    unsigned long long sum = 0;
    virDomainInfo info;

    if (strcmp(what, "balloon") == 0) {
        virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
        int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

        for (int i = 0; i < n; i++)
            sum += st[i].val;
        if (virDomainGetInfo(dom, &info) == 0)
            sum += info.memory;
    } else if (strcmp(what, "cpu") == 0) {
        virVcpuInfo vi[64];
        int n;

        if (virDomainGetInfo(dom, &info) == 0)
            sum += info.cpuTime;
        n = virDomainGetVcpus(dom, vi, 64, NULL, 0);
        for (int i = 0; i < n; i++)
            sum += vi[i].cpuTime;
    }
    return sum;
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

    if (argc != 4) {
        fprintf(stderr, "usage: floor URI balloon|cpu NAME|--all\n");
        return 2;
    }
    uri = argv[1];
    group = argv[2];
    name = argv[3];
    stats = VIR_DOMAIN_STATS_STATE |
            (strcmp(group, "balloon") == 0 ? VIR_DOMAIN_STATS_BALLOON
                                           : VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_VCPU);
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
        if (running && !has_prefix(recs[i], strcmp(group, "balloon") == 0 ? "balloon." : "cpu."))
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
