#!/bin/bash
# Run the nested payload (an L1 hypervisor using the PAPR nestedv2 hcalls) under phv-run --nested on POWER9
# and POWER10 and report each of its "@@NESTED@@ <name> ok|FAIL" lines as a TAP test; without --nested
# the hcalls must not exist (the payload sees H_FUNCTION); POWER8 cannot offer nesting. With QEMU given, the
# nestedv1 path also runs under QEMU TCG's L0 and is compared line by line (see the end).
#
#   check_nested.sh PHV_RUN NESTED_ELF [QEMU_SYSTEM_PPC64]

set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 PHV_RUN NESTED_ELF [QEMU]" >&2
	exit 2
fi
phv_run=$1
elf=$2
qemu=${3:-}
limit=${PHV_TEST_TIMEOUT:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

for api in v2 v1; do
for cpu in power9 power10; do
	timeout "$limit" "$phv_run" --nested=$api --cpu "$cpu" --kernel "$elf" -d stats </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	tr -d '\r' <"$tmp/out" >"$tmp/log"
	result $((status != 0)) "$api $cpu: phv-run --nested=$api exits with status 0 (got $status)"
	grep -q '^@@NESTED-DONE@@ .* failures=0$' "$tmp/log"; result $? "$api $cpu: the payload reaches the end without failures"
	[ "$api" = v1 ] && { grep -q '^@@NESTED@@ api v1' "$tmp/log"; result $? "$api $cpu: the payload took the nestedv1 path"; }
	while read -r _ name verdict rest; do
		[ "$verdict" = ok ] && ok=0 || ok=1
		result $ok "$api $cpu: $name${rest:+ ($rest)}"
	done < <(grep -a '^@@NESTED@@ [a-z0-9-]* \(ok\|FAIL\)' "$tmp/log")
	# The L0's listing at exit (phv_vm_get_nested through -d stats): the nestedv1 L2 stays (LPID 1, vcpu_token
	# 0) with every run the vcpu counted; the nestedv2 payload deleted its L2s.
	stat() { tr ' ' '\n' <"$tmp/err" | sed -n "s/^$1=//p" | tail -1; }
	if [ "$api" = v1 ]; then
		l2=$(grep -a 'nested v1 guest 1 vcpu 0: idle ' "$tmp/err")
		runs=$(sed -n 's/.* runs=\([0-9]*\) .*/\1/p' <<<"$l2")
		exits=$(sed -n 's/.* exits=\([a-z0-9:,]*\) .*/\1/p' <<<"$l2" | tr ',' '\n' | awk -F: '{ s += $2 } END { print s + 0 }')
		rt=$(sed -n 's/.* l2_runtime_tb=\([0-9]*\) .*/\1/p' <<<"$l2")
		[ -n "$runs" ] && [ "$runs" = "$(stat nested_entries)" ] && [ "$exits" = "$(stat nested_exits)" ] &&
			[ "$rt" = "$(stat nested_l2_runtime_tb)" ] && grep -q '^phv-run: nested: 1 L2 guests$' "$tmp/err"
		result $? "$api $cpu: the L0 lists LPID 1 vcpu 0 idle with the vcpu's runs, exits and run time (runs=${runs:-none} exits=$exits)"
	else
		grep -q '^phv-run: nested: 0 L2 guests$' "$tmp/err"
		result $? "$api $cpu: after H_GUEST_DELETE the L0 lists no L2"
	fi
	# The L2's hcall flood includes H_PUT_TERM_CHAR("L2LEAK!!"): the L1 gets it as an exit, the console never.
	! grep -aq 'L2LEAK' "$tmp/log"; result $? "$api $cpu: the L2's H_PUT_TERM_CHAR reached the L1, not the console"
	if ! grep -q '^@@NESTED-DONE@@' "$tmp/log"; then
		sed 's/^/# /' "$tmp/log" "$tmp/err" | tail -n 20
	fi
	grep -a '^@@NESTED@@ round-trip' "$tmp/log" | sed "s/^/# $cpu: /"
	cp "$tmp/log" "$tmp/log.$api.$cpu"
done
done

# An L2 access to L1 memory that is not RAM (the L1 mapped the first byte beyond its RAM, or 2^51, into the
# L2): not served as pass-through, the VM stops with an internal error that names it (l2probe=, l2_probes.c).
for api in v2 v1; do
	for probe in load-end load-far fetch-end; do
		timeout "$limit" "$phv_run" --nested=$api --cpu power10 --kernel "$elf" --append "l2probe=$probe" \
			</dev/null >"$tmp/out" 2>"$tmp/err"
		status=$?
		result $((status != 3)) "$api l2probe=$probe: phv-run stops the VM with an internal error (status 3, got $status)"
		grep -aq 'nested guest .* L1 address 0x[0-9a-f]*, which is not RAM\|fetch from gpa 0x[0-9a-f]*, which is not RAM' "$tmp/err"
		r=$?
		result $r "$api l2probe=$probe: ... that says which L1 address the L2 reached"
		grep -aq 'fatal-probe-survived' "$tmp/out"
		result $((! $?)) "$api l2probe=$probe: ... and the L1 never resumes as if the access had succeeded"
		[ $r -eq 0 ] && [ $status -eq 3 ] || sed 's/^/# /' "$tmp/out" "$tmp/err" | grep -av 'ok$' | tail -n 8
	done
done

timeout "$limit" "$phv_run" --cpu power10 --kernel "$elf" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
result $((status != 0)) "no --nested: phv-run exits with status 0 (got $status)"
grep -q '^@@NESTED@@ not-offered (H_FUNCTION)' "$tmp/out"; result $? "no --nested: the nested hcalls answer H_FUNCTION"

timeout "$limit" "$phv_run" --nested --cpu power8 --kernel "$elf" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
result $((status == 0)) "power8: --nested is refused (status $status)"
grep -q 'needs a radix CPU' "$tmp/err"; result $? "power8: the refusal says why"

# nestedv1 against QEMU TCG's L0 (-M pseries,cap-nested-hv=on), the oracle: each v1 check line must read
# the same under both, except where known_differences says why phv follows KVM. The L1->L2->L1 round trip
# of both is printed, with their ratio (the nested benchmark).
if [ -n "$qemu" ] && [ -x "$qemu" ]; then
	known=$(dirname "$0")/oracle_differences.txt
	skips=$(awk '!/^#/ && $1 == "skip" { printf "%s%s", s, $2; s = "," }' "$known")
	for cpu in power9 power10; do
		timeout "$limit" "$qemu" -M pseries,x-vof=on,cap-nested-hv=on -accel tcg -cpu "$cpu" -m 1G -nographic \
			-vga none -no-reboot -kernel "$elf" ${skips:+-append "skip=$skips"} </dev/null >"$tmp/q.raw" 2>"$tmp/q.err"
		status=$?
		tr -d '\r' <"$tmp/q.raw" | grep -a '^@@NESTED' >"$tmp/q"
		result $((status != 0)) "qemu v1 $cpu: exits with status 0 (got $status)"
		grep -q '^@@NESTED@@ api v1' "$tmp/q"; result $? "qemu v1 $cpu: the payload took the nestedv1 path"
		while read -r _ name verdict rest; do
			phv_line=$(grep -a "^@@NESTED@@ $name " "$tmp/log.v1.$cpu")
			qemu_line="@@NESTED@@ $name $verdict${rest:+ $rest}"
			if [ "$phv_line" = "$qemu_line" ]; then
				result 0 "qemu v1 $cpu: $name reads the same"
			elif reason=$(awk -v n="$name" '!/^#/ && $1 == n { $1 = ""; print substr($0, 2) }' "$known") && [ -n "$reason" ]; then
				result 0 "qemu v1 $cpu: $name differs as known: $reason"
			else
				result 1 "qemu v1 $cpu: $name: phv '${phv_line#@@NESTED@@ }' qemu '$verdict${rest:+ $rest}'"
			fi
		done < <(grep -a '^@@NESTED@@ v1-[a-z0-9-]* \(ok\|FAIL\)' "$tmp/q")
		phv_tb=$(sed -n 's/^@@NESTED@@ round-trip api=v1 .*tb_per_run=\([0-9]*\).*/\1/p' "$tmp/log.v1.$cpu")
		qemu_tb=$(sed -n 's/^@@NESTED@@ round-trip api=v1 .*tb_per_run=\([0-9]*\).*/\1/p' "$tmp/q")
		if [ -n "$phv_tb" ] && [ -n "$qemu_tb" ] && [ "$phv_tb" -gt 0 ]; then
			echo "# bench nested v1 $cpu: L1->L2->L1 round trip phv ${phv_tb} tb ticks, QEMU TCG ${qemu_tb} (TCG/phv $(awk -v a="$qemu_tb" -v b="$phv_tb" 'BEGIN { printf "%.2f", a / b }'))"
		fi
	done
fi

echo "1..$n"
[ "$failed" -eq 0 ]
