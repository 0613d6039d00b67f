#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start: install what is missing (Debian 12, as root), build, and run
# the plugins against libvirt's built-in test hypervisor test:///default.
set -eu
cd "$(dirname "$0")"

# Build and test dependencies: the build; man pages from --help; the
# daemons that validate contrib/ (Icinga 2, Nagios 4) and strace for the
# proof that the plugins write nowhere; the end-to-end tier (a private
# libvirtd with QEMU guests, NRPE).
PKGS="build-essential autoconf automake pkg-config libvirt-dev libxml2-dev check
help2man groff-base man-db icinga2-bin nagios4-core strace clang-format
libvirt-clients libvirt-daemon
libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils busybox-static cpio tini nagios-nrpe-server nagios-nrpe-plugin"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Missing packages:$missing" >&2
        echo "Run as root, or: sudo apt-get install$missing" >&2
        exit 1
    fi
    echo "== installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

echo "== building"
[ -x configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)" >/dev/null

echo "== the plugins against test:///default"
# The test driver's balloon last-update is a fixed date in 1989, so its
# memory stats look stale; --max-age=0 accepts them.
run() {
    echo "\$ $*"
    "$@" || echo "(exit $?)"
    echo
}
U=test:///default
run plugins/check_vmem -U $U -d test -w 80 -c 90 --max-age=0
run plugins/check_vmem -U $U -d test -w 40 -c 90 --max-age=0
run plugins/check_vmem -U $U -d test
for p in vcpu vdisk vnet; do
    [ -x plugins/check_$p ] && run plugins/check_$p -U $U -d test --no-state --interval 0.5
done
echo "== done; run the tests with: make check"
