/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The frame of a suite of one plugin (test_vcpu, test_vmem, test_vdisk,
 * test_vnet): define SUITE_PLUGIN ("check_vdisk") and SUITE_FIXTURE (a
 * file of tests/fixtures) before including this, once. It gives
 * `fixture`, the fixture's test:// URI (set by suite_setup, freed by
 * suite_teardown: the checked fixture of the suite's test case), and
 * run(), a run of the plugin through vm_run_clean(), and expect(), one
 * through vm_run_expect(). */
#ifndef VM_PLUGIN_SUITE_H
#define VM_PLUGIN_SUITE_H

#include <stdlib.h>

#include "plugin_run.h"

static char *fixture;

static void suite_setup(void)
{
    fixture = vm_fixture_uri(SUITE_FIXTURE);
}

static void suite_teardown(void)
{
    free(fixture);
}

static void run(struct vm_run *r, const char *const *argv)
{
    vm_run_clean(r, SUITE_PLUGIN, argv);
}

static inline void expect(const char *const *argv, int status, const char *const *has,
                          const char *const *lacks)
{
    vm_run_expect(SUITE_PLUGIN, argv, status, has, lacks);
}

#endif
