#!/bin/bash
# Host instructions per L1 TLB hit (tlb_hit.cpp): callgrind counts the instructions inside phv_vcpu_run for
# a loop of 16 translated loads and for the same loop of 16 addi, each at two iteration counts; the slope
# (per iteration) cancels the fixed costs, and (load - addi) / 16 is what a load's TLB hit and access add to
# an ALU instruction. A third run with per-instruction data attributes the load's host instructions to source:
# what the TLB lookup (mmu/tlb.h, inlined) and the whole data translation (translate_data) cost per load.
# Prints nothing but a note when valgrind is missing.
#
#   tlb_hit.sh TLB_HIT_EXE
set -u
exe=$1
if ! command -v valgrind >/dev/null; then
	echo "TLB hit: valgrind not found (apt-get install valgrind), not measured"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {   # kind iterations -> Ir inside phv_vcpu_run
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect=phv_vcpu_run \
		--callgrind-out-file="$tmp/out" "$exe" "$1" "$2" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
	awk '/^summary:/ { print $2 }' "$tmp/out"
}
n1=20000 n2=120000
l1=$(count load $n1) && l2=$(count load $n2) && a1=$(count addi $n1) && a2=$(count addi $n2) || exit 1
# Per-load costs by source file from callgrind_annotate's file:function table: the function that inlines the
# TLB lookup (mmu/tlb.h, its set index from <array>) is the load's semantic; its lines from tlb.h are the
# lookup, all its lines the whole instruction.
valgrind --tool=callgrind --collect-atstart=no --toggle-collect=phv_vcpu_run --dump-instr=yes \
	--callgrind-out-file="$tmp/lines" "$exe" load $n2 >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
callgrind_annotate --show-percs=no "$tmp/lines" 2>/dev/null | tr -d , | awk -v loads=$((16 * n2)) '
	$1 ~ /^[0-9]+$/ && $2 != "=>" && index($0, ":") {
		line = substr($0, index($0, $2)); file = substr(line, 1, index(line, ":") - 1); fn = substr(line, index(line, ":") + 1)
		sub(/ \[.*$/, "", fn); all[fn] += $1
		if (file ~ /mmu\/tlb\.h$|\/array$/) tlb[fn] += $1
	}
	END {
		for (f in tlb) if (tlb[f] > best) { best = tlb[f]; pick = f }
		if (best > 0) printf "  per translated ld: %.1f host instructions in the TLB lookup (set index, tag compare, entry: mmu/tlb.h inlined), %.1f for the whole ld (EA, lookup, load, byte swap, GPR)\n", tlb[pick] / loads, all[pick] / loads
	}'
awk -v l1="$l1" -v l2="$l2" -v a1="$a1" -v a2="$a2" -v d=$((n2 - n1)) 'BEGIN {
	load = (l2 - l1) / d; addi = (a2 - a1) / d
	printf "TLB hit (callgrind, host instructions per loop iteration of 16 + bdnz): ld loop %.0f, addi loop %.0f\n", load, addi
	printf "  an L1 TLB hit: a translated ld costs %.1f host instructions more than an addi (%.1f per guest instruction of the addi loop)\n", \
		(load - addi) / 16, addi / 17
}'
