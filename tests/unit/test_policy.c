/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vm_policy_decide: what happens to a domain that is not running. */
#include <config.h>

#include <check.h>

#include "ck_run.h"
#include "select.h"

static const struct {
    enum vm_policy shutoff, paused;
    bool all;
    enum vm_dom_class cls;
    enum vm_policy_action want;
    enum vm_status st; /* with VM_POLICY_ANSWER */
} cases[] = {
    {VM_POLICY_DEFAULT, VM_POLICY_DEFAULT, false, VM_DOM_RUNNING, VM_POLICY_EVALUATE, VM_OK},
    {VM_POLICY_SKIP, VM_POLICY_SKIP, true, VM_DOM_RUNNING, VM_POLICY_EVALUATE, VM_OK},
    /* defaults: a paused domain is checked; a shut-off one is left out of
     * --all and UNKNOWN when it was named */
    {VM_POLICY_DEFAULT, VM_POLICY_DEFAULT, false, VM_DOM_PAUSED, VM_POLICY_EVALUATE, VM_OK},
    {VM_POLICY_DEFAULT, VM_POLICY_DEFAULT, true, VM_DOM_INACTIVE, VM_POLICY_LEAVE_OUT, VM_OK},
    {VM_POLICY_DEFAULT, VM_POLICY_DEFAULT, false, VM_DOM_INACTIVE, VM_POLICY_ANSWER, VM_UNKNOWN},
    /* set on the command line */
    {VM_POLICY_CRITICAL, VM_POLICY_DEFAULT, true, VM_DOM_INACTIVE, VM_POLICY_ANSWER, VM_CRITICAL},
    {VM_POLICY_OK, VM_POLICY_DEFAULT, false, VM_DOM_INACTIVE, VM_POLICY_ANSWER, VM_OK},
    {VM_POLICY_SKIP, VM_POLICY_DEFAULT, false, VM_DOM_INACTIVE, VM_POLICY_LEAVE_OUT, VM_OK},
    {VM_POLICY_DEFAULT, VM_POLICY_WARNING, true, VM_DOM_PAUSED, VM_POLICY_ANSWER, VM_WARNING},
    {VM_POLICY_DEFAULT, VM_POLICY_SKIP, false, VM_DOM_PAUSED, VM_POLICY_LEAVE_OUT, VM_OK},
    {VM_POLICY_DEFAULT, VM_POLICY_UNKNOWN, true, VM_DOM_PAUSED, VM_POLICY_ANSWER, VM_UNKNOWN},
    {VM_POLICY_UNKNOWN, VM_POLICY_CHECK, true, VM_DOM_PAUSED, VM_POLICY_EVALUATE, VM_OK},
    /* --shutoff has no "check": a shut-off domain has nothing to measure */
    {VM_POLICY_CHECK, VM_POLICY_DEFAULT, true, VM_DOM_INACTIVE, VM_POLICY_ANSWER, VM_UNKNOWN},
    /* crashed: the --crashed state (VM_WARNING here), named or not, whatever --shutoff says */
    {VM_POLICY_DEFAULT, VM_POLICY_DEFAULT, true, VM_DOM_CRASHED, VM_POLICY_ANSWER, VM_WARNING},
    {VM_POLICY_SKIP, VM_POLICY_SKIP, false, VM_DOM_CRASHED, VM_POLICY_ANSWER, VM_WARNING},
};

START_TEST(decide)
{
    enum vm_status st = VM_OK;

    ck_assert_int_eq(vm_policy_decide(cases[_i].shutoff, cases[_i].paused, cases[_i].all,
                                      VM_WARNING, cases[_i].cls, &st),
                     cases[_i].want);
    ck_assert_int_eq(st, cases[_i].st);
}
END_TEST

VM_CK_MAIN_TCASE("policy", "decide", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_LOOP(decide, VM_CK_N(cases)))
