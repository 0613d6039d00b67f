/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared main for Check suites: TAP on stdout, so automake's TAP driver
 * counts every test case. */
#ifndef VM_CK_RUN_H
#define VM_CK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Check's own default is 4 s a case, which a CPU-bound case (80,000 range
 * round trips) or a run of the plugins outgrows on a loaded machine; every
 * case says what it needs instead. CK_TIMEOUT_MULTIPLIER still scales it. */
#define VM_CK_TIMEOUT_S 60

/* A new test case of s named name, with the fixture setup/teardown when
 * not NULL (checked: run in the forked child, around each test), and a
 * timeout of timeout_s seconds. Owned by s. */
static inline TCase *vm_ck_tcase(Suite *s, const char *name, double timeout_s, SFun setup,
                                 SFun teardown)
{
    TCase *tc = tcase_create(name);

    if (setup || teardown)
        tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout_s);
    suite_add_tcase(s, tc);
    return tc;
}

static inline int vm_ck_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    /* Check's default cap on a failure message is 4 KiB; a longer one (an
     * assertion quoting a plugin's whole output, or valgrind's report on
     * stderr) makes the forked case exit 2 with "Message string too long"
     * and the real failure is lost. CK_MAX_MSG_SIZE still overrides. */
    check_set_max_msg_size(1024 * 1024);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
