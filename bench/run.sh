#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole benchmark in one command; rewrites bench/RESULTS.md.
#
#   bench/run.sh BUILDDIR [RUNS]      (RUNS: repeats per figure, default 20)
#
# Everything is measured side by side in this one run and given as ratios:
# each plugin against the floor (bench/floor.c, a minimal C client making
# the same libvirt calls), against virsh doing the same, and against the
# op5 check_libvirt of Debian's monitoring-plugins-contrib (when
# installed). Commands are interleaved (one run of each in turn), so load
# from other processes on a shared machine hits all of them alike.
#
# Workloads: one domain (test:///default); a domain with 8 disks and 8
# NICs against one with 1 of each; --all over 10, 100 and 1,000 domains of
# a generated test-driver node, in-process (test:///PATH.xml) and through
# a private session libvirtd run as an unprivileged user
# (test+unix:///PATH.xml?socket=..., real RPC). Figures: median wall
# time, instructions (callgrind, split into ours / libvirt by
# bench/cgsplit.py), peak RSS, libvirt RPC calls per check.
#
# Needs: cc, pkg-config, libvirt-dev, valgrind, python3, /usr/bin/time;
# for the daemon part root and a user BENCH_USER (default vmbench, create
# it with `useradd -m vmbench`); for the op5 baseline the packages
# monitoring-plugins-contrib libsys-virt-perl libxml-simple-perl
# libmonitoring-plugin-perl. Missing pieces are skipped and said so.
# BENCH_QUICK=1 leaves out the 1,000-domain callgrind runs. When the e2e
# lab is up (tests/e2e/lab.sh up, as root), also the bulk path over its
# real QEMU guests; BENCH_NO_LAB=1 leaves that out without asking the lab
# (someone else may be using it).
set -euo pipefail
set -f # URIs hold '?': never glob
trap 'echo "bench/run.sh: failed at line $LINENO" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/run.sh BUILDDIR [RUNS]}" && pwd)
runs=${2:-20}
P=$build/plugins
user=${BENCH_USER:-vmbench}
op5=/usr/lib/nagios/plugins/check_libvirt
op5_spool=/var/lib/nagios/.cache/check_libvirt
tmp=$(mktemp -d /tmp/vmbench.XXXXXX)
chmod 755 "$tmp" # the daemon's user reads the fixtures
daemon_pid=
cleanup() {
    if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
out=$tmp/RESULTS.md
started=$(date +%s)
log() { echo "bench: $*" >&2; }

cc -O2 -o "$tmp/floor" "$here/floor.c" $(pkg-config --cflags --libs libvirt)

# ---- fixtures -------------------------------------------------------------
for n in 10 100 1000; do "$here/gen-node.sh" $n 1 1 bench >"$tmp/n$n.xml"; done
"$here/gen-node.sh" 1 8 8 multi >"$tmp/multi.xml"
"$here/gen-node.sh" 1 1 1 single >"$tmp/single.xml"
chmod -R a+rX "$tmp"

# ---- the private daemon ---------------------------------------------------
sock=
if [ "$(id -u)" = 0 ] && id "$user" >/dev/null 2>&1 && command -v libvirtd >/dev/null; then
    d=$tmp/daemon
    mkdir -p "$d/run" "$d/cfg" "$d/cache"
    chown -R "$user" "$d"
    chmod 700 "$d/run"
    setpriv --reuid="$user" --regid="$user" --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d" XDG_RUNTIME_DIR="$d/run" \
        XDG_CONFIG_HOME="$d/cfg" XDG_CACHE_HOME="$d/cache" \
        libvirtd --timeout 0 >"$d/log" 2>&1 </dev/null &
    daemon_pid=$!
    for _ in $(seq 100); do [ -S "$d/run/libvirt/libvirt-sock" ] && break; sleep 0.1; done
    if [ -S "$d/run/libvirt/libvirt-sock" ]; then
        sock=$d/run/libvirt/libvirt-sock
    else
        log "session libvirtd did not start (see $d/log); daemon workloads skipped"
    fi
fi
daemon_note=${sock:+"private session libvirtd as user $user (test+unix, socket under its XDG_RUNTIME_DIR)"}
daemon_note=${daemon_note:-"skipped: needs root, user $user (useradd -m $user) and libvirtd"}
uri_d() { echo "test+unix://$tmp/$1?socket=$sock"; }

have_op5=no
if [ -x "$op5" ] && perl -MSys::Virt -MXML::Simple -e 1 2>/dev/null &&
    { perl -MMonitoring::Plugin -e 1 2>/dev/null || perl -MNagios::Plugin -e 1 2>/dev/null; }; then
    # It mkdir()s its spool folder without parents; Debian creates
    # /var/lib/nagios but not .cache.
    [ -d "${op5_spool%/*}" ] || mkdir -p "${op5_spool%/*}" 2>/dev/null || true
    $op5 -H test:///default -N test -l MEM >/dev/null 2>&1 && have_op5=yes
fi

# ---- measuring --------------------------------------------------------------
# cmd[KEY] is a shell command (eval'ed); pre[KEY] runs before it, untimed.
declare -A cmd pre
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "NaN"}'; }
measure() { # KEY: append one wall time in µs to $tmp/t.KEY
    local t0 t1
    [ -z "${pre[$1]:-}" ] || eval "${pre[$1]}" >/dev/null 2>&1 || true
    t0=$(date +%s%N)
    eval "${cmd[$1]}" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >>"$tmp/t.$1"
}
interleave() { # RUNS KEY...: every key once per round
    local r=$1 i k
    shift
    for k in "$@"; do rm -f "$tmp/t.$k"; done
    for ((i = 0; i < r; i++)); do for k in "$@"; do measure "$k"; done; done
}
med() { median <"$tmp/t.$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a == a) printf "%.2f", a / b; else print "n/a" }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1000 }'; }
verdict() { # VALUE OP LIMIT
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v == "n/a") print "n/a";
        else if ((op == "<=" && v + 0 <= l + 0) || (op == ">=" && v + 0 >= l + 0)) print "met"; else print "**missed**" }'
}
peak_kib() { { /usr/bin/time -f %M bash -c "$1" 2>&1 >/dev/null || true; } | tail -1; }
rpc_calls() { # count RPC calls (one RPC_CLIENT_MSG_TX_QUEUE of type=0 each) of a command
    rm -f "$tmp/rpc.log"
    (
        export LIBVIRT_LOG_FILTERS="1:rpc" LIBVIRT_LOG_OUTPUTS="1:file:$tmp/rpc.log"
        eval "$1" >/dev/null 2>&1 || true
    )
    [ -f "$tmp/rpc.log" ] || { echo 0; return; }
    grep -c 'RPC_CLIENT_MSG_TX_QUEUE:.* type=0 ' "$tmp/rpc.log" || true
}
# Of the calls rpc_calls last counted, how many fetched a domain's XML
# (REMOTE_PROC_DOMAIN_GET_XML_DESC = 14): device configuration that bulk
# stats do not carry (MACs, aliases, <iotune>, <bandwidth>).
rpc_xml_calls() { { grep 'RPC_CLIENT_MSG_TX_QUEUE:.* type=0 ' "$tmp/rpc.log" 2>/dev/null || true; } | grep -c ' proc=14 ' || true; }
# A state folder holding a recent sample, so a rate plugin answers at once.
warm() { # KEY STATEDIR: run once, then check the next run reads the state
    mkdir -p -m 700 "$2"
    eval "${cmd[$1]}" >/dev/null 2>&1 || true
    # (a long --all output is trimmed to its budget before that line; the
    # output is kept first: under pipefail a non-OK exit would fail a pipe)
    local o
    o=$(eval "${cmd[$1]}" 2>/dev/null || true)
    if ! grep -q "since the previous check\|^\[output trimmed" <<<"$o"; then
        log "warning: $1 does not read its state (it would sleep)"
        echo "- warning: \`$1\` did not use its state file: its time includes an in-run interval" >>"$tmp/warnings"
    fi
}
op5_reseed() { # make the op5 plugin's spool files a minute old: it divides by whole seconds
    local t=$(($(date +%s) - 60))
    find "$op5_spool" -maxdepth 1 -type f -exec sed -i "1s/.*/$t/" {} + 2>/dev/null || true
}

{
    echo "# Benchmark results"
    echo
    echo "Produced by \`${BENCH_NO_LAB:+BENCH_NO_LAB=1 }${BENCH_QUICK:+BENCH_QUICK=1 }bench/run.sh $build $runs\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
    echo "($(uname -m), load average at start $(cut -d' ' -f1-3 /proc/loadavg)), libvirt $(pkg-config --modversion libvirt)."
    echo "The machine is shared with other jobs: absolute times move, so every target is a"
    echo "ratio of commands measured in the same run, interleaved (one run of each in turn)."
    echo "Wall time: median of the runs given. Peak RSS: \`/usr/bin/time -f %M\`."
    echo "Rate plugins (check_vcpu, check_vdisk, check_vnet) run with a warm \`--state-dir\` and"
    echo "\`--min-window=0.001\` (runs here are ms apart; a scheduled check finds a sample older than the"
    echo "default 5 s): the scheduled case, one snapshot and no sleep. check_vmem saves its sample"
    echo "too (\`--state-dir\`, for its pressure rates), with \`--max-age=0\` (the test driver's"
    echo "balloon stats carry an old timestamp). Daemon: $daemon_note."
    echo "op5 check_libvirt: $([ $have_op5 = yes ] && echo "installed ($(dpkg-query -W -f '${Version}' monitoring-plugins-contrib 2>/dev/null)); its spool files are made a minute old before each run (untimed), else a second run in the same second dies dividing by zero" || echo "not available (install monitoring-plugins-contrib libsys-virt-perl libxml-simple-perl libmonitoring-plugin-perl)")."
    echo
} >"$out"

# ---- 1. one domain, each plugin -------------------------------------------
log "1. single domain"
U=test:///default
st=$tmp/state1
keys=()
for p in vmem vcpu vdisk vnet; do
    case $p in
    vmem) g=balloon; vs="dominfo test; dommemstat test"; o=MEM ;;
    vcpu) g=cpu; vs="dominfo test; vcpuinfo test"; o=CPU ;;
    vdisk) g=block; vs="domblklist test; domblkstat test vda; domblkinfo test vda"; o=IO ;;
    vnet) g=net; vs="domiflist test; domifstat test testnet0"; o=NET ;;
    esac
    cmd[floor_$p]="$tmp/floor $U $g test"
    if [ $p = vmem ]; then
        cmd[check_$p]="$P/check_vmem -U $U -d test --max-age=0 --state-dir $st/$p"
        mkdir -p -m 700 "$st/$p"
    else
        cmd[check_$p]="$P/check_$p -U $U -d test --state-dir $st/$p --min-window=0.001"
        warm check_$p "$st/$p"
    fi
    cmd[virsh_$p]="virsh -r -c $U '$vs'"
    keys+=(floor_$p check_$p virsh_$p)
    if [ $have_op5 = yes ]; then
        cmd[op5_$p]="$op5 -H $U -N test -l $o"
        pre[op5_$p]=op5_reseed
        eval "${cmd[op5_$p]}" >/dev/null 2>&1 || true
        keys+=(op5_$p)
    fi
done
interleave "$runs" "${keys[@]}"
{
    echo "## 1. One domain, each plugin (in-process test driver, \`$U\`)"
    echo
    echo "Target: each plugin at most 1.25x the floor. $runs runs each."
    echo
    echo "| plugin | floor ms | plugin ms | plugin / floor | target | virsh ms (/ floor) | op5 ms (/ floor) | plugin peak RSS KiB | floor peak RSS KiB |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for p in vmem vcpu vdisk vnet; do
        f=$(med floor_$p); c=$(med check_$p); v=$(med virsh_$p); r=$(ratio "$c" "$f")
        o="-"
        [ $have_op5 = no ] || o="$(ms "$(med op5_$p)") ($(ratio "$(med op5_$p)" "$f"))"
        echo "| check_$p | $(ms "$f") | $(ms "$c") | $r | $(verdict "$r" "<=" 1.25) | $(ms "$v") ($(ratio "$v" "$f")) | $o | $(peak_kib "${cmd[check_$p]}") | $(peak_kib "${cmd[floor_$p]}") |"
    done
    echo
    echo "Commands:"
    echo
    for p in vmem vcpu vdisk vnet; do
        for k in floor_$p check_$p virsh_$p op5_$p; do [ -z "${cmd[$k]:-}" ] || echo "    $k: ${cmd[$k]}"; done
    done
    echo
} >>"$out"

# ---- 2. many devices --------------------------------------------------------
log "2. 8 disks + 8 NICs against 1 + 1"
for p in vdisk vnet; do
    g=$([ $p = vdisk ] && echo block || echo net)
    for f in single multi; do
        cmd[${p}_$f]="$P/check_$p -U test://$tmp/$f.xml -d ${f}0001 --state-dir $st/${p}_$f --min-window=0.001"
        warm ${p}_$f "$st/${p}_$f"
        cmd[floor_${p}_$f]="$tmp/floor test://$tmp/$f.xml $g ${f}0001"
    done
done
interleave "$runs" vdisk_single vdisk_multi floor_vdisk_single floor_vdisk_multi \
    vnet_single vnet_multi floor_vnet_single floor_vnet_multi
{
    echo "## 2. A domain with 8 disks and 8 interfaces against one with 1 of each"
    echo
    echo "Target: the 8-device check at most 1.25x the single-device check in wall time"
    echo "(generated by \`bench/gen-node.sh 1 8 8 multi\` and \`bench/gen-node.sh 1 1 1 single\`;"
    echo "warm state folders; every device's rates, sizes and raw counters in the perfdata). $runs runs each."
    echo
    echo "| plugin | 1 device ms | 8 devices ms | 8 / 1 | target | floor 1 ms | floor 8 ms | floor 8 / 1 | 8-device output bytes |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for p in vdisk vnet; do
        a=$(med ${p}_single); b=$(med ${p}_multi); r=$(ratio "$b" "$a")
        fa=$(med floor_${p}_single); fb=$(med floor_${p}_multi)
        echo "| check_$p | $(ms "$a") | $(ms "$b") | $r | $(verdict "$r" "<=" 1.25) | $(ms "$fa") | $(ms "$fb") | $(ratio "$fb" "$fa") | $(eval "${cmd[${p}_multi]}" 2>/dev/null | wc -c) |"
    done
    echo
    echo "Commands:"
    echo
    for k in vdisk_single vdisk_multi floor_vdisk_single floor_vdisk_multi vnet_single vnet_multi floor_vnet_single floor_vnet_multi; do
        echo "    $k: ${cmd[$k]}"
    done
    echo
} >>"$out"

# ---- 3. --all over N domains ---------------------------------------------------
log "3. --all over N domains"
modes=(inproc)
[ -z "$sock" ] || modes+=(daemon)
declare -A rpcs
for mode in "${modes[@]}"; do
    for n in 10 100 1000; do
        if [ $mode = inproc ]; then u=test://$tmp/n$n.xml; else u=$(uri_d n$n.xml); fi
        r=$runs
        [ $n -lt 100 ] || [ $r -le 10 ] || r=$(((runs + 1) / 2))
        echo "$r" >"$tmp/runs.$mode.$n"
        k=$mode.$n
        cmd[vcpu.$k]="$P/check_vcpu -U '$u' --all -t 120 --state-dir $st/vcpu.$k --min-window=0.001"
        warm vcpu.$k "$st/vcpu.$k"
        cmd[vmem.$k]="$P/check_vmem -U '$u' --all -t 120 --max-age=0 --state-dir $st/vmem.$k"
        mkdir -p -m 700 "$st/vmem.$k"
        cmd[fcpu.$k]="$tmp/floor '$u' cpu --all"
        cmd[fbal.$k]="$tmp/floor '$u' balloon --all"
        cmd[vdomstats.$k]="virsh -r -c '$u' domstats --cpu-total --vcpu"
        vs=
        for ((i = 1; i <= n; i++)); do vs+=$(printf 'dominfo bench%04d; vcpuinfo bench%04d; ' $i $i); done
        printf '%s' "$vs" >"$tmp/virsh.$n"
        cmd[vper.$k]="virsh -r -c '$u' \"\$(cat $tmp/virsh.$n)\""
        interleave "$r" vcpu.$k fcpu.$k vmem.$k fbal.$k vdomstats.$k vper.$k
        if [ $mode = daemon ]; then
            for x in vcpu fcpu vmem fbal vdomstats vper; do rpcs[$x.$n]=$(rpc_calls "${cmd[$x.$k]}"); done
        fi
    done
done
{
    echo "## 3. \`--all\` over N domains"
    echo
    echo "Fixtures: \`bench/gen-node.sh N\` (N running domains, 2 vCPUs, 1 disk, 1 NIC each),"
    echo "in-process (\`test:///PATH.xml\`) and through the daemon (\`test+unix:///PATH.xml?socket=...\`)."
    echo "The test driver's bulk stats call returns only \`state.*\`, so both the plugins and"
    echo "the floor fill the groups with per-domain calls (the fallback of lib/stats.c):"
    echo "targets here are against the floor making the same calls. \`virsh domstats\` is"
    echo "shown for scale only: on this driver it returns the state alone. \`virsh (per domain)\`"
    echo "runs \`dominfo D; vcpuinfo D\` for every domain in one virsh process. Runs per"
    echo "figure: $runs for N=10, fewer for larger N (given in the table)."
    echo
    echo "Targets: check_vcpu/check_vmem \`--all\` at most 1.2x the floor through the daemon."
    echo
    echo "| mode | N | runs | check_vcpu ms | floor cpu ms | vcpu / floor | check_vmem ms | floor balloon ms | vmem / floor | target (daemon) | virsh domstats ms | virsh per domain ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for mode in "${modes[@]}"; do
        for n in 10 100 1000; do
            k=$mode.$n
            a=$(med vcpu.$k); b=$(med fcpu.$k); c=$(med vmem.$k); e=$(med fbal.$k)
            r1=$(ratio "$a" "$b"); r2=$(ratio "$c" "$e")
            t="-"
            [ $mode = inproc ] || t="vcpu $(verdict "$r1" "<=" 1.2), vmem $(verdict "$r2" "<=" 1.2)"
            echo "| $mode | $n | $(cat "$tmp/runs.$k") | $(ms "$a") | $(ms "$b") | $r1 | $(ms "$c") | $(ms "$e") | $r2 | $t | $(ms "$(med vdomstats.$k)") | $(ms "$(med vper.$k)") |"
        done
    done
    echo
    if [ -n "$sock" ]; then
        echo "### libvirt RPC calls per check (through the daemon)"
        echo
        echo "Counted from libvirt's client log (\`LIBVIRT_LOG_FILTERS=1:rpc\`): one"
        echo "\`RPC_CLIENT_MSG_TX_QUEUE ... type=0\` line per call, connection open and close included."
        echo "The test driver has no bulk stats, so the per-domain fallback grows with N by design;"
        echo "what matters here is that the plugins make no more calls than the floor."
        echo
        echo "| N | check_vcpu | floor cpu | check_vmem | floor balloon | virsh domstats | virsh per domain |"
        echo "|---|---|---|---|---|---|---|"
        for n in 10 100 1000; do
            echo "| $n | ${rpcs[vcpu.$n]} | ${rpcs[fcpu.$n]} | ${rpcs[vmem.$n]} | ${rpcs[fbal.$n]} | ${rpcs[vdomstats.$n]} | ${rpcs[vper.$n]} |"
        done
        echo
    fi
    echo "Commands (N=100; the others differ only in the file name):"
    echo
    for mode in "${modes[@]}"; do
        for x in vcpu fcpu vmem fbal vdomstats vper; do echo "    $x.$mode: ${cmd[$x.$mode.100]}"; done
    done
    echo
} >>"$out"

# ---- 4. against the op5 plugin run once per domain -------------------------------
if [ $have_op5 = yes ]; then
    log "4. op5 once per domain, 100 domains"
    for mode in "${modes[@]}"; do
        if [ $mode = inproc ]; then u=test://$tmp/n100.xml; else u=$(uri_d n100.xml); fi
        cmd[op5x100.$mode]="for i in \$(seq -f %04g 1 100); do $op5 -H '$u' -N bench\$i -l CPU; done"
        pre[op5x100.$mode]=op5_reseed
        eval "${cmd[op5x100.$mode]}" >/dev/null 2>&1 || true
    done
    r=3
    ks=()
    for mode in "${modes[@]}"; do ks+=(op5x100.$mode vcpu.$mode.100); done
    interleave "$r" "${ks[@]}"
    {
        echo "## 4. Against the op5 check_libvirt run once per domain (100 domains)"
        echo
        echo "Target: \`check_vcpu --all\` at least 20x faster than 100 runs of \`check_libvirt -l CPU\`. $r runs each."
        echo
        echo "| mode | 100 x op5 ms | check_vcpu --all ms | speed-up | target |"
        echo "|---|---|---|---|---|"
        for mode in "${modes[@]}"; do
            a=$(med op5x100.$mode); b=$(med vcpu.$mode.100); x=$(ratio "$a" "$b")
            echo "| $mode | $(ms "$a") | $(ms "$b") | ${x}x | $(verdict "$x" ">=" 20) |"
        done
        echo
        for mode in "${modes[@]}"; do echo "    op5x100.$mode: ${cmd[op5x100.$mode]}"; done
        echo
    } >>"$out"
fi

# ---- 5. instructions: ours against libvirt's, as N grows ---------------------------
log "5. callgrind"
cg_ns=(10 100 1000)
[ -z "${BENCH_QUICK:-}" ] || cg_ns=(10 100)
{
    echo "## 5. Instructions (callgrind), in-process, as N grows"
    echo
    echo "\`valgrind --tool=callgrind\`, split by \`bench/cgsplit.py\`: *own* is the instructions"
    echo "in the program itself plus the libc calls it makes (string handling, malloc, printf);"
    echo "*libvirt* the inclusive cost of its calls into libvirt (the test driver parsing the node"
    echo "file included); *other* the loader and library constructors. Repeatable on a noisy machine."
    echo
    echo "Target: own instructions per domain flat as N grows (no quadratic work)."
    echo
    echo "| program | N | total Ir | libvirt Ir | own Ir | own Ir per domain | libxml2 (direct) Ir | output |"
    echo "|---|---|---|---|---|---|---|---|"
} >>"$out"
for n in "${cg_ns[@]}"; do
    k=inproc.$n
    for x in vcpu vmem fcpu; do
        case $x in vcpu) prog=$P/check_vcpu ;; vmem) prog=$P/check_vmem ;; fcpu) prog=$tmp/floor ;; esac
        # callgrind is ~50x slower: a longer -t, and the verdict kept to
        # show that the run was complete
        c=${cmd[$x.$k]/-t 120/-t 3600}
        eval "valgrind --tool=callgrind --callgrind-out-file=$tmp/cg.out $c" >"$tmp/cg.txt" 2>/dev/null || true
        s=$(python3 "$here/cgsplit.py" "$tmp/cg.out" "$prog")
        eval "$s" # total= own= libvirt= libxml2= other=
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$x" "$n" "$total" "$libvirt" "$own" \
            "$((own / n))" "$libxml2" "$(head -1 "$tmp/cg.txt" | cut -c1-24 | tr '|' '/')" >>"$out"
        cp "$tmp/cg.out" "$tmp/cg.$x.$n"
    done
done
{
    echo
    echo "Commands: \`valgrind --tool=callgrind --callgrind-out-file=F CMD\` then"
    echo "\`bench/cgsplit.py F PROGRAM\`, CMD as in section 3 (in-process)."
    echo
} >>"$out"

# ---- 6. memory at 1,000 domains ---------------------------------------------------
log "6. peak RSS"
{
    echo "## 6. Peak RSS at 1,000 domains"
    echo
    echo "Target: less than 16 MiB (16384 KiB) above the floor's."
    echo
    echo "| mode | check_vcpu KiB | floor cpu KiB | check_vmem KiB | floor balloon KiB | worst over floor KiB | target |"
    echo "|---|---|---|---|---|---|---|"
    for mode in "${modes[@]}"; do
        k=$mode.1000
        a=$(peak_kib "${cmd[vcpu.$k]}"); b=$(peak_kib "${cmd[fcpu.$k]}")
        c=$(peak_kib "${cmd[vmem.$k]}"); e=$(peak_kib "${cmd[fbal.$k]}")
        w=$(((a - b) > (c - e) ? (a - b) : (c - e)))
        echo "| $mode | $a | $b | $c | $e | $w | $(verdict "$w" "<=" 16384) |"
    done
    echo
    echo "Through the daemon most of the memory of the test driver is in libvirtd, not in the client."
    echo
} >>"$out"

# ---- 7. the bulk path over real QEMU guests (when the e2e lab is up) ---------
# tests/e2e/lab.sh up brings up a private libvirtd with four QEMU guests;
# the real qemu driver answers --all with one bulk stats call.
lab=$here/../tests/e2e/lab.sh
if [ -z "${BENCH_NO_LAB:-}" ] && [ "$(id -u)" = 0 ] && "$lab" status >/dev/null 2>&1; then
    log "7. the e2e lab's QEMU guests"
    eval "$("$lab" env)"
    lu=$VM_E2E_URI
    nlab=$(virsh -r -c "$lu" list --name | grep -c .)
    lkeys=()
    for g in 1 $nlab; do
        if [ "$g" = 1 ]; then sel="-d e2e-load" fsel=e2e-load vsel=e2e-load; else sel=--all fsel=--all vsel=; fi
        for x in vcpu:cpu:--cpu-total\ --vcpu vmem:balloon:--balloon vdisk:block:--block vnet:net:--interface; do
            IFS=: read -r pl fg vg <<<"$x"
            cmd[l$pl.$g]="$P/check_$pl -U '$lu' $sel -t 60"
            cmd[l$pl.$g]+=" --state-dir $tmp/lab.$pl.$g"
            mkdir -p -m 700 "$tmp/lab.$pl.$g"
            [ $pl = vmem ] || cmd[l$pl.$g]+=" --min-window=0.001"
            cmd[lf$pl.$g]="$tmp/floor '$lu' $fg $fsel"
            cmd[lv$pl.$g]="virsh -r -c '$lu' domstats $vg $vsel"
            [ $pl = vmem ] || warm l$pl.$g "$tmp/lab.$pl.$g"
            lkeys+=(l$pl.$g lf$pl.$g lv$pl.$g)
        done
    done
    interleave "$runs" "${lkeys[@]}"
    {
        echo "## 7. The bulk path over real QEMU guests (the e2e lab)"
        echo
        echo "\`tests/e2e/lab.sh up\`: a private system libvirtd (qemu driver, $(cat "$VM_E2E_LAB/e2e-load.type" 2>/dev/null || echo '?') guests),"
        echo "read-only socket. One guest (\`-d e2e-load\`) against all $nlab (\`--all\`); rate plugins"
        echo "answer from a warm state file. $runs runs each, interleaved. RPC calls counted as in section 3."
        echo
        echo "Targets: libvirt calls do not grow with N; wall time at most 1.2x \`virsh domstats\` for the same groups."
        echo "Only \`e2e-load\` has a disk and a NIC: with \`--all\` check_vdisk and check_vnet answer"
        echo "UNKNOWN for the other three (\"libvirt reports no disks\"), after the same calls."
        echo "\"XML\" counts the plugin's calls that fetched a domain's XML (remote proc 14)."
        echo
        echo "| plugin | N | plugin ms | floor ms | plugin / floor | virsh domstats ms | plugin / virsh | target | RPC plugin | of which XML | RPC floor | RPC virsh |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
        for pl in vcpu vmem vdisk vnet; do
            for g in 1 $nlab; do
                a=$(med l$pl.$g); b=$(med lf$pl.$g); c=$(med lv$pl.$g); rv=$(ratio "$a" "$c")
                rp=$(rpc_calls "${cmd[l$pl.$g]}"); rx=$(rpc_xml_calls)
                echo "| check_$pl | $g | $(ms "$a") | $(ms "$b") | $(ratio "$a" "$b") | $(ms "$c") | $rv | $(verdict "$rv" "<=" 1.2) | $rp | $rx | $(rpc_calls "${cmd[lf$pl.$g]}") | $(rpc_calls "${cmd[lv$pl.$g]}") |"
            done
        done
        echo
        echo "check_vnet's XML is its MAC labels (one call per domain that has interfaces; the"
        echo "other domains cost nothing). With \`--label=dev\` (host device names, no XML):"
        for g in 1 $nlab; do
            eval "${cmd[lvnet.$g]} --label=dev" >/dev/null 2>&1 || true # its state: no in-run sample
            rp=$(rpc_calls "${cmd[lvnet.$g]} --label=dev"); rx=$(rpc_xml_calls)
            echo "N=$g: $rp RPC calls, $rx of them XML."
        done
        echo
        echo "Commands (N=$nlab):"
        echo
        for pl in vcpu vmem vdisk vnet; do for k in l lf lv; do echo "    $k$pl: ${cmd[$k$pl.$nlab]}"; done; done
        echo
    } >>"$out"
else
    why="the e2e lab is not up; \`tests/e2e/lab.sh up BUILDDIR\` as root, then run this again"
    [ -z "${BENCH_NO_LAB:-}" ] || why="left out with BENCH_NO_LAB=1"
    echo "## 7. The bulk path over real QEMU guests: not measured ($why)" >>"$out"
    echo >>"$out"
fi

{
    echo "Finished in $(($(date +%s) - started)) s."
    if [ -f "$tmp/warnings" ]; then echo; cat "$tmp/warnings"; fi
    echo
} >>"$out"
# Keep the hand-written notes (profiles, before/after) below the marker.
marker='<!-- notes below are kept by bench/run.sh -->'
echo "$marker" >>"$out"
if [ -f "$here/RESULTS.md" ] && grep -qF "$marker" "$here/RESULTS.md"; then
    awk -v m="$marker" 'f { print } $0 == m { f = 1 }' "$here/RESULTS.md" >>"$out"
fi
cp "$out" "$here/RESULTS.md"
cat "$here/RESULTS.md"
