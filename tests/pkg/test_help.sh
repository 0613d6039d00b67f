#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --help of the four plugins against the Monitoring Plugins guidelines:
# every line within 80 columns, the parts the guidelines ask for (usage,
# options, threshold syntax with examples, exit codes, an NRPE line), and
# the option list matching what the option parser really accepts. TAP.
#
# "Accepted" is asked of the built plugin, not of its source: each
# candidate option is given before an option that cannot exist, so parsing
# stops with an error and nothing connects anywhere. The candidates are
# every option any plugin's --help lists plus every name in the option
# tables of lib/cli.c and plugins/*.c, so an option missing from --help
# (or one listed but not accepted) fails here.
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${VM_TOP_BUILDDIR:-$srcdir}
plugdir=${VM_PLUGIN_DIR:-$builddir/plugins}
plugins="check_vcpu check_vmem check_vdisk check_vnet"
LC_ALL=C
export LC_ALL

. "$srcdir/tests/tap.sh"

for p in $plugins; do
    [ -x "$plugdir/$p" ] || bail "$plugdir/$p is not built"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-help.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Long options listed in a --help text: "  -x, --name..." or "      --name...".
listed_long() {
    sed -n -E 's/^(  -[A-Za-z0-9], |      )--([a-z0-9][a-z0-9-]*).*/\2/p' "$1" | sort -u
}
listed_short() {
    sed -n -E 's/^  -([A-Za-z0-9]), --.*/\1/p' "$1" | sort -u
}
# Does the plugin take this option? A no-value option is followed by the
# impossible option (an error, so no connection); a value option takes the
# impossible one as its value and fails on the missing domain or connects to
# the test driver only.
accepts() { # accepts PLUGIN OPTION
    out=$("$plugdir/$1" -U test:///default "$2" --zz-no-such-option 2>&1)
    case $out in
    *"unknown option '$2'"*) return 1 ;;
    esac
    return 0
}

# The candidates: option-table names in the sources, and every help's list.
{
    # {"name", 'x' or 0, has_arg, ...}: the plugins' tables, and lib/cli.c's
    # common table, whose entries open with two braces.
    cat "$srcdir/lib/cli.c" "$srcdir"/plugins/check_*.c |
        sed -n -E "s/^[[:space:]]*\{?\{\"([a-z0-9][a-z0-9-]*)\", *(0|'[^']'), *(true|false),.*/\1/p"
} | sort -u >"$tmp/scraped"
for p in $plugins; do
    "$plugdir/$p" --help >"$tmp/$p.help" 2>&1
    echo $? >"$tmp/$p.rc"
    listed_long "$tmp/$p.help" >"$tmp/$p.long"
    listed_short "$tmp/$p.help" >"$tmp/$p.short"
done
sort -u "$tmp/scraped" "$tmp"/*.long >"$tmp/candidates"
nscraped=$(wc -l <"$tmp/scraped")
tap_plan $((1 + 8 * 4))
# 23 common options today; fewer means the scraping no longer matches the
# sources' layout and this test would check too little.
check "$([ "$nscraped" -ge 20 ] && echo 0 || echo 1)" \
    "found the option tables in lib/cli.c and plugins/ ($nscraped names)"

for p in $plugins; do
    h=$tmp/$p.help
    rc=$(cat "$tmp/$p.rc")
    first=$(head -n 1 "$h")
    case $first in
    "$p "[0-9]*" (monitoring-plugins-libvirt), libvirt "*) good=0 ;;
    *) good=1 ;;
    esac
    check "$([ "$rc" -eq 3 ] && [ $good -eq 0 ] && echo 0 || echo 1)" \
        "$p --help exits 3 (UNKNOWN) and starts with its version (rc=$rc)"

    long=$(awk 'length($0) > 80 { printf "%d: %d columns\n", NR, length($0) }' "$h")
    bad=$(grep -n -E '	| $' "$h" | cut -d: -f1 | tr '\n' ' ')
    check "$([ -z "$long" ] && [ -z "$bad" ] && echo 0 || echo 1)" \
        "$p --help: every line within 80 columns, no tabs or trailing spaces"
    [ -z "$long" ] || diag "$long"
    [ -z "$bad" ] || diag "tab or trailing space on line(s) $bad"

    nusage=$(sed -n '/^Usage:/,/^$/p' "$h" | sed '/^$/d' | wc -l)
    form=$(sed -n '/^Usage:/,/^$/p' "$h" | sed '/^$/d' |
        grep -v -c -E "^(Usage: |  or:  )$p ")
    check "$([ "$nusage" -ge 1 ] && [ "$nusage" -le 23 ] && [ "$form" -eq 0 ] && echo 0 || echo 1)" \
        "$p --help: usage of $nusage line(s), each 'Usage: $p' or '  or:  $p'"

    miss=
    for want in "Options:" "  -w, --warning=" "  -c, --critical=" "  -t, --timeout=" \
        "Metrics for -w/-c" "Ranges (" "  10:20 " "  ~:10 " "  @10:20 " "-w 10 -c 20" \
        "Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN" \
        "Example (NRPE):" "  command[$p]=/usr/lib/nagios/plugins/$p "; do
        grep -q -F -e "$want" "$h" || miss="$miss '$want'"
    done
    check "$([ -z "$miss" ] && echo 0 || echo 1)" \
        "$p --help has options, metrics, range examples, exit codes and an NRPE line${miss:+ (missing:$miss)}"

    wrong=
    while read -r o; do
        if accepts "$p" "--$o"; then a=1; else a=0; fi
        if grep -q -x -F -e "$o" "$tmp/$p.long"; then l=1; else l=0; fi
        [ $a -eq $l ] && continue
        if [ $a -eq 1 ]; then wrong="$wrong --$o(accepted,not-listed)"; else wrong="$wrong --$o(listed,not-accepted)"; fi
    done <"$tmp/candidates"
    nl=$(wc -l <"$tmp/$p.long")
    check "$([ -z "$wrong" ] && echo 0 || echo 1)" \
        "$p: the $nl long options in --help are exactly those it accepts${wrong:+:$wrong}"

    wrong=
    for c in a b c d e f g h i j k l m n o p q r s t u v w x y z \
        A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9; do
        if accepts "$p" "-$c"; then a=1; else a=0; fi
        if grep -q -x -F -e "$c" "$tmp/$p.short"; then l=1; else l=0; fi
        [ $a -eq $l ] || wrong="$wrong -$c"
    done
    ns=$(wc -l <"$tmp/$p.short")
    check "$([ -z "$wrong" ] && echo 0 || echo 1)" \
        "$p: the $ns short options in --help are exactly those it accepts${wrong:+ (differ:$wrong)}"

    "$plugdir/$p" -h >"$tmp/$p.h" 2>&1
    rc=$?
    check "$([ $rc -eq 3 ] && cmp -s "$tmp/$p.h" "$h" && echo 0 || echo 1)" \
        "$p -h is --help (rc=$rc)"

    "$plugdir/$p" --version >"$tmp/$p.v" 2>&1
    rc=$?
    lines=$(wc -l <"$tmp/$p.v")
    check "$([ $rc -eq 3 ] && [ "$lines" -eq 1 ] && [ "$(cat "$tmp/$p.v")" = "$first" ] && echo 0 || echo 1)" \
        "$p --version exits 3 with the one line --help starts with (rc=$rc)"
done
tap_done
