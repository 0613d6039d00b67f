# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the end-to-end tier's scripts (tests/e2e/run.sh, test_lab.sh):
# what they share to skip, to run under a reaper, to take the lab, and to
# write TAP. Expects $labsh to be set.
# shellcheck source=tests/daemon.sh
. "$(dirname "${BASH_SOURCE[0]}")/../daemon.sh"

# skip REASON: no end-to-end tier here. "1..0 # SKIP", exit 77 when run by
# hand, exit 0 under make check (the TAP driver counts the skip).
# VM_E2E_REQUIRED=1 (set by .ci/run) turns a skip into a failure;
# VM_E2E_SKIP=1 skips on purpose (the Debian package build).
e2e_skip() {
    if [ "${VM_E2E_REQUIRED:-0}" = 1 ]; then
        echo "Bail out! the end-to-end tier must run (VM_E2E_REQUIRED=1) but: $*"
        exit 1
    fi
    echo "1..0 # SKIP $*"
    [ -n "${VM_TOP_BUILDDIR:-}" ] && exit 0
    exit 77
}

# e2e_require COMMAND...: skip unless this is root with the lab's tools.
e2e_require() {
    local c
    [ "${VM_E2E_SKIP:-0}" = 1 ] && [ "${VM_E2E_REQUIRED:-0}" != 1 ] && e2e_skip "VM_E2E_SKIP=1"
    [ "$(id -u)" = 0 ] || e2e_skip "needs root (a private system libvirtd with QEMU guests)"
    for c in libvirtd virsh qemu-system-x86_64 qemu-img cpio runuser /bin/busybox \
             unshare nsenter timeout flock tini "$@"; do
        command -v "$c" >/dev/null 2>&1 || e2e_skip "missing $c (run bootstrap.sh)"
    done
}

# e2e_reaper "$0" "$@": run this script again under tini as a child
# subreaper. The lab's namespace outlives "lab.sh up", so its first process
# is an orphan; where the machine's PID 1 does not reap orphans, it would
# stay a zombie once "down" ends it. Under the subreaper, it is reaped.
e2e_reaper() {
    [ -n "${VM_E2E_REAPER:-}" ] && return 0
    VM_E2E_REAPER=1 exec tini -s -- bash "$@"
}

# e2e_lock: one lab on the machine at a time (make -j runs the tier's
# scripts side by side); the lock is the lab's image cache folder.
e2e_lock() {
    local cache=${VM_E2E_CACHE:-/var/cache/vm-e2e}
    mkdir -p "$cache"
    exec 9<"$cache"
    flock -w 1200 9 || { echo "Bail out! step hung: another end-to-end run held the lab for 20 minutes"; exit 1; }
}

# TAP (tests/tap.sh), and: result STATUS DESCRIPTION [DIAGNOSTIC] is
# tap.sh's check with the diagnostic's first 20 lines shown on failure.
# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
result() {
    check "$1" "$2"
    [ "$1" = 0 ] || [ -z "${3:-}" ] || diag "$(printf '%s\n' "$3" | head -n 20)"
    return 0
}
