/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli: the options every plugin shares.
 *
 * A plugin describes itself in a struct vm_plugin_def (name, metrics, its
 * own options); vm_cli_parse() handles the common options and hands each
 * plugin option to the plugin's callback. The result, struct vm_cli, holds
 * only values and strings and is not changed after parsing: the compiled
 * --include/--exclude live in a struct vm_filter (filter.h), the help text
 * is rendered by help.h. Nothing is printed here. */
#ifndef VM_CLI_H
#define VM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "status.h"
#include "thresh.h"

/* What to do with a domain that is not running. */
enum vm_policy {
    VM_POLICY_DEFAULT = 0, /* not set on the command line */
    VM_POLICY_CHECK,       /* measure it anyway (paused only) */
    VM_POLICY_SKIP,        /* leave it out */
    VM_POLICY_OK,
    VM_POLICY_WARNING,
    VM_POLICY_CRITICAL,
    VM_POLICY_UNKNOWN,
};

/* A plugin-specific option. `key` is what the callback receives. */
struct vm_opt_def {
    const char *name; /* long name, e.g. "basis" */
    int shortopt;     /* 0 for none */
    bool has_arg;
    const char *argname; /* e.g. "usable|free" */
    const char *help;    /* one or more lines, wrapped by the caller */
    int key;
};

struct vm_plugin_def {
    const char *name;    /* "check_vmem" */
    const char *service; /* "VMEM" */
    const char *noun;    /* what one report item is: "disk", "interface"; NULL = "domain" */
    const char *purpose; /* one paragraph for --help */
    const char *notes;   /* extra help paragraphs (may be NULL) */
    const char *example; /* an example command line (may be NULL) */
    const struct vm_metric_def *metrics; /* metrics[0] is the main one */
    size_t nmetrics;
    const struct vm_opt_def *opts;
    size_t nopts;
    bool rates; /* accepts --interval/--state-dir/--no-state/--max-state-age */
    /* The rates are optional (check_vmem's pressure): the plugin checks
     * --interval against -t (vm_cli_check_interval), and only when it
     * will sample in-run. */
    bool rates_optional;
    unsigned groups; /* VM_GROUP_* the plugin needs */
};

struct vm_cli {
    const char *uri; /* NULL → vm_conn_uri() decides */
    char **domains;  /* -d values (borrowed from argv; array owned) */
    size_t ndomains;
    bool all;
    const char *include_re;      /* --include/--exclude text (borrowed from argv), */
    const char *exclude_re;      /* size-checked; see vm_filter_compile() */
    struct vm_thresh_arg *targs; /* raw -w/-c, resolved by the plugin driver */
    size_t ntargs;
    struct vm_thresh *th;          /* resolved, one per metric (owned) */
    unsigned timeout_s;            /* -t, default 10 */
    enum vm_status timeout_result; /* --timeout-result, default UNKNOWN */
    bool verbose;                  /* -v (given again, it means the same) */
    size_t max_output;             /* --max-output bytes, default 65000; 0 = no limit */
    enum vm_policy shutoff;        /* --shutoff */
    enum vm_policy paused;         /* --paused */
    enum vm_status missing_state;  /* --missing: state for -d domains that do not exist */
    enum vm_status busy_state;     /* --busy: state for a domain libvirt skipped (busy.h) */
    enum vm_status crashed_state;  /* --crashed: state for a crashed / "no state" domain */
    double deadline_s;             /* --deadline: collection stops waiting (default 0.4 × -t) */
    bool allow_empty;              /* --allow-empty: --all matching nothing is OK */
    bool ignore_nodata;            /* --ignore-nodata: domains without data are left out */
    /* rate plugins only */
    double interval_s;      /* --interval, default 1 */
    double max_state_age_s; /* --max-state-age, default 3600 */
    double min_window_s;    /* --min-window, default 5 */
    bool no_state;          /* --no-state */
    const char *state_dir;  /* --state-dir */
    char **key_args;        /* the selection options, for the state key (owned array) */
    size_t nkey_args;
};

enum vm_cli_result {
    VM_CLI_RUN,     /* go on and check */
    VM_CLI_HELP,    /* print vm_help_render and exit UNKNOWN */
    VM_CLI_VERSION, /* print vm_help_version and exit UNKNOWN */
    VM_CLI_ERROR,   /* err says what; exit UNKNOWN */
};

/* --interval must be shorter than -t: returns 0, or -1 with err set. */
int vm_cli_check_interval(const struct vm_cli *cli, struct vm_err *err);

/* Called for each plugin option: return 0, or -1 with err set. */
typedef int (*vm_opt_cb)(void *ctx, int key, const char *arg, struct vm_err *err);

/* Parse argv. Uses getopt_long with its messages switched off. */
enum vm_cli_result vm_cli_parse(struct vm_cli *cli, const struct vm_plugin_def *p, vm_opt_cb cb,
                                void *ctx, int argc, char **argv, struct vm_err *err);
void vm_cli_clear(struct vm_cli *cli); /* NULL accepted */

/* The common options, in --help order: `def.key` is the getopt code
 * (the short option's character, or a number above 255). */
struct vm_cli_common {
    struct vm_opt_def def;
    bool rates; /* only for rate plugins */
    bool keyed; /* part of the state key: it changes what is sampled */
};
extern const struct vm_cli_common vm_cli_common_opts[];
extern const size_t vm_cli_ncommon;

#endif
