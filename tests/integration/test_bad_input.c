/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bad input to the plugins against libvirt's test driver: exit 3, one
 * line on stdout, "<NAME> UNKNOWN - ...", naming the problem, and nothing
 * on stderr (vm_run_bad_case_check). One table for every plugin, as the
 * rule is the same for all. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ck_run.h"
#include "plugin_run.h"

enum { VMEM, VDISK, VNET };
static const char *const plugin[] = {
    [VMEM] = "check_vmem", [VDISK] = "check_vdisk", [VNET] = "check_vnet"};

/* args: the arguments after -U test:///default, split at spaces (''
 * stands for an empty one); expect: what the line must name. */
static const struct {
    int plugin;
    const char *args, *expect;
} bad[] = {
    {VMEM, "-d test -w", "needs a value"},
    {VMEM, "-d test -w abc", "abc"},
    {VMEM, "-d test -w 10:5", "10:5"},
    {VMEM, "-d test -w 1GB", "GB"},
    {VMEM, "-d test -w 10%:1GiB", "10%:1GiB"},
    {VMEM, "-d test -w nan", "nan"},
    {VMEM, "-d test -c 1e309", "1e309"},
    {VMEM, "-d test -w foo=10", "foo"},
    {VMEM, "-d test -t 0", "--timeout"},
    {VMEM, "-d test -t abc", "--timeout"},
    {VMEM, "-d test --basis=x", "--basis"},
    {VMEM, "-d test -w80 -wused=90", "a warning threshold for used was given twice"},
    {VMEM, "-d test --max-age=-1", "--max-age"},
    {VMEM, "-d test --max-output=5", "--max-output"},
    {VMEM, "-d test --shutoff=maybe", "--shutoff"},
    {VMEM, "-d test --paused=", "--paused"},
    {VMEM, "-a --include (", "--include"},
    {VMEM, "-d test --bogus", "--bogus"},
    {VMEM, "-d test -x", "-x"},
    {VMEM, "-d ''", "--domain"},
    {VMEM, "-d test -a", "not both"},
    {VMEM, "-v", "no domain selected"},
    {VMEM, "-d test extra", "extra"},
    {VMEM, "-d test --connect=", "--connect"},
    {VDISK, "-d test --device=", "--device"},
    {VDISK, "-d test --device", "needs a value"},
    {VDISK, "-d test --limits=yes", "--limits"},
    {VDISK, "-d test -w read_Bps=10%", "read_Bps=10%"},
    {VDISK, "-d test -w latency=1GiB", "latency=1GiB"},
    {VDISK, "-d test -w throttle=1MiB", "throttle=1MiB"},
    {VDISK, "-d test -w read_iops=5%", "read_iops=5%"},
    {VDISK, "-d test -w fill=abc", "abc"},
    {VDISK, "-d test -w fill=90:80", "90:80"},
    {VDISK, "-d test -c errors=-1", "-1"},
    {VDISK, "-d test -w iops=10", "iops"},
    {VDISK, "-d test --interval=0", "--interval"},
    {VDISK, "-d test --interval=10", "--interval"},
    {VDISK, "-d test --max-state-age=0", "--max-state-age"},
    {VDISK, "-d test --state-dir=", "--state-dir"},
    {VDISK, "-d test --interface=x", "--interface"},
    {VDISK, "-v", "no domain selected"},
    {VNET, "-d test --interface=", "--interface"},
    {VNET, "-d test --interface", "needs a value"},
    {VNET, "-d test --label=ip", "--label"},
    {VNET, "-d test --label=", "--label"},
    {VNET, "-d test -w throughput=10%", "throughput=10%"},
    {VNET, "-d test -w 10%", "10%"},
    {VNET, "-d test -w rx_pps=1KiB", "rx_pps=1KiB"},
    {VNET, "-d test -w throttle=5MiB", "throttle=5MiB"},
    {VNET, "-d test -c errors=x", "x"},
    {VNET, "-d test -w drops=5:1", "5:1"},
    {VNET, "-d test -w rx=1", "rx"},
    {VNET, "-d test --interval=abc", "--interval"},
    {VNET, "-d test --device=vda", "--device"},
    {VNET, "-a --include (", "--include"},
    /* getopt's complaints, in words that name what was typed */
    {VNET, "-d test --int", "--int is ambiguous: --interval, --interface (see --help)"},
    {VNET, "-d test --all=yes", "- --all takes no value (see --help)"},
    {VNET, "-d test --foo=bar", "- unknown option '--foo' (see --help)"},
    {VNET, "-d test --label", "- --label needs a value (see --help)"},
};

START_TEST(bad_input)
{
    struct vm_bad_case c = {.expect = bad[_i].expect};
    char *args = strdup(bad[_i].args), *save = NULL;
    size_t n = 0;

    ck_assert_ptr_nonnull(args);
    for (char *a = strtok_r(args, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
        ck_assert_uint_lt(n, VM_CK_N(c.args));
        c.args[n++] = strcmp(a, "''") == 0 ? "" : a;
    }
    vm_run_bad_case_check(plugin[bad[_i].plugin], &c, _i);
    free(args);
}
END_TEST

VM_CK_MAIN_TCASE("bad_input", "bad input", 60, NULL, NULL, VM_CK_LOOP(bad_input, VM_CK_N(bad)))
