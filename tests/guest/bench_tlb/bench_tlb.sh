#!/bin/bash
# ./phv bench tlb: the TLB benchmark payload under phv-run and under qemu-system-ppc64 TCG (pseries), each
# copy's time and the ratio between the two; no thresholds (README.md).
#
#   bench_tlb.sh PHV_RUN BENCH_TLB_ELF [QEMU_SYSTEM_PPC64] [CPU]
set -u
phv_run=$1
elf=$2
qemu=${3:-qemu-system-ppc64}
cpu=${4:-power10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout 300 "$phv_run" --cpu "$cpu" --kernel "$elf" </dev/null >"$tmp/phv" 2>&1
if command -v "$qemu" >/dev/null; then
	timeout 300 "$qemu" -M pseries,x-vof=on -accel tcg -cpu "$cpu" -m 256M -nographic -vga none -no-reboot \
		-kernel "$elf" </dev/null >"$tmp/qemu" 2>&1
else
	echo "($qemu not found: phv only)"
	: >"$tmp/qemu"
fi
# Timebase ticks at 512 MHz (POWER9/10, both VMMs) -> ms; MB/s from the bytes copied.
awk -v P="$tmp/phv" -v Q="$tmp/qemu" '
function load(file, who,   line, n, f, name, k, v) {
	while ((getline line < file) > 0) {
		sub(/\r$/, "", line)
		if (line !~ /^@@BENCH@@ / || line !~ /ticks=/) continue
		n = split(line, f, " ")
		name = f[2]
		for (k = 3; k <= n; k++) { split(f[k], v, "="); val[who, name, v[1]] = v[2] }
		if (!(name in seen)) { seen[name] = 1; order[++count] = name }
	}
}
BEGIN {
	load(P, "phv"); load(Q, "qemu")
	if (!count) { print "no results (is the payload built? see the runs above)"; exit 1 }
	printf "%-10s %12s %12s %10s %10s %8s\n", "copy", "phv ms", "qemu ms", "phv MB/s", "qemu MB/s", "qemu/phv"
	for (i = 1; i <= count; i++) {
		name = order[i]
		p = val["phv", name, "ticks"] / 512000; q = val["qemu", name, "ticks"] / 512000
		b = val["phv", name, "bytes"] / 1048576
		printf "%-10s %12.2f %12s %10.0f %10s %8s\n", name, p, q ? sprintf("%.2f", q) : "-", p ? b / (p / 1000) : 0,
			q ? sprintf("%.0f", b / (q / 1000)) : "-", (p && q) ? sprintf("%.2f", q / p) : "-"
	}
	if (("phv", "near-8k", "ticks") in val && ("phv", "far-1m", "ticks") in val)
		printf "far-1m / near-8k: phv %.2f", val["phv", "far-1m", "ticks"] / val["phv", "near-8k", "ticks"]
	if (("qemu", "near-8k", "ticks") in val && ("qemu", "far-1m", "ticks") in val)
		printf ", qemu %.2f", val["qemu", "far-1m", "ticks"] / val["qemu", "near-8k", "ticks"]
	print ""
}'
