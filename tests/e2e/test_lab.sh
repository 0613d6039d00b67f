#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The end-to-end lab itself (tests/e2e/lab.sh): it leaves nothing behind on
# the host whatever state it is brought down in, a stale guest status file
# on the host never reaches it, and a lab started right after a messy one
# comes up. Writes TAP. Needs what tests/e2e/run.sh needs; skips likewise.
#
#  1. Plant what an older lab left in the host's /run/libvirt/qemu (the
#     status and pid files of a guest whose QEMU is long gone, the state a
#     daemon that restarts over them once never answered in), and a stale
#     file of another name.
#  2. Bring the lab up (bounded), freeze its daemon and a guest's QEMU
#     (SIGSTOP), bring it down: nothing of the lab is left.
#  3. Bring a second lab up at once, stop its daemon with its guests
#     running (what run.sh's fault tests end with), bring it down: nothing
#     is left, the host's libvirt folders are as they were.
set -u

here=$(cd "$(dirname "$0")" && pwd)
labsh=$here/lab.sh
builddir=${VM_TOP_BUILDDIR:-$(pwd)}
# shellcheck source=tests/e2e/e2e.sh
. "$here/e2e.sh"

e2e_require
e2e_reaper "$0" "$@"
e2e_lock
"$labsh" status >/dev/null 2>&1 && e2e_skip "a lab is up (brought up by hand); this test brings its own up and down"
pgrep -x libvirtd >/dev/null && e2e_skip "another libvirtd runs on this machine; the lab needs the qemu driver to itself"

eval "$("$labsh" env)"
hostrun=/run/libvirt/qemu
T=$(mktemp -d /tmp/vm-e2e-labtest.XXXXXX)
planted_run=0
[ -d /run/libvirt ] || planted_run=1
finish() {
    timeout -k 5 120 "$labsh" down >/dev/null 2>&1
    rm -f "$hostrun/e2e-load.xml" "$hostrun/e2e-load.pid" "$hostrun/e2e-stale.xml" "$hostrun/e2e-stale.pid"
    [ "$planted_run" = 1 ] && rm -rf /run/libvirt
    rm -rf "$T"
}
trap finish EXIT
trap 'exit 1' INT TERM

# What the host looks like, to compare after each lab: libvirt's folders
# (file names), /etc/libvirt (contents), the zombies, the tap device.
host_view() {
    find /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt 2>/dev/null | sort
    find /etc/libvirt -type f -exec sha256sum {} + 2>/dev/null | sort
    # Zombies of the lab's kinds only: other processes come and go.
    echo "zombies: $(ps -eo stat=,comm= | awk '$1 ~ /^Z/ && $2 ~ /qemu|libvirtd|unshare|nsinit/' | wc -l)"
    ip -o link show 2>/dev/null | awk -F': ' '{ print "link: " $2 }' | sort
    find /sys/fs/cgroup -maxdepth 2 -type d 2>/dev/null | sort
}

# lab_up WHAT: bring the lab up within 10 minutes; ok/not ok naming WHAT.
lab_up() {
    local t0 rc
    t0=$(date +%s)
    timeout -k 10 600 "$labsh" up "$builddir" >"$T/up.out" 2>&1
    rc=$?
    result "$rc" "$1: the lab comes up (exit $rc, $(($(date +%s) - t0)) s)" "$(tail -n 5 "$T/up.out")"
    return "$rc"
}

# lab_down_clean WHAT: bring the lab down within 2 minutes; then nothing of
# it is left and the host is as it was before the lab.
lab_down_clean() {
    local t0 rc left diff
    t0=$(date +%s)
    timeout -k 5 120 "$labsh" down >"$T/down.out" 2>&1
    rc=$?
    result "$rc" "$1: the lab comes down (exit $rc, $(($(date +%s) - t0)) s)" "$(tail -n 5 "$T/down.out")"
    left=$("$labsh" leftovers)
    result "$([ -z "$left" ] && echo 0 || echo 1)" "$1: no status file, QEMU process, zombie, tap, cgroup or lab folder is left" "$left"
    host_view >"$T/after"
    diff=$(diff "$T/before" "$T/after")
    result "$([ -z "$diff" ] && echo 0 || echo 1)" "$1: the host's libvirt folders, /etc/libvirt, zombies, links and cgroups are as before the lab" "$diff"
}

# 1. What an older lab left: status files of a guest whose QEMU is gone.
mkdir -p "$hostrun"
cat >"$hostrun/e2e-load.xml" <<EOF
<domstatus state='running' reason='booted' pid='999999'>
  <monitor path='/var/lib/libvirt/qemu/domain-1-e2e-load/monitor.sock' type='unix'/>
  <domain type='qemu'><name>e2e-load</name><uuid>6d1f3c2a-0e2e-4a11-9a00-000000000001</uuid>
    <memory unit='MiB'>256</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>
</domstatus>
EOF
echo 999999 >"$hostrun/e2e-load.pid"
sed 's/e2e-load/e2e-stale/g' "$hostrun/e2e-load.xml" >"$hostrun/e2e-stale.xml"
echo 999998 >"$hostrun/e2e-stale.pid"

# The host before the lab, as it should be after: the older lab's files of
# the lab's own guests are cleared by "up"; the other planted file stays.
rm -f "$hostrun/e2e-load.xml" "$hostrun/e2e-load.pid"
host_view >"$T/before"
cp "$T/before" "$T/before.keep"
echo "<domstatus/>" >"$hostrun/e2e-load.xml"
echo 999999 >"$hostrun/e2e-load.pid"

# 2. A lab over the stale files, brought down frozen.
if lab_up "over stale status files"; then
    names=$(timeout -k 5 60 virsh -q -c "$VM_E2E_RW_URI" list --all --name 2>&1 | grep . | sort | tr '\n' ' ')
    result "$([ "$names" = "e2e-load e2e-noballoon e2e-nostats e2e-spare " ] && echo 0 || echo 1)" \
        "over stale status files: the daemon knows only the lab's four running guests ($names)"
    [ ! -e "$hostrun/e2e-load.xml" ] && [ -e "$hostrun/e2e-stale.xml" ]
    result $? "over stale status files: the older lab's files of its guests are cleared, other files are not touched"
    kill -STOP "$("$labsh" daemon-pid)" 2>/dev/null
    pkill -STOP -f "qemu-system-x86_64.*guest=e2e-spare" 2>/dev/null
fi
lab_down_clean "frozen daemon and guest"

# 3. A second lab at once, brought down with its daemon stopped.
if lab_up "right after the last one"; then
    timeout -k 5 60 "$labsh" daemon-stop
    pgrep -f "qemu-system-x86_64.*guest=e2e-load" >/dev/null
    result $? "daemon stopped: the guests run on without it (what once left their status behind)"
fi
lab_down_clean "daemon stopped"

echo "1..$n"
[ "$failed" = 0 ]
