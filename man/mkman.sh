#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Make one man page from a built plugin's --help with help2man, plus the
# NAME, EXAMPLES, ENVIRONMENT, FILES and SEE ALSO text of its .h2m file.
#
#   mkman.sh HELP2MAN PLUGIN H2M PACKAGE VERSION OUTPUT [SHIPPED]
#
# The first line of --help (name, version and the libvirt the plugin
# loaded) is left out of DESCRIPTION: the footer names the version, and the
# build host's libvirt is not the reader's. SOURCE_DATE_EPOCH, when set,
# fixes the date (help2man honours it), so pages are reproducible.
#
# Without help2man (HELP2MAN empty, "no" or not found), a SHIPPED page (the
# one in a release tarball) is used as it is, with a warning; with neither
# this fails, saying what to install.
set -eu

help2man=$1 plugin=$2 h2m=$3 package=$4 version=$5 output=$6 shipped=${7:-}
name=$(basename "$plugin")
mkdir -p "$(dirname "$output")"

if [ -z "$help2man" ] || [ "$help2man" = no ] || ! command -v "$help2man" >/dev/null 2>&1; then
    if [ -n "$shipped" ] && [ -f "$shipped" ]; then
        echo "mkman.sh: warning: help2man not found; using $shipped as it is" >&2
        [ "$shipped" -ef "$output" ] || cp "$shipped" "$output"
        touch "$output"
        exit 0
    fi
    echo "mkman.sh: help2man is needed to make $output (Debian: apt-get install help2man)" >&2
    exit 1
fi

tmp=$output.tmp
"$help2man" --no-info --section=1 --include="$h2m" \
    --source="$package $version" --version-string="$version" \
    --output="$tmp" "$plugin"
# Drop the version line that opens DESCRIPTION and the paragraph break after it.
awk -v name="$name" '
    drop == 1 { drop = 0; if ($0 == ".PP") next }
    desc == 1 { desc = 0; if (index($0, name " ") == 1) { drop = 1; next } }
    $0 == ".SH DESCRIPTION" { desc = 1 }
    { print }
' "$tmp" >"$tmp.2"
rm -f "$tmp"
mv "$tmp.2" "$output"
