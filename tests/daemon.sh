# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the shell tiers that start a daemon (tests/contrib, tests/e2e).

# daemon_stop PID [SECS]: SIGTERM to a daemon this shell started, SIGKILL if
# it has not exited SECS (default 30) seconds later, so that stopping never
# waits without limit; returns the daemon's exit status. A child that has
# exited stays a zombie until waited for, so "exited" is read from /proc,
# not from kill -0.
daemon_stop() {
    local pid=$1 secs=${2:-30} i
    kill "$pid" 2>/dev/null
    for i in $(seq 1 $((secs * 10))); do
        { [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; } || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
        echo "# step hung: pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) did not stop within $secs s of SIGTERM; killed"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
}

# daemon_tmp NAME, with tests/tap.sh: tmp = a new folder (0755: a daemon
# that switches to the calling user still reads it there); at exit the
# daemon whose pid is in daemon_pid, if any, is stopped, then tmp removed.
daemon_tmp() {
    daemon_pid=
    at_exit() { [ -z "$daemon_pid" ] || daemon_stop "$daemon_pid" 10 >/dev/null 2>&1; }
    tap_tmp "$1"
    chmod 755 "$tmp"
}

# daemon_wait SECS CMD...: runs CMD once a second until it succeeds (0), or
# the daemon in daemon_pid exits, or SECS seconds pass (1).
daemon_wait() {
    local secs=$1 i=0
    shift
    while [ "$i" -lt "$secs" ]; do
        sleep 1
        i=$((i + 1))
        "$@" && return 0
        kill -0 "$daemon_pid" 2>/dev/null || return 1
    done
    return 1
}
