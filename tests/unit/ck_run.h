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

    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
