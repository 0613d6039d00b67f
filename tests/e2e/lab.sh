#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The end-to-end lab: a private system-mode libvirtd with tiny QEMU guests.
#
#   tests/e2e/lab.sh up [BUILDDIR]   start the daemon and the guests, leave them running
#   tests/e2e/lab.sh env             print the lab's variables as shell assignments
#   tests/e2e/lab.sh status          show the daemon and the guests
#   tests/e2e/lab.sh down            stop everything and restore what "up" changed
#   tests/e2e/lab.sh restart-guest NAME | daemon-stop | daemon-start
#                                    the faults tests/e2e/run.sh injects
#
# Needs root (the daemon creates tap devices and runs QEMU). What it touches
# outside its own folder ($VM_E2E_LAB, default /tmp/vm-e2e-lab) and its cache
# ($VM_E2E_CACHE, default /var/cache/vm-e2e): /etc/libvirt/qemu.conf (saved
# as qemu.conf.vm-e2e-saved and put back by "down"), the libvirt-qemu and
# vmcheck-e2e system users (created if missing, left in place), and the
# daemon's own run/state folders under /run/libvirt and /var/lib/libvirt.
set -euo pipefail

LAB=${VM_E2E_LAB:-/tmp/vm-e2e-lab}
CACHE=${VM_E2E_CACHE:-/var/cache/vm-e2e}
E2E_USER=${VM_E2E_USER:-vmcheck-e2e}
QEMU_CONF=/etc/libvirt/qemu.conf
QEMU_CONF_SAVED=/etc/libvirt/qemu.conf.vm-e2e-saved
SOCK=$LAB/sock
RW_URI="qemu:///system?socket=$SOCK/libvirt-sock"
RO_URI="qemu:///system?socket=$SOCK/libvirt-sock-ro"
HOST_IP=10.213.0.1
GUEST_IP=10.213.0.2

# The guests: name, uuid, mode (what the init script does), memballoon XML.
# load: balloon stats every 2 s, a disk, a tap, CPU burn + disk reads +
# packets + 64 MiB filled; nostats: balloon without a stats period;
# noballoon: no balloon at all; spare: like load's balloon, idle, for the
# fault tests (destroyed, restarted, paused).
GUESTS="e2e-load e2e-nostats e2e-noballoon e2e-spare"

say() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

virsh_rw() { virsh -q -c "$RW_URI" "$@"; }

guest_uuid() {
    case $1 in
    e2e-load) echo 6d1f3c2a-0e2e-4a11-9a00-000000000001 ;;
    e2e-nostats) echo 6d1f3c2a-0e2e-4a11-9a00-000000000002 ;;
    e2e-noballoon) echo 6d1f3c2a-0e2e-4a11-9a00-000000000003 ;;
    e2e-spare) echo 6d1f3c2a-0e2e-4a11-9a00-000000000004 ;;
    esac
}

# --- guest images (cached) --------------------------------------------------

# The kernel Debian's linux-image-amd64 points at, with the virtio modules.
lab_fetch_kernel() {
    local pkg deb
    [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/initrd.gz" ] && return 0
    mkdir -p "$CACHE"
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1)
    [ -n "$pkg" ] || { apt-get update -qq; pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1); }
    [ -n "$pkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"
    say "fetching $pkg (once; cached in $CACHE)"
    rm -rf "$CACHE/tmp" && mkdir -p "$CACHE/tmp/x"
    (cd "$CACHE/tmp" && { apt-get download -q "$pkg" >/dev/null 2>&1 || { apt-get update -qq && apt-get download -q "$pkg" >/dev/null; }; })
    deb=$(ls "$CACHE"/tmp/*.deb)
    dpkg -x "$deb" "$CACHE/tmp/x"
    cp "$CACHE"/tmp/x/boot/vmlinuz-* "$CACHE/vmlinuz"
    lab_build_initrd "$CACHE/tmp/x"
    rm -rf "$CACHE/tmp"
}

# A busybox initramfs whose /init loads the virtio modules, then does what
# the kernel command line's e2e=MODE asks.
lab_build_initrd() {
    local kx=$1 root=$CACHE/tmp/root m f
    mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/fill"
    cp /bin/busybox "$root/bin/busybox"
    file "$root/bin/busybox" 2>/dev/null | grep -q dynamic && die "/bin/busybox is not static (install busybox-static)"
    for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
             virtio_balloon virtio_blk failover net_failover virtio_net; do
        f=$(find "$kx/lib/modules" -name "$m.ko" | head -n1)
        [ -n "$f" ] || die "module $m.ko not found in the kernel package"
        cp "$f" "$root/lib/modules/"
    done
    cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \\
         virtio_balloon virtio_blk failover net_failover virtio_net; do
    insmod /lib/modules/\$m.ko
done
mode=\$(sed -n 's/.*e2e=\([a-z]*\).*/\1/p' /proc/cmdline)
if [ "\$mode" = load ]; then
    mount -t tmpfs -o size=96m tmpfs /fill
    dd if=/dev/zero of=/fill/blob bs=1M count=64 2>/dev/null
    ip link set eth0 up
    ip addr add $GUEST_IP/24 dev eth0
    (while :; do :; done) &
    (while :; do dd if=/dev/vda of=/dev/null bs=64k count=128 iflag=direct 2>/dev/null; sleep 1; done) &
    (while :; do ping -c 10 $HOST_IP >/dev/null 2>&1; sleep 1; done) &
fi
echo "E2E READY \$mode"
while :; do sleep 3600; done
EOF
    chmod 0755 "$root/init"
    (cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$CACHE/initrd.gz")
}

# --- domain XML ---------------------------------------------------------------

lab_domain_xml() {
    local name=$1 type=$2 mode balloon devices=""
    case $name in
    e2e-load)
        mode=load
        balloon="<memballoon model='virtio'><stats period='2'/></memballoon>"
        devices="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$LAB/disk-$name.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='ethernet'><mac address='52:54:00:e2:e0:01'/>
      <target dev='vme2e0' managed='yes'/><model type='virtio'/></interface>" ;;
    e2e-nostats)
        mode=idle; balloon="<memballoon model='virtio'/>" ;;
    e2e-noballoon)
        mode=idle; balloon="<memballoon model='none'/>" ;;
    e2e-spare)
        mode=idle; balloon="<memballoon model='virtio'><stats period='2'/></memballoon>" ;;
    esac
    cat <<EOF
<domain type='$type'>
  <name>$name</name>
  <uuid>$(guest_uuid "$name")</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$CACHE/vmlinuz</kernel><initrd>$CACHE/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet e2e=$mode</cmdline></os>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    $devices
    <serial type='file'><source path='$LAB/console-$name.log'/><target port='0'/></serial>
    $balloon
  </devices>
</domain>
EOF
}

# KVM when /dev/kvm works, else software emulation (TCG). A /dev/kvm that
# opens is not enough: under some nested hypervisors a KVM guest starts and
# then never runs, so boot the lab kernel once under KVM and wait for its
# first line on the serial port (well under a second when KVM works).
lab_pick_domtype() {
    if [ -n "${VM_E2E_DOMTYPE:-}" ]; then echo "$VM_E2E_DOMTYPE"; return; fi
    if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
        timeout 10 qemu-system-x86_64 -accel kvm -M pc -m 128 -display none -nodefaults \
            -no-reboot -serial stdio -kernel "$CACHE/vmlinuz" -append 'console=ttyS0 panic=-1' \
            2>/dev/null | grep -q -m1 'Linux version'; then
        echo kvm
    else
        echo qemu
    fi
}

# Start a guest and wait until its init says it is ready.
lab_start_guest() {
    local name=$1 type i
    for type in $DOMTYPE; do
        lab_domain_xml "$name" "$type" >"$LAB/$name.xml"
        : >"$LAB/console-$name.log"
        virsh_rw create "$LAB/$name.xml" >/dev/null 2>"$LAB/$name.err" || { say "$name ($type): $(tr '\n' ' ' <"$LAB/$name.err")"; continue; }
        for i in $(seq 1 120); do
            grep -q "E2E READY" "$LAB/console-$name.log" 2>/dev/null && { echo "$type" >"$LAB/$name.type"; return 0; }
            sleep 0.5
        done
        say "$name did not come up as $type within 60 s"
        virsh_rw destroy "$name" >/dev/null 2>&1 || true
    done
    return 1
}

# Wait until a guest with a stats period reports balloon.available.
lab_wait_balloon() {
    local name=$1 i
    for i in $(seq 1 60); do
        virsh_rw domstats --balloon "$name" 2>/dev/null | grep -q 'balloon.available=' && return 0
        sleep 0.5
    done
    return 1
}

# --- daemon -------------------------------------------------------------------

lab_daemon_pid() { cat "$LAB/libvirtd.pid" 2>/dev/null || true; }

lab_daemon_start() {
    local i
    setsid libvirtd -f "$LAB/libvirtd.conf" -p "$LAB/libvirtd.pid" >>"$LAB/libvirtd.out" 2>&1 </dev/null &
    for i in $(seq 1 100); do
        [ -S "$SOCK/libvirt-sock-ro" ] && virsh -q -c "$RW_URI" version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "libvirtd did not start; see $LAB/libvirtd.out"
}

lab_daemon_stop() {
    local pid i
    pid=$(lab_daemon_pid)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
}

lab_up() {
    local builddir=${1:-${VM_TOP_BUILDDIR:-}} name
    [ "$(id -u)" = 0 ] || die "needs root"
    for c in libvirtd virsh qemu-system-x86_64 qemu-img cpio runuser apt-get; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    [ -x /bin/busybox ] || die "missing /bin/busybox (package busybox-static)"
    if [ -f "$LAB/libvirtd.pid" ] && kill -0 "$(lab_daemon_pid)" 2>/dev/null; then
        die "the lab is already up ($LAB); run '$0 down' first"
    fi
    pgrep -x libvirtd >/dev/null && die "another libvirtd is running; the lab needs the qemu driver to itself"

    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
    id libvirt-qemu >/dev/null 2>&1 || useradd -r -g libvirt-qemu -d /nonexistent -s /usr/sbin/nologin libvirt-qemu
    id "$E2E_USER" >/dev/null 2>&1 || useradd -r -U -d /nonexistent -s /usr/sbin/nologin "$E2E_USER"

    lab_fetch_kernel

    rm -rf "$LAB"
    mkdir -p "$LAB" "$SOCK" "$LAB/bin" "$LAB/home"
    chmod 0755 "$LAB" "$SOCK" "$LAB/bin"
    chown "$E2E_USER:" "$LAB/home"
    chmod 0700 "$LAB/home"

    # The plugins, where the unprivileged user can run them even when the
    # build tree sits in a private home folder.
    if [ -n "$builddir" ]; then
        for p in vmem vcpu vdisk vnet; do install -m 0755 "$builddir/plugins/check_$p" "$LAB/bin/"; done
    fi

    # qemu.conf has a fixed place in system mode: save the original once.
    mkdir -p /etc/libvirt
    if [ ! -e "$QEMU_CONF_SAVED" ]; then
        if [ -e "$QEMU_CONF" ]; then cp -p "$QEMU_CONF" "$QEMU_CONF_SAVED"; else : >"$QEMU_CONF_SAVED.absent"; touch "$QEMU_CONF_SAVED"; fi
    fi
    cat >"$QEMU_CONF" <<EOF
# Written by monitoring-plugins-libvirt tests/e2e/lab.sh; the original is
# $QEMU_CONF_SAVED and comes back with "lab.sh down".
user = "root"
group = "root"
stdio_handler = "file"
security_driver = "none"
EOF
    cat >"$LAB/libvirtd.conf" <<EOF
unix_sock_dir = "$SOCK"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$LAB/libvirtd.log"
EOF
    lab_daemon_start

    DOMTYPE=$(lab_pick_domtype)
    [ "$DOMTYPE" = kvm ] || say "KVM does not run guests here: software emulation (TCG)"
    qemu-img create -q -f qcow2 "$LAB/disk-e2e-load.qcow2" 64M
    for name in $GUESTS; do
        lab_start_guest "$name" || die "guest $name did not start; see $LAB/console-$name.log and $LAB/libvirtd.log"
    done
    # The host end of the load guest's tap, so its pings get answers.
    ip addr add "$HOST_IP/24" dev vme2e0 2>/dev/null || true
    ip link set vme2e0 up 2>/dev/null || true
    lab_wait_balloon e2e-load || die "e2e-load reports no balloon stats"
    lab_wait_balloon e2e-spare || die "e2e-spare reports no balloon stats"
    say "up: $(for n in $GUESTS; do printf '%s(%s) ' "$n" "$(cat "$LAB/$n.type")"; done)"
    say "read-only URI: $RO_URI"
}

lab_down() {
    local name
    if [ -S "$SOCK/libvirt-sock" ]; then
        kill -CONT "$(lab_daemon_pid)" 2>/dev/null || true
        for name in $(virsh -q -c "$RW_URI" list --name 2>/dev/null); do
            timeout 20 virsh -q -c "$RW_URI" destroy "$name" >/dev/null 2>&1 || true
        done
    fi
    [ -f "$LAB/nrpe.pid" ] && kill "$(cat "$LAB/nrpe.pid")" 2>/dev/null || true
    lab_daemon_stop
    # A guest whose daemon died stays behind: QEMU processes started from
    # the lab's kernel are ours.
    pkill -f "qemu-system-x86_64.*$CACHE/vmlinuz" 2>/dev/null || true
    if [ -e "$QEMU_CONF_SAVED" ]; then
        if [ -e "$QEMU_CONF_SAVED.absent" ]; then
            rm -f "$QEMU_CONF" "$QEMU_CONF_SAVED" "$QEMU_CONF_SAVED.absent"
        else
            mv -f "$QEMU_CONF_SAVED" "$QEMU_CONF"
        fi
    fi
    rm -rf "$LAB"
}

lab_env() {
    cat <<EOF
VM_E2E_LAB='$LAB'
VM_E2E_URI='$RO_URI'
VM_E2E_RW_URI='$RW_URI'
VM_E2E_USER='$E2E_USER'
VM_E2E_BIN='$LAB/bin'
EOF
}

lab_status() {
    local pid
    pid=$(lab_daemon_pid)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "libvirtd: running (pid $pid), read-only URI $RO_URI"
        virsh -c "$RW_URI" list --all
    else
        echo "libvirtd: not running"
        return 1
    fi
}

# Destroy a guest if it runs, start it again from its XML (a new domain ID,
# counters from zero: what a restart looks like to the plugins).
lab_restart_guest() {
    local name=$1
    virsh_rw destroy "$name" >/dev/null 2>&1 || true
    DOMTYPE=$(cat "$LAB/$name.type")
    lab_start_guest "$name" || die "guest $name did not start again"
    if [ "$name" = e2e-load ]; then
        ip addr add "$HOST_IP/24" dev vme2e0 2>/dev/null || true
        ip link set vme2e0 up 2>/dev/null || true
    fi
}

case ${1:-} in
up) lab_up "${2:-}" ;;
restart-guest) lab_restart_guest "${2:?guest name}" ;;
daemon-stop) lab_daemon_stop ;;
daemon-start) lab_daemon_start ;;
down) lab_down ;;
env) lab_env ;;
status) lab_status ;;
*) echo "usage: $0 up [BUILDDIR] | down | env | status | restart-guest NAME | daemon-stop | daemon-start" >&2; exit 2 ;;
esac
