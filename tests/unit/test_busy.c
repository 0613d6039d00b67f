/* SPDX-License-Identifier: GPL-3.0-or-later */
/* busy: "libvirt skipped this domain's figures" told from "it has none",
 * and the cause in words, from hand-built records. */
#include <config.h>

#include <check.h>
#include <string.h>

#include "busy.h"
#include "ck_run.h"

/* A record as libvirt's NOWAIT bulk call gives it: with the domain's job
 * (rss and disk counters present) or without it (only what needs no
 * monitor: balloon current/maximum, disk names and paths). */
static void rec_fill(struct vm_dom_stats *d, bool with_job, bool cdrom)
{
    static struct vm_block_stats blk[2];
    static char vda[] = "vda", hdc[] = "hdc", img[] = "/var/lib/libvirt/images/g1.qcow2";

    memset(d, 0, sizeof(*d));
    memset(blk, 0, sizeof(blk));
    d->groups = VM_GROUP_STATE | VM_GROUP_CPU | VM_GROUP_BALLOON | VM_GROUP_BLOCK;
    d->balloon.have = 1u << VM_BAL_CURRENT | 1u << VM_BAL_MAXIMUM;
    blk[0].name = vda;
    blk[0].path = img;
    blk[1].name = hdc; /* an empty CD-ROM: no path, never counters */
    d->block = blk;
    d->nblock = cdrom ? 2 : 1;
    if (with_job) {
        d->balloon.have |= 1u << VM_BAL_RSS;
        blk[0].have = 1u << VM_BLK_RD_REQS | 1u << VM_BLK_WR_REQS | 1u << VM_BLK_ALLOCATION;
    }
}

START_TEST(gaps_without_job)
{
    struct vm_dom_stats d;

    rec_fill(&d, false, true);
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BALLOON), VM_GROUP_BALLOON);
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BLOCK), VM_GROUP_BLOCK);
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BALLOON | VM_GROUP_BLOCK | VM_GROUP_CPU),
                      VM_GROUP_BALLOON | VM_GROUP_BLOCK);
    /* CPU time, vCPU times and tap counters need no monitor: never a gap */
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_CPU | VM_GROUP_VCPU | VM_GROUP_NET), 0);
}
END_TEST

START_TEST(gaps_with_job)
{
    struct vm_dom_stats d;

    rec_fill(&d, true, true);
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BALLOON | VM_GROUP_BLOCK), 0);
}
END_TEST

START_TEST(gaps_need_the_group)
{
    struct vm_dom_stats d;

    /* No balloon group at all (a driver without it): the fallback's
     * business, not a skipped one. No disks, or only an empty CD-ROM:
     * nothing to skip. */
    rec_fill(&d, false, false);
    d.groups &= ~VM_GROUP_BALLOON;
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BALLOON), 0);
    d.nblock = 0;
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BLOCK), 0);
    rec_fill(&d, false, true);
    d.block = d.block + 1; /* only the CD-ROM */
    d.nblock = 1;
    ck_assert_uint_eq(vm_busy_gaps(&d, VM_GROUP_BLOCK), 0);
}
END_TEST

START_TEST(busy_for_groups)
{
    struct vm_dom_stats d;

    memset(&d, 0, sizeof(d));
    ck_assert(!vm_busy_for(&d, ~0u));
    d.busy.skipped = VM_GROUP_BALLOON;
    ck_assert(vm_busy_for(&d, VM_GROUP_BALLOON | VM_GROUP_CPU));
    ck_assert(!vm_busy_for(&d, VM_GROUP_CPU | VM_GROUP_VCPU)); /* check_vcpu's figures stand */
    d.busy.skipped = 0;
    d.busy.unanswered = true; /* no figures at all */
    ck_assert(vm_busy_for(&d, VM_GROUP_CPU));
}
END_TEST

static const struct {
    struct vm_busy b;
    unsigned groups;
    double wait_s;
    const char *want;
} words[] = {
    {{VM_GROUP_BALLOON, false, true, VIR_DOMAIN_CONTROL_OCCUPIED, 0, 37400},
     VM_GROUP_BALLOON,
     4,
     "QEMU's monitor has not answered for 37 s; libvirt skipped its memory stats"},
    {{VM_GROUP_BLOCK, false, true, VIR_DOMAIN_CONTROL_JOB, 0, 125000},
     VM_GROUP_BLOCK | VM_GROUP_CPU,
     4,
     "a background job (migration, save, dump or backup) has held the domain for 2 min 5 s; "
     "libvirt skipped its disk figures"},
    {{VM_GROUP_BALLOON | VM_GROUP_BLOCK, false, true, VIR_DOMAIN_CONTROL_OCCUPIED, 0, 7200000},
     VM_GROUP_BALLOON | VM_GROUP_BLOCK,
     4,
     "QEMU's monitor has not answered for 2 h 0 min; libvirt skipped its memory stats and its "
     "disk figures"},
    {{0, true, true, VIR_DOMAIN_CONTROL_OCCUPIED, 0, 4010},
     VM_GROUP_CPU,
     4,
     "QEMU's monitor has not answered for 4 s; libvirt did not answer for this domain within "
     "the 4 s collection deadline (--deadline)"},
    {{0, true, false, 0, 0, 0},
     VM_GROUP_CPU,
     2.5,
     "libvirt could not say why (no control information); libvirt did not answer for this "
     "domain within the 2.5 s collection deadline (--deadline)"},
    {{VM_GROUP_BALLOON, false, true, VIR_DOMAIN_CONTROL_ERROR,
      VIR_DOMAIN_CONTROL_ERROR_REASON_MONITOR, 0},
     VM_GROUP_BALLOON,
     4,
     "libvirt cannot talk to QEMU (monitor connection broken); libvirt skipped its memory stats"},
    /* the job ended between the stats call and the control call */
    {{VM_GROUP_BLOCK, false, true, VIR_DOMAIN_CONTROL_OK, 0, 0},
     VM_GROUP_BLOCK,
     4,
     "a domain job held the domain while its figures were read; libvirt skipped its disk "
     "figures"},
};

START_TEST(describe)
{
    struct vm_dom_stats d;
    struct vm_buf b = VM_BUF_INIT;

    memset(&d, 0, sizeof(d));
    d.busy = words[_i].b;
    vm_busy_describe(&d, words[_i].groups, words[_i].wait_s, &b);
    ck_assert_str_eq(vm_buf_str(&b), words[_i].want);
    vm_buf_clear(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("busy");
    TCase *tc = vm_ck_tcase(s, "busy", VM_CK_TIMEOUT_S, NULL, NULL);

    tcase_add_test(tc, gaps_without_job);
    tcase_add_test(tc, gaps_with_job);
    tcase_add_test(tc, gaps_need_the_group);
    tcase_add_test(tc, busy_for_groups);
    tcase_add_loop_test(tc, describe, 0, sizeof(words) / sizeof(words[0]));
    return vm_ck_run(s);
}
