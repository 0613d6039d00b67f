#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the Debian package from this tree, lint it, install it, check the
# installed files, remove it. For CI on Debian 12, as root (it installs
# packages and the .deb). TAP on stdout; exit 1 on any failure.
#
#   tests/pkg/ci-deb.sh [SOURCE-TREE]      (default: the tree it is in)
#
# Environment:
#   CI_DEB_OUT=DIR   copy the built .deb, .changes and .buildinfo there
#   CI_DEB_NO_APT=1  install nothing (the build tools are already there)
#
# The tree is copied first (tracked and new files, not ignored ones), so
# the checkout stays untouched. The build skips the test suites
# (DEB_BUILD_OPTIONS=nocheck): CI runs them elsewhere.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-$here/../..}" && pwd)
pkg=monitoring-plugins-libvirt
plugdir=/usr/lib/nagios/plugins
docdir=/usr/share/doc/$pkg
plugins="check_vcpu check_vmem check_vdisk check_vnet"
start=$(date +%s)

. "$here/../tap.sh"
# shellcheck source=tests/pkg/ci-lib.sh
. "$here/ci-lib.sh"

[ "$(id -u)" -eq 0 ] || bail "run as root: it installs packages and the .deb"
[ -f "$src/debian/control" ] || bail "$src has no debian/control"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ci-deb.XXXXXX") || bail "mktemp failed"
installed=0
cleanup() {
    [ $installed -eq 1 ] && dpkg --purge "$pkg" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

tap_plan 14

# --- 1. tools and build dependencies ---------------------------------------
# apt-get build-dep reads debian/control from the folder; --no-install-recommends
# keeps it to what the build needs.
export DEBIAN_FRONTEND=noninteractive
tools="dpkg-dev debhelper lintian man-db"
if [ "${CI_DEB_NO_APT:-0}" = 1 ]; then
    ok "build tools and dependencies # SKIP CI_DEB_NO_APT=1"
else
    aptin() {
        apt-get install -y -q --no-install-recommends $tools >"$tmp/apt.log" 2>&1 &&
            apt-get build-dep -y -q --no-install-recommends "$src" >>"$tmp/apt.log" 2>&1
    }
    # Package lists may be missing or stale on a fresh machine: update once.
    aptin || { apt-get update -q >>"$tmp/apt.log" 2>&1 && aptin; }
    rc=$?
    check $rc "apt-get installs $tools and the build dependencies"
    [ $rc -eq 0 ] || { diag "$(tail -n 15 "$tmp/apt.log")"; bail "cannot install the build tools"; }
fi

# --- 2. build in a copy -----------------------------------------------------
mkdir "$tmp/src"
copy_tree "$src" "$tmp/src"
rc=$?
[ $rc -eq 0 ] || bail "cannot copy $src"
(cd "$tmp/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
deb=$(ls "$tmp"/${pkg}_*.deb 2>/dev/null | head -n 1)
changes=$(ls "$tmp"/${pkg}_*.changes 2>/dev/null | head -n 1)
check "$([ $rc -eq 0 ] && [ -n "$deb" ] && [ -n "$changes" ] && echo 0 || echo 1)" \
    "DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b builds $(basename "${deb:-the .deb}")"
[ $rc -eq 0 ] && [ -n "$deb" ] || { diag "$(tail -n 25 "$tmp/build.log")"; bail "the package did not build"; }
if [ -n "${CI_DEB_OUT:-}" ]; then
    mkdir -p "$CI_DEB_OUT" && cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$CI_DEB_OUT"/
fi

# The package and the tarball carry one version.
debver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
acver=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
check "$([ "${debver%%-*}" = "$acver" ] && echo 0 || echo 1)" \
    "debian/changelog version $debver matches configure.ac $acver"

# --- 3. lintian ---------------------------------------------------------------
lintian --pedantic "$changes" >"$tmp/lintian.log" 2>&1
rc=$?
nerr=$(grep -c '^E: ' "$tmp/lintian.log")
nwarn=$(grep -c '^W: ' "$tmp/lintian.log")
check "$([ $rc -eq 0 ] && [ "$nerr" -eq 0 ] && echo 0 || echo 1)" \
    "lintian: no errors ($nerr errors, $nwarn warnings)"
grep -E '^[EWIPX]: ' "$tmp/lintian.log" | while read -r line; do diag "$line"; done

# --- 4. install and check the installed files ----------------------------------
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1
rc=$?
[ $rc -eq 0 ] && installed=1
check $rc "dpkg -i $(basename "$deb")"
[ $rc -eq 0 ] || { diag "$(tail -n 10 "$tmp/dpkg.log")"; bail "the package did not install"; }

bad=
for p in $plugins; do
    out=$("$plugdir/$p" --version 2>&1)
    rc=$?
    case $out in
    "$p $acver "*) [ $rc -eq 3 ] || bad="$bad $p(rc=$rc)" ;;
    *) bad="$bad $p($out)" ;;
    esac
done
check "$([ -z "$bad" ] && echo 0 || echo 1)" \
    "the 4 plugins in $plugdir answer --version with $acver (exit 3)${bad:+:$bad}"

out=$("$plugdir/check_vmem" -U test:///default -d test --max-age=0 2>&1)
rc=$?
check "$([ $rc -eq 0 ] && case $out in "VMEM OK"*) true ;; *) false ;; esac && echo 0 || echo 1)" \
    "check_vmem -U test:///default -d test --max-age=0: exit $rc, ${out%%|*}"

# Not root: the nagios user runs it under NRPE.
out=$(runuser -u nobody -- "$plugdir/check_vmem" -U test:///default -d test --max-age=0 2>&1)
rc=$?
check "$([ $rc -eq 0 ] && echo 0 || echo 1)" "check_vmem runs as user nobody (exit $rc)"

out=$(runuser -u nobody -- env HOME=/nonexistent "$plugdir/check_vcpu" -U test:///default -d test \
    --no-state --interval=0.2 2>&1)
rc=$?
check "$([ $rc -le 2 ] && case $out in "VCPU "*) true ;; *) false ;; esac && echo 0 || echo 1)" \
    "check_vcpu --no-state as nobody: exit $rc, ${out%%|*}"

bad=
for p in $plugins; do
    f=$(man -w "$p" 2>/dev/null)
    [ "$f" = "/usr/share/man/man1/$p.1.gz" ] || bad="$bad $p(${f:-not found})"
done
check "$([ -z "$bad" ] && echo 0 || echo 1)" \
    "man -w finds the 4 pages in /usr/share/man/man1${bad:+:$bad}"

bad=
for p in $plugins; do
    MANWIDTH=80 man --warnings -E UTF-8 -Tutf8 "$p" >/dev/null 2>"$tmp/man.err" || bad="$bad $p(rc)"
    [ -s "$tmp/man.err" ] && bad="$bad $p($(head -n 1 "$tmp/man.err"))"
done
check "$([ -z "$bad" ] && echo 0 || echo 1)" "man renders the 4 installed pages without a warning${bad:+:$bad}"

# Where README.md ("NRPE, Icinga 2, Nagios") says they are, uncompressed.
missing=
for f in nrpe.cfg.sample contrib/icinga2/libvirt-commands.conf contrib/icinga2/services.conf.example \
    contrib/nagios/libvirt-commands.cfg contrib/nagios/libvirt-services.cfg copyright; do
    [ -f "$docdir/$f" ] || missing="$missing $f"
done
check "$([ -z "$missing" ] && echo 0 || echo 1)" \
    "the example configuration is in $docdir${missing:+ (missing:$missing)}"

# Every command in the NRPE sample names an installed, executable plugin.
bad=
for exe in $(sed -n -E 's/^#? *command\[[^]]*\]=([^ ]+).*/\1/p' "$docdir/nrpe.cfg.sample" | sort -u); do
    [ -x "$exe" ] || bad="$bad $exe"
done
nexe=$(sed -n -E 's/^#? *command\[[^]]*\]=([^ ]+).*/\1/p' "$docdir/nrpe.cfg.sample" | sort -u | wc -l)
check "$([ -z "$bad" ] && [ "$nexe" -gt 0 ] && echo 0 || echo 1)" \
    "nrpe.cfg.sample's commands use the $nexe installed plugins${bad:+ (not installed:$bad)}"

# --- 5. remove ---------------------------------------------------------------
dpkg --purge "$pkg" >"$tmp/dpkg.log" 2>&1
rc=$?
left=
for p in $plugins; do
    [ -e "$plugdir/$p" ] && left="$left $plugdir/$p"
    [ -e "/usr/share/man/man1/$p.1.gz" ] && left="$left $p.1.gz"
done
[ -e "$docdir" ] && left="$left $docdir"
[ $rc -eq 0 ] && installed=0
check "$([ $rc -eq 0 ] && [ -z "$left" ] && echo 0 || echo 1)" \
    "dpkg --purge removes it${left:+ (left:$left)}"

echo "# ci-deb took $(($(date +%s) - start)) s"
tap_done
