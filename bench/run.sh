#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Side-by-side wall time and peak RSS: each plugin against the floor (a
# minimal C client making the same libvirt calls), in one run, as ratios.
# Usage: bench/run.sh BUILDDIR [RUNS]   (rewrites bench/RESULTS.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILDDIR [RUNS]}
runs=${2:-40}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/floor" "$here/floor.c" $(pkg-config --cflags --libs libvirt)

# median wall time in ms of a command, over $runs runs, interleaved by the caller
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

measure() { # name cmd... ; appends one sample to $tmp/name
    local name=$1 t0 t1
    shift
    t0=$(now_ns)
    "$@" >/dev/null 2>&1 || true
    t1=$(now_ns)
    echo $(((t1 - t0) / 1000)) >>"$tmp/$name"
}

U=test:///default
declare -A cmd=(
    [floor_vmem]="$tmp/floor $U balloon test"
    [check_vmem]="$build/plugins/check_vmem -U $U -d test --max-age=0"
)
sd="$tmp/state"
mkdir -m 700 "$sd"
"$build/plugins/check_vcpu" -U $U -d test --state-dir "$sd" >/dev/null || true
cmd[floor_vcpu]="$tmp/floor $U cpu test"
cmd[check_vcpu_state]="$build/plugins/check_vcpu -U $U -d test --state-dir $sd"
for ((i = 0; i < runs; i++)); do
    for k in "${!cmd[@]}"; do measure "$k" ${cmd[$k]}; done
done
{
    echo "# Benchmark results"
    echo
    echo "Produced by \`bench/run.sh $build $runs\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
    echo "libvirt $(pkg-config --modversion libvirt), URI $U (in-process test driver)."
    echo "Wall time: median of $runs runs, interleaved. Peak RSS: /usr/bin/time %M."
    echo
    echo "| command | median µs | peak RSS KiB |"
    echo "|---|---|---|"
    for k in floor_vmem check_vmem floor_vcpu check_vcpu_state; do
        printf '| %s | %s | %s |\n' "$k" "$(median <"$tmp/$k")" "$(peak_kib ${cmd[$k]})"
    done
    echo
    fv=$(median <"$tmp/floor_vmem"); cv=$(median <"$tmp/check_vmem")
    fc=$(median <"$tmp/floor_vcpu"); cc=$(median <"$tmp/check_vcpu_state")
    echo "- check_vmem / floor: $(awk "BEGIN{printf \"%.2f\", $cv/$fv}") (target ≤ 1.25)"
    echo "- check_vcpu with a previous sample / floor (one snapshot): $(awk "BEGIN{printf \"%.2f\", $cc/$fc}")"
    echo "- check_vcpu with a previous sample / check_vmem: $(awk "BEGIN{printf \"%.2f\", $cc/$cv}") (target ≤ 1.25: no sleep)"
} >"$here/RESULTS.md"
cat "$here/RESULTS.md"
