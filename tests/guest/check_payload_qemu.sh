#!/bin/bash
# The oracle for check_payload.sh: boot the same payload under QEMU's pseries
# machine and apply the same checks.  Two firmware conventions:
#   vof  QEMU's VOF enters with r5 = client-interface entry (boot=of);
#   fdt  a 32-byte stand-in firmware enters the way phv-run does: r3 = the FDT
#        QEMU wrote, r4 = 0x400000, r5 = 0, MSR = SF|ME, big-endian (boot=fdt).
# Output is TAP.
#
#   check_payload_qemu.sh PAYLOAD_ELF WL_NATIVE [QEMU_SYSTEM_PPC64]

set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 PAYLOAD_ELF WL_NATIVE [QEMU_SYSTEM_PPC64]" >&2
	exit 2
fi
payload=$1
native=$2
qemu=${3:-qemu-system-ppc64}
args="selftest=1 int=100000 crc=2 copy=2 fib=20 sort=1 hcalls=1000"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/payload_checks.sh"

# pseries starts the firmware at 0x100, big-endian, with r3 = FDT address.
{
	head -c 256 /dev/zero
	# li r5,0; lis r4,0x40; li r11,1; sldi r11,r11,63; ori r11,r11,0x1000;
	# mtsrr1 r11; mtsrr0 r4; rfid
	printf '\x38\xa0\x00\x00\x3c\x80\x00\x40\x39\x60\x00\x01\x79\x6b\xf8\x06'
	printf '\x61\x6b\x10\x00\x7d\x7b\x03\xa6\x7c\x9a\x03\xa6\x4c\x00\x00\x24'
} >"$tmp/fdt-entry.bin"

native_reference "$native" "$args"

common=(-m 512M -nographic -vga none -no-reboot -kernel "$payload" -append "$args")
for cpu in power8 power9 power10; do
	boot_checked "qemu vof $cpu" "$qemu" -M pseries,x-vof=on -cpu "$cpu" "${common[@]}"
	full_checks of "$args"
	diagnose "qemu vof $cpu"

	boot_checked "qemu fdt $cpu" "$qemu" -M pseries -bios "$tmp/fdt-entry.bin" -cpu "$cpu" "${common[@]}"
	full_checks fdt "$args"
	has '^@@PAYLOAD-ENTRY@@ .*r5=0x0+ msr_after_fixup=0x8000000000001001 '
	result $? "fdt entry: r5 = 0, MSR = SF|ME|LE after the fix-up"
	diagnose "qemu fdt $cpu"
done

finish_tap
