#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# fuzz/smoke.sh SRCDIR BUILDDIR: build every fuzz target with clang's
# libFuzzer + ASan + UBSan, run each for FUZZ_SECONDS over its seed corpus,
# then replay its crash reproducers (fuzz/regress/<name>/*). Prints TAP:
# one "ok N - fuzz_<name>" per target. Called by `make fuzz-smoke`.
#
# Environment: FUZZ_CC (default clang), FUZZ_SECONDS (default 20),
# FUZZ_CPPFLAGS / FUZZ_LIBS (libvirt and libxml2 flags; pkg-config when
# unset), FUZZ_TARGETS (default: every fuzz/fuzz_*.c).
#
# What the run finds (new inputs, crash files) stays in BUILDDIR/fuzz: the
# corpora in the tree are seeds and only change by hand. A crash is kept as
# BUILDDIR/fuzz/crash-<name>-<sha1>; to make it a regression test, fix the
# bug, copy the file to fuzz/regress/<name>/ and add a unit test.
set -u

src=${1:?usage: smoke.sh SRCDIR BUILDDIR}
build=${2:?usage: smoke.sh SRCDIR BUILDDIR}
cc=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-20}
out=$build/fuzz
cppflags=${FUZZ_CPPFLAGS:-$(pkg-config --cflags libvirt libxml-2.0)}
libs=${FUZZ_LIBS:-$(pkg-config --libs libvirt libxml-2.0)}
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-g -O1 $san -I$build -I$src/lib -I$src/fuzz $cppflags"

if [ -z "${FUZZ_TARGETS:-}" ]; then
    FUZZ_TARGETS=$(cd "$src/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi
. "$src/tests/tap.sh"
tap_plan "$(echo $FUZZ_TARGETS | wc -w)"

if ! command -v "$cc" >/dev/null 2>&1; then
    bail "$cc not found (Debian: apt-get install clang libclang-rt-14-dev)"
fi
mkdir -p "$out/obj" || exit 1

# The library, compiled once with coverage for the fuzzer. Not libvmcheck.a:
# that one is built by the project's compiler with other instrumentation.
objs=""
for c in "$src"/lib/*.c; do
    o=$out/obj/$(basename "$c" .c).o
    if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find "$src/lib" -name '*.h' -newer "$o")" ]; then
        # shellcheck disable=SC2086 # flag lists are split on purpose
        $cc $cflags -fsanitize=fuzzer-no-link -c "$c" -o "$o" || {
            bail "cannot compile $c with $cc"
        }
    fi
    objs="$objs $o"
done

for t in $FUZZ_TARGETS; do
    bin=$out/fuzz_$t
    log=$out/fuzz_$t.log
    # shellcheck disable=SC2086
    if ! $cc $cflags -fsanitize=fuzzer "$src/fuzz/fuzz_$t.c" $objs $libs -lm -o "$bin" 2>"$log"; then
        not_ok "fuzz_$t # does not build, see $log"
        continue
    fi
    mkdir -p "$out/work/$t"
    start=$(date +%s)
    # The first folder receives what the run discovers; the seeds are read only.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$out/crash-$t-" \
        "$out/work/$t" "$src/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        not_ok "fuzz_$t # crash after $(($(date +%s) - start)) s: ${crash:-see $log}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|.*runtime error)' "$log" | head -5 | sed 's/^/# /'
        continue
    fi
    # Known crashers must stay fixed: run each once (files only; libFuzzer
    # takes a folder argument as a corpus to fuzz instead).
    set -- "$src"/fuzz/regress/"$t"/*
    if [ -f "$1" ]; then
        if ! "$bin" "$@" >>"$log" 2>&1; then
            not_ok "fuzz_$t # a reproducer in fuzz/regress/$t crashes again, see $log"
            continue
        fi
    fi
    ok "fuzz_$t (${runs:-?} inputs in ${secs} s, $(ls "$out/work/$t" | wc -l) new, no crash)"
done
tap_done
