/* SPDX-License-Identifier: GPL-3.0-or-later */
/* help: --help, --version and usage text, word-wrapped. */
#include <config.h>

#include <string.h>

#include <libvirt/libvirt.h>

#include "help.h"

/* Help text is for 80-column terminals (Monitoring Plugins guidelines) and
 * is also the source of the man pages (help2man), whose layout it follows:
 * an option, then its text from column HELP_COL. */
#define HELP_WIDTH 80
#define HELP_COL 30

/* Append `text` word-wrapped to HELP_WIDTH columns. The first line goes
 * on at column `col` (already written); further lines start at `indent`.
 * A '\n' in text forces a break; with `strip`, the spaces after it are
 * dropped, so hand-made indentation in a caller's text does not add to
 * ours. A word longer than the room left stays whole. */
static void help_wrap(struct vm_buf *out, const char *text, size_t col, size_t indent, bool strip)
{
    const char *p = text;

    for (;;) {
        size_t len = strcspn(p, "\n");

        /* Break the line at the last space that keeps it within width. */
        while (col + len > HELP_WIDTH) {
            size_t room = col < HELP_WIDTH ? HELP_WIDTH - col : 0, cut = 0, i;

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
static void help_opt(struct vm_buf *out, const struct vm_opt_def *o)
{
    size_t start = out->len, width;

    if (o->shortopt && o->shortopt < 256)
        vm_buf_printf(out, "  -%c, --%s", o->shortopt, o->name);
    else
        vm_buf_printf(out, "      --%s", o->name);
    if (o->has_arg && o->argname)
        vm_buf_printf(out, "=%s", o->argname);
    width = out->len - start;
    /* Two spaces at least before the text, which help2man needs to tell
     * the text from the option. */
    if (width + 2 <= HELP_COL)
        vm_buf_printf(out, "%*s", (int)(HELP_COL - width), "");
    else
        vm_buf_printf(out, "\n%*s", HELP_COL, "");
    help_wrap(out, o->help, HELP_COL, HELP_COL, true);
}

/* The synopsis: one line per form, each within 80 columns, the second
 * introduced by "or:" (the form help2man reads into SYNOPSIS). */
static void help_usage_lines(const struct vm_plugin_def *p, struct vm_buf *out)
{
    vm_buf_printf(out,
                  "Usage: %s [-U URI] -d DOMAIN [-d ...] [-w RANGE] [-c RANGE] [OPTION]...\n"
                  "  or:  %s [-U URI] -a [--include REGEX] [--exclude REGEX] [OPTION]...\n",
                  p->name, p->name);
}

void vm_help_usage(const struct vm_plugin_def *p, struct vm_buf *out)
{
    help_usage_lines(p, out);
    vm_buf_printf(out, "Try '%s --help' for more.\n", p->name);
}

void vm_help_version(const struct vm_plugin_def *p, struct vm_buf *out)
{
    unsigned long lib = 0;

    /* The libvirt actually loaded, not the one compiled against. */
    if (virGetVersion(&lib, NULL, NULL) < 0)
        lib = 0;
    vm_buf_printf(out, "%s %s (%s), libvirt %lu.%lu.%lu\n", p->name, PACKAGE_VERSION, PACKAGE_NAME,
                  lib / 1000000, lib / 1000 % 1000, lib % 1000);
}

void vm_help_render(const struct vm_plugin_def *p, struct vm_buf *out)
{
    static const struct {
        const char *range, *meaning;
    } ranges[] = {
        {"10", "alert if below 0 or above 10"}, {"10:", "alert if below 10"},
        {"~:10", "alert if above 10"},          {"10:20", "alert if outside 10..20"},
        {"@10:20", "alert if inside 10..20"},
    };
    size_t i;

    vm_help_version(p, out);
    vm_buf_append(out, "\n");
    help_wrap(out, p->purpose, 0, 0, false);
    vm_buf_append(out, "\n");
    help_usage_lines(p, out);
    vm_buf_append(out, "\nOptions:\n");
    for (i = 0; i < vm_cli_ncommon; i++) {
        const struct vm_cli_common *o = &vm_cli_common_opts[i];

        if (o->rates && !p->rates)
            continue;
        help_opt(out, &o->def);
    }
    if (p->nopts)
        vm_buf_printf(out, "\n%s options:\n", p->name);
    for (i = 0; i < p->nopts; i++)
        help_opt(out, &p->opts[i]);
    vm_buf_append(out, "\nMetrics for -w/-c METRIC=RANGE (the first is the main one):\n");
    for (i = 0; i < p->nmetrics; i++) {
        vm_buf_printf(out, "  %-*s", HELP_COL - 2, p->metrics[i].name);
        help_wrap(out, p->metrics[i].help, HELP_COL, HELP_COL, true);
    }
    vm_buf_append(out, "\nRanges (Monitoring Plugins guidelines; endpoints are inclusive):\n");
    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        vm_buf_printf(out, "  %-*s%s\n", HELP_COL - 2, ranges[i].range, ranges[i].meaning);
    help_wrap(out,
              "  Critical is checked before warning: -w 10 -c 20 is CRITICAL above 20 "
              "(and below 0), WARNING above 10; -w ~:10 -c ~:20 allows negative values; "
              "-w METRIC=RANGE sets another metric's threshold (repeat -w/-c for several).",
              0, 2, false);
    if (p->notes) {
        vm_buf_append(out, "\n");
        help_wrap(out, p->notes, 0, 0, false);
    }
    vm_buf_append(out,
                  "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad options, --help,\n"
                  "--version, no connection, timeout, missing data).\n");
    if (p->example) {
        /* Not wrapped: an nrpe.cfg command is one line. */
        vm_buf_printf(out, "\nExample (NRPE):\n  %s\n", p->example);
    }
}
