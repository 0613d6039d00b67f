/* SPDX-License-Identifier: GPL-3.0-or-later */
/* plugin_run: run a built plugin for real and capture what it did. */
#include <config.h>

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_run.h"

#define RUN_KILL_AFTER_S 60

static double run_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_append(char **s, size_t *len, const char *data, size_t n)
{
    char *p = realloc(*s, *len + n + 1);

    if (!p)
        abort();
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = '\0';
    *s = p;
}

/* In the child: exec the plugin, or with $VM_PLUGIN_WRAPPER set (e.g.
 * "valgrind --quiet --error-exitcode=99 --leak-check=full") the wrapper's
 * words followed by the plugin's argv, so every plugin run of the suite
 * goes through it. Words are split on spaces; no quoting. */
static void run_exec(const char *path, const char **args)
{
    const char *wrapper = getenv("VM_PLUGIN_WRAPPER");
    char *words, *w, *save = NULL;
    const char **full;
    size_t nw = 0, na = 0, i;

    if (!wrapper || !*wrapper) {
        execv(path, (char *const *)args);
        return;
    }
    words = strdup(wrapper);
    while (args[na])
        na++;
    full = calloc(strlen(wrapper) + na + 2, sizeof(*full));
    if (!words || !full)
        return;
    for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        full[nw++] = w;
    for (i = 0; i < na; i++)
        full[nw + i] = args[i];
    full[nw + na] = NULL;
    execvp(full[0], (char *const *)full);
}

double vm_run_slack(void)
{
    const char *s = getenv("VM_TEST_SLACK_S");

    return s && *s ? atof(s) : 0.0;
}

double vm_run_interval(double base)
{
    return base * (1 + vm_run_slack());
}

const char *vm_run_interval_arg(double base)
{
    static char arg[64];

    snprintf(arg, sizeof(arg), "--interval=%g", vm_run_interval(base));
    return arg;
}

bool vm_run_measured_in_run(const char *out, double want)
{
    const char *m = strstr(out, "measured over ");
    char *end;
    double s;

    if (!m)
        return false;
    s = strtod(m + strlen("measured over "), &end);
    return strncmp(end, " s in this run", 14) == 0 && s >= want - 1e-9 &&
           s < want + 0.05 + vm_run_slack() / 10;
}

void vm_assert_in_run(const char *out, double want)
{
    ck_assert_msg(vm_run_measured_in_run(out, want), "not measured over %g s:\n%s", want, out);
}

void vm_run_from_state(struct vm_run *r, const char *plugin, const char *const *first,
                       const char *const *second)
{
    vm_run_clean(r, plugin, first);
    ck_assert_int_eq(r->status, 0);
    vm_assert_in_run(r->out, vm_run_interval(0.2));
    vm_run_free(r);
    usleep(300000);
    vm_run_clean(r, plugin, second);
    ck_assert_int_eq(r->status, 0);
    ck_assert_msg(r->seconds < 1.0 + vm_run_slack(), "second run took %.2f s", r->seconds);
    vm_assert_has(r->out, "since the previous check");
}

const char *vm_run_timeout_arg(double per_slack)
{
    static char arg[64];

    snprintf(arg, sizeof(arg), "--timeout=%d", 10 + (int)(per_slack * vm_run_slack()));
    return arg;
}

void vm_run_plugin(struct vm_run *r, const char *plugin, const char *const *argv,
                   const char *const *env)
{
    vm_run_plugin_to(r, plugin, argv, env, NULL);
}

void vm_run_plugin_to(struct vm_run *r, const char *plugin, const char *const *argv,
                      const char *const *env, const char *stdout_path)
{
    const char *top = getenv("VM_TOP_BUILDDIR");
    char path[4096];
    int out[2], err[2];
    size_t nargs = 0, outlen = 0, errlen = 0, i;
    const char **args;
    double start, deadline;
    pid_t pid;
    int st = 0;

    memset(r, 0, sizeof(*r));
    snprintf(path, sizeof(path), "%s/plugins/%s", top ? top : ".", plugin);
    while (argv && argv[nargs])
        nargs++;
    args = calloc(nargs + 2, sizeof(*args));
    if (!args || pipe(out) < 0 || pipe(err) < 0)
        abort();
    args[0] = path;
    for (i = 0; i < nargs; i++)
        args[i + 1] = argv[i];
    start = run_now();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        int fd = stdout_path ? open(stdout_path, O_WRONLY | O_CLOEXEC) : out[1];

        if (fd < 0)
            _exit(126);
        dup2(fd, STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(out[0]);
        close(err[0]);
        close(out[1]);
        close(err[1]);
        setenv("VM_TEST_REFCHECK", "1", 1); /* common.c: leaked libvirt references on stderr */
        for (i = 0; env && env[i]; i++) {
            const char *eq = strchr(env[i], '=');

            if (eq && eq[1] == '\0') {
                char key[256];

                snprintf(key, sizeof(key), "%.*s", (int)(eq - env[i]), env[i]);
                unsetenv(key);
            } else {
                putenv((char *)env[i]);
            }
        }
        run_exec(path, args);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    deadline = start + RUN_KILL_AFTER_S + 30 * vm_run_slack();
    {
        struct pollfd pfd[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        char **dst[2] = {&r->out, &r->err};
        size_t *len[2] = {&outlen, &errlen};

        while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
            char buf[8192];

            if (run_now() > deadline) {
                kill(pid, SIGKILL);
                break;
            }
            if (poll(pfd, 2, 200) <= 0)
                continue;
            for (i = 0; i < 2; i++) {
                ssize_t n;

                if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                n = read(pfd[i].fd, buf, sizeof(buf));
                if (n > 0) {
                    run_append(dst[i], len[i], buf, (size_t)n);
                } else if (n == 0 || errno != EINTR) {
                    close(pfd[i].fd);
                    pfd[i].fd = -1; /* poll ignores negative fds */
                }
            }
        }
        for (i = 0; i < 2; i++)
            if (pfd[i].fd >= 0)
                close(pfd[i].fd);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->seconds = run_now() - start;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    free(args);
}

void vm_run_free(struct vm_run *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

char *vm_fixture_uri(const char *name)
{
    const char *top = getenv("VM_TOP_SRCDIR");
    char *uri = NULL;

    if (asprintf(&uri, "test://%s/tests/fixtures/%s", top ? top : ".", name) < 0)
        abort();
    return uri;
}

size_t vm_count_lines(const char *s)
{
    size_t n = 0;

    for (const char *p = s; *p; p++)
        if (*p == '\n' || p[1] == '\0')
            n++;
    return n;
}

char *vm_first_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    char *l = malloc(n + 1);

    if (!l)
        abort();
    memcpy(l, s, n);
    l[n] = '\0';
    return l;
}

void vm_run_clean(struct vm_run *r, const char *plugin, const char *const *argv)
{
    vm_run_plugin(r, plugin, argv, NULL);
    ck_assert_msg(r->err[0] == '\0', "stderr not empty: %s", r->err);
    ck_assert_msg(r->out[0] && r->out[strlen(r->out) - 1] == '\n', "output: '%s'", r->out);
}

void vm_run_help_check(const char *plugin, const char *const *help)
{
    struct vm_run r;
    char want[128];

    vm_run_clean(&r, plugin, ARGV("--help"));
    ck_assert_int_eq(r.status, 3);
    snprintf(want, sizeof(want), "Usage: %s", plugin);
    vm_assert_has(r.out, want);
    for (; *help; help++)
        vm_assert_has(r.out, *help);
    vm_run_free(&r);
    vm_run_clean(&r, plugin, ARGV("-V"));
    ck_assert_int_eq(r.status, 3);
    snprintf(want, sizeof(want), "%s " PACKAGE_VERSION, plugin);
    vm_assert_has(r.out, want);
    vm_run_free(&r);
}

void vm_run_check(struct vm_run *r, const char *plugin, const char *const *argv, int status,
                  const char *const *has, const char *const *lacks)
{
    vm_run_clean(r, plugin, argv);
    ck_assert_msg(r->status == status, "exit %d, not %d: %s", r->status, status, r->out);
    for (; *has; has++)
        vm_assert_has(r->out, *has);
    for (; lacks && *lacks; lacks++)
        vm_assert_lacks(r->out, *lacks);
}

void vm_run_expect(const char *plugin, const char *const *argv, int status, const char *const *has,
                   const char *const *lacks)
{
    struct vm_run r;

    vm_run_check(&r, plugin, argv, status, has, lacks);
    vm_run_free(&r);
}

const char *const *vm_argv_cat(const char **buf, size_t cap, const char *const *head,
                               const char *const *tail, size_t tail_max)
{
    size_t n = 0;

    for (; *head; head++) {
        ck_assert_uint_lt(n, cap - 1);
        buf[n++] = *head;
    }
    for (size_t i = 0; i < tail_max && tail[i]; i++) {
        ck_assert_uint_lt(n, cap - 1);
        buf[n++] = tail[i];
    }
    buf[n] = NULL;
    return buf;
}

void vm_run_case_check(const char *plugin, const char *const *head, const struct vm_run_case *c,
                       int i)
{
    const char *argv[16];
    struct vm_run r;

    vm_run_clean(&r, plugin, vm_argv_cat(argv, 16, head, c->args, 6));
    ck_assert_msg(r.status == c->status, "case %d: exit %d: %s", i, r.status, r.out);
    vm_assert_has(r.out, c->expect);
    if (c->absent)
        vm_assert_lacks(r.out, c->absent);
    vm_run_free(&r);
}

/* "<NAME> <word> - " of plugin: check_vdisk, CRITICAL: "VDISK CRITICAL - ". */
static void run_prefix(char *buf, size_t size, const char *plugin, const char *word)
{
    size_t n = 0;

    for (const char *p = plugin + strlen("check_"); *p && n < 16; p++)
        buf[n++] = (char)toupper((unsigned char)*p);
    snprintf(buf + n, size - n, " %s - ", word);
}

void vm_run_thr_case_check(const char *plugin, const char *const *head, const struct vm_thr_case *c)
{
    const char *argv[16], *tail[] = {"-w", c->w, "-c", c->c};
    char prefix[64];
    struct vm_run r;

    vm_run_clean(&r, plugin, vm_argv_cat(argv, 16, head, tail, 4));
    ck_assert_msg(r.status == c->status, "-w %s -c %s: exit %d, output %s", c->w, c->c, r.status,
                  r.out);
    run_prefix(prefix, sizeof(prefix), plugin, c->word);
    ck_assert_msg(strncmp(r.out, prefix, strlen(prefix)) == 0, "%s", r.out);
    if (c->expect)
        vm_assert_has(r.out, c->expect);
    vm_run_free(&r);
}

void vm_run_bad_case_check(const char *plugin, const struct vm_bad_case *c, int i)
{
    const char *argv[8];
    char prefix[64];
    struct vm_run r;

    run_prefix(prefix, sizeof(prefix), plugin, "UNKNOWN");
    vm_run_clean(&r, plugin, vm_argv_cat(argv, 8, ARGV("-U", "test:///default"), c->args, 4));
    ck_assert_msg(r.status == 3, "case %d: exit %d: %s", i, r.status, r.out);
    ck_assert_msg(strncmp(r.out, prefix, strlen(prefix)) == 0, "case %d: %s", i, r.out);
    ck_assert_msg(vm_count_lines(r.out) == 1, "case %d: not one line: %s", i, r.out);
    vm_assert_has(r.out, c->expect);
    vm_run_free(&r);
}

void vm_assert_has(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) != NULL, "'%s' not found in:\n%s", needle, hay);
}

void vm_assert_lacks(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) == NULL, "'%s' found in:\n%s", needle, hay);
}

/* Where the value of perfdata entry 'label' starts on the first line (a
 * copy of it, owned, in *first); fails the test when there is none. */
static const char *perf_find(const char *out, const char *label, char **first)
{
    char key[256];
    const char *p;

    *first = vm_first_line(out);
    snprintf(key, sizeof(key), "'%s'=", label);
    p = strstr(*first, key);
    ck_assert_msg(p != NULL, "no perfdata %s in:\n%s", key, out);
    return p + strlen(key);
}

double vm_perf_value(const char *out, const char *label)
{
    char *first;
    double v = strtod(perf_find(out, label, &first), NULL);

    free(first);
    return v;
}

void vm_assert_near(const char *out, const char *label, double want, double tol)
{
    double v = vm_perf_value(out, label);

    ck_assert_msg(v >= want * (1 - tol) && v <= want * (1 + tol), "%s = %f, want %f +- %.0f%%:\n%s",
                  label, v, want, tol * 100, out);
}

unsigned long long vm_perf_counter(const char *out, const char *label)
{
    char *first, *end;
    const char *p = perf_find(out, label, &first);
    unsigned long long v;

    ck_assert_msg(*p >= '0' && *p <= '9', "'%s'= not a number:\n%s", label, out);
    v = strtoull(p, &end, 10);
    ck_assert_msg(strncmp(end, "c;;;0", 5) == 0 && (end[5] == ' ' || end[5] == '\0'),
                  "'%s'=: not an integer counter 'Nc;;;0':\n%s", label, out);
    free(first);
    return v;
}

unsigned long long vm_now_us(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (unsigned long long)tv.tv_sec * 1000000ULL + (unsigned long long)tv.tv_usec;
}

void vm_assert_clock_counter(const char *out, const char *label, unsigned long long t0,
                             unsigned long long t1, unsigned long long div, bool secs)
{
    unsigned long long c = vm_perf_counter(out, label);
    unsigned long long lo = (secs ? t0 / 1000000ULL : t0) / div;
    unsigned long long hi = (secs ? t1 / 1000000ULL : t1) / div;

    ck_assert_msg(c >= lo && c <= hi, "%s = %llu, want %llu..%llu:\n%s", label, c, lo, hi, out);
}

void vm_run_counter_check(const char *plugin, const char *const *argv, const char *label,
                          unsigned long long div, bool secs, const char *lacks)
{
    struct vm_run r;
    unsigned long long t0, t1;

    t0 = vm_now_us();
    vm_run_clean(&r, plugin, argv);
    t1 = vm_now_us();
    ck_assert_int_eq(r.status, 0);
    vm_assert_clock_counter(r.out, label, t0, t1, div, secs);
    if (lacks)
        vm_assert_lacks(r.out, lacks);
    vm_run_free(&r);
}
