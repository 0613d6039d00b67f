# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by tests/pkg/ci-deb.sh and ci-rpm.sh (after tests/tap.sh).

# copy_tree SRC DEST: the tracked and new files of a git checkout (not the
# ignored ones: no build output), or all of SRC when it is no checkout, so
# that SRC stays untouched. DEST must exist.
copy_tree() {
    if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$1" && git ls-files -z -c -o --exclude-standard) | (cd "$1" && tar --null -T - -cf -) |
            tar -xf - -C "$2"
    else
        cp -a "$1/." "$2/"
    fi
}
