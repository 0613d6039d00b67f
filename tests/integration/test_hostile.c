/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile input: names with every character libvirt allows, broken
 * thresholds, garbage URIs, absurd counters. Whatever comes in, each plugin
 * must answer with a known exit code, a clean first line (perfdata that a
 * parser reads back entry by entry), one line per item after it, and
 * nothing on stderr. */
#include <config.h>

#include <ctype.h>

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"
#include "state.h"

#define N(a) (sizeof(a) / sizeof(a[0]))

/* Same names, same order as tests/fixtures/hostile.xml. */
#define LONG_NAME "L" X100 X100 X100 X100 X100 X100 X100 X100 X100 X100
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
static const char *const names[] = {
    "web|01 'x'=y \xc3\xbcmlaut",
    "a;b=c d\"e",
    "'quoted'",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-\xe4\xbb\xae\xe6\x83\xb3\xf0\x9f\xa6\x86",
    "-w",
    "%s%n%x%p",
    "a::b",
    "$(touch pwned)`id`\\",
    "tab\there",
    "nl\nhere",
    "cr\rhere",
    LONG_NAME,
    "trailing ",
    " leading",
    "=",
    "|",
    "'",
    "@10:20",
    "~:~",
};
#define NNAMES N(names)

struct plugin {
    const char *name;
    const char *service;
    const char *const *opts; /* what makes a run quick and deterministic */
};

static const struct plugin plugins[] = {
    {"check_vmem", "VMEM", (const char *const[]){"--max-age=0", NULL}},
    {"check_vcpu", "VCPU", (const char *const[]){"--no-state", "--interval=0.05", NULL}},
    {"check_vdisk", "VDISK", (const char *const[]){"--no-state", "--interval=0.05", NULL}},
    {"check_vnet", "VNET", (const char *const[]){"--no-state", "--interval=0.05", NULL}},
};

static char *fixture;

static void setup(void)
{
    fixture = vm_fixture_uri("hostile.xml");
}

static void teardown(void)
{
    free(fixture);
}

/* Run p with its quick options, then `args`. */
static void run(struct vm_run *r, const struct plugin *p, const char *const *args,
                const char *const *env)
{
    const char *argv[32];
    size_t n = 0;

    /* the quick options first: an option at the end may lack its value */
    for (size_t i = 0; p->opts[i]; i++)
        argv[n++] = p->opts[i];
    argv[n++] = vm_run_timeout_arg(10); /* a later -t wins */
    for (size_t i = 0; args && args[i] && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    vm_run_plugin(r, p->name, argv, env);
}

/* One perfdata value or threshold field: plain decimal, never exponent. */
static bool perf_number_ok(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (n == 1 && s[0] == 'U')
        return true;
    if (i < n && s[i] == '-')
        i++;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); i++)
        digits += s[i] != '.';
    return digits > 0 && i == n;
}

/* Check the perfdata part of a first line, entry by entry, the way a
 * strict reader (Icinga 2) would: 'label'=value[UOM][;warn[;crit[;min[;max]]]],
 * entries separated by one space. Returns the number of entries; labels
 * are collected into `labels` (newline-joined) to find duplicates. */
static size_t check_perfdata(const char *pd, char *labels, size_t labsize)
{
    static const char *const uoms[] = {"", "%", "B", "s", "ms", "c"};
    size_t count = 0;
    const char *p = pd;

    labels[0] = '\0';
    while (*p) {
        const char *q, *v, *u;
        size_t i;
        bool uom_ok = false;
        char lab[2048];

        ck_assert_msg(*p == '\'', "entry does not start with a quote: '%s'", p);
        q = strchr(p + 1, '\'');
        ck_assert_msg(q && q > p + 1, "unterminated or empty label: '%s'", p);
        ck_assert_msg((size_t)(q - p - 1) < sizeof(lab), "label too long");
        memcpy(lab, p + 1, (size_t)(q - p - 1));
        lab[q - p - 1] = '\0';
        /* ASCII only from the label's own set and escapes; names' UTF-8
         * stays (vm_perf_label) */
        for (i = 0; lab[i]; i++)
            ck_assert_msg((unsigned char)lab[i] >= 0x80 || isalnum((unsigned char)lab[i]) ||
                              strchr("_.+@-:%", lab[i]),
                          "bad byte 0x%02x in label '%s'", (unsigned char)lab[i], lab);
        ck_assert_msg(strstr(lab, "::") == NULL, "'::' in label '%s'", lab);
        /* no duplicate labels: a grapher would merge two series */
        {
            char needle[2100];

            snprintf(needle, sizeof(needle), "\n%s\n", lab);
            ck_assert_msg(strstr(labels, needle) == NULL, "duplicate label '%s'", lab);
            if (strlen(labels) + strlen(lab) + 3 < labsize) {
                if (!labels[0])
                    strcat(labels, "\n");
                strcat(labels, lab);
                strcat(labels, "\n");
            }
        }
        ck_assert_msg(q[1] == '=', "no '=' after label '%s'", lab);
        v = q + 2;
        u = v + strspn(v, "-0123456789.U");
        ck_assert_msg(perf_number_ok(v, (size_t)(u - v)), "bad value in '%s'", p);
        q = u + strcspn(u, "; ");
        for (i = 0; i < N(uoms); i++)
            uom_ok |= strlen(uoms[i]) == (size_t)(q - u) &&
                      strncmp(u, uoms[i], (size_t)(q - u)) == 0;
        ck_assert_msg(uom_ok, "bad UOM in '%s'", p);
        while (*q == ';') {
            const char *f = q + 1;

            q = f + strspn(f, "-0123456789.:~@");
            ck_assert_msg(*q == ';' || *q == ' ' || *q == '\0', "bad threshold field in '%s'", p);
        }
        count++;
        if (*q == ' ') {
            ck_assert_msg(q[1] && q[1] != ' ', "stray space in perfdata: '%s'", pd);
            q++;
        }
        p = q;
    }
    return count;
}

/* The contract for every run: a known exit code matching the first line's
 * state word, nothing on stderr, at most one '|' (on the first line), a
 * valid perfdata part, `lines` output lines when given (else any). */
static void check_clean(const struct vm_run *r, const struct plugin *p, long lines)
{
    static const char *const states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    char head[64], labels[65536];
    char *first;
    const char *bar;

    ck_assert_msg(r->err[0] == '\0', "%s: stderr not empty: %s", p->name, r->err);
    ck_assert_msg(r->status >= 0 && r->status <= 3, "%s: exit %d, output: %s", p->name, r->status,
                  r->out);
    ck_assert_msg(r->out[0] && r->out[strlen(r->out) - 1] == '\n', "%s: output: '%s'", p->name,
                  r->out);
    first = vm_first_line(r->out);
    snprintf(head, sizeof(head), "%s %s - ", p->service, states[r->status]);
    ck_assert_msg(strncmp(first, head, strlen(head)) == 0, "first line '%s' does not start '%s'",
                  first, head);
    for (const char *c = r->out; *c; c++)
        ck_assert_msg((unsigned char)*c >= ' ' || *c == '\n', "control byte 0x%02x in output",
                      (unsigned char)*c);
    bar = strchr(first, '|');
    if (bar) {
        ck_assert_msg(strchr(bar + 1, '|') == NULL, "two '|' on the first line: %s", first);
        ck_assert_msg(bar[1] == ' ' && bar[-1] == ' ', "'|' not surrounded by spaces: %s", first);
        ck_assert_uint_gt(check_perfdata(bar + 2, labels, sizeof(labels)), 0);
    }
    ck_assert_msg(strchr(r->out + strlen(first), '|') == NULL, "'|' after the first line:\n%s",
                  r->out);
    if (lines >= 0)
        ck_assert_msg(vm_count_lines(r->out) == (size_t)lines, "%s: %zu lines, not %ld:\n%s",
                      p->name, vm_count_lines(r->out), lines, r->out);
    free(first);
}

/* The name as the summary must show it: '|' as U+00A6 '¦' (never '/'),
 * control bytes as ' '. */
static char *cleaned(const char *name)
{
    char *s = malloc(2 * strlen(name) + 1), *o = s;

    ck_assert_ptr_nonnull(s);
    for (const char *c = name; *c; c++) {
        if (*c == '|') {
            *o++ = '\xc2';
            *o++ = '\xa6';
        } else {
            *o++ = (unsigned char)*c < ' ' || *c == 0x7f ? ' ' : *c;
        }
    }
    *o = '\0';
    return s;
}

/* ---- names ---------------------------------------------------------- */

/* The domain part of the first perfdata label (up to its first ':'), its
 * %XX escapes undone: vm_perf_label's mapping read backwards. */
static char *label_domain(const char *first)
{
    const char *l = strstr(first, "| '"), *end;
    char *out, *o;

    ck_assert_ptr_nonnull(l);
    l += 3;
    end = l + strcspn(l, ":'");
    out = o = calloc(1, (size_t)(end - l) + 1);
    ck_assert_ptr_nonnull(out);
    for (; l < end; l++) {
        unsigned v;

        if (*l == '%') {
            ck_assert_int_eq(sscanf(l + 1, "%2X", &v), 1);
            *o++ = (char)v;
            l += 2;
        } else {
            *o++ = *l;
        }
    }
    return out;
}

/* Every domain at once: one line per domain (or device) after the
 * summary, labels unique although several names sanitise alike. */
START_TEST(all_domains)
{
    const struct plugin *p = &plugins[_i];
    struct vm_run r;

    run(&r, p, ARGV("-U", fixture, "-a"), NULL);
    ck_assert_msg(r.status == 0, "%s: exit %d:\n%s", p->name, r.status, r.out);
    check_clean(&r, p, 1 + (long)NNAMES);
    vm_run_free(&r);
}
END_TEST

/* Each domain by name (--domain=NAME, as "-d -w" would also work): the
 * summary names it, cleaned, and the long output has exactly one line. */
START_TEST(one_domain)
{
    const char *name = names[_i];
    char *want = cleaned(name);
    char *arg;

    ck_assert_int_ge(asprintf(&arg, "--domain=%s", name), 0);
    for (size_t k = 0; k < N(plugins); k++) {
        const struct plugin *p = &plugins[k];
        struct vm_run r;
        char *first;

        run(&r, p, ARGV("-U", fixture, arg), NULL);
        ck_assert_msg(r.status == 0, "%s '%s': exit %d:\n%s", p->name, name, r.status, r.out);
        check_clean(&r, p, 2);
        first = vm_first_line(r.out);
        ck_assert_msg(strstr(first, want) != NULL, "%s: '%s' not in '%s'", p->name, want, first);
        {
            /* the label names exactly this domain: nothing was lost */
            char *dom = label_domain(first);

            ck_assert_msg(strcmp(dom, name) == 0, "%s: label domain '%s' for '%s'", p->name, dom,
                          name);
            free(dom);
        }
        free(first);
        vm_run_free(&r);
    }
    free(arg);
    free(want);
}
END_TEST

/* "-d -w": getopt takes the next word as -d's value, whatever it looks like. */
START_TEST(option_like_name)
{
    struct vm_run r;

    run(&r, &plugins[0], ARGV("-U", fixture, "-d", "-w", "-w", "99"), NULL);
    ck_assert_int_eq(r.status, 0);
    check_clean(&r, &plugins[0], 2);
    ck_assert_ptr_nonnull(strstr(r.out, "VMEM OK - -w: "));
    vm_run_free(&r);
}
END_TEST

/* A regex over hostile names: --include with UTF-8 and metacharacters. */
START_TEST(include_regex)
{
    struct vm_run r;

    run(&r, &plugins[0], ARGV("-U", fixture, "--include", "^(\xe6\x97\xa5|'|=)"), NULL);
    ck_assert_int_eq(r.status, 0);
    check_clean(&r, &plugins[0], 1 + 4); /* 日本語..., 'quoted', ', = */
    vm_run_free(&r);
}
END_TEST

/* --include/--exclude match characters, not bytes, in the locale NRPE and
 * Icinga give (LC_ALL=C, or none at all): '.' is one whole character and
 * [[:alpha:]] knows "ü". */
START_TEST(include_utf8_any_locale)
{
    static const char *const envs[][5] = {
        {"LC_ALL=C", NULL},
        {"LC_ALL=", "LC_CTYPE=", "LANG=", "LANGUAGE=", NULL},
        {"LC_ALL=C.UTF-8", NULL},
    };
    struct vm_run r;

    for (size_t e = 0; e < N(envs); e++) {
        run(&r, &plugins[0],
            ARGV("-U", fixture, "--include",
                 "^\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-\xe4\xbb\xae\xe6\x83\xb3.$"),
            envs[e]);
        ck_assert_int_eq(r.status, 0);
        check_clean(&r, &plugins[0], 1 + 1);
        vm_assert_has(r.out, "VMEM OK - \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-");
        vm_run_free(&r);
        run(&r, &plugins[0], ARGV("-U", fixture, "--include", " [[:alpha:]]mlaut$"), envs[e]);
        ck_assert_int_eq(r.status, 0);
        check_clean(&r, &plugins[0], 1 + 1);
        vm_assert_has(r.out, "mlaut: ");
        vm_run_free(&r);
        /* 7 characters (20 bytes), like "nl\nhere" and "cr\rhere" */
        run(&r, &plugins[0], ARGV("-U", fixture, "--exclude", "^.{7}$"), envs[e]);
        ck_assert_int_eq(r.status, 0);
        check_clean(&r, &plugins[0], 1 + (long)NNAMES - 3);
        vm_assert_lacks(r.out, "\xe6\x97\xa5");
        vm_run_free(&r);
    }
}
END_TEST

/* glibc's regcomp needs seconds, or gigabytes, for some patterns: the size
 * is refused at once, the time is cut by -t like any other step. Before
 * this, each pattern here ran 11 s or more whatever -t said. */
START_TEST(regex_cost_bounded)
{
    static const char *const slow[] = {
        "^(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*"
        "(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*(c*)*l",
        "^-a^c**************************************************************************"
        "*******************************************************l",
    };
    struct vm_run r;

    run(&r, &plugins[0], ARGV("-U", fixture, "--include", "a{255}{255}{255}"), NULL);
    ck_assert_int_eq(r.status, 3);
    ck_assert_ptr_nonnull(strstr(r.out, "regex 'a{255}{255}{255}': too large"));
    ck_assert_msg(r.seconds < 1 + vm_run_slack(), "refused after %.2f s", r.seconds);
    check_clean(&r, &plugins[0], 1);
    vm_run_free(&r);
    for (size_t i = 0; i < N(slow); i++) {
        run(&r, &plugins[0], ARGV("-U", fixture, "--include", slow[i], "-t", "2"), NULL);
        ck_assert_msg(r.status == 3 && strstr(r.out, "timed out after 2 s"), "exit %d: %s",
                      r.status, r.out);
        ck_assert_msg(r.seconds < 3 + vm_run_slack(), "-t 2 ended after %.2f s", r.seconds);
        check_clean(&r, &plugins[0], 1);
        vm_run_free(&r);
    }
}
END_TEST

/* ---- thresholds and options --------------------------------------- */

struct bad_arg {
    const char *args[4];
    int status; /* expected exit code */
};

/* -U test:///default -d test and the arguments of b, in buf[12]. */
static const char *const *bad_argv(const char **buf, const struct bad_arg *b)
{
    return vm_argv_cat(buf, 12, ARGV("-U", "test:///default", "-d", "test"), b->args, 4);
}

static const struct bad_arg bad_args[] = {
    {{"-w", "1e309"}, 3},
    {{"-w", "-1e309:"}, 3},
    {{"-w", "nan"}, 3},
    {{"-w", "inf"}, 3},
    {{"-w", "-inf:"}, 3},
    {{"-w", "--"}, 3},
    {{"-w", ""}, 3},
    {{"-w", "@"}, 3},
    {{"-w", "~:~"}, 3},
    {{"-w", ":"}, 3},
    {{"-w", "10:5"}, 3},
    {{"-w", "0x10"}, 3},
    {{"-w", "1,5"}, 3},
    {{"-w", " 10"}, 3},
    {{"-w", "10 "}, 3},
    {{"-w", "used="}, 3},
    {{"-w", "=10"}, 3},
    {{"-w", "nosuchmetric=10"}, 3},
    {{"-w", "10KB"}, 3},
    {{"-w", "10%%"}, 3},
    {{"-w", "1e-400"}, 3},
    {{"-c", "99999999999999999999999999999999:"}, 2}, /* valid: 1e32 and up is critical */
    {{"-w", "99999999999999999999999999999999"}, 0},  /* valid: 0..1e32, 50% is inside */
    {{"-w", "~:18446744073709551616"}, 0},
    {{"-w", "@-1e300:1e300"}, 1},
    {{"-t", "99999999999999999999"}, 3},
    {{"-t", "-1"}, 3},
    {{"-t", "0"}, 3},
    {{"--max-output", "18446744073709551617"}, 3},
    {{"--max-output", "127"}, 3},
    {{"--max-age", "nan"}, 3},
    {{"--missing", "%s%n"}, 3},
    {{"--shutoff", ""}, 3},
    {{"-U", ""}, 3},
    {{"--include", "(("}, 3},
    {{"--include", "\xff\xfe"}, 3}, /* -d and --include together */
    {{"-x"}, 3},
    {{"--domain"}, 3},
    {{"stray"}, 3},
};

START_TEST(bad_thresholds)
{
    const struct bad_arg *b = &bad_args[_i];
    const char *argv[12];
    struct vm_run r;

    run(&r, &plugins[0], bad_argv(argv, b), NULL);
    ck_assert_msg(r.status == b->status, "%s %s: exit %d, not %d:\n%s", b->args[0],
                  b->args[1] ? b->args[1] : "", r.status, b->status, r.out);
    check_clean(&r, &plugins[0], b->status == 3 ? 1 : 2);
    vm_run_free(&r);
}
END_TEST

/* The rate plugins' own numbers. */
static const struct bad_arg bad_rate_args[] = {
    {{"--interval", "nan"}, 3},      {{"--interval", "1e309"}, 3},    {{"--interval", "0"}, 3},
    {{"--interval", "-1"}, 3},       {{"--interval", "20"}, 3}, /* not below the 10 s timeout */
    {{"--max-state-age", "inf"}, 3}, {{"--max-state-age", "0.5"}, 3}, {{"--state-dir", ""}, 3},
};

START_TEST(bad_rate_options)
{
    const struct bad_arg *b = &bad_rate_args[_i];

    for (size_t k = 1; k < N(plugins); k++) {
        const char *argv[12];
        struct vm_run r;

        /* without the quick options */
        vm_run_plugin(&r, plugins[k].name, bad_argv(argv, b), NULL);
        ck_assert_msg(r.status == 3, "%s %s %s: exit %d:\n%s", plugins[k].name, b->args[0],
                      b->args[1], r.status, r.out);
        check_clean(&r, &plugins[k], 1);
        vm_run_free(&r);
    }
}
END_TEST

/* ---- URIs ---------------------------------------------------------- */

static const char *const bad_uris[] = {
    "garbage",
    "::::",
    "test:///nonexistent/file.xml",
    "test:///%00",
    "test:///etc/passwd",
    "test:///dev/zero",
    "xyzzy+unix:///nowhere",
    "test+tcp://127.0.0.1:1/default",
    "\xff\xfe\x01\x02",
    "test:///default\n|'x'=1",
};

/* From LIBVIRT_DEFAULT_URI (and the same with -U): UNKNOWN, one line. */
START_TEST(garbage_uri)
{
    const char *uri = bad_uris[_i];
    char *env;
    struct vm_run r;

    ck_assert_int_ge(asprintf(&env, "LIBVIRT_DEFAULT_URI=%s", uri), 0);
    for (size_t k = 0; k < N(plugins); k++) {
        run(&r, &plugins[k], ARGV("-d", "test", "-t", "5"), ARGV(env));
        ck_assert_msg(r.status == 3, "%s with '%s': exit %d:\n%s", plugins[k].name, uri, r.status,
                      r.out);
        check_clean(&r, &plugins[k], 1);
        vm_run_free(&r);
        run(&r, &plugins[k], ARGV("-U", uri, "-d", "test", "-t", "5"), NULL);
        ck_assert_int_eq(r.status, 3);
        check_clean(&r, &plugins[k], 1);
        vm_run_free(&r);
    }
    free(env);
}
END_TEST

/* A URI of 64 KiB. */
START_TEST(huge_uri)
{
    size_t n = 65536;
    char *uri = malloc(n + 1);
    struct vm_run r;

    ck_assert_ptr_nonnull(uri);
    memcpy(uri, "test:///", 8);
    memset(uri + 8, 'a', n - 8);
    uri[n] = '\0';
    run(&r, &plugins[0], ARGV("-U", uri, "-d", "test"), NULL);
    ck_assert_int_eq(r.status, 3);
    check_clean(&r, &plugins[0], 1);
    ck_assert_uint_lt(strlen(r.out), 2048); /* the message does not echo 64 KiB */
    vm_run_free(&r);
    free(uri);
}
END_TEST

/* ---- absurd counters, through a crafted previous sample ------------- */

static char statedir[] = "/tmp/vm-hostile-XXXXXX";

static void state_setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(statedir));
}

static void state_teardown(void)
{
    if (vm_fs_rm_rf(statedir) != 0)
        fprintf(stderr, "could not remove %s\n", statedir);
    strcpy(statedir, "/tmp/vm-hostile-XXXXXX");
}

/* The one *.state file in statedir (owned path). */
static char *state_file(void)
{
    DIR *d = opendir(statedir);
    struct dirent *e;
    char *path = NULL;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);

        if (n > 6 && strcmp(e->d_name + n - 6, ".state") == 0) {
            ck_assert_msg(path == NULL, "more than one state file");
            ck_assert_int_ge(asprintf(&path, "%s/%s", statedir, e->d_name), 0);
        }
    }
    closedir(d);
    ck_assert_msg(path != NULL, "no state file in %s", statedir);
    return path;
}

enum craft { CRAFT_MAX, CRAFT_ZERO, CRAFT_DOWN_ONE };

static void set_all(uint64_t *v, uint32_t have, size_t n, enum craft how, size_t skip_from)
{
    for (size_t f = 0; f < n && f < skip_from; f++) {
        if (!((have >> f) & 1u))
            continue;
        if (how == CRAFT_MAX)
            v[f] = UINT64_MAX;
        else if (how == CRAFT_ZERO)
            v[f] = 0;
        else
            v[f] = v[f] + 1000000000000ULL; /* ahead of now: the counter "went down" */
    }
}

/* Rewrite the saved sample's counters (and keep it valid otherwise: same
 * plugin, URI, boot, a correct checksum), as if libvirt had returned them. */
static void craft_state(const char *plugin, const char *uri, enum craft how)
{
    char *path = state_file();
    struct vm_state_meta m;
    struct vm_state_ring ring;
    const struct vm_snapshot *snaps[VM_STATE_RING_MAX];
    struct vm_buf text = VM_BUF_INIT, out = VM_BUF_INIT;
    const char *why = NULL;
    char buf[8192];
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        vm_buf_append_len(&text, buf, (size_t)n);
    close(fd);
    vm_state_meta_init(&m, plugin, uri);
    ck_assert_int_eq(vm_statefile_parse(text.s, text.len, &m, &ring, &why, NULL), 1);
    ck_assert_uint_eq(ring.n, 1);
    for (size_t i = 0; i < ring.snap[0].n; i++) {
        struct vm_dom_stats *d = &ring.snap[0].dom[i];

        set_all(d->cpu.v, d->cpu.have, VM_CPU_NR, how, VM_CPU_NR);
        for (size_t k = 0; k < d->nvcpu; k++)
            set_all(d->vcpu[k].v, d->vcpu[k].have, VM_VCPU_NR, how, VM_VCPU_NR);
        for (size_t k = 0; k < d->nblock; k++) /* not the sizes (gauges) */
            set_all(d->block[k].v, d->block[k].have, VM_BLK_NR, how, VM_BLK_ALLOCATION);
        for (size_t k = 0; k < d->nnet; k++)
            set_all(d->net[k].v, d->net[k].have, VM_NET_NR, how, VM_NET_NR);
    }
    snaps[0] = &ring.snap[0];
    vm_statefile_format(snaps, 1, &m, &out);
    ck_assert(!out.oom);
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, out.s, out.len), (ssize_t)out.len);
    close(fd);
    vm_state_ring_clear(&ring);
    vm_buf_clear(&text);
    vm_buf_clear(&out);
    free(path);
}

/* No number on the first line may be absurd: every perfdata value of a
 * rate plugin against the test driver stays far below 1e15 (rates) except
 * the raw cpu_time counter ('c'). */
static void check_no_absurd(const char *out)
{
    char *first = vm_first_line(out);
    const char *p = strchr(first, '|');

    for (p = p ? p : ""; (p = strstr(p, "'=")) != NULL; p += 2) {
        double v = strtod(p + 2, NULL);
        const char *u = p + 2 + strspn(p + 2, "-0123456789.");

        if (*u == 'c')
            continue;
        ck_assert_msg(v >= 0 && v < 1e15, "absurd value %g in: %s", v, first);
        if (*u == '%')
            ck_assert_msg(v <= 1000, "absurd percentage %g in: %s", v, first);
    }
    free(first);
}

static const struct {
    enum craft how;
    const char *note; /* what the long output must say */
} crafts[] = {
    {CRAFT_MAX, "counters went back"},      /* previous sample at UINT64_MAX */
    {CRAFT_DOWN_ONE, "counters went back"}, /* previous sample ahead of this one */
    {CRAFT_ZERO, "implausible"},            /* a jump no hardware can make */
};

START_TEST(absurd_counters)
{
    const char *how_name[] = {"max", "ahead", "zero"};

    for (size_t k = 1; k < N(plugins); k++) {
        const struct plugin *p = &plugins[k];
        const char *uri = "test:///default";
        char *sd;
        struct vm_run r;

        const char *to = vm_run_timeout_arg(10);
        /* the runs follow each other at once: a window of any length */
        const char *mw = "--min-window=0.001";

        ck_assert_int_ge(asprintf(&sd, "--state-dir=%s", statedir), 0);
        vm_run_plugin(&r, p->name, ARGV("-U", uri, "-d", "test", "--interval=0.05", mw, sd, to),
                      NULL);
        ck_assert_msg(r.status == 0, "%s: %s", p->name, r.out);
        vm_run_free(&r);
        craft_state(p->name, uri, crafts[_i].how);
        vm_run_plugin(&r, p->name, ARGV("-U", uri, "-d", "test", "--interval=0.05", mw, sd, to),
                      NULL);
        ck_assert_msg(r.status == 0, "%s (%s): exit %d:\n%s", p->name, how_name[_i], r.status,
                      r.out);
        check_clean(&r, p, 2);
        check_no_absurd(r.out);
        ck_assert_msg(strstr(r.out, crafts[_i].note) != NULL, "%s (%s): no '%s' in:\n%s", p->name,
                      how_name[_i], crafts[_i].note, r.out);
        ck_assert_msg(strstr(r.out, "measured over") != NULL, "%s: not sampled in-run:\n%s",
                      p->name, r.out);
        vm_run_free(&r);
        /* The next run has a sane previous sample again. */
        vm_run_plugin(&r, p->name, ARGV("-U", uri, "-d", "test", "--interval=0.05", mw, sd, to),
                      NULL);
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "since the previous check") != NULL, "%s:\n%s", p->name, r.out);
        check_no_absurd(r.out);
        vm_run_free(&r);
        free(sd);
        state_teardown();
        state_setup();
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("hostile");

    VM_CK_TCASE(s, "names", 120, setup, teardown, VM_CK_LOOP(all_domains, N(plugins)),
                VM_CK_LOOP(one_domain, NNAMES), VM_CK_TEST(option_like_name),
                VM_CK_TEST(include_regex), VM_CK_TEST(include_utf8_any_locale),
                VM_CK_TEST(regex_cost_bounded));

    VM_CK_TCASE(s, "options", 120, NULL, NULL, VM_CK_LOOP(bad_thresholds, N(bad_args)),
                VM_CK_LOOP(bad_rate_options, N(bad_rate_args)));

    VM_CK_TCASE(s, "uris", 300, NULL, NULL, VM_CK_LOOP(garbage_uri, N(bad_uris)),
                VM_CK_TEST(huge_uri));

    VM_CK_TCASE(s, "counters", 120, state_setup, state_teardown,
                VM_CK_LOOP(absurd_counters, N(crafts)));
    return s;
}

VM_CK_MAIN(make_suite)
