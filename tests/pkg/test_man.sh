#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The man pages: each renders without a warning (groff -ww, and man(1) the
# way lintian runs it), has the usual sections, and lists exactly the
# options its plugin's --help lists, so a shipped page cannot drift from
# the plugin. TAP; skipped when no page was made (configure found no
# help2man and the tree ships none).
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${VM_TOP_BUILDDIR:-$srcdir}
plugdir=${VM_PLUGIN_DIR:-$builddir/plugins}
plugins="check_vcpu check_vmem check_vdisk check_vnet"
LC_ALL=C.UTF-8
export LC_ALL

. "$srcdir/tests/tap.sh"

page() { # the page a build installs: made here, else the shipped one
    for f in "${VM_MAN_DIR:-$builddir/man}/$1.1" "$srcdir/man/$1.1"; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}
for p in $plugins; do
    page "$p" >/dev/null || skip_all "no man page for $p (help2man missing?)"
    [ -x "$plugdir/$p" ] || bail "$plugdir/$p is not built"
done
command -v groff >/dev/null || skip_all "groff is not installed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Options as the roff source writes them, unescaped: "\fB\-\-state\-dir\fR"
# is --state-dir. Only the option items of OPTIONS (a .TP followed by a
# line that starts with an option) count.
man_long() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(CW//g' -e 's/\\,//g' -e 's/\\\///g' "$1" |
        awk '/^\.SH / { on = ($2 == "OPTIONS") } on && tp { print } { tp = ($0 == ".TP") }' |
        grep -o -E '(^|, )--[a-z0-9][a-z0-9-]*' | sed 's/^, //' | sort -u
}
help_long() {
    sed -n -E 's/^(  -[A-Za-z0-9], |      )(--[a-z0-9][a-z0-9-]*).*/\2/p' "$1" | sort -u
}

tap_plan $((5 * 4))
for p in $plugins; do
    f=$(page "$p")
    "$plugdir/$p" --help >"$tmp/$p.help" 2>&1

    groff -man -Tutf8 -ww -z "$f" 2>"$tmp/$p.groff"
    rc=$?
    check "$([ $rc -eq 0 ] && [ ! -s "$tmp/$p.groff" ] && echo 0 || echo 1)" \
        "$p.1: groff -man -ww renders it without a warning (rc=$rc)"
    [ -s "$tmp/$p.groff" ] && diag "$(head -n 5 "$tmp/$p.groff")"

    # What lintian's manpage checks run (groff's warnings through man-db).
    if command -v man >/dev/null; then
        MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" >/dev/null 2>"$tmp/$p.man"
        rc=$?
        check "$([ $rc -eq 0 ] && [ ! -s "$tmp/$p.man" ] && echo 0 || echo 1)" \
            "$p.1: man --warnings -l renders it without a warning (rc=$rc)"
        [ -s "$tmp/$p.man" ] && diag "$(head -n 5 "$tmp/$p.man")"
    else
        ok "$p.1: man --warnings -l # SKIP man is not installed"
    fi

    miss=
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "SEE ALSO"; do
        grep -q -x -E "\.SH \"?$s\"?" "$f" || miss="$miss $s"
    done
    grep -q "^$p \\\\- " "$f" || miss="$miss NAME-line"
    [ "$(grep -c -x "\.B $p" "$f")" -eq 2 ] || miss="$miss two-SYNOPSIS-forms"
    grep -q -F "command[$p]=/usr/lib/nagios/plugins/$p" "$f" || miss="$miss NRPE-example"
    check "$([ -z "$miss" ] && echo 0 || echo 1)" \
        "$p.1 has NAME, SYNOPSIS (both forms), DESCRIPTION, OPTIONS, EXAMPLES, SEE ALSO${miss:+ (missing:$miss)}"

    man_long "$f" >"$tmp/$p.mlong"
    help_long "$tmp/$p.help" >"$tmp/$p.hlong"
    diff=$(comm -3 "$tmp/$p.hlong" "$tmp/$p.mlong" | tr -d '\t' | tr '\n' ' ')
    nh=$(wc -l <"$tmp/$p.hlong")
    check "$([ -z "$diff" ] && [ "$nh" -gt 0 ] && echo 0 || echo 1)" \
        "$p.1 lists the same $nh long options as $p --help${diff:+ (differ: $diff)}"

    version=$("$plugdir/$p" --version | cut -d' ' -f2)
    check "$(grep -q -E "^\.TH $(echo "$p" | tr a-z A-Z) \"1\" .*\"monitoring-plugins-libvirt $version\"" "$f" && echo 0 || echo 1)" \
        "$p.1 is section 1 and for version $version"
done
tap_done
