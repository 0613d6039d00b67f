#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/stuck.sh BUILDDIR [RUNS]: what a stuck guest costs (issue #16), on
# the end-to-end lab's real QEMU guests (tests/e2e/lab.sh up must have been
# run; as root). One guest's QEMU is frozen with SIGSTOP, what a hung
# storage backend does to its monitor. Prints a Markdown section:
#  - a healthy host's check_vmem --all / check_vdisk --all (median of RUNS);
#  - the first check after a freeze, against the deadline (target: the
#    deadline + at most 1 s), and the checks after it (target: at most 1.2x
#    the healthy check);
#  - libvirtd's free workers after 20 checks 2 s apart with the guest frozen
#    (target: no worker waiting on our calls beyond the one libvirt holds on
#    the frozen monitor).
set -u
build=${1:?usage: stuck.sh BUILDDIR [RUNS]}
runs=${2:-11}
here=$(cd "$(dirname "$0")" && pwd)
lab=$here/../tests/e2e/lab.sh
"$lab" status >/dev/null 2>&1 || { echo "stuck.sh: the lab is not up (tests/e2e/lab.sh up $build)" >&2; exit 77; }
eval "$("$lab" env)"
DL=${VM_BENCH_DEADLINE:-2}

spare() { pgrep -f "qemu-system-x86_64.*guest=e2e-spare" | head -n1; }
control() { timeout 30 virsh -q -c "$VM_E2E_RW_URI" domcontrol e2e-spare 2>/dev/null | head -n1; }
thaw() {
    kill -CONT "$(spare)"
    for _ in $(seq 1 100); do [ "$(control)" = ok ] && return 0; sleep 0.2; done
    echo "stuck.sh: e2e-spare did not come back to ok" >&2
    exit 1
}
free_workers() {
    timeout 30 virt-admin -c "libvirtd:///system?socket=$VM_E2E_LAB/sock/libvirt-admin-sock" \
        srv-threadpool-info libvirtd | awk '$1 == "freeWorkers" { print $3 }'
}
# secs PLUGIN ARGS...: wall time of one run, in seconds.
secs() {
    local p=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    timeout 60 "$build/plugins/check_$p" -U "$VM_E2E_URI" "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "### A stuck guest (bench/stuck.sh, --deadline $DL, -t 8, $runs runs, median)"
echo
echo "| plugin | healthy host | first check after the freeze | target | next checks | ratio to healthy (target <= 1.2) |"
echo "|---|---|---|---|---|---|"
thaw
for p in vmem vdisk; do
    args="--all -t 8 --deadline $DL"
    [ $p = vdisk ] && args="$args --no-state --interval 0.5"
    # shellcheck disable=SC2086
    healthy=$(for _ in $(seq 1 "$runs"); do secs $p $args; echo; done | median)
    firsts=""
    for _ in 1 2 3; do
        thaw
        kill -STOP "$(spare)"
        # shellcheck disable=SC2086
        firsts="$firsts $(secs $p $args)"
    done
    first=$(printf '%s\n' $firsts | median)
    # shellcheck disable=SC2086
    next=$(for _ in $(seq 1 "$runs"); do secs $p $args; echo; done | median)
    echo "| check_$p | $healthy s | $first s (of$firsts) | <= $((DL + 1)) s | $next s | $(awk "BEGIN { printf \"%.2f\", $next / $healthy }") |"
done
thaw
w0=$(free_workers)
kill -STOP "$(spare)"
for _ in $(seq 1 20); do timeout 60 "$build/plugins/check_vmem" -U "$VM_E2E_URI" --all -t 8 --deadline "$DL" >/dev/null 2>&1; sleep 2; done
w1=$(free_workers)
thaw
echo
echo "libvirtd's free workers (virt-admin srv-threadpool-info): $w0 before the freeze, $w1 after 20 check_vmem --all 2 s apart with e2e-spare frozen (one is the call libvirt holds on the frozen monitor)."
