#!/bin/sh
# Regenerates the known answers of test_hash.cpp: runs hash_kat.S as pseries firmware under
# qemu-system-ppc64 -cpu power10 and prints "key ra rb digest" for each case from the QEMU monitor.
#   gen_hash_kat.sh [QEMU_SYSTEM_PPC64]
set -eu
qemu=${1:-qemu-system-ppc64}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
powerpc64le-linux-gnu-gcc -mbig-endian -mcpu=power10 -c "$here/hash_kat.S" -o "$tmp/kat.o"
powerpc64le-linux-gnu-ld -EB -Ttext=0 -e 0x100 --oformat=binary "$tmp/kat.o" -o "$tmp/kat.bin"
(sleep 2; echo "info registers"; sleep 1; echo quit) |
	timeout 30 "$qemu" -M pseries -cpu power10 -m 512M -bios "$tmp/kat.bin" -display none -serial none \
		-vga none -monitor stdio >"$tmp/regs" 2>&1 || true
# GPRnn lines hold four registers each.
gpr=$(grep -E '^GPR[0-9]{2}' "$tmp/regs" | tr -d '\r' | awk '{print $2, $3, $4, $5}' | tr ' ' '\n')
reg() { echo "$gpr" | sed -n "$(($1 + 1))p"; }
[ "$(reg 24)" = 0000000000000077 ] || { echo "the program did not finish" >&2; exit 1; }
grep -E '^\s*kat ' "$here/hash_kat.S" | while read -r _ out key ra rb; do
	n=${out%,}
	echo "${key%,} ${ra%,} $rb 0x$(reg "$n")"
done
