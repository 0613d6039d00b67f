/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: common options, strict parsing, validation, state-key arguments.
 * The help text is help.c's, the regexes filter.c's. */
#include <config.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "filter.h"

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
    OPT_DEADLINE,
    OPT_BUSY,
    OPT_MIN_WINDOW, /* new codes go last: keyed options' codes are in state keys */
    OPT_CRASHED,
};

/* Repeating an option. Accumulating options add each value: -d/--domain,
 * -w/-c (one threshold per metric and level: a second one for the same
 * metric is an error naming it, thresh.c), and the plugins' --device and
 * --interface. Every other option holds one value and, as in any getopt
 * program, the last one given wins: --connect, --include, --exclude (one
 * regex each; join alternatives with '|'), --shutoff, --paused, --missing,
 * --busy, --timeout, --deadline, --timeout-result, --max-output,
 * --interval, --state-dir, --max-state-age, --min-window, and the
 * plugins' --basis, --max-age and --label. Flags given again change
 * nothing. */
const struct vm_cli_common vm_cli_common_opts[] = {
    {{"connect", 'U', true, "URI",
      "libvirt URI, always opened read-only (default: $LIBVIRT_DEFAULT_URI, "
      "else qemu:///system)",
      'U'},
     false,
     false},
    {{"domain", 'd', true, "NAME|UUID|ID", "domain to check; repeat for several", 'd'},
     false,
     true},
    {{"all", 'a', false, NULL, "check every domain (see --include/--exclude)", 'a'}, false, true},
    {{"include", 0, true, "REGEX", "with --all: only domains whose name matches (POSIX extended)",
      OPT_INCLUDE},
     false,
     true},
    {{"exclude", 0, true, "REGEX", "with --all: leave out domains whose name matches", OPT_EXCLUDE},
     false,
     true},
    {{"warning", 'w', true, "[METRIC=]RANGE",
      "warning threshold; a bare RANGE is for the main metric", 'w'},
     false,
     false},
    {{"critical", 'c', true, "[METRIC=]RANGE",
      "critical threshold; a bare RANGE is for the main metric", 'c'},
     false,
     false},
    {{"shutoff", 0, true, "STATE|skip",
      "state for a domain that is shut off (default: unknown "
      "for domains named with -d, skip with --all)",
      OPT_SHUTOFF},
     false,
     true},
    {{"paused", 0, true, "check|STATE|skip", "what to do with a paused domain (default: check it)",
      OPT_PAUSED},
     false,
     true},
    {{"crashed", 0, true, "STATE",
      "state for a domain that crashed or is in libvirt's \"no state\", named or under --all "
      "(default: critical)",
      OPT_CRASHED},
     false,
     false},
    {{"missing", 0, true, "STATE", "state for a -d domain that does not exist (default: unknown)",
      OPT_MISSING},
     false,
     false},
    {{"busy", 0, true, "STATE",
      "state for a domain whose figures libvirt skipped or did not give in time: its QEMU is "
      "stuck or a job holds it (default: unknown)",
      OPT_BUSY},
     false,
     false},
    {{"allow-empty", 0, false, NULL, "OK instead of UNKNOWN when --all matches no domain",
      OPT_ALLOW_EMPTY},
     false,
     false},
    {{"ignore-nodata", 0, false, NULL, "leave out domains that report no data instead of UNKNOWN",
      OPT_IGNORE_NODATA},
     false,
     false},
    {{"interval", 0, true, "SECONDS",
      "gap between two samples taken in one run, when there is no valid "
      "previous sample (default: 1)",
      OPT_INTERVAL},
     true,
     false},
    {{"state-dir", 0, true, "DIR",
      "private folder for the previous sample (default: "
      "$XDG_STATE_HOME/monitoring-plugins-libvirt, else "
      "~/.local/state/monitoring-plugins-libvirt, else "
      "/var/tmp/monitoring-plugins-libvirt-UID)",
      OPT_STATE_DIR},
     true,
     false},
    {{"no-state", 0, false, NULL,
      "always take both samples in this run; read and write no state file", OPT_NO_STATE},
     true,
     false},
    {{"max-state-age", 0, true, "SECONDS",
      "ignore a previous sample older than this (default: 3600)", OPT_MAX_STATE_AGE},
     true,
     false},
    {{"min-window", 0, true, "SECONDS",
      "never average over a saved sample younger than this (default: 5); a check soon "
      "after another uses an older one, else samples in this run",
      OPT_MIN_WINDOW},
     true,
     false},
    {{"timeout", 't', true, "SECONDS", "give up after this long (default: 10)", 't'}, false, false},
    {{"deadline", 0, true, "SECONDS",
      "stop waiting for libvirt after this long and answer with what it gave, naming the "
      "domains that did not answer (default: 40% of --timeout)",
      OPT_DEADLINE},
     false,
     false},
    {{"timeout-result", 0, true, "STATE", "state to return on timeout (default: unknown)",
      OPT_TIMEOUT_RESULT},
     false,
     false},
    {{"max-output", 0, true, "BYTES",
      "trim output to this size, OK lines and perfdata first (default: 65000, for NRPE 3/4; "
      "use 8000 under Nagios Core, 1000 for NRPE 2; 0 = no limit)",
      OPT_MAX_OUTPUT},
     false,
     false},
    {{"verbose", 'v', false, NULL, "more detail (one level: -vv is the same as -v)", 'v'},
     false,
     false},
    {{"version", 'V', false, NULL, "print the version and exit", 'V'}, false, false},
    {{"help", 'h', false, NULL, "print this help and exit", 'h'}, false, false},
};

const size_t vm_cli_ncommon = sizeof(vm_cli_common_opts) / sizeof(vm_cli_common_opts[0]);

static int cli_policy(const char *arg, bool allow_check, enum vm_policy *out, const char *what,
                      struct vm_err *err)
{
    static const struct {
        const char *name;
        enum vm_policy p;
    } map[] = {
        {"check", VM_POLICY_CHECK},
        {"skip", VM_POLICY_SKIP},
        {"ok", VM_POLICY_OK},
        {"warning", VM_POLICY_WARNING},
        {"critical", VM_POLICY_CRITICAL},
        {"unknown", VM_POLICY_UNKNOWN},
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

/* --include/--exclude: size-checked now, compiled by the runtime later. */
static int cli_filter(const char **out, const char *arg, const char *what, struct vm_err *err)
{
    if (vm_filter_check(arg, what, err) < 0)
        return -1;
    *out = arg;
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
        return vm_err_set(err, "invalid %s '%s': must be between %g and %g seconds", what, arg, min,
                          max);
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
                   ? vm_err_set(err, "out of memory")
                   : 0;
    case 'a':
        cli->all = true;
        return 0;
    case OPT_INCLUDE:
        return cli_filter(&cli->include_re, arg, "--include", err);
    case OPT_EXCLUDE:
        return cli_filter(&cli->exclude_re, arg, "--exclude", err);
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
            return vm_err_set(
                err, "invalid --timeout-result '%s': use ok, warning, critical or unknown", arg);
        return 0;
    case OPT_MAX_OUTPUT:
        if (vm_parse_uint(arg, 0, 16u << 20, &u, "--max-output", err) < 0)
            return -1;
        if (u != 0 && u < 128)
            return vm_err_set(err, "invalid --max-output '%s': use 0 (no limit) or at least 128",
                              arg);
        cli->max_output = (size_t)u;
        return 0;
    case OPT_SHUTOFF:
        return cli_policy(arg, false, &cli->shutoff, "--shutoff", err);
    case OPT_PAUSED:
        return cli_policy(arg, true, &cli->paused, "--paused", err);
    case OPT_MISSING:
        if (vm_status_parse(arg, &cli->missing_state) < 0)
            return vm_err_set(err, "invalid --missing '%s': use ok, warning, critical or unknown",
                              arg);
        return 0;
    case OPT_CRASHED:
        if (vm_status_parse(arg, &cli->crashed_state) < 0)
            return vm_err_set(err, "invalid --crashed '%s': use ok, warning, critical or unknown",
                              arg);
        return 0;
    case OPT_BUSY:
        if (vm_status_parse(arg, &cli->busy_state) < 0)
            return vm_err_set(err, "invalid --busy '%s': use ok, warning, critical or unknown",
                              arg);
        return 0;
    case OPT_DEADLINE:
        return cli_seconds(arg, 0.1, 86400, &cli->deadline_s, "--deadline", err);
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
    case OPT_MIN_WINDOW:
        return cli_seconds(arg, 0.001, 30 * 86400, &cli->min_window_s, "--min-window", err);
    case 'v':
        cli->verbose = true;
        return 0;
    case 'V':
    case 'h':
        return 1;
    }
    return vm_err_set(err, "internal error: option %d not handled", c);
}

int vm_cli_check_interval(const struct vm_cli *cli, struct vm_err *err)
{
    if (cli->interval_s >= cli->timeout_s)
        return vm_err_set(err, "--interval (%g s) must be shorter than --timeout (%u s)",
                          cli->interval_s, cli->timeout_s);
    return 0;
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
    /* A stuck guest must not cost the others their figures: collection
     * stops waiting well before the -t alarm, which stays the last resort. */
    if (cli->deadline_s == 0)
        cli->deadline_s = 0.4 * cli->timeout_s;
    else if (cli->deadline_s >= cli->timeout_s)
        return vm_err_set(err, "--deadline (%g s) must be shorter than --timeout (%u s)",
                          cli->deadline_s, cli->timeout_s);
    if (p->rates && cli->min_window_s > cli->max_state_age_s)
        return vm_err_set(err, "--min-window (%g s) must not be longer than --max-state-age (%g s)",
                          cli->min_window_s, cli->max_state_age_s);
    if (p->rates && !p->rates_optional && vm_cli_check_interval(cli, err) < 0)
        return -1;
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
    cli->busy_state = VM_UNKNOWN;
    cli->crashed_state = VM_CRITICAL;
    cli->interval_s = 1.0;
    cli->max_state_age_s = 3600.0;
    cli->min_window_s = 5.0;
}

/* Put getopt_long's complaint in words (its own messages are off: opterr = 0).
 * `elem` is argv[optind - 1]: the element getopt just consumed when `moved`
 * (optind advanced), else an older one, as inside a cluster "-vx". A long
 * option's trouble shows as optopt 0 (unknown or ambiguous: getopt does not
 * say which, the table does) or the option's code (a value given to one that
 * takes none, or no value for one that needs it). */
static void cli_getopt_error(const struct option *lo, int c, const char *elem, bool moved,
                             struct vm_err *err)
{
    struct vm_buf b = VM_BUF_INIT;
    const char *typed, *full = NULL;
    size_t n, i, nmatch = 0;

    if (!moved || strncmp(elem, "--", 2) != 0 || !elem[2]) {
        if (c == ':')
            vm_err_set(err, "-%c needs a value", optopt);
        else
            vm_err_set(err, "unknown option '-%c'", optopt);
        return;
    }
    typed = elem + 2;
    n = strcspn(typed, "=");
    for (i = 0; lo[i].name; i++) {
        if (strncmp(lo[i].name, typed, n) != 0)
            continue;
        if (optopt != 0 && lo[i].val == optopt)
            full = lo[i].name;
        vm_buf_printf(&b, "%s--%s", nmatch++ ? ", " : "", lo[i].name);
    }
    if (optopt != 0)
        vm_err_set(err, "--%s %s", full ? full : typed,
                   c == ':' ? "needs a value" : "takes no value");
    else if (nmatch > 1)
        vm_err_set(err, "--%.*s is ambiguous: %s", (int)n, typed, vm_buf_str(&b));
    else
        vm_err_set(err, "unknown option '--%.*s'", (int)n, typed);
    vm_buf_clear(&b);
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
    longopts = vm_calloc(vm_cli_ncommon + p->nopts + 1, sizeof(*longopts));
    if (!longopts) {
        vm_err_set(err, "out of memory");
        goto cleanup;
    }
    /* A leading ':' makes getopt report a missing argument as ':'. */
    vm_buf_append(&shortopts, ":");
    for (i = 0; i < vm_cli_ncommon; i++) {
        const struct vm_opt_def *o = &vm_cli_common_opts[i].def;

        if (vm_cli_common_opts[i].rates && !p->rates)
            continue;
        longopts[nlong].name = o->name;
        longopts[nlong].has_arg = o->has_arg ? required_argument : no_argument;
        longopts[nlong].val = o->key;
        nlong++;
        if (o->shortopt)
            vm_buf_printf(&shortopts, "%c%s", o->shortopt, o->has_arg ? ":" : "");
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
    for (int before = optind;
         (c = getopt_long(argc, argv, vm_buf_str(&shortopts), longopts, &idx)) != -1;
         before = optind) {
        const char *arg = optarg ? optarg : "";
        bool keyed = false;
        int rc = -1;

        if (c == '?' || c == ':') {
            cli_getopt_error(longopts, c, argv[optind - 1], optind != before, err);
            goto cleanup;
        }
        for (i = 0; i < p->nopts; i++) {
            const struct vm_opt_def *d = &p->opts[i];

            /* Not keyed: a plugin's options (--device, --headroom,
             * --cap...) change what it judges and reads beside the
             * sample, never the sample (whole domains, every device), so
             * that two services on one domain share one state ring. */
            if (c == (d->shortopt ? d->shortopt : CLI_PLUGIN_KEY_BASE + (int)i)) {
                rc = cb(ctx, d->key, arg, err);
                break;
            }
        }
        if (i == p->nopts) {
            for (i = 0; i < vm_cli_ncommon; i++) {
                if (vm_cli_common_opts[i].def.key == c)
                    keyed = vm_cli_common_opts[i].keyed;
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
                vm_buf_clear(&kv);
                vm_err_set(err, "out of memory");
                goto cleanup;
            }
        }
    }
    if (optind < argc) {
        vm_err_set(err, "unexpected argument '%s' (options take the form --name=value)",
                   argv[optind]);
        goto cleanup;
    }
    if (cli_validate(cli, p, err) < 0)
        goto cleanup;
    res = VM_CLI_RUN;

cleanup:
    free(longopts);
    vm_buf_clear(&shortopts);
    return res;
}

void vm_cli_clear(struct vm_cli *cli)
{
    size_t i;

    if (!cli)
        return;
    for (i = 0; i < cli->nkey_args; i++)
        free(cli->key_args[i]);
    free(cli->key_args);
    free(cli->domains);
    free(cli->targs);
    free(cli->th);
    memset(cli, 0, sizeof(*cli));
}
