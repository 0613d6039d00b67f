/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err: messages fit on a plugin's first line whatever they quote. */
#include <config.h>

#include <check.h>
#include <string.h>

#include "ck_run.h"
#include "err.h"

static const struct {
    const char *in;
    const char *out;
} cleanups[] = {
    {"plain", "plain"},
    {"a|b", "a¦b"},
    {"line\nbreak\r\n", "line break  "},
    {"tab\there", "tab here"},
    /* a URI with control bytes (found by the hostile-input suite: they
     * reached the output line as they were) */
    {"\xff\xfe\x01\x02", "\xff\xfe  "},
    {"esc\x1b[31mred\x7f", "esc [31mred "},
    {"\xc3\xbcml\xc3\xa4ut", "\xc3\xbcml\xc3\xa4ut"}, /* UTF-8 stays */
};

START_TEST(test_clean)
{
    struct vm_err err;

    ck_assert_int_eq(vm_err_set(&err, "%s", cleanups[_i].in), -1);
    ck_assert_str_eq(err.msg, cleanups[_i].out);
}
END_TEST

START_TEST(test_null_and_long)
{
    struct vm_err err;
    char big[2 * VM_ERR_LEN];

    ck_assert_int_eq(vm_err_set(NULL, "x %d", 1), -1);
    memset(big, '\n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    vm_err_set(&err, "%s", big);
    ck_assert_uint_eq(strlen(err.msg), VM_ERR_LEN - 1);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    /* each '|' takes two bytes: the message stops at a whole one */
    memset(big, '|', sizeof(big) - 1);
    vm_err_set(&err, "%s", big);
    ck_assert_uint_eq(strlen(err.msg), VM_ERR_LEN - 2);
    ck_assert_ptr_null(strchr(err.msg, '|'));
    ck_assert_str_eq(err.msg + VM_ERR_LEN - 4, "\xc2\xa6");
}
END_TEST

VM_CK_MAIN_TCASE("err", "set", VM_CK_TIMEOUT_S, NULL, NULL,
                 VM_CK_LOOP(test_clean, VM_CK_N(cleanups)), VM_CK_TEST(test_null_and_long))
