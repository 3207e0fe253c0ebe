#!/bin/bash
# Run a bare-metal payload that prints "@@PRIV@@" result lines (priv/, radix/) under phv-run and under QEMU
# (TCG pseries, the oracle) for each CPU model, and compare the lines one by one.  Output is TAP: one test per
# line and CPU.  A line may differ only where the payload's oracle_differences.txt says why (the ISA or KVM
# behaviour phv follows and QEMU does not).  PHV_RUN_ARGS adds options to phv-run (e.g. --mem 256M, QEMU's
# size here).
#
# PHV_QEMU_BINARY=QEMU_WITH_PHV runs the phv side as QEMU's pseries machine with -accel phv instead of phv-run (the
# QEMU that ./phv builds; the run is skipped when it is not there), with the same -m as the TCG side, and
# PHV_QEMU_DIFFERENCES adds a differences file of its own (read after ORACLE_DIFFERENCES, so it overrides).
#
#   compare_with_tcg.sh PHV_RUN ELF QEMU_SYSTEM_PPC64 ORACLE_DIFFERENCES CPU...

set -u
if [ $# -lt 5 ]; then
	echo "usage: $0 PHV_RUN ELF QEMU ORACLE_DIFFERENCES CPU..." >&2
	exit 2
fi
phv_run=$1
elf=$2
qemu=$3
known=$4
shift 4
cpus="$*"
limit=${PHV_TEST_TIMEOUT:-60}
# (Not PHV_QEMU: ./phv's 0/1 switch of that name reaches this script through the environment.)
phv_qemu=${PHV_QEMU_BINARY:-}
if [ -n "$phv_qemu" ] && [ ! -x "$phv_qemu" ]; then
	echo "1..0 # SKIP $phv_qemu not built (PHV_QEMU=1 ./phv build makes it)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${PHV_QEMU_DIFFERENCES:-}" ]; then
	cat "$known" "$PHV_QEMU_DIFFERENCES" >"$tmp/known"
	known=$tmp/known
fi
phv_name=phv-run
[ -n "$phv_qemu" ] && phv_name="qemu -accel phv"

n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# oracle_differences.txt: "CPU|* NAME differs|phv-only REASON..." (compare.awk reads it).
# The probes QEMU cannot run on CPU (it aborts): the payload skips them there.
qemu_skips() {
	awk -v cpu="$1" '!/^#/ && NF >= 4 && ($1 == cpu || $1 == "*") && $3 == "phv-only" { printf "%s%s", s, $2; s = "," }' "$known"
}

# All runs at once: each is a few seconds of mostly start-up.
for cpu in $cpus; do
	skips=$(qemu_skips "$cpu")
	if [ -n "$phv_qemu" ]; then
		( timeout "$limit" "$phv_qemu" -M pseries,x-vof=on -accel phv -cpu "$cpu" -m 256M -nographic -vga none \
			-no-reboot -kernel "$elf" </dev/null >"$tmp/phv.$cpu.raw" 2>"$tmp/phv.$cpu.err"
		  echo $? >"$tmp/phv.$cpu.status" ) &
	else
		# shellcheck disable=SC2086
		( timeout "$limit" "$phv_run" ${PHV_RUN_ARGS:-} --cpu "$cpu" --kernel "$elf" </dev/null >"$tmp/phv.$cpu.raw" 2>"$tmp/phv.$cpu.err"
		  echo $? >"$tmp/phv.$cpu.status" ) &
	fi
	( timeout "$limit" "$qemu" -M pseries,x-vof=on -accel tcg -cpu "$cpu" -m 256M -nographic -vga none \
		-no-reboot -kernel "$elf" ${skips:+-append "skip=$skips"} </dev/null >"$tmp/qemu.$cpu.raw" 2>"$tmp/qemu.$cpu.err"
	  echo $? >"$tmp/qemu.$cpu.status" ) &
done
wait

for cpu in $cpus; do
	phv_status=$(cat "$tmp/phv.$cpu.status")
	qemu_status=$(cat "$tmp/qemu.$cpu.status")
	tr -d '\r' <"$tmp/phv.$cpu.raw" | grep -a '^@@PRIV' >"$tmp/phv"
	tr -d '\r' <"$tmp/qemu.$cpu.raw" | grep -a '^@@PRIV' >"$tmp/qemu"

	result $((phv_status != 0)) "$cpu: $phv_name exits with status 0 (got $phv_status)"
	result $((qemu_status != 0)) "$cpu: qemu exits with status 0 (got $qemu_status)"
	grep -q '^@@PRIV-DONE@@' "$tmp/phv"; result $? "$cpu: $phv_name reaches the end"
	grep -q '^@@PRIV-DONE@@' "$tmp/qemu"; result $? "$cpu: qemu reaches the end"
	if ! grep -q '^@@PRIV-DONE@@' "$tmp/phv"; then
		sed 's/^/# phv: /' "$tmp/phv.$cpu.raw" "$tmp/phv.$cpu.err" | tail -n 20
	fi

	# One check per line of QEMU's transcript, by the line's name, and none that only phv prints.
	awk -v cpu="$cpu" -v n="$n" -f "$(dirname "$0")/compare_with_tcg.awk" "$known" "$tmp/phv" "$tmp/qemu" >"$tmp/tap"
	grep -v '^#counts ' "$tmp/tap"
	read -r _ n more < <(grep '^#counts ' "$tmp/tap")
	failed=$((failed + more))
done

echo "1..$n"
[ "$failed" -eq 0 ]
