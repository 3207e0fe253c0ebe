#!/bin/bash
# Run the radix payload under phv-run and under QEMU (TCG pseries, the oracle) for POWER9 and POWER10 and
# compare the "@@PRIV@@" lines one by one (../priv/compare.awk).  Output is TAP.  A line may differ only
# where oracle_differences.txt (next to this script) says why.
#
#   check_radix.sh PHV_RUN RADIX_ELF QEMU_SYSTEM_PPC64

set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 PHV_RUN RADIX_ELF QEMU" >&2
	exit 2
fi
phv_run=$1
elf=$2
qemu=$3
here=$(dirname "$0")
known="$here/oracle_differences.txt"
limit=${PHV_TEST_TIMEOUT:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

cpus="power9 power10"	# radix is ISA 3.0 and later
for cpu in $cpus; do
	( timeout "$limit" "$phv_run" --cpu "$cpu" --kernel "$elf" </dev/null >"$tmp/phv.$cpu.raw" 2>"$tmp/phv.$cpu.err"
	  echo $? >"$tmp/phv.$cpu.status" ) &
	( timeout "$limit" "$qemu" -M pseries,x-vof=on -accel tcg -cpu "$cpu" -m 256M -nographic -vga none \
		-no-reboot -kernel "$elf" </dev/null >"$tmp/qemu.$cpu.raw" 2>"$tmp/qemu.$cpu.err"
	  echo $? >"$tmp/qemu.$cpu.status" ) &
done
wait

for cpu in $cpus; do
	phv_status=$(cat "$tmp/phv.$cpu.status")
	qemu_status=$(cat "$tmp/qemu.$cpu.status")
	tr -d '\r' <"$tmp/phv.$cpu.raw" | grep -a '^@@PRIV' >"$tmp/phv"
	tr -d '\r' <"$tmp/qemu.$cpu.raw" | grep -a '^@@PRIV' >"$tmp/qemu"

	result $((phv_status != 0)) "$cpu: phv-run exits with status 0 (got $phv_status)"
	result $((qemu_status != 0)) "$cpu: qemu exits with status 0 (got $qemu_status)"
	grep -q '^@@PRIV-DONE@@' "$tmp/phv"; result $? "$cpu: phv-run reaches the end"
	grep -q '^@@PRIV-DONE@@' "$tmp/qemu"; result $? "$cpu: qemu reaches the end"
	if ! grep -q '^@@PRIV-DONE@@' "$tmp/phv"; then
		sed 's/^/# phv: /' "$tmp/phv.$cpu.raw" "$tmp/phv.$cpu.err" | tail -n 20
	fi
	awk -v cpu="$cpu" -v n="$n" -f "$here/../priv/compare.awk" "$known" "$tmp/phv" "$tmp/qemu" >"$tmp/tap"
	grep -v '^#counts ' "$tmp/tap"
	read -r _ n more < <(grep '^#counts ' "$tmp/tap")
	failed=$((failed + more))
done

echo "1..$n"
[ "$failed" -eq 0 ]
