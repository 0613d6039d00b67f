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
