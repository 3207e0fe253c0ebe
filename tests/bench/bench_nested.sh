#!/bin/bash
# ./phv bench nested: the L1->L2->L1 round trip of the nested payload (tests/guest/nested: a bare-metal L1
# that makes its L2 leave through 1000 hcalls, timed with mftb, so the L1's own loop is included) with phv
# as the L0 beside QEMU TCG as the L0, for the same payload on the same CPU model, and their ratio.
#
#   bench_nested.sh PHV_RUN NESTED_ELF [--runs N] [--cpu C]... [--qemu Q] [--qemu10 Q10]
#
# nestedv1 (H_ENTER_NESTED): phv-run --nested=v1 against Debian's qemu-system-ppc64 (7.2) with
# -M pseries,cap-nested-hv=on. nestedv2 (H_GUEST_*): phv-run --nested=v2 against QEMU 10.0 (the one ./phv
# builds, run with -accel tcg), whose -M pseries,cap-nested-papr=on has a nestedv2 L0; 7.2 has none. Each
# figure is the median of N runs (default 3); CPUs default to power9 and power10.
set -u

usage() { echo "usage: $0 PHV_RUN NESTED_ELF [--runs N] [--cpu C]... [--qemu Q] [--qemu10 Q10]" >&2; exit 2; }
[ $# -ge 2 ] || usage
phv_run=$1
elf=$2
shift 2
runs=3
cpus=()
qemu=qemu-system-ppc64
qemu10=
while [ $# -gt 0 ]; do
	case "$1" in
		--runs) runs=$2; shift 2 ;;
		--cpu) cpus+=("$2"); shift 2 ;;
		--qemu) qemu=$2; shift 2 ;;
		--qemu10) qemu10=$2; shift 2 ;;
		*) usage ;;
	esac
done
[ ${#cpus[@]} -gt 0 ] || cpus=(power9 power10)
limit=${PHV_BENCH_TIMEOUT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tb_per_run of one run (empty when the payload printed none), API v1|v2.
phv_once() {   # API CPU
	timeout "$limit" "$phv_run" --nested="$1" --cpu "$2" --kernel "$elf" </dev/null 2>/dev/null |
		tr -d '\r' | sed -n "s/^@@NESTED@@ round-trip api=$1 .*tb_per_run=\([0-9]*\).*/\1/p" | head -1
}
qemu_once() {  # QEMU CAP CPU API
	timeout "$limit" "$1" -M "pseries,x-vof=on,$2=on" -accel tcg -cpu "$3" -m 1G -nographic -vga none \
		-no-reboot -kernel "$elf" </dev/null 2>/dev/null |
		tr -d '\r' | sed -n "s/^@@NESTED@@ round-trip api=$4 .*tb_per_run=\([0-9]*\).*/\1/p" | head -1
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
us() { awk -v t="$1" 'BEGIN { printf "%.1f", t / 512 }'; }   # timebase ticks at 512 MHz -> microseconds

line() {   # API CPU L0NAME PHV_TB OTHER_TB
	local api=$1 cpu=$2 name=$3 p=$4 q=$5
	if [ -z "$p" ]; then
		echo "nested $api $cpu: phv-run printed no round trip"
		return 1
	fi
	if [ -z "$q" ]; then
		echo "nested $api $cpu: L1->L2->L1 round trip phv $p tb ticks ($(us "$p") us); $name: no result"
		return 0
	fi
	echo "nested $api $cpu: L1->L2->L1 round trip phv $p tb ticks ($(us "$p") us), $name $q ($(us "$q") us): TCG/phv $(awk -v a="$q" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"
}

status=0
echo "# nested payload $elf, median of $runs run(s); 1000 L2 hcall exits per run, timed by the L1"
for cpu in "${cpus[@]}"; do
	for api in v1 v2; do
		: >"$tmp/p"; : >"$tmp/q"
		for _ in $(seq "$runs"); do
			phv_once "$api" "$cpu" >>"$tmp/p"
			if [ "$api" = v1 ] && command -v "$qemu" >/dev/null 2>&1; then
				qemu_once "$qemu" cap-nested-hv "$cpu" v1 >>"$tmp/q"
			elif [ "$api" = v2 ] && [ -n "$qemu10" ] && [ -x "$qemu10" ]; then
				qemu_once "$qemu10" cap-nested-papr "$cpu" v2 >>"$tmp/q"
			fi
		done
		if [ "$api" = v1 ]; then name="QEMU $("$qemu" --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/p;q') TCG (cap-nested-hv)"
		else name="QEMU 10.0 TCG (cap-nested-papr)"; fi
		line "$api" "$cpu" "$name" "$(median <"$tmp/p")" "$(median <"$tmp/q")" || status=1
	done
done
exit $status
