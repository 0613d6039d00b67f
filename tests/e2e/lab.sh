#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The end-to-end lab: a private system-mode libvirtd with tiny QEMU guests.
#
#   tests/e2e/lab.sh up [BUILDDIR]   start the daemon and the guests, leave them running
#   tests/e2e/lab.sh env             print the lab's variables as shell assignments
#   tests/e2e/lab.sh status          show the daemon and the guests
#   tests/e2e/lab.sh down            stop everything and restore what "up" changed
#   tests/e2e/lab.sh leftovers       list what a lab left on the host (nothing when clean)
#   tests/e2e/lab.sh restart-guest NAME | daemon-stop | daemon-start
#                                    the faults tests/e2e/run.sh injects
#   tests/e2e/lab.sh daemon-pid      the daemon's PID as the host sees it
#
# Needs root (the daemon creates tap devices and runs QEMU).
#
# The lab leaves nothing behind. The daemon and everything it starts live in
# a mount and PID namespace of their own: libvirt's run, state, cache, log
# and config folders (/run/libvirt, /var/lib/libvirt, /var/cache/libvirt,
# /var/log/libvirt, /etc/libvirt) are private folders of the lab there, so
# neither the host nor a later lab ever sees a guest's status file, and
# "down" ends the namespace's first process, which makes the kernel kill and
# reap every process in it (libvirtd, QEMU), whatever state the tests left
# the daemon in (stopped, frozen, gone). What it touches outside its own
# folder ($VM_E2E_LAB, default /tmp/vm-e2e-lab) and its cache ($VM_E2E_CACHE,
# default /var/cache/vm-e2e): the libvirt-qemu and vmcheck-e2e system users
# (created if missing, left in place), empty mount points for the private
# folders where the host has none (removed by "down"), the guests' tap
# device and libvirt's cgroups for the guests (removed by "down").
#
# No step waits without limit: every call to the daemon runs under a
# timeout, and a step that runs out says which step it was.
set -euo pipefail
# fd 9 is the end-to-end scripts' lab lock (tests/e2e/e2e.sh): the daemon
# and the namespace must not inherit it, or they hold it after the test.
exec 9<&-

LAB=${VM_E2E_LAB:-/tmp/vm-e2e-lab}
CACHE=${VM_E2E_CACHE:-/var/cache/vm-e2e}
E2E_USER=${VM_E2E_USER:-vmcheck-e2e}
# What labs before the namespaces changed on the host, put back by "up" and
# "down" if such a lab left it.
QEMU_CONF=/etc/libvirt/qemu.conf
QEMU_CONF_SAVED=/etc/libvirt/qemu.conf.vm-e2e-saved
# The folders the daemon gets private copies of (in $LAB/root).
PRIVATE_DIRS="/run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt"
VIRSH_TIMEOUT=${VM_E2E_VIRSH_TIMEOUT:-60}
SOCK=$LAB/sock
RW_URI="qemu:///system?socket=$SOCK/libvirt-sock"
RO_URI="qemu:///system?socket=$SOCK/libvirt-sock-ro"
HOST_IP=10.213.0.1
GUEST_IP=10.213.0.2

# The guests: name, uuid, mode (what the init script does), memballoon XML.
# load: balloon stats every 2 s, <memtune> limits, a disk in the lab's
# storage pool ($LAB/pool: a 512 MiB tmpfs, a dir pool "e2e-pool") that
# grows 256 KiB a second up to 256 MiB (so the pool is filling, but never
# full), a swap disk in the same pool that
# a 16 MiB cgroup swaps to and from, a tap, CPU burn + disk reads +
# packets + 64 MiB filled; nostats: balloon without a stats period;
# noballoon: no balloon at all; spare: like load's balloon and an idle disk,
# for the fault tests (destroyed, restarted, paused, its QEMU frozen).
GUESTS="e2e-load e2e-nostats e2e-noballoon e2e-spare"

say() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

# step SECS WHAT COMMAND...: COMMAND, ended after SECS s; a step that runs
# out says so, naming WHAT (exit 124, as timeout's).
step() {
    local secs=$1 what=$2 rc=0
    shift 2
    timeout -k 5 "$secs" "$@" || rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        say "step hung: $what (no answer within $secs s)"
        return 124
    fi
    return "$rc"
}
virsh_rw() { step "$VIRSH_TIMEOUT" "virsh $*" virsh -q -c "$RW_URI" "$@"; }

guest_uuid() {
    case $1 in
    e2e-load) echo 6d1f3c2a-0e2e-4a11-9a00-000000000001 ;;
    e2e-nostats) echo 6d1f3c2a-0e2e-4a11-9a00-000000000002 ;;
    e2e-noballoon) echo 6d1f3c2a-0e2e-4a11-9a00-000000000003 ;;
    e2e-spare) echo 6d1f3c2a-0e2e-4a11-9a00-000000000004 ;;
    esac
}

# --- guest images (cached) --------------------------------------------------

# The cached kernel and initramfs are rebuilt when this changes (bump it
# with any change to lab_build_initrd's /init).
INITRD_VERSION=5

# The kernel Debian's linux-image-amd64 points at, with the virtio modules.
lab_fetch_kernel() {
    local pkg deb
    [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/initrd.gz" ] &&
        [ "$(cat "$CACHE/initrd.version" 2>/dev/null)" = "$INITRD_VERSION" ] && return 0
    mkdir -p "$CACHE"
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1)
    [ -n "$pkg" ] || { apt-get update -qq; pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1); }
    [ -n "$pkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"
    say "fetching $pkg (once; cached in $CACHE)"
    rm -rf "$CACHE/tmp" && mkdir -p "$CACHE/tmp/x"
    (cd "$CACHE/tmp" && { timeout 600 apt-get download -q "$pkg" >/dev/null 2>&1 || { apt-get update -qq && apt-get download -q "$pkg" >/dev/null; }; })
    deb=$(ls "$CACHE"/tmp/*.deb)
    dpkg -x "$deb" "$CACHE/tmp/x"
    cp "$CACHE"/tmp/x/boot/vmlinuz-* "$CACHE/vmlinuz"
    lab_build_initrd "$CACHE/tmp/x"
    echo "$INITRD_VERSION" >"$CACHE/initrd.version"
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
    # Memory pressure that swaps: a cgroup of 16 MiB holds a 20 MiB tmpfs
    # file that is read again every 3 s, so pages go out to and come back
    # from the swap disk vdb all the time.
    if [ -b /dev/vdb ] && mkswap /dev/vdb >/dev/null 2>&1 && swapon /dev/vdb; then
        mkdir -p /cg /press
        mount -t cgroup2 none /cg && echo +memory >/cg/cgroup.subtree_control &&
            mkdir /cg/press && echo 16M >/cg/press/memory.max &&
            mount -t tmpfs -o size=48m tmpfs /press &&
            sh -c 'echo \$\$ >/cg/press/cgroup.procs && dd if=/dev/zero of=/press/x bs=1M count=20 2>/dev/null &&
                   while :; do cat /press/x >/dev/null; sleep 3; done' &
    fi
    # The image grows: 256 KiB to a place never written before, each
    # second, from 16 MiB (past the reads) to 256 MiB, then over again
    # (no longer growing: the 512 MiB pool never fills).
    (o=64; while :; do dd if=/dev/zero of=/dev/vda bs=256k count=1 seek=\$o oflag=direct conv=notrunc 2>/dev/null; o=\$((o + 1)); [ \$o -lt 1024 ] || o=64; sleep 1; done) &
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
    local name=$1 type=$2 mode balloon devices="" memtune=""
    case $name in
    e2e-load)
        mode=load
        balloon="<memballoon model='virtio'><stats period='2'/></memballoon>"
        memtune="<memtune><soft_limit unit='MiB'>1536</soft_limit></memtune>"
        devices="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$LAB/pool/disk-$name.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$LAB/pool/swap-$name.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <interface type='ethernet'><mac address='52:54:00:e2:e0:01'/>
      <target dev='vme2e0' managed='yes'/><model type='virtio'/></interface>" ;;
    e2e-nostats)
        mode=idle; balloon="<memballoon model='virtio'/>" ;;
    e2e-noballoon)
        mode=idle; balloon="<memballoon model='none'/>" ;;
    e2e-spare)
        mode=idle; balloon="<memballoon model='virtio'><stats period='2'/></memballoon>"
        devices="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$LAB/disk-$name.qcow2'/><target dev='vda' bus='virtio'/></disk>" ;;
    esac
    cat <<EOF
<domain type='$type'>
  <name>$name</name>
  <uuid>$(guest_uuid "$name")</uuid>
  <memory unit='MiB'>256</memory>
  $memtune
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

# --- the namespace and the daemon ---------------------------------------------

# The host PID of the namespace's first process: a shell that only reaps
# (QEMU daemonizes, so its processes end up as that shell's children).
lab_ns_pid() { cat "$LAB/ns.pid" 2>/dev/null || true; }
lab_ns_alive() {
    local p
    p=$(lab_ns_pid)
    [ -n "$p" ] && [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null
}

# The namespace, with its private folders. Mount points the host lacks are
# made here, listed in $LAB/mountpoints, and removed by "down".
lab_ns_start() {
    local d i
    : >"$LAB/mountpoints"
    for d in $PRIVATE_DIRS; do
        mkdir -p "$LAB/root$d"
        if [ ! -d "$d" ]; then mkdir -p "$d" && echo "$d" >>"$LAB/mountpoints"; fi
    done
    # libvirt makes a "machine" cgroup for its guests in each controller;
    # those it will make are the lab's to remove.
    for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [ -e "$d/cgroup.procs" ] && [ ! -d "$d/machine" ] && echo "${d%/}/machine" >>"$LAB/cgroups"
    done
    touch "$LAB/cgroups"
    # The host's libvirt config, with the lab's qemu.conf (a fixed path in
    # system mode, so it can only be changed inside the namespace).
    [ -d /etc/libvirt ] && cp -a /etc/libvirt/. "$LAB/root/etc/libvirt/"
    rm -f "$LAB/root/etc/libvirt/qemu.conf.vm-e2e-saved"*
    cat >"$LAB/root/etc/libvirt/qemu.conf" <<EOF
# Written by monitoring-plugins-libvirt tests/e2e/lab.sh, private to the lab.
user = "root"
group = "root"
stdio_handler = "file"
security_driver = "none"
EOF
    cat >"$LAB/nsinit.sh" <<EOF
set -e
for d in $PRIVATE_DIRS; do mount --bind "$LAB/root\$d" "\$d"; done
: >"$LAB/ns.ready"
set +e
trap '' TERM INT HUP
while :; do sleep 3600 & wait; done
EOF
    # --kill-child: the namespace also ends when unshare is killed.
    setsid unshare --mount --pid --fork --kill-child --mount-proc --propagation private \
        bash "$LAB/nsinit.sh" </dev/null >>"$LAB/ns.out" 2>&1 &
    echo $! >"$LAB/unshare.pid"
    for i in $(seq 1 100); do
        if [ -e "$LAB/ns.ready" ]; then
            pgrep -P "$(cat "$LAB/unshare.pid")" -x bash >"$LAB/ns.pid" && return 0
        fi
        sleep 0.1
    done
    die "step hung: the lab's namespace did not come up within 10 s; see $LAB/ns.out"
}

# The daemon's PID as the host sees it (its pid file holds the namespace's).
lab_daemon_pid() { pgrep -f -x "libvirtd -f $LAB/libvirtd.conf -p $LAB/libvirtd.pid" 2>/dev/null | head -n1 || true; }

lab_daemon_start() {
    local i
    lab_ns_alive || die "the lab's namespace is gone; run '$0 down' and '$0 up'"
    step 10 "starting libvirtd in the lab's namespace" \
        nsenter -t "$(lab_ns_pid)" -m -p -- setsid sh -c \
        "libvirtd -f '$LAB/libvirtd.conf' -p '$LAB/libvirtd.pid' >>'$LAB/libvirtd.out' 2>&1 </dev/null &" ||
        die "libvirtd could not be started; see $LAB/libvirtd.out"
    for i in $(seq 1 100); do
        [ -S "$SOCK/libvirt-sock-ro" ] && timeout -k 2 5 virsh -q -c "$RW_URI" version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "step hung: libvirtd did not answer 'virsh version' within 30 s; see $LAB/libvirtd.out and $LAB/libvirtd.log"
}

lab_daemon_stop() {
    local pid i
    pid=$(lab_daemon_pid)
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
}

# What labs from before the namespaces left on the host: their qemu.conf
# change, and the status files of the lab's guests in the host's folders.
lab_undo_old_labs() {
    local name d
    if [ -e "$QEMU_CONF_SAVED" ]; then
        if [ -e "$QEMU_CONF_SAVED.absent" ]; then
            rm -f "$QEMU_CONF" "$QEMU_CONF_SAVED" "$QEMU_CONF_SAVED.absent"
        else
            mv -f "$QEMU_CONF_SAVED" "$QEMU_CONF"
        fi
    fi
    for d in /run/libvirt/qemu /var/lib/libvirt/qemu; do
        [ -d "$d" ] || continue
        for name in $GUESTS; do rm -rf "$d/$name.xml" "$d/$name.pid" "$d/domain-"*"-$name"; done
    done
}

lab_up() {
    local builddir=${1:-${VM_TOP_BUILDDIR:-}} name
    [ "$(id -u)" = 0 ] || die "needs root"
    for c in libvirtd virsh qemu-system-x86_64 qemu-img cpio runuser apt-get; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    [ -x /bin/busybox ] || die "missing /bin/busybox (package busybox-static)"
    for c in unshare nsenter timeout setsid pgrep; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    lab_ns_alive && die "the lab is already up ($LAB); run '$0 down' first"
    lab_undo_old_labs

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

    cat >"$LAB/libvirtd.conf" <<EOF
unix_sock_dir = "$SOCK"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$LAB/libvirtd.log"
EOF
    # The pool's file system, small enough to be filling (before the
    # namespace, which gets its own copy of the host's mounts).
    mkdir -p "$LAB/pool"
    mount -t tmpfs -o size=512m,mode=0755 vm-e2e-pool "$LAB/pool"
    lab_ns_start
    lab_daemon_start

    DOMTYPE=$(lab_pick_domtype)
    [ "$DOMTYPE" = kvm ] || say "KVM does not run guests here: software emulation (TCG)"
    qemu-img create -q -f qcow2 "$LAB/pool/disk-e2e-load.qcow2" 1G
    qemu-img create -q -f qcow2 "$LAB/pool/swap-e2e-load.qcow2" 64M
    virsh_rw pool-create-as e2e-pool dir --target "$LAB/pool" >/dev/null ||
        die "the storage pool e2e-pool could not be made; see $LAB/libvirtd.log"
    qemu-img create -q -f qcow2 "$LAB/disk-e2e-spare.qcow2" 32M
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
    local pid i d
    [ -f "$LAB/nrpe.pid" ] && kill "$(cat "$LAB/nrpe.pid")" 2>/dev/null || true
    # Ending the namespace's first process ends the namespace: the kernel
    # kills every process in it and reaps them, and its private mounts (with
    # every guest's status file) go with it. SIGKILL ends a stopped or frozen
    # daemon too, so nothing here waits on the daemon.
    pid=$(lab_ns_pid)
    if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do lab_ns_alive || break; sleep 0.1; done
        lab_ns_alive && say "step hung: the lab's namespace (pid $pid) did not end within 10 s"
    fi
    pid=$(cat "$LAB/unshare.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    # QEMU processes of a lab from before the namespaces.
    pkill -KILL -f "qemu-system-x86_64.*$CACHE/vmlinuz" 2>/dev/null || true
    for i in $(seq 1 50); do pgrep -f "qemu-system-x86_64.*$CACHE/vmlinuz" >/dev/null || break; sleep 0.1; done
    # The load guest's tap, in case it outlived its QEMU.
    ip link del vme2e0 2>/dev/null || true
    # libvirt's cgroups for the guests, empty once their QEMU is gone.
    find /sys/fs/cgroup -type d -name '*e2e*' -prune -print 2>/dev/null |
        while read -r d; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    [ -f "$LAB/cgroups" ] && while read -r d; do rmdir "$d" 2>/dev/null || true; done <"$LAB/cgroups"
    lab_undo_old_labs
    grep -q " $LAB/pool " /proc/mounts && { umount "$LAB/pool" || umount -l "$LAB/pool"; }
    if [ -f "$LAB/mountpoints" ]; then
        tac "$LAB/mountpoints" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
    fi
    rm -rf "$LAB"
}

# What a lab may leave on the host, one line each; nothing when clean.
lab_leftovers() {
    local d name
    for d in /run/libvirt/qemu /var/lib/libvirt/qemu; do
        for name in $GUESTS; do
            ls -d "$d/$name".* "$d/domain-"*"-$name" 2>/dev/null | sed 's/^/status file: /' || true
        done
    done
    pgrep -a -f "qemu-system-x86_64.*$CACHE/vmlinuz" 2>/dev/null | sed 's/^/QEMU process: /' || true
    ps -eo pid=,stat=,comm= | awk '$2 ~ /^Z/ && $3 ~ /qemu|libvirtd/ { print "zombie: " $0 }'
    ip link show vme2e0 >/dev/null 2>&1 && echo "tap device: vme2e0"
    [ -e "$QEMU_CONF_SAVED" ] && echo "qemu.conf: $QEMU_CONF_SAVED not put back"
    find /sys/fs/cgroup -type d -name '*e2e*' -prune 2>/dev/null | sed 's/^/cgroup: /' || true
    grep " $LAB/" /proc/mounts | sed 's/^/mount: /' || true
    [ -e "$LAB" ] && echo "lab folder: $LAB"
    return 0
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
    if lab_ns_alive && [ -n "$pid" ]; then
        echo "libvirtd: running (pid $pid), read-only URI $RO_URI"
        step "$VIRSH_TIMEOUT" "virsh list" virsh -c "$RW_URI" list --all
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
daemon-pid) lab_daemon_pid ;;
down) lab_down ;;
leftovers) lab_leftovers ;;
env) lab_env ;;
status) lab_status ;;
*) echo "usage: $0 up [BUILDDIR] | down | env | status | leftovers | restart-guest NAME | daemon-stop | daemon-start | daemon-pid" >&2; exit 2 ;;
esac
