#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# nrpe.cfg.sample: every command in it, the commented $ARGn$ variants too,
# runs against libvirt's test driver without an option error. TAP output.
#
# Each command line is rewritten the way the end-to-end tier rewrites it:
# /usr/lib/nagios/plugins -> the build's plugins/, qemu:///system ->
# test:///default, vm01 -> test (the test driver's one domain). A commented
# variant takes its $ARGn$ values from the "check_nrpe ... -a V1 V2" line
# written above it in the sample, so the documented call is what is run.
#
# Pass: exit 0, 1 or 2 with a "SERVICE STATE - " first line. UNKNOWN (3)
# passes only for one data reason that is the test driver's, not ours:
# check_vmem says its memory stats are stale (the test driver's balloon
# last-update is a fixed date in 1989); the same command is then run again
# with --max-age=0 appended and must give 0, 1 or 2, so the thresholds it
# carries were parsed and evaluated. And a command whose only thresholds
# are on a figure the test driver lacks (steal, latency) must say that
# threshold was not applied. An option error (the plugins end it
# with "(see --help)") is a failure whatever the exit code.
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${VM_TOP_BUILDDIR:-$srcdir}
sample=${VM_NRPE_SAMPLE:-$srcdir/nrpe.cfg.sample}
plugdir=$builddir/plugins

# shellcheck source=tests/tap.sh
. "$srcdir/tests/tap.sh"

[ -r "$sample" ] || bail "cannot read $sample"
need_plugins "$plugdir"
tap_tmp vm-nrpe-sample
# A private state folder, and no URI from the caller's environment.
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME
unset LIBVIRT_DEFAULT_URI

# Literal replace of every $1 in $3 by $2 (no regex, no sed escaping).
replace() {
    awk -v from="$1" -v to="$2" 'BEGIN { s = ARGV[1]; out = "";
        while ((i = index(s, from)) > 0) { out = out substr(s, 1, i - 1) to; s = substr(s, i + length(from)) }
        print out s; exit }' "$3"
}

rewrite() {
    r=$(replace /usr/lib/nagios/plugins/ "$plugdir/" "$1")
    r=$(replace qemu:///system test:///default "$r")
    replace vm01 test "$r"
}

service_of() {
    case $1 in
    */check_vmem) echo VMEM ;;
    */check_vcpu) echo VCPU ;;
    */check_vdisk) echo VDISK ;;
    */check_vnet) echo VNET ;;
    *) echo "?" ;;
    esac
}

state_of() {
    case $1 in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; 3) echo UNKNOWN ;; *) echo "exit $1" ;; esac
}

# run_cmd NAME CMDLINE: runs it as NRPE does (/bin/sh -c); sets rc, first, out.
run_cmd() {
    out=$(timeout 60 sh -c "$2" 2>&1)
    rc=$?
    first=$(printf '%s\n' "$out" | head -n 1)
    brief=${first%%|*}
}

# judge NAME CMDLINE: one TAP line for the run (two for stale check_vmem).
judge() {
    name=$1
    cmd=$2
    plugin=${cmd%% *}
    svc=$(service_of "$plugin")
    run_cmd "$name" "$cmd"
    what="$name: exit $rc: $brief"
    case $first in
    *"(see --help)"* | *Usage:*)
        not_ok "$what (option error)"
        return
        ;;
    "$svc $(state_of $rc) - "*) ;;
    *)
        not_ok "$what (not a '$svc $(state_of $rc) - ' line)"
        return
        ;;
    esac
    if [ "$rc" -le 2 ]; then
        ok "$what"
        return
    fi
    if [ "$rc" -eq 3 ] && [ "$svc" = VMEM ] && case $first in *"memory stats are stale"*) true ;; *) false ;; esac; then
        ok "$name: UNKNOWN because the test driver's stats are from 1989 (stale), not an option error"
        run_cmd "$name" "$cmd --max-age=0"
        name="$name --max-age=0"
        what="$name: exit $rc: $brief"
        [ "$rc" -le 2 ] && { ok "$what"; return; }
    fi
    # The test driver gives no vcpu.N.delay, no request times, no swap
    # counters and no <memtune>: a command whose only thresholds are on
    # such a figure cannot be judged there, and says so (never a green
    # answer that judged nothing).
    if [ "$rc" -eq 3 ] && case $first in *" UNKNOWN - threshold on "*" not applied: no "*" reports it ("*) true ;; *) false ;; esac; then
        ok "$name: UNKNOWN because the test driver lacks the thresholded figure ($(printf '%s' "$first" | sed 's/.* - threshold on \([a-z_]*\) not applied.*/\1/')), said so"
        return
    fi
    not_ok "$what"
}

# The commands: "ACTIVE|NAME|LINE" or "ARGS|NAME|LINE|V1 V2 ..." per line.
list=$tmp/commands
awk '
    /^#[ \t]+check_nrpe / {
        for (i = 1; i <= NF; i++) {
            if ($i == "-c") c = $(i + 1)
            if ($i == "-a") { a = ""; for (j = i + 1; j <= NF; j++) a = a (a == "" ? "" : " ") $j; args[c] = a }
        }
        next
    }
    /^command\[/ || /^#command\[/ {
        active = substr($0, 1, 1) != "#"
        line = active ? $0 : substr($0, 2)
        name = substr(line, 9); name = substr(name, 1, index(name, "]") - 1)
        cmd = substr(line, index(line, "]=") + 2)
        if (active) print "ACTIVE|" name "|" cmd
        else print "ARGS|" name "|" cmd "|" ((name in args) ? args[name] : "-")
    }
' "$sample" >"$list"

nactive=$(grep -c '^ACTIVE|' "$list")
check "$([ "$nactive" -ge 12 ] && [ "$nactive" -le 24 ] && echo 0 || echo 1)" \
    "the sample has 12 to 24 active commands (it has $nactive)"
for p in vmem vcpu vdisk vnet; do
    grep -q "^ACTIVE|[^|]*|/usr/lib/nagios/plugins/check_$p .* --all " "$list"
    check $? "check_$p has an active --all command"
    grep -q "^ACTIVE|[^|]*|/usr/lib/nagios/plugins/check_$p .* -d vm01 " "$list"
    check $? "check_$p has an active -d vm01 command"
done
dups=$(cut -d'|' -f2 "$list" | sort | uniq -d | tr '\n' ' ')
check "$([ -z "$dups" ] && echo 0 || echo 1)" "command names are unique${dups:+ (repeated: $dups)}"

while IFS='|' read -r kind name cmd args; do
    # The conventions the end-to-end tier relies on.
    case "$cmd " in
    "/usr/lib/nagios/plugins/check_"[a-z]*" --connect qemu:///system "*" -t "[0-9]*) bad= ;;
    *) bad=yes ;;
    esac
    case ${cmd%% *} in
    */check_vmem | */check_vcpu | */check_vdisk | */check_vnet) ;;
    *) bad=yes ;;
    esac
    check "$([ -z "$bad" ] && echo 0 || echo 1)" \
        "$name: /usr/lib/nagios/plugins/check_*, --connect qemu:///system and -t are spelled out"

    line=$(rewrite "$cmd")
    if [ "$kind" = ARGS ]; then
        if [ "$args" = "-" ]; then
            not_ok "$name: no 'check_nrpe ... -c $name -a ...' line above it in the sample"
            continue
        fi
        i=0
        for v in $args; do
            i=$((i + 1))
            line=$(replace "\$ARG$i\$" "$(rewrite "$v")" "$line")
        done
        case $line in
        *'$ARG'*)
            not_ok "$name: the check_nrpe line above it does not give every \$ARGn\$"
            continue
            ;;
        esac
    fi
    judge "$name" "$line"
done <"$list"

echo "1..$n"
exit $failed
