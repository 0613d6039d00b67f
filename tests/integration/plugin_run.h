/* SPDX-License-Identifier: GPL-3.0-or-later */
/* plugin_run: run a built plugin for real and capture what it did. */
#ifndef VM_PLUGIN_RUN_H
#define VM_PLUGIN_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct vm_run {
    int status;      /* exit code, or 128+signal */
    char *out;       /* stdout (owned) */
    char *err;       /* stderr (owned) */
    double seconds;  /* wall time */
};

/* Run $VM_TOP_BUILDDIR/plugins/<plugin> with argv (NULL-terminated, without
 * argv[0]) and extra environment entries "K=V" (NULL-terminated, may be
 * NULL; "K=" alone unsets K). Killed after 60 s (+ 30 x vm_run_slack()). */
void vm_run_plugin(struct vm_run *r, const char *plugin, const char *const *argv,
                   const char *const *env);
void vm_run_free(struct vm_run *r);

/* Extra seconds a timing assertion allows: $VM_TEST_SLACK_S, else 0. Set
 * when the plugins run under a slow wrapper ($VM_PLUGIN_WRAPPER, valgrind),
 * which adds start-up time to every run but does not change what a run
 * does (it still sleeps, or does not). */
double vm_run_slack(void);

/* "--timeout=N" with N = 10 (the default) + per_slack x vm_run_slack(), for
 * runs whose work, not whose deadline, is under test. A static buffer:
 * valid until the next call. */
const char *vm_run_timeout_arg(double per_slack);

/* The in-run interval for a test that compares rates with the test
 * driver's clock within a few percent: base seconds natively, (1 + slack)
 * times that under a slow wrapper, whose scheduling jitter between the two
 * samples would otherwise be a few percent of a short interval. The _arg
 * form is "--interval=S" in a static buffer, valid until the next call. */
double vm_run_interval(double base);
const char *vm_run_interval_arg(double base);

/* True when out says the rates were measured in this run ("measured over
 * S s in this run") over the in-run interval want: S is measured and
 * printed with one decimal, so natively it reads as want itself; under a
 * slow wrapper it may read up to a tenth of the slack more (the second
 * sample's own collection is part of the gap). */
bool vm_run_measured_in_run(const char *out, double want);

/* Path of a fixture as a test-driver URI: "test://" + absolute path. Owned. */
char *vm_fixture_uri(const char *name);

/* The number of lines in s (a last line without '\n' counts). */
size_t vm_count_lines(const char *s);
/* The first line of s as a new string (owned). */
char *vm_first_line(const char *s);

#endif
