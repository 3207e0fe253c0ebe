#!/bin/bash
# ./phv bench nested: the L1->L2->L1 round trip of the nested payload (tests/guest/nested: a bare-metal L1
# that makes its L2 leave through 1000 hcalls, timed with mftb, so the L1's own loop is included) with phv
# as the L0 beside QEMU TCG as the L0, for the same payload on the same CPU model, and their ratio.
#
#   bench_nested.sh PHV_RUN NESTED_ELF [--runs N] [--cpu C]... [--qemu Q] [--qemu10 Q10] [--l1 LAUNCHER]
#
# nestedv1 (H_ENTER_NESTED): phv-run --nested=v1 against Debian's qemu-system-ppc64 (7.2) with
# -M pseries,cap-nested-hv=on. nestedv2 (H_GUEST_*): phv-run --nested=v2 against QEMU 10.0 (the one ./phv
# builds, run with -accel tcg), whose -M pseries,cap-nested-papr=on has a nestedv2 L0; 7.2 has none. Each
# figure is the median of N runs (default 3); CPUs default to power9 and power10.
#
# --l1 LAUNCHER adds the real L1 (tests/nested_l1: Debian's 6.12 kernel with kvm-hv and our launcher, from
# PHV_CACHE/guests/l1): the L2's 1000 H_CONFER, each an L2 -> L1 kernel (KVM) -> L2 round trip timed by the
# L2, under phv-run and under the same QEMUs as the L0. One boot each (about a minute under either).
set -u

usage() { echo "usage: $0 PHV_RUN NESTED_ELF [--runs N] [--cpu C]... [--qemu Q] [--qemu10 Q10] [--l1 LAUNCHER]" >&2; exit 2; }
[ $# -ge 2 ] || usage
phv_run=$1
elf=$2
shift 2
runs=3
cpus=()
qemu=qemu-system-ppc64
qemu10=
l1=
while [ $# -gt 0 ]; do
	case "$1" in
		--runs) runs=$2; shift 2 ;;
		--cpu) cpus+=("$2"); shift 2 ;;
		--qemu) qemu=$2; shift 2 ;;
		--qemu10) qemu10=$2; shift 2 ;;
		--l1) l1=$2; shift 2 ;;
		*) usage ;;
	esac
done
[ ${#cpus[@]} -gt 0 ] || cpus=(power9 power10)
limit=${PHV_BENCH_TIMEOUT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tb_per_run of one run (empty when the payload printed none), API v1|v2.
phv_once() {   # API CPU
	timeout "$limit" "$phv_run" --nested="$1" --cpu "$2" --kernel "$elf" --append isolation=0 </dev/null 2>/dev/null |
		tr -d '\r' | sed -n "s/^@@NESTED@@ round-trip api=$1 .*tb_per_run=\([0-9]*\).*/\1/p" | head -1
}
qemu_once() {  # QEMU CAP CPU API
	timeout "$limit" "$1" -M "pseries,x-vof=on,$2=on" -accel tcg -cpu "$3" -m 1G -nographic -vga none \
		-no-reboot -kernel "$elf" -append isolation=0 </dev/null 2>/dev/null |
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

[ -n "$l1" ] || exit $status
guests=${PHV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phv}/guests
if [ ! -f "$guests/l1/vmlinux" ] || [ ! -f "$guests/l1/modules/load-order" ]; then
	echo "real L1: no kernel in $guests/l1 (./phv setup fetches it)"
	exit $status
fi
"$(dirname "$0")/../linux/make_initramfs.sh" "$guests/busybox" "$tmp/l1.gz" "$guests/l1/modules" "$l1" || exit 1
append='console=hvc0 panic=-1 quiet phv.modules=1 phv.cmd=kvm_l2_launch'
l1_tb() { tr -d '\r' | sed -n 's/^@@L1@@ round-trip runs=1000 tb_per_run=\([0-9]*\).*/\1/p' | head -1; }
l1_limit=${PHV_BENCH_L1_TIMEOUT:-400}
echo "# real L1 (6.12 kvm-hv, tests/nested_l1): L2 -> L1 kernel -> L2 round trip, timed by the L2"
for cpu in "${cpus[@]}"; do
	for api in v1 v2; do
		p=$(timeout "$l1_limit" "$phv_run" --nested="$api" --cpu "$cpu" -m 1G --kernel "$guests/l1/vmlinux" \
			--initrd "$tmp/l1.gz" --append "$append" </dev/null 2>/dev/null | l1_tb)
		q=
		if [ "$api" = v1 ] && command -v "$qemu" >/dev/null 2>&1; then
			q=$(timeout "$l1_limit" "$qemu" -M pseries,x-vof=on,cap-nested-hv=on -accel tcg -cpu "$cpu" -m 1G \
				-nographic -vga none -no-reboot -kernel "$guests/l1/vmlinux" -initrd "$tmp/l1.gz" \
				-append "$append" </dev/null 2>/dev/null | l1_tb)
		elif [ "$api" = v2 ] && [ -n "$qemu10" ] && [ -x "$qemu10" ]; then
			q=$(timeout "$l1_limit" "$qemu10" -M pseries,x-vof=on,cap-nested-papr=on,cap-rpt-invalidate=on \
				-accel tcg -cpu "$cpu" -m 1G -nographic -vga none -no-reboot -kernel "$guests/l1/vmlinux" \
				-initrd "$tmp/l1.gz" -append "$append" </dev/null 2>/dev/null | l1_tb)
		fi
		if [ "$api" = v1 ]; then name="QEMU $("$qemu" --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/p;q') TCG"
		else name="QEMU 10.0 TCG"; fi
		line "$api real-L1" "$cpu" "$name" "$p" "$q" >"$tmp/line" || status=1
		sed 's/L1->L2->L1/L2->L1 kernel->L2/' "$tmp/line"
	done
done
exit $status
