#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/harden/valgrind.sh BUILDDIR: a plain build (no sanitizers) whose
# `make check` runs under valgrind memcheck: every test program itself
# (CK_FORK=no, so the test cases run in the process valgrind watches) and,
# through VM_PLUGIN_WRAPPER, every plugin run of the integration tests. Any
# memcheck error or definite/indirect leak makes valgrind exit 99: in a test
# program that fails the program, in a plugin the test case that ran it.
# Timing assertions get VM_TEST_SLACK_S more seconds (valgrind makes every
# run start slower; the assertions on what the output says do not change).
# Results are in BUILDDIR/tests/*/*.trs. Extra arguments go to make check.
set -u
build=${1:?usage: valgrind.sh BUILDDIR [make args]}
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }
mkdir -p "$build" && cd "$build" || exit 1
if [ ! -f Makefile ]; then
    "$src/configure" -q || exit 1
elif grep -q -- '-fsanitize=address' Makefile; then
    echo "valgrind.sh: $build is configured with sanitizers; valgrind needs a plain build" >&2
    exit 1
fi
make -s -j"$(nproc)" >/dev/null || exit 1
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-origins=no --num-callers=30"
VM_PLUGIN_WRAPPER=$vg
VM_TEST_SLACK_S=${VM_TEST_SLACK_S:-4}
CK_FORK=no
CK_DEFAULT_TIMEOUT=600
export VM_PLUGIN_WRAPPER VM_TEST_SLACK_S CK_FORK CK_DEFAULT_TIMEOUT
make -s check LOG_COMPILER="$vg" "$@"
