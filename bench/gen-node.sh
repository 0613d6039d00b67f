#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A libvirt test-driver node file with N running domains, each with DISKS
# disks and NICS interfaces, on stdout. Generated at bench time (a
# 1,000-domain file is not worth committing).
# Usage: bench/gen-node.sh N [DISKS [NICS [PREFIX]]]
set -euo pipefail
n=${1:?usage: gen-node.sh N [DISKS [NICS [PREFIX]]]}
disks=${2:-1}
nics=${3:-1}
prefix=${4:-bench}
awk -v n="$n" -v disks="$disks" -v nics="$nics" -v prefix="$prefix" 'BEGIN {
    print "<?xml version=\"1.0\"?>"
    print "<node>"
    for (i = 1; i <= n; i++) {
        printf "  <domain type=\"test\">\n    <name>%s%04d</name>\n", prefix, i
        printf "    <uuid>%08x-0000-4000-8000-%012x</uuid>\n", i, i
        print "    <memory unit=\"KiB\">1048576</memory>"
        print "    <currentMemory unit=\"KiB\">1048576</currentMemory>"
        print "    <vcpu>2</vcpu>"
        print "    <os><type>hvm</type></os>"
        print "    <devices>"
        for (d = 0; d < disks; d++) {
            printf "      <disk type=\"file\" device=\"disk\">\n"
            printf "        <source file=\"/var/lib/libvirt/images/%s%04d-%d.qcow2\"/>\n", prefix, i, d
            printf "        <target dev=\"vd%c\" bus=\"virtio\"/>\n      </disk>\n", 97 + d
        }
        for (k = 0; k < nics; k++) {
            printf "      <interface type=\"network\">\n"
            printf "        <mac address=\"52:54:%02x:%02x:%02x:%02x\"/>\n", int(i / 256) % 256, i % 256, k, 1
            printf "        <source network=\"default\"/>\n"
            printf "        <target dev=\"tap%d_%d\"/>\n      </interface>\n", i, k
        }
        print "      <memballoon model=\"virtio\"><stats period=\"10\"/></memballoon>"
        print "    </devices>"
        print "  </domain>"
    }
    print "</node>"
}'
