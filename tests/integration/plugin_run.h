/* SPDX-License-Identifier: GPL-3.0-or-later */
/* plugin_run: run a built plugin for real and capture what it did. */
#ifndef VM_PLUGIN_RUN_H
#define VM_PLUGIN_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* A NULL-terminated argv or environment list as a compound literal. */
#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

struct vm_run {
    int status;     /* exit code, or 128+signal */
    char *out;      /* stdout (owned) */
    char *err;      /* stderr (owned) */
    double seconds; /* wall time */
};

/* Run $VM_TOP_BUILDDIR/plugins/<plugin> with argv (NULL-terminated, without
 * argv[0]) and extra environment entries "K=V" (NULL-terminated, may be
 * NULL; "K=" alone unsets K). Killed after 60 s (+ 30 x vm_run_slack()). */
void vm_run_plugin(struct vm_run *r, const char *plugin, const char *const *argv,
                   const char *const *env);
/* The same with the plugin's stdout opened on stdout_path (r->out stays
 * empty): "/dev/full" makes every write fail. */
void vm_run_plugin_to(struct vm_run *r, const char *plugin, const char *const *argv,
                      const char *const *env, const char *stdout_path);
void vm_run_free(struct vm_run *r);

/* vm_run_plugin without extra environment, then what every normal run
 * shows, failing the running Check test otherwise: nothing on stderr, and
 * output that ends in a newline. */
void vm_run_clean(struct vm_run *r, const char *plugin, const char *const *argv);

/* vm_run_clean() of plugin with argv, which must exit `status` with an
 * output that holds every text of `has` and none of `lacks` (both
 * NULL-terminated; lacks may be NULL). */
void vm_run_expect(const char *plugin, const char *const *argv, int status, const char *const *has,
                   const char *const *lacks);
/* The same, but *r is the run, for the caller's further checks (and
 * vm_run_free). */
void vm_run_check(struct vm_run *r, const char *plugin, const char *const *argv, int status,
                  const char *const *has, const char *const *lacks);

/* argv for a table-driven case: head (NULL-terminated) followed by tail,
 * up to tail_max entries or its first NULL, in buf[cap], NULL-terminated.
 * Returns buf. */
const char *const *vm_argv_cat(const char **buf, size_t cap, const char *const *head,
                               const char *const *tail, size_t tail_max);

/* One table-driven run: extra arguments (up to 6, NULL-terminated when
 * fewer), the exit status, a text the output must contain and one it must
 * not (NULL: no such text). */
struct vm_run_case {
    const char *args[6];
    int status;
    const char *expect;
    const char *absent;
};

/* Case c (number i, for the messages) of plugin, after the leading
 * arguments head, through vm_run_clean(). */
void vm_run_case_check(const char *plugin, const char *const *head, const struct vm_run_case *c,
                       int i);

/* Bad input: plugin -U test:///default with args (up to 4, NULL-terminated
 * when fewer) exits 3 with one line on stdout, "<NAME> UNKNOWN - ..." that
 * names expect, and nothing on stderr. */
struct vm_bad_case {
    const char *args[4];
    const char *expect;
};
void vm_run_bad_case_check(const char *plugin, const struct vm_bad_case *c, int i);

/* Thresholds: plugin with head, then -w w -c c, exits status and its first
 * line starts "<NAME> <word> - " (VDISK CRITICAL - ) and holds expect (when
 * not NULL). */
struct vm_thr_case {
    const char *w, *c;
    int status;
    const char *word, *expect;
};
void vm_run_thr_case_check(const char *plugin, const char *const *head,
                           const struct vm_thr_case *c);

/* plugin --help exits 3 and prints "Usage: <plugin>" and every text of
 * help (NULL-terminated); plugin -V exits 3 and prints "<plugin> VERSION". */
void vm_run_help_check(const char *plugin, const char *const *help);

/* Check assertions on a plugin's output. */
void vm_assert_has(const char *hay, const char *needle);
void vm_assert_lacks(const char *hay, const char *needle);

/* The value of perfdata entry 'label' on the first line of out; fails the
 * test when there is none. */
double vm_perf_value(const char *out, const char *label);

/* The value of perfdata entry 'label' is want, within +-tol (0.03: 3%). */
void vm_assert_near(const char *out, const char *label, double want, double tol);

/* The integer value of raw counter 'label' on the first line, which must
 * be printed as an integer with UOM c and min 0 ("'l'=123c;;;0"). */
unsigned long long vm_perf_counter(const char *out, const char *label);

/* Microseconds since the epoch: the test driver's counter base. */
unsigned long long vm_now_us(void);

/* Counter label was read between t0 and t1 (from vm_now_us()) and is
 * base/div of the test driver's clock (base in µs, or in s when secs). */
void vm_assert_clock_counter(const char *out, const char *label, unsigned long long t0,
                             unsigned long long t1, unsigned long long div, bool secs);

/* A clean run of plugin with argv exits 0 and its counter label is that
 * of vm_assert_clock_counter(div, secs); its output lacks `lacks` (may be
 * NULL). */
void vm_run_counter_check(const char *plugin, const char *const *argv, const char *label,
                          unsigned long long div, bool secs, const char *lacks);

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
/* Fails the running test unless vm_run_measured_in_run(out, want). */
void vm_assert_in_run(const char *out, double want);

/* plugin with `first`, which measures in-run over vm_run_interval(0.2)
 * and saves its sample, then 0.3 s later with `second`, which must find
 * it: exit 0 within 1 s (+ slack), "since the previous check". *r is the
 * second run, for the caller's further checks (and vm_run_free). */
void vm_run_from_state(struct vm_run *r, const char *plugin, const char *const *first,
                       const char *const *second);

/* Path of a fixture as a test-driver URI: "test://" + absolute path. Owned. */
char *vm_fixture_uri(const char *name);

/* The number of lines in s (a last line without '\n' counts). */
size_t vm_count_lines(const char *s);
/* The first line of s as a new string (owned). */
char *vm_first_line(const char *s);

#endif
