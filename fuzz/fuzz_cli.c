/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_cli: vm_cli_parse on any argument vector. Input: the arguments
 * separated by NUL bytes (argv[0] is supplied). The --include/--exclude
 * patterns are size-checked here but not compiled: that is glibc's regcomp,
 * which the plugins run under the -t alarm (vm_filter_compile). */
#include <config.h>

#include "cli.h"
#include "fuzz.h"

#define FUZZ_MAXARGS 64

enum { OPT_FLAG, OPT_VALUE };

static const struct vm_metric_def metrics[] = {
    {"used", VM_RANGE_ALLOW_PERCENT | VM_RANGE_ALLOW_SIZE, "main metric", NULL, NULL},
    {"rss", VM_RANGE_ALLOW_SIZE, "bytes only", NULL, NULL},
    {"rate", 0, "bare numbers only", NULL, NULL},
};
static const struct vm_opt_def opts[] = {
    {"flag", 0, false, NULL, "a flag", OPT_FLAG},
    {"value", 'x', true, "V", "a value", OPT_VALUE},
};

static int cb(void *ctx, int key, const char *arg, struct vm_err *err)
{
    int *flags = ctx;

    if (key == OPT_FLAG) {
        (*flags)++;
        return 0;
    }
    if (strcmp(arg, "bad") == 0)
        return vm_err_set(err, "bad value");
    return 0;
}

/* Two plugins, told apart by the input's length: all metrics, options and
 * rates, or one metric and nothing else. */
#define FUZZ_PLUGIN(nmetrics_, opts_, nopts_, rates_)                                              \
    {                                                                                              \
        .name = "check_fuzz", .service = "FUZZ", .purpose = "fuzzing", .metrics = metrics,         \
        .nmetrics = (nmetrics_), .opts = (opts_), .nopts = (nopts_), .rates = (rates_)             \
    }
static const struct vm_plugin_def plugins[2] = {FUZZ_PLUGIN(3, opts, 2, true),
                                                FUZZ_PLUGIN(1, NULL, 0, false)};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct vm_plugin_def *p = &plugins[size % 2];
    char *argv[FUZZ_MAXARGS + 2];
    char *copy = fuzz_cstr(data, size);
    struct vm_cli cli;
    struct vm_err err = {""};
    enum vm_cli_result res;
    int argc = 1, flags = 0;
    size_t i, start = 0;

    argv[0] = (char *)"check_fuzz";
    for (i = 0; i <= size && argc <= FUZZ_MAXARGS; i++) {
        if (i == size || copy[i] == '\0') {
            if (i == size && start == size && argc > 1)
                break; /* a trailing NUL ends the last argument, adds none */
            argv[argc++] = copy + start;
            start = i + 1;
        }
    }
    argv[argc] = NULL;

    res = vm_cli_parse(&cli, p, cb, &flags, argc, argv, &err);
    switch (res) {
    case VM_CLI_RUN:
        FUZZ_ASSERT(cli.all != (cli.ndomains > 0));
        FUZZ_ASSERT(cli.th != NULL);
        FUZZ_ASSERT(cli.timeout_s >= 1 && cli.timeout_s <= 86400);
        FUZZ_ASSERT(cli.max_output == 0 || cli.max_output >= 128);
        FUZZ_ASSERT(!p->rates || cli.interval_s < cli.timeout_s);
        FUZZ_ASSERT(!cli.uri || *cli.uri);
        for (i = 0; i < cli.ndomains; i++)
            FUZZ_ASSERT(cli.domains[i] && *cli.domains[i]);
        for (i = 0; i < cli.nkey_args; i++)
            FUZZ_ASSERT(cli.key_args[i] != NULL);
        break;
    case VM_CLI_ERROR:
        FUZZ_ASSERT(err.msg[0] != '\0');
        FUZZ_ASSERT(strpbrk(err.msg, "\n|") == NULL);
        break;
    case VM_CLI_HELP:
    case VM_CLI_VERSION:
        break;
    }
    vm_cli_clear(&cli);
    free(copy);
    return 0;
}
