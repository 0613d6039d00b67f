/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: common options, strict parsing, help text. */
#include <config.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libvirt/libvirt.h>

#include "cli.h"

#define CLI_DEFAULT_TIMEOUT 10
#define CLI_DEFAULT_MAX_OUTPUT 65000 /* NRPE v3/v4 carries 64 KiB */
#define CLI_PLUGIN_KEY_BASE 1000

enum {
    OPT_INCLUDE = 300,
    OPT_EXCLUDE,
    OPT_TIMEOUT_RESULT,
    OPT_MAX_OUTPUT,
    OPT_SHUTOFF,
    OPT_PAUSED,
    OPT_MISSING,
    OPT_ALLOW_EMPTY,
    OPT_IGNORE_NODATA,
    OPT_INTERVAL,
    OPT_STATE_DIR,
    OPT_NO_STATE,
    OPT_MAX_STATE_AGE,
};

struct cli_common {
    struct option opt;
    const char *argname;
    const char *help;
    bool rates;    /* only for rate plugins */
    bool keyed;    /* part of the state key: it changes what is sampled */
};

static const struct cli_common common_opts[] = {
    {{"connect", required_argument, NULL, 'U'}, "URI",
     "libvirt URI, always opened read-only (default: $LIBVIRT_DEFAULT_URI, "
     "else qemu:///system)", false, false},
    {{"domain", required_argument, NULL, 'd'}, "NAME|UUID|ID",
     "domain to check; repeat for several", false, true},
    {{"all", no_argument, NULL, 'a'}, NULL, "check every domain (see --include/--exclude)", false, true},
    {{"include", required_argument, NULL, OPT_INCLUDE}, "REGEX",
     "with --all: only domains whose name matches (POSIX extended)", false, true},
    {{"exclude", required_argument, NULL, OPT_EXCLUDE}, "REGEX",
     "with --all: leave out domains whose name matches", false, true},
    {{"warning", required_argument, NULL, 'w'}, "[METRIC=]RANGE",
     "warning threshold; a bare RANGE is for the main metric", false, false},
    {{"critical", required_argument, NULL, 'c'}, "[METRIC=]RANGE",
     "critical threshold; a bare RANGE is for the main metric", false, false},
    {{"shutoff", required_argument, NULL, OPT_SHUTOFF}, "STATE|skip",
     "state for a domain that is shut off or crashed (default: unknown "
     "for domains named with -d, skip with --all)", false, true},
    {{"paused", required_argument, NULL, OPT_PAUSED}, "check|STATE|skip",
     "what to do with a paused domain (default: check it)", false, true},
    {{"missing", required_argument, NULL, OPT_MISSING}, "STATE",
     "state for a -d domain that does not exist (default: unknown)", false, false},
    {{"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY}, NULL,
     "OK instead of UNKNOWN when --all matches no domain", false, false},
    {{"ignore-nodata", no_argument, NULL, OPT_IGNORE_NODATA}, NULL,
     "leave out domains that report no data instead of UNKNOWN", false, false},
    {{"interval", required_argument, NULL, OPT_INTERVAL}, "SECONDS",
     "gap between two samples taken in one run, when there is no valid "
     "previous sample (default: 1)", true, false},
    {{"state-dir", required_argument, NULL, OPT_STATE_DIR}, "DIR",
     "private folder for the previous sample (default: "
     "$XDG_STATE_HOME/monitoring-plugins-libvirt, else "
     "~/.local/state/monitoring-plugins-libvirt, else "
     "/var/tmp/monitoring-plugins-libvirt-UID)", true, false},
    {{"no-state", no_argument, NULL, OPT_NO_STATE}, NULL,
     "always take both samples in this run; read and write no state file", true, false},
    {{"max-state-age", required_argument, NULL, OPT_MAX_STATE_AGE}, "SECONDS",
     "ignore a previous sample older than this (default: 3600)", true, false},
    {{"timeout", required_argument, NULL, 't'}, "SECONDS",
     "give up after this long (default: 10)", false, false},
    {{"timeout-result", required_argument, NULL, OPT_TIMEOUT_RESULT}, "STATE",
     "state to return on timeout (default: unknown)", false, false},
    {{"max-output", required_argument, NULL, OPT_MAX_OUTPUT}, "BYTES",
     "trim output to this size (default: 65000, for NRPE 3/4; use 1000 "
     "for NRPE 2; 0 = no limit)", false, false},
    {{"verbose", no_argument, NULL, 'v'}, NULL, "more detail (repeat up to 3 times)", false, false},
    {{"version", no_argument, NULL, 'V'}, NULL, "print the version and exit", false, false},
    {{"help", no_argument, NULL, 'h'}, NULL, "print this help and exit", false, false},
};

#define NCOMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static int cli_policy(const char *arg, bool allow_check, enum vm_policy *out, const char *what,
                      struct vm_err *err)
{
    static const struct {
        const char *name;
        enum vm_policy p;
    } map[] = {
        {"check", VM_POLICY_CHECK}, {"skip", VM_POLICY_SKIP},         {"ok", VM_POLICY_OK},
        {"warning", VM_POLICY_WARNING}, {"critical", VM_POLICY_CRITICAL}, {"unknown", VM_POLICY_UNKNOWN},
    };

    for (size_t i = allow_check ? 0 : 1; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcasecmp(arg, map[i].name) == 0) {
            *out = map[i].p;
            return 0;
        }
    }
    return vm_err_set(err, "invalid %s '%s': use %sok, warning, critical, unknown or skip", what,
                      arg, allow_check ? "check, " : "");
}

/* glibc's regcomp expands a bounded repeat into copies of its atom, so
 * "a{255}{255}{255}" costs 16 million copies and "a++++...+" doubles with
 * each '+': seconds of CPU and gigabytes before the -t alarm is even set.
 * Estimate the expanded size (atoms times the counts of the repeats around
 * them) and refuse large patterns. */
#define CLI_REGEX_MAX_ATOMS 10000
#define CLI_REGEX_DEPTH 64

static size_t cli_regex_mul(size_t a, size_t b)
{
    return b != 0 && a > (CLI_REGEX_MAX_ATOMS + 1) / b ? CLI_REGEX_MAX_ATOMS + 1 : a * b;
}

static size_t cli_regex_add(size_t a, size_t b)
{
    return a + b > CLI_REGEX_MAX_ATOMS ? CLI_REGEX_MAX_ATOMS + 1 : a + b;
}

/* Parse "{m}", "{m,}" or "{m,n}" at p: the copies it makes (n, else m + 1),
 * with *end past it; 0 when p is not a repeat count. */
static size_t cli_regex_count(const char *p, const char **end)
{
    unsigned long m = 0, n = 0;
    bool comma = false, upper = false;

    if (*p++ != '{' || *p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++)
        m = m > CLI_REGEX_MAX_ATOMS ? m : m * 10 + (unsigned long)(*p - '0');
    if (*p == ',') {
        comma = true;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            n = n > CLI_REGEX_MAX_ATOMS ? n : n * 10 + (unsigned long)(*p - '0');
            upper = true;
        }
    }
    if (*p != '}')
        return 0;
    *end = p + 1;
    if (upper)
        return n > 0 ? n : 1;
    return comma ? m + 1 : (m > 0 ? m : 1);
}

/* Skip a bracket expression "[...]" starting at p; returns its last char. */
static const char *cli_regex_bracket(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p && *p != ']'; p++) {
        if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *close = strchr(p + 2, p[1]);

            if (close && close[1] == ']')
                p = close + 1;
        }
    }
    return *p ? p : p - 1;
}

static size_t cli_regex_size(const char *re)
{
    size_t sum[CLI_REGEX_DEPTH + 1] = {0}, last = 0;
    int depth = 0;
    const char *p, *end;

    for (p = re; *p; p++) {
        /* "x+" is compiled as "xx*": each '+' doubles what it repeats. */
        size_t copies = *p == '+' ? 2 : cli_regex_count(p, &end);

        /* Sums only grow, and each level's counts in its parent's. */
        if (sum[depth] > CLI_REGEX_MAX_ATOMS)
            return sum[depth];

        if (copies) {
            /* The repeat replaces the last item by `copies` of it. */
            sum[depth] = cli_regex_add(sum[depth] - last, cli_regex_mul(last, copies));
            last = cli_regex_mul(last, copies);
            if (*p != '+')
                p = end - 1;
            continue;
        }
        if (*p == '*' || *p == '?')
            continue; /* repeats that copy nothing */
        if (*p == '(') {
            if (depth == CLI_REGEX_DEPTH)
                return CLI_REGEX_MAX_ATOMS + 1;
            sum[++depth] = 0;
            last = 0;
            continue;
        }
        if (*p == ')' && depth > 0) {
            last = cli_regex_add(sum[depth--], 1);
            sum[depth] = cli_regex_add(sum[depth], last);
            continue;
        }
        if (*p == '[')
            p = cli_regex_bracket(p);
        else if (*p == '\\' && p[1])
            p++;
        last = 1;
        sum[depth] = cli_regex_add(sum[depth], 1);
    }
    while (depth > 0) { /* unbalanced: regcomp refuses it; count it anyway */
        last = sum[depth--];
        sum[depth] = cli_regex_add(sum[depth], last);
    }
    return sum[0];
}

/* At parse time: refuse what would take gigabytes to compile. */
static int cli_regex_check(const char **out, const char *arg, const char *what,
                           struct vm_err *err)
{
    if (cli_regex_size(arg) > CLI_REGEX_MAX_ATOMS)
        return vm_err_set(err, "invalid %s regex '%s': too large once its {m,n} repeats are "
                               "expanded (over %d elements) or groups nested over %d deep",
                          what, arg, CLI_REGEX_MAX_ATOMS, CLI_REGEX_DEPTH);
    *out = arg;
    return 0;
}

static int cli_regex(regex_t *re, bool *has, const char *arg, const char *what, struct vm_err *err)
{
    char msg[128];
    int rc;

    if (!arg || *has)
        return 0;
    rc = regcomp(re, arg, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        regerror(rc, re, msg, sizeof(msg));
        regfree(re);
        return vm_err_set(err, "invalid %s regex '%s': %s", what, arg, msg);
    }
    *has = true;
    return 0;
}

static int cli_push(char ***arr, size_t *n, char *s)
{
    char **p = vm_reallocarray(*arr, *n + 1, sizeof(**arr));

    if (!p)
        return -1;
    p[(*n)++] = s;
    *arr = p;
    return 0;
}

static int cli_seconds(const char *arg, double min, double max, double *out, const char *what,
                       struct vm_err *err)
{
    if (vm_parse_double(arg, out, what, err) < 0)
        return -1;
    if (*out < min || *out > max)
        return vm_err_set(err, "invalid %s '%s': must be between %g and %g seconds", what, arg,
                          min, max);
    return 0;
}

/* Handle one common option. Returns 0, -1 (error), or 1 for help/version. */
static int cli_common(struct vm_cli *cli, int c, const char *arg, struct vm_err *err)
{
    unsigned long long u;
    struct vm_thresh_arg *ta;

    switch (c) {
    case 'U':
        if (!*arg)
            return vm_err_set(err, "invalid --connect '': the URI is empty");
        cli->uri = arg;
        return 0;
    case 'd':
        if (!*arg)
            return vm_err_set(err, "invalid --domain '': the name is empty");
        return cli_push(&cli->domains, &cli->ndomains, (char *)arg) < 0
                   ? vm_err_set(err, "out of memory") : 0;
    case 'a':
        cli->all = true;
        return 0;
    case OPT_INCLUDE:
        return cli_regex_check(&cli->include_re, arg, "--include", err);
    case OPT_EXCLUDE:
        return cli_regex_check(&cli->exclude_re, arg, "--exclude", err);
    case 'w':
    case 'c':
        ta = vm_reallocarray(cli->targs, cli->ntargs + 1, sizeof(*ta));
        if (!ta)
            return vm_err_set(err, "out of memory");
        cli->targs = ta;
        ta[cli->ntargs].critical = c == 'c';
        ta[cli->ntargs].text = arg;
        cli->ntargs++;
        return 0;
    case 't':
        if (vm_parse_uint(arg, 1, 86400, &u, "--timeout", err) < 0)
            return -1;
        cli->timeout_s = (unsigned)u;
        return 0;
    case OPT_TIMEOUT_RESULT:
        if (vm_status_parse(arg, &cli->timeout_result) < 0)
            return vm_err_set(err, "invalid --timeout-result '%s': use ok, warning, critical or unknown", arg);
        return 0;
    case OPT_MAX_OUTPUT:
        if (vm_parse_uint(arg, 0, 16u << 20, &u, "--max-output", err) < 0)
            return -1;
        if (u != 0 && u < 128)
            return vm_err_set(err, "invalid --max-output '%s': use 0 (no limit) or at least 128", arg);
        cli->max_output = (size_t)u;
        return 0;
    case OPT_SHUTOFF:
        return cli_policy(arg, false, &cli->shutoff, "--shutoff", err);
    case OPT_PAUSED:
        return cli_policy(arg, true, &cli->paused, "--paused", err);
    case OPT_MISSING:
        if (vm_status_parse(arg, &cli->missing_state) < 0)
            return vm_err_set(err, "invalid --missing '%s': use ok, warning, critical or unknown", arg);
        return 0;
    case OPT_ALLOW_EMPTY:
        cli->allow_empty = true;
        return 0;
    case OPT_IGNORE_NODATA:
        cli->ignore_nodata = true;
        return 0;
    case OPT_INTERVAL:
        return cli_seconds(arg, 0.01, 300, &cli->interval_s, "--interval", err);
    case OPT_STATE_DIR:
        if (!*arg)
            return vm_err_set(err, "invalid --state-dir '': the path is empty");
        cli->state_dir = arg;
        return 0;
    case OPT_NO_STATE:
        cli->no_state = true;
        return 0;
    case OPT_MAX_STATE_AGE:
        return cli_seconds(arg, 1, 30 * 86400, &cli->max_state_age_s, "--max-state-age", err);
    case 'v':
        if (cli->verbose < 3)
            cli->verbose++;
        return 0;
    case 'V':
    case 'h':
        return 1;
    }
    return vm_err_set(err, "internal error: option %d not handled", c);
}

/* Check the combination of options once all are read. */
static int cli_validate(struct vm_cli *cli, const struct vm_plugin_def *p, struct vm_err *err)
{
    if ((cli->include_re || cli->exclude_re) && cli->ndomains > 0)
        return vm_err_set(err, "--include/--exclude filter --all: give either them or "
                               "-d/--domain, not both");
    if (cli->include_re || cli->exclude_re)
        cli->all = true; /* --include alone means "all domains matching" */
    if (cli->all && cli->ndomains > 0)
        return vm_err_set(err, "give either -d/--domain or -a/--all, not both");
    if (!cli->all && cli->ndomains == 0)
        return vm_err_set(err, "no domain selected: give -d/--domain NAME or -a/--all");
    if (p->rates && cli->interval_s >= cli->timeout_s)
        return vm_err_set(err, "--interval (%g s) must be shorter than --timeout (%u s)",
                          cli->interval_s, cli->timeout_s);
    cli->th = vm_calloc(p->nmetrics, sizeof(*cli->th));
    if (!cli->th)
        return vm_err_set(err, "out of memory");
    return vm_thresh_resolve(p->metrics, p->nmetrics, cli->targs, cli->ntargs, cli->th, err);
}

static void cli_defaults(struct vm_cli *cli)
{
    memset(cli, 0, sizeof(*cli));
    cli->timeout_s = CLI_DEFAULT_TIMEOUT;
    cli->timeout_result = VM_UNKNOWN;
    cli->max_output = CLI_DEFAULT_MAX_OUTPUT;
    cli->missing_state = VM_UNKNOWN;
    cli->interval_s = 1.0;
    cli->max_state_age_s = 3600.0;
}

enum vm_cli_result vm_cli_parse(struct vm_cli *cli, const struct vm_plugin_def *p, vm_opt_cb cb,
                                void *ctx, int argc, char **argv, struct vm_err *err)
{
    struct option *longopts = NULL;
    struct vm_buf shortopts = VM_BUF_INIT;
    enum vm_cli_result res = VM_CLI_ERROR;
    size_t nlong = 0, i;
    int c, idx;

    cli_defaults(cli);
    longopts = vm_calloc(NCOMMON + p->nopts + 1, sizeof(*longopts));
    if (!longopts) {
        vm_err_set(err, "out of memory");
        goto cleanup;
    }
    /* A leading ':' makes getopt report a missing argument as ':'. */
    vm_buf_append(&shortopts, ":");
    for (i = 0; i < NCOMMON; i++) {
        const struct option *o = &common_opts[i].opt;

        if (common_opts[i].rates && !p->rates)
            continue;
        longopts[nlong++] = *o;
        if (o->val < 256)
            vm_buf_printf(&shortopts, "%c%s", o->val, o->has_arg ? ":" : "");
    }
    for (i = 0; i < p->nopts; i++) {
        const struct vm_opt_def *d = &p->opts[i];

        longopts[nlong].name = d->name;
        longopts[nlong].has_arg = d->has_arg ? required_argument : no_argument;
        longopts[nlong].val = d->shortopt ? d->shortopt : CLI_PLUGIN_KEY_BASE + (int)i;
        nlong++;
        if (d->shortopt)
            vm_buf_printf(&shortopts, "%c%s", d->shortopt, d->has_arg ? ":" : "");
    }
    if (shortopts.oom) {
        vm_err_set(err, "out of memory");
        goto cleanup;
    }

    opterr = 0;
    optind = 0; /* 0 also resets GNU getopt's internal state between calls */
    while ((c = getopt_long(argc, argv, vm_buf_str(&shortopts), longopts, &idx)) != -1) {
        const char *arg = optarg ? optarg : "";
        const char *name = argv[optind - 1];
        bool keyed = false;
        int rc = -1;

        if (c == '?') {
            if (optopt && optopt < 256)
                vm_err_set(err, "unknown option '-%c'", optopt);
            else
                vm_err_set(err, "unknown option '%s'", name);
            goto cleanup;
        }
        if (c == ':') {
            vm_err_set(err, "option '%s' needs a value", name);
            goto cleanup;
        }
        for (i = 0; i < p->nopts; i++) {
            const struct vm_opt_def *d = &p->opts[i];

            if (c == (d->shortopt ? d->shortopt : CLI_PLUGIN_KEY_BASE + (int)i)) {
                rc = cb(ctx, d->key, arg, err);
                keyed = true;
                break;
            }
        }
        if (i == p->nopts) {
            for (i = 0; i < NCOMMON; i++) {
                if (common_opts[i].opt.val == c)
                    keyed = common_opts[i].keyed;
            }
            rc = cli_common(cli, c, arg, err);
            if (rc == 1) {
                res = c == 'h' ? VM_CLI_HELP : VM_CLI_VERSION;
                goto cleanup;
            }
        }
        if (rc < 0)
            goto cleanup;
        if (keyed) {
            /* The state key names what is sampled: remember "opt=value". */
            struct vm_buf kv = VM_BUF_INIT;

            vm_buf_printf(&kv, "%d=%s", c, arg);
            if (kv.oom || cli_push(&cli->key_args, &cli->nkey_args, vm_buf_steal(&kv)) < 0) {
                vm_buf_free(&kv);
                vm_err_set(err, "out of memory");
                goto cleanup;
            }
        }
    }
    if (optind < argc) {
        vm_err_set(err, "unexpected argument '%s' (options take the form --name=value)", argv[optind]);
        goto cleanup;
    }
    if (cli_validate(cli, p, err) < 0)
        goto cleanup;
    res = VM_CLI_RUN;

cleanup:
    free(longopts);
    vm_buf_free(&shortopts);
    return res;
}

int vm_cli_compile_filters(struct vm_cli *cli, struct vm_err *err)
{
    if (cli_regex(&cli->include, &cli->has_include, cli->include_re, "--include", err) < 0)
        return -1;
    return cli_regex(&cli->exclude, &cli->has_exclude, cli->exclude_re, "--exclude", err);
}

void vm_cli_free(struct vm_cli *cli)
{
    size_t i;

    if (!cli)
        return;
    if (cli->has_include)
        regfree(&cli->include);
    if (cli->has_exclude)
        regfree(&cli->exclude);
    for (i = 0; i < cli->nkey_args; i++)
        free(cli->key_args[i]);
    free(cli->key_args);
    free(cli->domains);
    free(cli->targs);
    free(cli->th);
    memset(cli, 0, sizeof(*cli));
}

/* Help text is for 80-column terminals (Monitoring Plugins guidelines) and
 * is also the source of the man pages (help2man), whose layout it follows:
 * an option, then its text from column CLI_HELP_COL. */
#define CLI_HELP_WIDTH 80
#define CLI_HELP_COL 30

/* Append `text` word-wrapped to CLI_HELP_WIDTH columns. The first line goes
 * on at column `col` (already written); further lines start at `indent`.
 * A '\n' in text forces a break; with `strip`, the spaces after it are
 * dropped, so hand-made indentation in a caller's text does not add to
 * ours. A word longer than the room left stays whole. */
static void cli_wrap(struct vm_buf *out, const char *text, size_t col, size_t indent, bool strip)
{
    const char *p = text;

    for (;;) {
        size_t len = strcspn(p, "\n");

        /* Break the line at the last space that keeps it within width. */
        while (col + len > CLI_HELP_WIDTH) {
            size_t room = col < CLI_HELP_WIDTH ? CLI_HELP_WIDTH - col : 0, cut = 0, i;

            /* The last space within the room, else the first after it. */
            for (i = 1; i < len; i++) {
                if (p[i] != ' ' || p[i - 1] == ' ')
                    continue;
                if (i > room && cut)
                    break;
                cut = i;
                if (i > room)
                    break;
            }
            if (cut == 0)
                break; /* one word: let it overflow */
            vm_buf_append_len(out, p, cut);
            vm_buf_printf(out, "\n%*s", (int)indent, "");
            col = indent;
            while (cut < len && p[cut] == ' ')
                cut++;
            p += cut;
            len -= cut;
        }
        vm_buf_append_len(out, p, len);
        p += len;
        if (!*p)
            break;
        p++; /* the '\n' */
        if (strip)
            while (*p == ' ')
                p++;
        vm_buf_append(out, "\n");
        if (indent)
            vm_buf_printf(out, "%*s", (int)indent, "");
        col = indent;
    }
    vm_buf_append(out, "\n");
}

/* One option in help: "  -w, --warning=RANGE" then the text, indented. */
static void cli_help_opt(struct vm_buf *out, int shortopt, const char *name, const char *argname,
                         const char *help)
{
    size_t start = out->len, width;

    if (shortopt && shortopt < 256)
        vm_buf_printf(out, "  -%c, --%s", shortopt, name);
    else
        vm_buf_printf(out, "      --%s", name);
    if (argname)
        vm_buf_printf(out, "=%s", argname);
    width = out->len - start;
    /* Two spaces at least before the text, which help2man needs to tell
     * the text from the option. */
    if (width + 2 <= CLI_HELP_COL)
        vm_buf_printf(out, "%*s", (int)(CLI_HELP_COL - width), "");
    else
        vm_buf_printf(out, "\n%*s", CLI_HELP_COL, "");
    cli_wrap(out, help, CLI_HELP_COL, CLI_HELP_COL, true);
}

/* The synopsis: one line per form, each within 80 columns, the second
 * introduced by "or:" (the form help2man reads into SYNOPSIS). */
static void cli_usage_lines(const struct vm_plugin_def *p, struct vm_buf *out)
{
    vm_buf_printf(out,
                  "Usage: %s [-U URI] -d DOMAIN [-d ...] [-w RANGE] [-c RANGE] [OPTION]...\n"
                  "  or:  %s [-U URI] -a [--include REGEX] [--exclude REGEX] [OPTION]...\n",
                  p->name, p->name);
}

void vm_cli_usage(const struct vm_plugin_def *p, struct vm_buf *out)
{
    cli_usage_lines(p, out);
    vm_buf_printf(out, "Try '%s --help' for more.\n", p->name);
}

void vm_cli_version(const struct vm_plugin_def *p, struct vm_buf *out)
{
    unsigned long lib = 0;

    /* The libvirt actually loaded, not the one compiled against. */
    if (virGetVersion(&lib, NULL, NULL) < 0)
        lib = 0;
    vm_buf_printf(out, "%s %s (%s), libvirt %lu.%lu.%lu\n", p->name, PACKAGE_VERSION,
                  PACKAGE_NAME, lib / 1000000, lib / 1000 % 1000, lib % 1000);
}

void vm_cli_help(const struct vm_plugin_def *p, struct vm_buf *out)
{
    static const struct {
        const char *range, *meaning;
    } ranges[] = {
        {"10", "alert if below 0 or above 10"},
        {"10:", "alert if below 10"},
        {"~:10", "alert if above 10"},
        {"10:20", "alert if outside 10..20"},
        {"@10:20", "alert if inside 10..20"},
    };
    size_t i;

    vm_cli_version(p, out);
    vm_buf_append(out, "\n");
    cli_wrap(out, p->purpose, 0, 0, false);
    vm_buf_append(out, "\n");
    cli_usage_lines(p, out);
    vm_buf_append(out, "\nOptions:\n");
    for (i = 0; i < NCOMMON; i++) {
        const struct cli_common *o = &common_opts[i];

        if (o->rates && !p->rates)
            continue;
        cli_help_opt(out, o->opt.val, o->opt.name, o->argname, o->help);
    }
    if (p->nopts)
        vm_buf_printf(out, "\n%s options:\n", p->name);
    for (i = 0; i < p->nopts; i++)
        cli_help_opt(out, p->opts[i].shortopt, p->opts[i].name,
                     p->opts[i].has_arg ? p->opts[i].argname : NULL, p->opts[i].help);
    vm_buf_append(out, "\nMetrics for -w/-c METRIC=RANGE (the first is the main one):\n");
    for (i = 0; i < p->nmetrics; i++) {
        vm_buf_printf(out, "  %-*s", CLI_HELP_COL - 2, p->metrics[i].name);
        cli_wrap(out, p->metrics[i].help, CLI_HELP_COL, CLI_HELP_COL, true);
    }
    vm_buf_append(out, "\nRanges (Monitoring Plugins guidelines; endpoints are inclusive):\n");
    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        vm_buf_printf(out, "  %-*s%s\n", CLI_HELP_COL - 2, ranges[i].range, ranges[i].meaning);
    cli_wrap(out,
             "  Critical is checked before warning: -w 10 -c 20 is CRITICAL above 20 "
             "(and below 0), WARNING above 10; -w ~:10 -c ~:20 allows negative values; "
             "-w METRIC=RANGE sets another metric's threshold (repeat -w/-c for several).",
             0, 2, false);
    if (p->notes) {
        vm_buf_append(out, "\n");
        cli_wrap(out, p->notes, 0, 0, false);
    }
    vm_buf_append(out,
                  "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad options, --help,\n"
                  "--version, no connection, timeout, missing data).\n");
    if (p->example) {
        /* Not wrapped: an nrpe.cfg command is one line. */
        vm_buf_printf(out, "\nExample (NRPE):\n  %s\n", p->example);
    }
}
