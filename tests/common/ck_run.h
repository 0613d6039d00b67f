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

/* One row of a test case's table: test runs once or, when loops > 0, for
 * _i in [0, loops). A NULL test is left out (one only some runs have). */
struct vm_ck_test {
    const TTest *test;
    int loops;
};

/* The rows: test once, test for _i in [0, loops) (loops > 0). */
#define VM_CK_TEST(test)                                                                           \
    {                                                                                              \
        (test), 0                                                                                  \
    }
#define VM_CK_LOOP(test, loops)                                                                    \
    {                                                                                              \
        (test), (loops)                                                                            \
    }

/* The rows of table, for a loop test over it. */
#define VM_CK_N(table) ((int)(sizeof(table) / sizeof((table)[0])))

/* Add the n tests of t to tc, in order. Returns tc. */
static inline TCase *vm_ck_add(TCase *tc, const struct vm_ck_test *t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!t[i].test)
            continue;
        if (t[i].loops > 0)
            tcase_add_loop_test(tc, t[i].test, 0, t[i].loops);
        else
            tcase_add_test(tc, t[i].test);
    }
    return tc;
}

/* vm_ck_tcase(s, name, timeout_s, setup, teardown), then the tests of the
 * rows that follow (VM_CK_TEST, VM_CK_LOOP), in order. Returns the TCase. */
#define VM_CK_TCASE(s, name, timeout_s, setup, teardown, ...)                                      \
    vm_ck_add(vm_ck_tcase((s), (name), (timeout_s), (setup), (teardown)),                          \
              (const struct vm_ck_test[]){__VA_ARGS__},                                            \
              sizeof((const struct vm_ck_test[]){__VA_ARGS__}) / sizeof(struct vm_ck_test))

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

/* The main of a test program: run the suite make_suite() builds. */
#define VM_CK_MAIN(make_suite)                                                                     \
    int main(void)                                                                                 \
    {                                                                                              \
        return vm_ck_run(make_suite());                                                            \
    }

/* The main of a test program of one suite, suite_name, of one test case:
 * VM_CK_TCASE's arguments after the suite. */
#define VM_CK_MAIN_TCASE(suite_name, ...)                                                          \
    int main(void)                                                                                 \
    {                                                                                              \
        Suite *s = suite_create(suite_name);                                                       \
                                                                                                   \
        VM_CK_TCASE(s, __VA_ARGS__);                                                               \
        return vm_ck_run(s);                                                                       \
    }

#endif
