#!/bin/bash
# Builds phv's Linux test initramfs: a gzip-compressed newc cpio holding the static busybox, /bin/sh and
# the /init script next to this file. No root needed: the archive has no device nodes (/init mounts devtmpfs)
# and every entry is owned by root and dated at the epoch, so the same inputs give the same bytes.
# MODULES (pick_modules.py's output) goes to /lib/modules; /init loads them when the kernel command line
# says phv.modules=1. Each PROGRAM (a static ppc64le executable, such as the nested test's KVM launcher) goes
# to /bin.
#
#   make_initramfs.sh BUSYBOX OUTPUT [MODULES [PROGRAM...]]
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BUSYBOX OUTPUT [MODULES [PROGRAM...]]" >&2
	exit 2
fi
busybox=$1
out=$2
modules=${3:-}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}
install -m 0755 "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"    # for the #! line; /init installs the other applets at boot
install -m 0755 "$here/init" "$root/init"
chmod 1777 "$root/tmp"
if [ -n "$modules" ] && [ -f "$modules/load-order" ]; then
	mkdir -p "$root/lib/modules" "$root/mnt"
	cp "$modules"/*.ko "$modules/load-order" "$root/lib/modules/"
fi
for program in "$@"; do
	install -m 0755 "$program" "$root/bin/"
done
find "$root" -exec touch -h -d @0 {} +

(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
	gzip -9 -n >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
