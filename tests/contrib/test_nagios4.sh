#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# contrib/nagios: the command definitions and the service templates pass
# "nagios4 -v" next to Debian's sample objects (templates, contacts,
# timeperiods, commands) with no error and no warning; broken copies fail
# it; and a real Nagios 4 runs the example services against libvirt's test
# driver and gets plugin answers, not option errors; and the perfdata
# labels of hostile domain names reach status.dat and $SERVICEPERFDATA$ as
# the plugin printed them. TAP output.
#
# Needs nagios4 (Debian: nagios4-core, which pulls nagios4-common with the
# sample objects). Without it the test is skipped ("1..0 # SKIP"), unless
# VM_E2E_REQUIRED=1, which makes a missing nagios4 a failure. All of
# Nagios' files go to a temp folder; it runs as the calling user.
set -u

srcdir=${VM_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${VM_TOP_BUILDDIR:-$srcdir}
commands=$srcdir/contrib/nagios/libvirt-commands.cfg
services=$srcdir/contrib/nagios/libvirt-services.cfg
plugdir=$builddir/plugins
objects=${VM_NAGIOS4_OBJECTS:-/etc/nagios4/objects}

# shellcheck source=tests/tap.sh
. "$srcdir/tests/tap.sh"
command -v nagios4 >/dev/null 2>&1 || skip_or_bail "nagios4 is not installed (Debian: nagios4-core)"
for f in templates contacts timeperiods commands; do
    [ -r "$objects/$f.cfg" ] || skip_or_bail "no $objects/$f.cfg (Debian: nagios4-common)"
done
# Host check commands (check-host-alive, which linux-server uses) come from
# the plugins' own definitions, as Debian's nagios.cfg reads them.
pluginconf=${VM_NAGIOS_PLUGINS_CONFIG:-/etc/nagios-plugins/config}
[ -r "$pluginconf/ping.cfg" ] || skip_or_bail "no $pluginconf/ping.cfg (Debian: monitoring-plugins-basic)"
need_plugins "$plugdir"

# shellcheck source=tests/daemon.sh
. "$srcdir/tests/daemon.sh"
daemon_tmp vm-nagios4

# write_main DIR COMMANDS SERVICES HOSTS USER1 [EXTRA LINES...]
write_main() {
    d=$1
    mkdir -p "$d/checkresults"
    printf '$USER1$=%s\n' "$5" >"$d/resource.cfg"
    cat >"$d/nagios.cfg" <<EOF
log_file=$d/nagios.log
cfg_dir=$pluginconf
cfg_file=$objects/commands.cfg
cfg_file=$objects/contacts.cfg
cfg_file=$objects/timeperiods.cfg
cfg_file=$objects/templates.cfg
cfg_file=$2
cfg_file=$3
cfg_file=$4
resource_file=$d/resource.cfg
object_cache_file=$d/objects.cache
precached_object_file=$d/objects.precache
status_file=$d/status.dat
temp_file=$d/nagios.tmp
temp_path=$d
lock_file=$d/nagios.lock
check_result_path=$d/checkresults
command_file=$d/nagios.cmd
query_socket=$d/nagios.qh
state_retention_file=$d/retention.dat
nagios_user=$(id -un)
nagios_group=$(id -gn)
illegal_macro_output_chars=\`~\$&|'"<>
EOF
    shift 5
    for l in "$@"; do
        echo "$l" >>"$d/nagios.cfg"
    done
}

# One KVM host per template: the example hosts of libvirt-services.cfg's
# header, exactly as shipped (uncommented), on Nagios' linux-server template.
awk '/^[^#]/ { exit } /^#   / { sub(/^#   /, ""); print }' "$services" >"$tmp/hosts.cfg"
grep -q "host_name   kvm02" "$tmp/hosts.cfg"
check $? "libvirt-services.cfg's header holds the two example hosts ($(grep -c 'define host' "$tmp/hosts.cfg") found)"

verify() { # verify DIR -> rc, output in DIR/verify.out
    timeout -k 5 120 nagios4 -v "$1/nagios.cfg" >"$1/verify.out" 2>&1
}

# --- 1. verification ------------------------------------------------------
write_main "$tmp/good" "$commands" "$services" "$tmp/hosts.cfg" /usr/lib/nagios/plugins
verify "$tmp/good"
rc=$?
check $rc "nagios4 -v accepts the commands and the services (exit $rc)"
[ $rc -eq 0 ] || diag "$(cat "$tmp/good/verify.out")"
grep -q "Total Warnings: 0" "$tmp/good/verify.out"
check $? "nagios4 -v gives no warning"
# kvm01: 4 services; kvm02 (NRPE): 5.
grep -q "Checked 9 services" "$tmp/good/verify.out"
check $? "the hostgroups give 9 services (4 run by Nagios + 5 through NRPE)"

# Broken copies must fail: a command misnamed (services refer to it), and a
# definition left unclosed.
sed 's/command_name    check_libvirt_vdisk$/command_name    check_libvirt_vdisk_misnamed/' "$commands" >"$tmp/renamed.cfg"
write_main "$tmp/bad1" "$tmp/renamed.cfg" "$services" "$tmp/hosts.cfg" /usr/lib/nagios/plugins
verify "$tmp/bad1"
rc=$?
grep -q "Service check command 'check_libvirt_vdisk!.*' specified in service 'libvirt disks' for host 'kvm01' not defined anywhere" "$tmp/bad1/verify.out"
found=$?
check "$([ $rc -ne 0 ] && [ $found -eq 0 ] && echo 0 || echo 1)" \
    "a copy with check_libvirt_vdisk misnamed fails verification (exit $rc)"
[ $found -eq 0 ] || diag "$(cat "$tmp/bad1/verify.out")"
sed '$d' "$services" >"$tmp/unclosed.cfg"
write_main "$tmp/bad2" "$commands" "$tmp/unclosed.cfg" "$tmp/hosts.cfg" /usr/lib/nagios/plugins
verify "$tmp/bad2"
rc=$?
check "$([ $rc -ne 0 ] && echo 0 || echo 1)" "a copy with its last '}' cut fails verification (exit $rc)"

# --- 2. a real Nagios runs the example services ------------------------------
# kvm03 uses the libvirt-hypervisor template with the test driver as its
# _LIBVIRT_URI; $USER1$ is the build's plugins/. One more service uses
# check_libvirt_vmem_domain on the test driver's domain "test" (its balloon
# stats are from 1989, hence --max-age=0). interval_length=1 makes the
# templates' 5-minute interval 5 s; the NRPE hostgroup stays empty.
# kvm04: 2,000 domains (a test driver node file written here), every one
# UNKNOWN for its stale stats: an answer far over Nagios' 8 KiB.
many=$tmp/many.xml
{
    echo "<node>"
    i=0
    while [ $i -lt 2000 ]; do
        printf "<domain type='test'><name>dom%04d</name><memory>1048576</memory><currentMemory>524288</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os><devices><memballoon model='virtio'/></devices></domain>\n" $i
        i=$((i + 1))
    done
    echo "</node>"
} >"$many"
cat >"$tmp/hosts-run.cfg" <<EOF
define host {
    use                 libvirt-hypervisor,linux-server
    host_name           kvm03
    address             127.0.0.1
    _LIBVIRT_URI        test:///default
}
define host {
    use                 libvirt-hypervisor,linux-server
    host_name           kvm04
    address             127.0.0.1
    _LIBVIRT_URI        test://$many
}
define service {
    use                     libvirt-service
    host_name               kvm03
    service_description     test memory
    check_command           check_libvirt_vmem_domain!test!85!95!--max-age=0
}
EOF
# And the hostile names' memory, for the labels (section 3).
hostile="test://$srcdir/tests/fixtures/hostile.xml"
cat >"$tmp/hostile.cfg" <<EOF
define command {
    command_name    hostile_vmem
    command_line    \$USER1\$/check_vmem --connect $hostile --all --max-age=0 --exclude ^Lxx
}
define service {
    use                     libvirt-service
    host_name               kvm03
    service_description     hostile memory
    check_command           hostile_vmem
}
EOF
"$plugdir/check_vmem" --connect "$hostile" --all --max-age=0 --exclude '^Lxx' | head -n 1 |
    sed 's/^[^|]*| //' | tr ' ' '\n' | sed "s/^'\([^']*\)'=.*/\1/" >"$tmp/hostile.labels"
write_main "$tmp/run" "$commands" "$services" "$tmp/hosts-run.cfg" "$plugdir" \
    "cfg_file=$tmp/hostile.cfg" process_performance_data=1 \
    "service_perfdata_file=$tmp/run/service-perfdata" \
    'service_perfdata_file_template=PERF::$SERVICEDESC$::$SERVICEPERFDATA$' \
    service_perfdata_file_mode=a \
    allow_empty_hostgroup_assignment=1 execute_host_checks=0 enable_notifications=0 \
    retain_state_information=0 check_external_commands=0 interval_length=1 \
    status_update_interval=1 service_inter_check_delay_method=n max_service_check_spread=1
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME
unset LIBVIRT_DEFAULT_URI
nagios4 "$tmp/run/nagios.cfg" >"$tmp/run/out" 2>&1 &
daemon_pid=$!
# Nagios removes status.dat when it stops: copy it once all 10 (9 and the
# hostile names) are checked.
all_checked() {
    [ -s "$tmp/run/status.dat" ] && cp "$tmp/run/status.dat" "$tmp/status.dat" &&
        [ "$(grep -c 'has_been_checked=1' "$tmp/status.dat")" -ge 10 ]
}
daemon_wait 60 all_checked
daemon_stop "$daemon_pid"
rc=$?
daemon_pid=
check "$([ $rc -eq 0 ] && [ -s "$tmp/status.dat" ] && echo 0 || echo 1)" "nagios4 ran the checks (exit $rc)"
[ -s "$tmp/status.dat" ] || diag "$(cat "$tmp/run/out")"

# servicestatus blocks: "host description|state|checked|output" per service.
awk -F= '
    /^servicestatus \{/ { on = 1; h = d = s = c = o = ""; next }
    on && /^\t*host_name=/ { h = substr($0, index($0, "=") + 1) }
    on && /^\t*service_description=/ { d = h " " substr($0, index($0, "=") + 1) }
    on && /^\t*current_state=/ { s = $2 }
    on && /^\t*has_been_checked=/ { c = $2 }
    on && /^\t*plugin_output=/ { o = substr($0, index($0, "=") + 1) }
    on && /^\t*\}/ { print d "|" s "|" c "|" o; on = 0 }
' "$tmp/status.dat" 2>/dev/null >"$tmp/results"
for svc in "kvm03 libvirt memory" "kvm03 libvirt CPU" "kvm03 libvirt disks" "kvm03 libvirt network" \
    "kvm03 test memory" "kvm04 libvirt memory" "kvm04 libvirt CPU" "kvm04 libvirt disks" "kvm04 libvirt network"; do
    line=$(grep "^$svc|" "$tmp/results" | head -n 1)
    state=$(echo "$line" | cut -d'|' -f2)
    checked=$(echo "$line" | cut -d'|' -f3)
    first=$(echo "$line" | cut -d'|' -f4-)
    what="$svc: state ${state:-none}: $first"
    case $checked:$state:$svc:$first in
    1:*"(see --help)"*) not_ok "$what (option error)" ;;
    1:[0123]:kvm04*:"V"[A-Z]*" "[A-Z]*" - "*) ok "$what" ;; # 2,000 bare test domains
    1:[012]:*:"V"[A-Z]*" "[A-Z]*" - "*) ok "$what" ;;
    1:3:*:"VMEM UNKNOWN - "*"memory stats are stale"*)
        # The example has no --max-age (a real guest needs none); the test
        # driver's stats are from 1989. Not an option error.
        ok "$svc: UNKNOWN for the test driver's stale (1989) stats, not an option error"
        ;;
    1:*) not_ok "$what" ;;
    *) not_ok "$svc: not checked" ;;
    esac
done

# The 8 KiB budget: kvm04's memory answer (2,000 UNKNOWN lines) reached
# Nagios trimmed by the plugin to the commands' --max-output=8000, saying so
# at its end. Nagios 4.4.6 cuts answers over 8 KiB at 8,192 bytes now and
# then (10-44 % of results in a run of the issue's), so a larger answer is
# not safe even when this run kept it whole.
blk=$(awk '/^servicestatus \{/ { on = 1; b = "" } on { b = b $0 "\n" } on && /^\t*\}/ { if (b ~ /host_name=kvm04\n/ && b ~ /service_description=libvirt memory\n/) print b; on = 0 }' "$tmp/status.dat")
long=$(printf '%s\n' "$blk" | sed -n 's/^\t*long_plugin_output=//p')
size=$(printf '%s\n' "$blk" | sed -n 's/^\t*\(plugin_output\|long_plugin_output\|performance_data\)=//p' | sed 's/\\n/\n/g' | wc -c)
trimmed=1
case $long in *"[output trimmed to fit 8000 bytes"*"]") trimmed=0 ;; esac
if [ "$trimmed" = 0 ] && [ "$size" -le 8192 ]; then
    ok "2,000 domains through Nagios: $size bytes, trimmed by the plugin within 8000, the trim note last"
else
    not_ok "2,000 domains through Nagios: not within 8 KiB with the plugin's trim note at its end ($size bytes; ends: $(printf '%s' "$long" | tail -c 120))"
fi

# --- 3. labels as Nagios passes them on --------------------------------------
# The hostile names' perfdata (quotes, '=', '|', UTF-8, CJK, controls) as
# Nagios keeps it in status.dat and hands it to $SERVICEPERFDATA$ (cleaned
# of illegal_macro_output_chars, set above as Debian ships it): the same
# labels as the plugin printed. (The 1000-byte name is left out: Nagios
# reads 8 KiB of output.)
sort "$tmp/hostile.labels" >"$tmp/labels.ours"
nours=$(wc -l <"$tmp/labels.ours")
check "$([ "$nours" -gt 18 ] && [ "$(sort -u "$tmp/labels.ours" | wc -l)" -eq "$nours" ] &&
    ! grep -q "['|=]" "$tmp/labels.ours" && grep -q '^日本語-仮想🦆:used$' "$tmp/labels.ours" &&
    echo 0 || echo 1)" "check_vmem on the hostile names: $nours labels, distinct, UTF-8 kept"
awk '
    /^servicestatus \{/ { on = 1; d = p = ""; next }
    on && /^\t*service_description=/ { d = substr($0, index($0, "=") + 1) }
    on && /^\t*performance_data=/ { p = substr($0, index($0, "=") + 1) }
    on && /^\t*\}/ { if (d == "hostile memory") print p; on = 0 }
' "$tmp/status.dat" 2>/dev/null | tr ' ' '\n' | sed "s/^'\([^']*\)'=.*/\1/" | sort >"$tmp/labels.status"
cmp -s "$tmp/labels.ours" "$tmp/labels.status"
check $? "status.dat holds the same $nours labels"
cmp -s "$tmp/labels.ours" "$tmp/labels.status" || diag "$(diff "$tmp/labels.ours" "$tmp/labels.status" | head -n 20)"
grep '^PERF::hostile memory::' "$tmp/run/service-perfdata" 2>/dev/null | head -n 1 |
    sed 's/^PERF::hostile memory:://' | tr ' ' '\n' | sed "s/=.*//; s/'//g" | sort >"$tmp/labels.macro"
cmp -s "$tmp/labels.ours" "$tmp/labels.macro"
check $? "\$SERVICEPERFDATA\$ holds the same $nours labels"
cmp -s "$tmp/labels.ours" "$tmp/labels.macro" || diag "$(diff "$tmp/labels.ours" "$tmp/labels.macro" | head -n 20)"

echo "1..$n"
exit $failed
