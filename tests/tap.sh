# SPDX-License-Identifier: GPL-3.0-or-later
# tests/tap.sh: the TAP helpers of the shell tiers, sourced (". tap.sh").
#
#   tap_plan N       "1..N"
#   ok TEXT          "ok <n> - TEXT"
#   not_ok TEXT      "not ok <n> - TEXT", and the run fails
#   check RC TEXT    ok when RC is 0, else not_ok
#   diag TEXT        TEXT as "#   " comment lines
#   skip_all WHY     "1..0 # SKIP WHY", exit 0 (the TAP driver counts the skip)
#   bail WHY         "Bail out! WHY", exit 1
#   tap_done         exit 0 when nothing failed, else 1
#   skip_or_bail WHY skip_all, but bail when VM_E2E_REQUIRED=1 (CI, where
#                    a missing daemon must fail rather than pass unseen)
#   need_plugins DIR bail unless the four plugins are built in DIR
#   tap_tmp NAME     tmp = a new private folder; at exit the caller's
#                    at_exit runs (by default nothing), then tmp goes
#
# n counts the test lines and failed is 1 after a not_ok; both are the
# caller's variables too, for a summary.
n=0
failed=0
tap_plan() { echo "1..$1"; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; failed=1; }
check() { # check COND-EXIT-CODE DESCRIPTION
    if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi
}
diag() { printf '%s\n' "$*" | sed 's/^/#   /'; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 1; }
tap_done() { exit "$failed"; }
skip_or_bail() {
    [ "${VM_E2E_REQUIRED:-0}" = 1 ] && bail "$* and VM_E2E_REQUIRED=1"
    skip_all "$*"
}
need_plugins() {
    for p in vmem vcpu vdisk vnet; do
        [ -x "$1/check_$p" ] || bail "$1/check_$p is not built"
    done
}
at_exit() { :; }
tap_tmp() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || bail "mktemp failed"
    trap 'at_exit; rm -rf "$tmp"' EXIT
    trap 'exit 1' INT TERM
}
