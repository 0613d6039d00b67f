#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/harden/asan.sh BUILDDIR: configure BUILDDIR with --enable-sanitizers
# (AddressSanitizer + UBSan, every finding fatal), build, and run the whole
# `make check` there: unit, fuzz-corpus replays and integration tiers (the
# plugins the integration tests run are the instrumented ones). A sanitizer
# report fails the test case it happened in: the plugin's stderr must be
# empty, a test program's exit status must be 0. Results are in
# BUILDDIR/tests/*/*.trs like any `make check`.
# Extra arguments go to make check (e.g. TESTS='tests/unit/test_range').
set -u
build=${1:?usage: asan.sh BUILDDIR [make args]}
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$build" && cd "$build" || exit 1
if [ ! -f Makefile ]; then
    "$src/configure" -q --enable-sanitizers || exit 1
elif ! grep -q -- '-fsanitize=address' Makefile; then
    echo "asan.sh: $build is configured without --enable-sanitizers" >&2
    exit 1
fi
make -s -j"$(nproc)" >/dev/null || exit 1
# detect_leaks: LeakSanitizer at every exit; abort_on_error off so a report
# ends the process with an exit status, not a core dump.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS
make -s check "$@"
