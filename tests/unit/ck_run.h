/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared main for Check suites: TAP on stdout, so automake's TAP driver
 * counts every test case. */
#ifndef VM_CK_RUN_H
#define VM_CK_RUN_H

#include <check.h>
#include <stdlib.h>

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
