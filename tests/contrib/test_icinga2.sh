#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# contrib/icinga2: the CheckCommands and the example apply rules pass a real
# "icinga2 daemon -C" with the ITL; broken copies fail it; every option of
# every plugin's --help has an argument; and a real Icinga 2 daemon runs the
# example services against libvirt's test driver and gets plugin answers,
# not option errors; and Icinga 2's perfdata parser and split read the labels
# of hostile domain names as the plugin printed them. TAP output.
#
# Needs icinga2 (Debian: icinga2-bin, which pulls icinga2-common). Without
# it the test is skipped ("1..0 # SKIP"), unless VM_E2E_REQUIRED=1, which
# makes a missing icinga2 a failure. Everything icinga2 writes (cache, log,
# state) goes to a temp folder; it runs as the calling user.
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${VM_TOP_BUILDDIR:-$srcdir}
commands=$srcdir/contrib/icinga2/libvirt-commands.conf
services=$srcdir/contrib/icinga2/services.conf.example
plugdir=$builddir/plugins

# shellcheck source=tests/tap.sh
. "$srcdir/tests/tap.sh"

command -v icinga2 >/dev/null 2>&1 || skip_or_bail "icinga2 is not installed (Debian: icinga2-bin)"
need_plugins "$plugdir"

# shellcheck source=tests/daemon.sh
. "$srcdir/tests/daemon.sh"
daemon_tmp vm-icinga2

# icinga2 switches to RunAsUser when started as root: make that us, and keep
# its files in the temp folder.
icinga() { # icinga CONF OUTFILE [daemon args...]
    conf=$1
    outf=$2
    shift 2
    mkdir -p "$tmp/var"
    # Validation (-C) ends by itself; 2 minutes is far past its few seconds.
    timeout -k 5 120 icinga2 daemon -c "$conf" \
        -DCacheDir="$tmp/var" -DLogDir="$tmp/var" -DDataDir="$tmp/var" \
        -DInitRunDir="$tmp/var" -DSpoolDir="$tmp/var" \
        -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" "$@" >"$outf" 2>&1
}

# A daemon in the background, its pid in daemon_pid. Started directly (not
# through timeout as icinga does) so that $! is the daemon itself:
# /usr/sbin/icinga2 execs the binary.
icinga_start() { # icinga_start CONF OUTFILE
    mkdir -p "$tmp/var"
    icinga2 daemon -c "$1" \
        -DCacheDir="$tmp/var" -DLogDir="$tmp/var" -DDataDir="$tmp/var" \
        -DInitRunDir="$tmp/var" -DSpoolDir="$tmp/var" \
        -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" >"$2" 2>&1 &
    daemon_pid=$!
}

# The constants of the ITL's CheckCommands and of a master's zone.
conf_consts() { # conf_consts PLUGINCONTRIBDIR
    cat <<EOF
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "$1"
const ManubulonPluginDir = "/usr/lib/nagios/plugins"
const NodeName = "master1.test"
const ZoneName = "master"
const TicketSalt = ""
EOF
}

# A master with one agent zone, the ITL, our files, and hosts for the rules:
# kvm01 with a per-guest service, kvm02 checked through its agent, plain
# (no libvirt_hypervisor) that no rule may touch.
write_conf() { # write_conf OUT COMMANDS SERVICES
    { conf_consts /usr/lib/nagios/plugins; cat <<EOF
object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
object Endpoint "kvm02.test" {}
object Zone "kvm02.test" { endpoints = [ "kvm02.test" ]; parent = ZoneName }
include <itl>
include <plugins>
include "$2"
include "$3"
object Host "kvm01.test" {
  check_command = "dummy"
  zone = ZoneName
  vars.libvirt_hypervisor = true
  vars.libvirt_domains = { "vm01" = { vmem_warning = 90 } }
}
object Host "kvm02.test" {
  check_command = "dummy"
  zone = ZoneName
  vars.libvirt_hypervisor = true
  vars.agent_endpoint = name
}
object Host "plain.test" { check_command = "dummy"; zone = ZoneName }
EOF
    } >"$1"
}

# --- 1. validation ------------------------------------------------------
write_conf "$tmp/good.conf" "$commands" "$services"
icinga "$tmp/good.conf" "$tmp/good.out" -C
rc=$?
check $rc "icinga2 daemon -C accepts the CheckCommands and the example rules"
[ $rc -eq 0 ] || diag "$(cat "$tmp/good.out")"
# kvm01: 4 rules + vm-memory-vm01; kvm02: 4; plain: none.
grep -q "Instantiated 9 Services" "$tmp/good.out"
check $? "the apply rules give 9 services (4 per hypervisor + 1 per listed guest)"

# A copy whose command "vmem" is misnamed: the rules refer to a command that
# does not exist, which validation must catch.
sed 's/^object CheckCommand "vmem" {/object CheckCommand "vmem-misnamed" {/' "$commands" >"$tmp/renamed.conf"
write_conf "$tmp/bad1.conf" "$tmp/renamed.conf" "$services"
icinga "$tmp/bad1.conf" "$tmp/bad1.out" -C
rc=$?
grep -q "Object 'vmem' of type 'CheckCommand' does not exist" "$tmp/bad1.out"
found=$?
check "$([ $rc -ne 0 ] && [ $found -eq 0 ] && echo 0 || echo 1)" \
    "a copy with the vmem command misnamed fails validation (exit $rc)"

# A copy with a syntax error: the last object left unclosed.
sed '$d' "$commands" >"$tmp/unclosed.conf"
write_conf "$tmp/bad2.conf" "$tmp/unclosed.conf" "$services"
icinga "$tmp/bad2.conf" "$tmp/bad2.out" -C
rc=$?
check "$([ $rc -ne 0 ] && echo 0 || echo 1)" "a copy with its last '}' cut fails validation (exit $rc)"

# --- 1b. the README's satellite example ----------------------------------
# Its zones.conf and hosts.conf blocks as written, the contrib files where it
# puts them (global zone, the satellite's zone folder), validated on the
# master: the rules beside the hosts give their 4 services, each run on the
# hypervisor's agent and belonging to the satellite's zone.
readme_block() { # readme_block MARKER: the indented block after <!-- MARKER -->
    awk -v m="<!-- $1 -->" '$0 == m { on = 1; next } on && /^    / { sub(/^    /, ""); print; seen = 1; next } on && seen { exit }' "$srcdir/README.md"
}
zd=$tmp/sat/zones.d
mkdir -p "$zd/global-templates" "$zd/rack1"
{
    echo 'const PluginDir = "/usr/lib/nagios/plugins"'
    echo 'const PluginContribDir = "/usr/lib/nagios/plugins"'
    echo 'const ManubulonPluginDir = "/usr/lib/nagios/plugins"'
    echo 'const NodeName = "master1.example.org"'
    echo 'const ZoneName = "master"'
    echo 'const TicketSalt = ""'
    readme_block "example: icinga2 zones.conf"
    echo 'include <itl>'
    echo 'include <plugins>'
} >"$tmp/sat/icinga2.conf"
readme_block "example: icinga2 rack1 hosts.conf" >"$zd/rack1/hosts.conf"
cp "$commands" "$zd/global-templates/libvirt-commands.conf"
cp "$services" "$zd/rack1/libvirt-services.conf"
icinga "$tmp/sat/icinga2.conf" "$tmp/sat.out" -C -DZonesDir="$zd"
rc=$?
grep -q "Instantiated 4 Services" "$tmp/sat.out"
found=$?
check "$([ $rc -eq 0 ] && [ $found -eq 0 ] && [ -s "$zd/rack1/hosts.conf" ] && echo 0 || echo 1)" \
    "the README's satellite example validates on the master and gives kvm01 its 4 services (exit $rc)"
[ $found -eq 0 ] || diag "$(cat "$tmp/sat.out")"
timeout -k 5 60 icinga2 object list --type Service -DZonesDir="$zd" -DCacheDir="$tmp/var" \
    -DLogDir="$tmp/var" -DDataDir="$tmp/var" -DInitRunDir="$tmp/var" -DSpoolDir="$tmp/var" \
    -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" >"$tmp/sat.objects" 2>&1
ne=$(grep -c 'command_endpoint = "kvm01.example.org"' "$tmp/sat.objects")
nz=$(grep -c 'zone = "rack1"' "$tmp/sat.objects")
check "$([ "$ne" = 4 ] && [ "$nz" = 4 ] && echo 0 || echo 1)" \
    "its services run on the agent (command_endpoint: $ne of 4) and belong to the satellite's zone ($nz of 4)"

# --- 2. every plugin option has an argument --------------------------------
# The long options in each plugin's --help, minus --help and --version,
# must be keys in its CheckCommand (an argument name or key = "...").
for p in vmem vcpu vdisk vnet; do
    opts=$("$plugdir/check_$p" --help | grep -E '^ +(-[a-zA-Z], )?--[a-z]' |
        sed -E 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/' | sort -u |
        grep -v -x -e --help -e --version -e --all -e --include -e --exclude -e --warning -e --critical | tr '\n' ' ')
    opts="$opts --all --include --exclude --warning --critical"
    block=$(awk -v c="object CheckCommand \"$p\" {" '$0 == c { on = 1 } on { print } on && /^}/ { exit }' "$commands")
    missing=
    for o in $opts; do
        printf '%s\n' "$block" | grep -q -e "^		\"$o\" = {" -e "key = \"$o\"" || missing="$missing $o"
    done
    check "$([ -z "$missing" ] && echo 0 || echo 1)" \
        "CheckCommand $p has an argument for every option of check_$p --help${missing:+ (missing:$missing)}"
    nargs=$(printf '%s\n' "$block" | grep -c '^		"[^"]*" = {')
    ndesc=$(printf '%s\n' "$block" | grep -c '^			description = ')
    check "$([ "$nargs" -eq "$ndesc" ] && [ "$nargs" -gt 0 ] && echo 0 || echo 1)" \
        "CheckCommand $p: each of its $nargs arguments has a description ($ndesc)"
done

# --- 3. a real daemon runs the example services -----------------------------
# The example rules as shipped, but checked every 2 s instead of 5 min; the
# host sets the URI of three commands to the test driver and leaves
# vnet_connect unset, so check_vnet gets no --connect and takes
# LIBVIRT_DEFAULT_URI from the daemon's environment; it sets vcpu_warning,
# which must win over the rule's default (85); and it lists the test
# driver's domain, "test", whose balloon stats are from 1989, hence
# vmem_max_age = 0 for it.
sed 's/check_interval = 5m/check_interval = 2s/' "$services" >"$tmp/services-fast.conf"
{ conf_consts "$plugdir"; cat <<EOF
include <itl>
include <plugins>
include "$commands"
include "$tmp/services-fast.conf"
object CheckerComponent "checker" {}
object FileLogger "log" { path = "$tmp/var/run.log"; severity = "notice" }
object Host "kvm03.test" {
  check_command = "dummy"
  vars.libvirt_hypervisor = true
  vars.libvirt_domains = { "test" = { vmem_max_age = 0 } }
  vars.vmem_connect = "test:///default"
  vars.vcpu_connect = "test:///default"
  vars.vdisk_connect = "test:///default"
  vars.vcpu_warning = 70
}
EOF
} >"$tmp/run.conf"
XDG_STATE_HOME=$tmp/state
LIBVIRT_DEFAULT_URI=test:///default
export XDG_STATE_HOME LIBVIRT_DEFAULT_URI
mkdir -p "$tmp/var"
icinga_start "$tmp/run.conf" "$tmp/run.out"
# Wait until each of the 5 services' plugin has finished at least once.
all_ran() {
    for p in vmem vcpu vdisk vnet; do
        grep -q "check_$p'.* terminated with exit code" "$tmp/var/run.log" 2>/dev/null || return 1
    done
    grep -q "check_vmem'.*--domain.* terminated with exit code" "$tmp/var/run.log"
}
daemon_wait 60 all_ran
sleep 2 # let a check under way finish before the shutdown
daemon_stop "$daemon_pid"
rc=$?
daemon_pid=
check "$([ $rc -eq 0 ] && [ -s "$tmp/var/icinga2.state" ] && echo 0 || echo 1)" \
    "icinga2 daemon ran the checks and saved its state (exit $rc)"
[ -s "$tmp/var/icinga2.state" ] || diag "$(cat "$tmp/run.out")"

# The state file holds one JSON record per object; take each service's.
tr -d '\n' <"$tmp/var/icinga2.state" 2>/dev/null | sed 's/[0-9]*:{"name":"/\n&/g' >"$tmp/records"
for svc in libvirt-memory libvirt-cpu libvirt-disk libvirt-network vm-memory-test; do
    rec=$(grep -F "{\"name\":\"kvm03.test!$svc\"" "$tmp/records" | head -n 1)
    status=$(printf '%s' "$rec" | grep -o '"exit_status":[0-9]*' | head -n 1 | cut -d: -f2)
    first=$(printf '%s' "$rec" | grep -o '"output":"[^"]*' | head -n 1 | cut -c11- | sed 's/\\n.*//; s/ *$//')
    what="$svc: exit ${status:-none}: $first"
    case $status:$first in
    :*) not_ok "$svc: no check result" ;;
    *"(see --help)"*) not_ok "$what (option error)" ;;
    [012]:"V"[A-Z]*" "[A-Z]*" - "*) ok "$what" ;;
    3:"VMEM UNKNOWN - "*"memory stats are stale"*)
        # The test driver's balloon stats are from 1989; the rule has no
        # vmem_max_age (a real guest needs none). Not an option error.
        ok "$svc: UNKNOWN for the test driver's stale (1989) stats, not an option error"
        ;;
    *) not_ok "$what" ;;
    esac
done
# The argument mapping: what Icinga 2 put on the command lines.
grep -q "check_vcpu' '--all' '--connect' 'test:///default' .*'--warning' 'steal=10'" "$tmp/var/run.log"
check $? "vars.vcpu_steal_warning = 10 became --warning steal=10, vcpu_all = true became --all"
grep -q "check_vcpu' .*'--warning' '70'" "$tmp/var/run.log" && ! grep -q "check_vcpu' .*'--warning' '85'" "$tmp/var/run.log"
check $? "the host's vars.vcpu_warning = 70 reached the --all service (not the rule's 85)"
grep "check_vnet'" "$tmp/var/run.log" | grep -q "terminated with exit code" && ! grep -q "check_vnet' .*'--connect'" "$tmp/var/run.log"
check $? "vnet_connect unset: no --connect on check_vnet's command line (LIBVIRT_DEFAULT_URI of the daemon applies)"
grep -q "check_vmem' '--connect' 'test:///default' .*'--domain' 'test' '--max-age' '0'" "$tmp/var/run.log"
check $? "apply for: vars.vmem_domain from the dictionary key, vmem_max_age from its value"

# --- 4. labels as Icinga 2 reads them --------------------------------------
# Perfdata of the hostile names (quotes, '=', '|', UTF-8, CJK, controls):
# the daemon's own split (PluginUtility::SplitPerfdata, seen through the
# PerfdataWriter) and parser (PerfdataValue::Parse, the console's
# parse_performance_data) must give back exactly the labels we printed.
hostile="test://$srcdir/tests/fixtures/hostile.xml"
"$plugdir/check_vmem" --connect "$hostile" --all --max-age=0 >"$tmp/hostile.out" 2>&1
head -n 1 "$tmp/hostile.out" | sed 's/^[^|]*| //' | tr ' ' '\n' >"$tmp/hostile.entries"
sed "s/^'\([^']*\)'=.*/\1/" "$tmp/hostile.entries" | sort >"$tmp/labels.ours"
nours=$(wc -l <"$tmp/labels.ours")
check "$([ "$nours" -gt 19 ] && [ "$(sort -u "$tmp/labels.ours" | wc -l)" -eq "$nours" ] && echo 0 || echo 1)" \
    "check_vmem on the hostile names: $nours perfdata labels, all distinct"
check "$(! grep -q "['|]" "$tmp/labels.ours" && grep -q '^日本語-仮想🦆:used$' "$tmp/labels.ours" && echo 0 || echo 1)" \
    "the labels keep UTF-8 and hold no ' or |"

# Parse: one console call for all entries; each compares the label Icinga 2
# reads with ours (DSL strings: our labels hold no '"' or '\').
expr="["
while IFS= read -r e; do
    l=$(printf '%s' "$e" | sed "s/^'\([^']*\)'=.*/\1/")
    expr="$expr parse_performance_data(\"$e\").label == \"$l\","
done <"$tmp/hostile.entries"
expr="$expr true ]"
timeout -k 5 60 icinga2 console -e "$expr" >"$tmp/parse.out" 2>&1
ntrue=$(tr ',' '\n' <"$tmp/parse.out" | grep -c true)
check "$([ "$ntrue" -eq $((nours + 1)) ] && ! grep -q false "$tmp/parse.out" && echo 0 || echo 1)" \
    "icinga2 parse_performance_data reads every label as printed ($((ntrue - 1)) of $nours)"
grep -q true "$tmp/parse.out" || diag "$(head -c 2000 "$tmp/parse.out")"

# Split: a daemon runs the check, its PerfdataWriter writes what it split.
cat >"$tmp/hostile.conf" <<EOF
include <itl>
object CheckerComponent "checker" {}
object FileLogger "log" { path = "$tmp/var/hostile.log"; severity = "notice" }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$tmp/var/service-perfdata"
  service_temp_path = "$tmp/var/service-perfdata.tmp"
  host_perfdata_path = "$tmp/var/host-perfdata"
  host_temp_path = "$tmp/var/host-perfdata.tmp"
  service_format_template = "PERF::\$service.perfdata\$"
}
object CheckCommand "hostile-vmem" {
  command = [ "$plugdir/check_vmem", "--connect", "$hostile", "--all", "--max-age=0" ]
}
object Host "h.test" { check_command = "dummy" }
object Service "hostile" { host_name = "h.test"; check_command = "hostile-vmem"; check_interval = 2s }
EOF
rm -f "$tmp/var/icinga2.state"
icinga_start "$tmp/hostile.conf" "$tmp/hostile-run.out"
perf_written() { cat "$tmp/var/service-perfdata"* 2>/dev/null | grep -q '^PERF::.'; }
daemon_wait 60 perf_written
daemon_stop "$daemon_pid" >/dev/null 2>&1
daemon_pid=
cat "$tmp/var/service-perfdata"* 2>/dev/null | grep '^PERF::.' | head -n 1 | sed 's/^PERF:://' |
    tr ' ' '\n' | sed 's/=.*//' | sort >"$tmp/labels.icinga"
cmp -s "$tmp/labels.ours" "$tmp/labels.icinga"
check $? "the daemon's perfdata split gives back the same $nours labels"
cmp -s "$tmp/labels.ours" "$tmp/labels.icinga" ||
    diag "$(diff "$tmp/labels.ours" "$tmp/labels.icinga" | head -n 20; tail -n 5 "$tmp/hostile-run.out")"

echo "1..$n"
exit $failed
