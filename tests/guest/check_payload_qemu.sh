#!/bin/bash
# The oracle for check_payload.sh: boot the same payload under QEMU's pseries
# machine and apply the same checks.  Three firmware conventions:
#   vof   QEMU's VOF enters with r5 = client-interface entry (boot=of);
#   slof  SLOF, the default firmware, the same way (boot=of; about 6 s each);
#   fdt   a 32-byte stand-in firmware enters the way phv-run does: r3 = the FDT
#         QEMU wrote, r4 = 0x400000, r5 = 0, MSR = SF|ME, big-endian (boot=fdt).
# Output is TAP.
#
#   check_payload_qemu.sh PAYLOAD_ELF WL_NATIVE [QEMU_SYSTEM_PPC64]
#
# QEMU_ACCEL (default tcg) picks the accelerator: with QEMU_ACCEL=phv the same
# checks run phv's core inside QEMU's pseries machine (the QEMU that ./phv
# builds); the suite is skipped when that QEMU was not built.

set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 PAYLOAD_ELF WL_NATIVE [QEMU_SYSTEM_PPC64]" >&2
	exit 2
fi
payload=$1
native=$2
qemu=${3:-qemu-system-ppc64}
accel=${QEMU_ACCEL:-tcg}
if [ "$accel" != tcg ] && [ ! -x "$qemu" ]; then
	echo "1..0 # SKIP $qemu not built (PHV_QEMU=1 ./phv build makes it)"
	exit 0
fi
args="int=1000 crc=2 copy=3 fib=15 sort=2 sortkeys=1000 hcalls=10"
osterm="exit=osterm selftest=0 int=0 crc=0 copy=0 fib=0 sort=0 hcalls=0"

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

qemu_run() {	# qemu_run NAME FIRMWARE CPU APPEND (NAME empty: no exit-status check)
	local fw
	case $2 in
	vof) fw=(-M pseries,x-vof=on) ;;
	slof) fw=(-M pseries) ;;
	fdt) fw=(-M pseries -bios "$tmp/fdt-entry.bin") ;;
	esac
	local run=(boot_checked "$1")
	[ -z "$1" ] && run=(boot)
	"${run[@]}" "$qemu" "${fw[@]}" -accel "$accel" -cpu "$3" -m 512M -nographic -vga none -no-reboot \
		-kernel "$payload" -append "$4"
}

# The default parameters.
native_reference "$native" ""
for cpu in power8 power9 power10; do
	qemu_run "qemu-$accel vof $cpu" vof "$cpu" ""
	full_checks of ""
	diagnose "qemu-$accel vof $cpu"

	qemu_run "qemu-$accel fdt $cpu" fdt "$cpu" ""
	full_checks fdt ""
	has '^@@PAYLOAD-ENTRY@@ .*r5=0x0+ msr_after_fixup=0x8000000000001001 '
	result $? "fdt entry: r5 = 0, MSR = SF|ME|LE after the fix-up"
	diagnose "qemu-$accel fdt $cpu"
done
cp "$tmp/console" "$tmp/first"
qemu_run "qemu-$accel fdt power10, again" fdt power10 ""
same_console "qemu-$accel fdt power10" "$tmp/first"
diagnose "qemu-$accel fdt power10, again"

qemu_run "qemu-$accel slof power9" slof power9 ""
full_checks of ""
diagnose "qemu-$accel slof power9"

# Non-default parameters through /chosen/bootargs.
native_reference "$native" "$args"
for fw in vof fdt; do
	qemu_run "qemu-$accel $fw power9 -append" "$fw" power9 "$args"
	full_checks "${fw/vof/of}" "$args"
	diagnose "qemu-$accel $fw power9 -append \"$args\""
done

for fw in vof fdt; do
	qemu_run "" "$fw" power9 "$osterm"
	osterm_checks "qemu-$accel $fw exit=osterm"
	diagnose "qemu-$accel $fw power9 -append \"$osterm\""
done

finish_tap
