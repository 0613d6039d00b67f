/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: option parsing, validation and help, without libvirt. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ck_run.h"
#include "cli.h"
#include "filter.h"
#include "help.h"

enum { OPT_FLAG, OPT_VALUE };

static const struct vm_metric_def metrics[] = {
    {"used", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE, "main metric", NULL, NULL},
    {"rss", VM_RANGE_ALLOW_SIZE, "second metric", NULL, NULL},
};
static const struct vm_opt_def opts[] = {
    {"flag", 0, false, NULL, "a flag", OPT_FLAG},
    {"value", 'x', true, "V", "a value\nover two lines", OPT_VALUE},
};

struct ctx {
    int flags;
    const char *value;
};

static int cb(void *p, int key, const char *arg, struct vm_err *err)
{
    struct ctx *c = p;

    if (key == OPT_FLAG) {
        c->flags++;
        return 0;
    }
    if (strcmp(arg, "bad") == 0)
        return vm_err_set(err, "bad value");
    c->value = arg;
    return 0;
}

static const struct vm_plugin_def plugin = {
    .name = "check_test",
    .service = "TEST",
    .purpose = "purpose text",
    .metrics = metrics,
    .nmetrics = 2,
    .opts = opts,
    .nopts = 2,
    .rates = true,
};

#define MAXARGS 32

static enum vm_cli_result parse(struct vm_cli *cli, struct ctx *c, struct vm_err *err,
                                const char *const *args)
{
    char *argv[MAXARGS + 1] = {(char *)"check_test"};
    enum vm_cli_result res;
    int argc = 1;

    memset(c, 0, sizeof(*c));
    for (; args[argc - 1] && argc < MAXARGS; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    /* As the plugins do: parse, then compile the filters. */
    res = vm_cli_parse(cli, &plugin, cb, c, argc, argv, err);
    if (res == VM_CLI_RUN) {
        struct vm_filter f = {0};

        if (vm_filter_compile(&f, cli->include_re, cli->exclude_re, err) < 0)
            res = VM_CLI_ERROR;
        vm_filter_clear(&f);
    }
    return res;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(defaults)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err;

    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-d", "web01")), VM_CLI_RUN);
    ck_assert_ptr_null(cli.uri);
    ck_assert_int_eq((int)cli.ndomains, 1);
    ck_assert_str_eq(cli.domains[0], "web01");
    ck_assert(!cli.all);
    ck_assert_uint_eq(cli.timeout_s, 10);
    ck_assert_int_eq(cli.timeout_result, VM_UNKNOWN);
    ck_assert_uint_eq(cli.max_output, 65000);
    ck_assert_int_eq(cli.missing_state, VM_UNKNOWN);
    ck_assert_int_eq(cli.shutoff, VM_POLICY_DEFAULT);
    ck_assert_double_eq(cli.interval_s, 1.0);
    ck_assert_double_eq(cli.max_state_age_s, 3600.0);
    ck_assert_double_eq(cli.min_window_s, 5.0);
    ck_assert(!cli.th[0].has_warn && !cli.th[0].has_crit);
    vm_cli_clear(&cli);
}
END_TEST

START_TEST(full)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err;

    ck_assert_int_eq(parse(&cli, &c, &err,
                           ARGS("--connect=test:///default", "-a", "--exclude", "^tmp", "-w", "80",
                                "-c", "90%", "-w", "rss=1GiB", "-t", "20", "-vvv", "-v", "--flag",
                                "-x", "val", "--shutoff=skip", "--paused=critical")),
                     VM_CLI_RUN);
    ck_assert_str_eq(cli.uri, "test:///default");
    ck_assert(cli.all && cli.exclude_re && !cli.include_re);
    ck_assert(cli.th[0].has_warn && cli.th[0].has_crit);
    ck_assert_double_eq(cli.th[0].warn.end, 80);
    ck_assert_int_eq(cli.th[0].crit.unit, VM_UNIT_PERCENT);
    ck_assert(cli.th[1].has_warn && !cli.th[1].has_crit);
    ck_assert_double_eq(cli.th[1].warn.end, 1073741824.0);
    ck_assert_uint_eq(cli.timeout_s, 20);
    ck_assert(cli.verbose); /* one level: -vvv -v is -v */
    ck_assert_int_eq(c.flags, 1);
    ck_assert_str_eq(c.value, "val");
    ck_assert_int_eq(cli.shutoff, VM_POLICY_SKIP);
    ck_assert_int_eq(cli.paused, VM_POLICY_CRITICAL);
    vm_cli_clear(&cli);
}
END_TEST

/* Given twice, a single-value option keeps the last; -d and -w/-c for
 * different metrics add up; -w twice for one metric is an error naming it. */
START_TEST(repeats)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err = {""};

    ck_assert_int_eq(parse(&cli, &c, &err,
                           ARGS("-U", "test:///a", "-U", "test:///b", "-d", "x", "-d", "y", "-t",
                                "5", "--timeout=7", "-x", "one", "-x", "two", "--shutoff=ok",
                                "--shutoff=skip", "-w", "used=80", "-w", "rss=1GiB", "-c", "90")),
                     VM_CLI_RUN);
    ck_assert_str_eq(cli.uri, "test:///b");
    ck_assert_uint_eq(cli.ndomains, 2);
    ck_assert_str_eq(cli.domains[1], "y");
    ck_assert_uint_eq(cli.timeout_s, 7);
    ck_assert_str_eq(c.value, "two");
    ck_assert_int_eq(cli.shutoff, VM_POLICY_SKIP);
    ck_assert(cli.th[0].has_warn && cli.th[0].has_crit && cli.th[1].has_warn);
    vm_cli_clear(&cli);
    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-a", "--include=^a", "--include=^b")), VM_CLI_RUN);
    ck_assert_str_eq(cli.include_re, "^b");
    vm_cli_clear(&cli);
    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-d", "x", "-w", "used=80", "-w", "90")),
                     VM_CLI_ERROR);
    ck_assert_str_eq(
        err.msg, "invalid warning threshold '90': a warning threshold for used was given twice");
    vm_cli_clear(&cli);
}
END_TEST

/* Repeats that stay small, bracket expressions and escapes are accepted. */
/* --min-window: fractions, down to a millisecond, up to --max-state-age,
 * and not part of the state key (it does not change what is sampled). */
START_TEST(min_window)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err;

    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-d", "a", "--min-window=0.001")), VM_CLI_RUN);
    ck_assert_double_eq(cli.min_window_s, 0.001);
    ck_assert_uint_eq(cli.nkey_args, 1);
    vm_cli_clear(&cli);
    ck_assert_int_eq(
        parse(&cli, &c, &err, ARGS("-d", "a", "--max-state-age=2", "--min-window", "2")),
        VM_CLI_RUN);
    ck_assert_double_eq(cli.min_window_s, 2.0);
    vm_cli_clear(&cli);
}
END_TEST

START_TEST(regex_within_limits)
{
    static const char *ok[] = {
        "^web[0-9]{1,3}$",
        "(a{10}){10}",
        "^(web|db)-[a-z0-9]+(-[a-z0-9]+)*$",
        "a+++++++++++++",
        "^[]{}]{5000}$",
        "x\\{99999\\}",
        "[[:alpha:]{]{2}",
        "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))",
    };
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err = {""};

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_msg(parse(&cli, &c, &err, ARGS("--include", ok[i])) == VM_CLI_RUN,
                      "'%s' refused: %s", ok[i], err.msg);
        vm_cli_clear(&cli);
    }
}
END_TEST

START_TEST(include_implies_all)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err;
    struct vm_filter f = {0};

    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("--include", "^web")), VM_CLI_RUN);
    ck_assert(cli.all);
    ck_assert_int_eq(vm_filter_compile(&f, cli.include_re, cli.exclude_re, &err), 0);
    ck_assert(vm_filter_match(&f, "web01"));
    ck_assert(!vm_filter_match(&f, "db01"));
    vm_filter_clear(&f);
    vm_cli_clear(&cli);
}
END_TEST

/* Characters, not bytes, whatever the locale (the tests run in C, as NRPE
 * runs the plugins); a name or pattern that is not UTF-8 is no crash. */
START_TEST(filter_utf8)
{
    static const struct {
        const char *re, *name;
        bool match;
    } t[] = {
        {"^日本語-仮想.$", "日本語-仮想🦆", true},
        {"^[[:alpha:]]$", "ü", true},
        {"^[[:upper:]]", "Ü", true},
        {"^a.b$", "aüb", true},
        {"^a..b$", "aüb", false},
        {"^[^x]$", "🦆", true},
        /* not UTF-8: '.' takes no stray byte, and nothing hangs */
        {"^a.b$", "a\xff\x62", false},
        {"a", "\xff\xfe\xc3\x61\xe6\x97", true},
        {"^.*$", "\xc3", false},
        {"x", "", false},
    };
    struct vm_filter f = {0};
    struct vm_err err;

    ck_assert_int_eq(vm_filter_compile(&f, t[_i].re, NULL, &err), 0);
    ck_assert_msg(vm_filter_match(&f, t[_i].name) == t[_i].match, "case %d", _i);
    vm_filter_clear(&f);
    /* the same as --exclude */
    ck_assert_int_eq(vm_filter_compile(&f, NULL, t[_i].re, &err), 0);
    ck_assert_msg(vm_filter_match(&f, t[_i].name) != t[_i].match, "case %d", _i);
    vm_filter_clear(&f);
    /* numbers keep their '.': only LC_CTYPE changed, only around the calls */
    snprintf(err.msg, sizeof(err.msg), "%.1f", 1.5);
    ck_assert_str_eq(err.msg, "1.5");
    /* a pattern that is not UTF-8 compiles or is refused, nothing worse */
    if (vm_filter_compile(&f, "\xff\xfe(", "[\xc3]", &err) == 0)
        (void)vm_filter_match(&f, t[_i].name);
    vm_filter_clear(&f);
}
END_TEST

START_TEST(help_and_version_first)
{
    struct vm_cli cli;
    struct ctx c;
    struct vm_err err;

    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-h")), VM_CLI_HELP);
    vm_cli_clear(&cli);
    ck_assert_int_eq(parse(&cli, &c, &err, ARGS("-d", "x", "--version")), VM_CLI_VERSION);
    vm_cli_clear(&cli);
}
END_TEST

/* The state key holds what changes the sample, not what only changes the verdict. */
START_TEST(state_key_args)
{
    struct vm_cli a, b;
    struct ctx c;
    struct vm_err err;

    ck_assert_int_eq(parse(&a, &c, &err, ARGS("-d", "web01", "-w", "10", "-t", "5")), VM_CLI_RUN);
    ck_assert_int_eq(parse(&b, &c, &err, ARGS("-d", "web01", "-w", "20", "-v")), VM_CLI_RUN);
    ck_assert_uint_eq(a.nkey_args, b.nkey_args);
    for (size_t i = 0; i < a.nkey_args; i++)
        ck_assert_str_eq(a.key_args[i], b.key_args[i]);
    vm_cli_clear(&a);
    ck_assert_int_eq(parse(&a, &c, &err, ARGS("-d", "db01")), VM_CLI_RUN);
    ck_assert_str_ne(a.key_args[0], b.key_args[0]);
    vm_cli_clear(&a);
    vm_cli_clear(&b);
}
END_TEST

/* A row of bad and getopt_words: the arguments, and what the message says. */
struct cli_bad {
    const char *args[7];
    const char *expect;
};

/* Parsing args fails, the message in err. */
static void parse_fails(const char *const *args, struct vm_err *err)
{
    struct vm_cli cli;
    struct ctx c;

    ck_assert_int_eq(parse(&cli, &c, err, args), VM_CLI_ERROR);
    vm_cli_clear(&cli);
}

static const struct cli_bad bad[] = {
    {{NULL}, "no domain selected"},
    {{"-d", "a", "-a", NULL}, "not both"},
    {{"-d", "a", "--include", "x"}, "not both"},
    {{"-d", "a", "-w", NULL}, "needs a value"},
    {{"-d", "a", "-t", "0"}, "--timeout"},
    {{"-d", "a", "-t", "86401"}, "--timeout"},
    {{"-d", "a", "-t", "1.5"}, "--timeout"},
    {{"-d", "a", "--interval=10"}, "shorter than --timeout"},
    {{"-d", "a", "--interval=0"}, "--interval"},
    {{"-d", "a", "--max-state-age=x"}, "--max-state-age"},
    {{"-d", "a", "--min-window=0"}, "--min-window"},
    {{"-d", "a", "--min-window=x"}, "--min-window"},
    {{"-d", "a", "--min-window=nan"}, "--min-window"},
    /* a window no saved sample can satisfy: the state would never be used */
    {{"-d", "a", "--max-state-age=3"},
     "--min-window (5 s) must not be longer than --max-state-age"},
    {{"-d", "a", "--min-window=60", "--max-state-age=30"}, "--max-state-age (30 s)"},
    {{"-d", "a", "--state-dir="}, "--state-dir"},
    {{"-d", "a", "--max-output=100"}, "--max-output"},
    {{"-d", "a", "--timeout-result=maybe"}, "--timeout-result"},
    {{"-d", "a", "--missing=skip"}, "--missing"},
    {{"-d", "a", "--shutoff=check"}, "--shutoff"},
    {{"-d", "a", "--exclude", "a{1"}, "--exclude"},
    /* glibc would take seconds and gigabytes to compile these */
    {{"--include", "a{255}{255}{255}"}, "too large"},
    {{"--exclude", "(x(a{100}){100})"}, "over 10000 elements"},
    {{"--include", "[a-z]{1,9999}[0-9]{2,}"}, "too large"},
    {{"--exclude", "dbw++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++eb"},
     "too large"},
    {{"--include", "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a"},
     "nested"},
    {{"-d", "a", "-w", "cpu=10"}, "cpu"},
    {{"-d", "a", "-w", "rss=10%"}, "%"},
    {{"-d", "a", "-w", "5", "-w", "6"}, "twice"},
    {{"-d", "a", "-x", "bad"}, "bad value"},
    {{"-d", "a", "--flag=1"}, "--flag"},
    {{"-d", "a", "--nope"}, "--nope"},
    {{"-d", "a", "-Z"}, "-Z"},
    {{"-d", "a", "stray"}, "stray"},
};

START_TEST(rejects)
{
    struct vm_err err = {""};

    parse_fails(bad[_i].args, &err);
    ck_assert_msg(strstr(err.msg, bad[_i].expect) != NULL, "case %d: '%s' lacks '%s'", _i, err.msg,
                  bad[_i].expect);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

/* getopt's complaints in words, naming what was typed (exact texts). */
static const struct cli_bad getopt_words[] = {
    {{"--all=yes", NULL}, "--all takes no value"},
    {{"--al=", NULL}, "--al is ambiguous: --all, --allow-empty"},
    {{"--no-st=1", NULL}, "--no-state takes no value"},
    {{"-d", "a", "--flag=1", NULL}, "--flag takes no value"},
    {{"--i", NULL}, "--i is ambiguous: --include, --ignore-nodata, --interval"},
    {{"--in=x", NULL}, "--in is ambiguous: --include, --interval"},
    {{"--foo", NULL}, "unknown option '--foo'"},
    {{"--foo=bar", NULL}, "unknown option '--foo'"},
    {{"-d", "a", "--warning", NULL}, "--warning needs a value"},
    {{"-d", "a", "--warn", NULL}, "--warning needs a value"},
    {{"-d", "a", "-w", NULL}, "-w needs a value"},
    {{"-d", "a", "-vw", NULL}, "-w needs a value"},
    {{"-d", "a", "-Z", NULL}, "unknown option '-Z'"},
    /* inside a cluster, optind has not moved past the element yet */
    {{"--all", "-Zv", NULL}, "unknown option '-Z'"},
    {{"--all", "-vZ", NULL}, "unknown option '-Z'"},
    {{"--verbose", "stray", "-Z", NULL}, "unknown option '-Z'"},
};

START_TEST(getopt_in_words)
{
    struct vm_err err = {""};

    parse_fails(getopt_words[_i].args, &err);
    ck_assert_str_eq(err.msg, getopt_words[_i].expect);
}
END_TEST

START_TEST(help_text)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_help_render(&plugin, &b);
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "Usage: check_test"));
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "  -U, --connect=URI"));
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "      --state-dir=DIR"));
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "  -x, --value=V"));
    /* continuation lines are indented under the text column */
    ck_assert_ptr_nonnull(
        strstr(vm_buf_str(&b), "a value\n                              over two lines"));
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "  rss "));
    ck_assert_ptr_nonnull(strstr(vm_buf_str(&b), "3 UNKNOWN"));
    vm_buf_clear(&b);
}
END_TEST

VM_CK_MAIN_TCASE("cli", "cli", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_TEST(defaults), VM_CK_TEST(full),
                 VM_CK_TEST(repeats), VM_CK_TEST(min_window), VM_CK_TEST(include_implies_all),
                 VM_CK_LOOP(filter_utf8, 10), VM_CK_TEST(regex_within_limits),
                 VM_CK_TEST(help_and_version_first), VM_CK_TEST(state_key_args),
                 VM_CK_LOOP(rejects, VM_CK_N(bad)),
                 VM_CK_LOOP(getopt_in_words, VM_CK_N(getopt_words)), VM_CK_TEST(help_text))
