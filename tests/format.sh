#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every C file of lib/, plugins/, tests/, fuzz/ and bench/ is laid out as
# .clang-format says: one TAP line per file, with the differences as
# diagnostics. Skips (exit 77 by hand, 0 under make check) without
# clang-format; CLANG_FORMAT names another binary (the layout is that of
# Debian's clang-format 14: other versions differ in details).
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/tap.sh"
cf=${CLANG_FORMAT:-clang-format}

if ! command -v "$cf" >/dev/null 2>&1; then
    echo "1..0 # SKIP $cf not found (Debian: apt-get install clang-format)"
    [ -n "${VM_TOP_BUILDDIR:-}" ] && exit 0
    exit 77
fi
cd "$srcdir" || bail "cannot enter $srcdir"
files=$(ls lib/*.[ch] plugins/*.[ch] tests/*/*.[ch] fuzz/*.[ch] bench/*.c 2>/dev/null)
tmp=$(mktemp "${TMPDIR:-/tmp}/vm-format.XXXXXX") || bail "mktemp failed"
trap 'rm -f "$tmp"' EXIT

tap_plan "$(echo "$files" | wc -w)"
for f in $files; do
    if ! "$cf" --style=file "$f" >"$tmp" 2>&1; then
        not_ok "$f: $cf failed"
        diag "$(head -5 "$tmp")"
    elif cmp -s "$f" "$tmp"; then
        ok "$f"
    else
        not_ok "$f: $(diff "$f" "$tmp" | grep -c '^[<>]') lines differ ($cf -i $f)"
        diag "$(diff -u "$f" "$tmp" | sed -n '3,12p')"
    fi
done
tap_done
