/* SPDX-License-Identifier: GPL-3.0-or-later */
/* busy: see busy.h. */
#include <config.h>

#include "busy.h"
#include "human.h"

unsigned vm_busy_gaps(const struct vm_dom_stats *d, unsigned asked)
{
    unsigned gaps = 0;

    if ((asked & VM_GROUP_BALLOON) && (d->groups & VM_GROUP_BALLOON) &&
        !VM_HAS(d->balloon, VM_BAL_RSS))
        gaps |= VM_GROUP_BALLOON;
    if ((asked & VM_GROUP_BLOCK) && (d->groups & VM_GROUP_BLOCK))
        for (size_t i = 0; i < d->nblock; i++)
            if (d->block[i].path &&
                !(d->block[i].have &
                  (1u << VM_BLK_RD_REQS | 1u << VM_BLK_WR_REQS | 1u << VM_BLK_ALLOCATION)))
                gaps |= VM_GROUP_BLOCK;
    return gaps;
}

bool vm_busy_for(const struct vm_dom_stats *d, unsigned groups)
{
    return d->busy.unanswered || (d->busy.skipped & groups);
}

/* What the control state says, as the start of the clause. */
static void busy_cause(const struct vm_busy *b, struct vm_buf *out)
{
    if (!b->have_control) {
        vm_buf_append(out, "libvirt could not say why (no control information)");
        return;
    }
    switch (b->control) {
    case VIR_DOMAIN_CONTROL_OCCUPIED:
        vm_buf_append(out, "QEMU's monitor has not answered for ");
        vm_human_duration(out, (double)b->ms / 1000.0);
        return;
    case VIR_DOMAIN_CONTROL_JOB:
        vm_buf_append(out, "a background job (migration, save, dump or backup) has held the "
                           "domain for ");
        vm_human_duration(out, (double)b->ms / 1000.0);
        return;
    case VIR_DOMAIN_CONTROL_ERROR:
        vm_buf_printf(out, "libvirt cannot talk to QEMU (%s)",
                      b->details == VIR_DOMAIN_CONTROL_ERROR_REASON_MONITOR
                          ? "monitor connection broken"
                      : b->details == VIR_DOMAIN_CONTROL_ERROR_REASON_INTERNAL ? "internal error"
                                                                               : "reason unknown");
        return;
    default: /* OK: the job or the stall ended between the two calls */
        vm_buf_append(out, "a domain job held the domain while its figures were read");
        return;
    }
}

void vm_busy_describe(const struct vm_dom_stats *d, unsigned groups, double wait_s,
                      struct vm_buf *out)
{
    const struct vm_busy *b = &d->busy;
    unsigned skipped = b->skipped & groups;

    busy_cause(b, out);
    if (b->unanswered) {
        vm_buf_printf(out,
                      "; libvirt did not answer for this domain within the %.*f s collection "
                      "deadline (--deadline)",
                      wait_s == (double)(long long)wait_s ? 0 : 1, wait_s);
        return;
    }
    if (skipped & VM_GROUP_BALLOON)
        vm_buf_append(out, "; libvirt skipped its memory stats");
    if (skipped & VM_GROUP_BLOCK)
        vm_buf_printf(out, "%s its disk figures",
                      skipped & VM_GROUP_BALLOON ? " and" : "; libvirt skipped");
}
