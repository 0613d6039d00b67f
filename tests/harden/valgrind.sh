#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/harden/valgrind.sh BUILDDIR: a plain build (no sanitizers) checked
# by valgrind memcheck, in two passes:
#  1. the unit tests and the fuzz-corpus replays, each program run whole
#     under valgrind (CK_FORK=no, so the test cases run in the process
#     valgrind watches). They measure no time, so valgrind's slowness
#     changes nothing they assert.
#  2. the integration tests, natively, with every plugin they run wrapped
#     in valgrind through VM_PLUGIN_WRAPPER. The test programs keep their
#     forked test cases, so a finding fails the one case that ran the
#     plugin, by name. Timing assertions about a plugin's run get
#     VM_TEST_SLACK_S more seconds (valgrind makes every start slower);
#     what the output must say does not change.
# Any memcheck error or definite/indirect leak makes valgrind exit 99.
# The shell tiers (Icinga/Nagios/NRPE configs, packaging, end-to-end) are
# not run here: they run in the plain `make check` and under ASan.
# Pass 1 runs nproc programs at a time (they are independent, and measure
# no time); pass 2 one at a time, since its timing bounds assume a plugin
# has a core to itself.
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

# The test programs of each pass, from the sources' names.
names() { # DIR GLOB: the programs built from DIR's sources matching GLOB
    (cd "$src/$1" && for f in $2; do [ -f "$f" ] && echo "$1/${f%.c}"; done)
}
pass1="$(names tests/unit 'test_*.c') $(names fuzz 'fuzz_*.c' | sed "s|^fuzz/fuzz_|tests/fuzz/replay_|")"
pass2=$(names tests/integration 'test_*.c')

vg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-origins=no --num-callers=30"
jobs=$(nproc)
rc=0
echo "== valgrind pass 1: unit and replay programs under valgrind"
CK_FORK=no CK_DEFAULT_TIMEOUT=600 make -s -j"$jobs" check TESTS="$(echo $pass1)" LOG_COMPILER="$vg" "$@" || rc=1
echo "== valgrind pass 2: integration tests, their plugins under valgrind"
VM_PLUGIN_WRAPPER=$vg VM_TEST_SLACK_S=${VM_TEST_SLACK_S:-4} CK_DEFAULT_TIMEOUT=600 CK_TIMEOUT_MULTIPLIER=10 \
    make -s check TESTS="$(echo $pass2)" "$@" || rc=1
exit $rc
