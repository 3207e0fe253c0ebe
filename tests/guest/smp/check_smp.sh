#!/bin/bash
# The SMP load payload under phv-run --smp 8 (on however few host cores there are): TAP, one check per vcpu
# and run.  Each vcpu must have sent and received every IPI of every round and seen no stale translation
# after a tlbie or H_RPT_INVALIDATE; once with the JIT compiling every block, once interpreted, once with
# msgsndp doorbell windows in every round (doorbell=1: each vcpu's doorbell to itself taken or deferred
# behind an IPI exactly once, those to threads 1..7 of its one-thread core taken by no one); then a control
# run without the invalidations, which must see stale translations (so the check can fail).
#
#   check_smp.sh PHV_RUN SMP_ELF [ROUNDS]
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 PHV_RUN SMP_ELF [ROUNDS]" >&2
	exit 2
fi
phv_run=$1
elf=$2
rounds=${3:-2000}
cpus=8
limit=${PHV_TEST_TIMEOUT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
run() {	# run NAME ENV APPEND
	env $2 timeout "$limit" "$phv_run" --smp "$cpus" --mem 256M --kernel "$elf" --append "$3" </dev/null \
		>"$tmp/$1.raw" 2>"$tmp/$1.err"
	echo $? >"$tmp/$1.status"
	tr -d '\r' <"$tmp/$1.raw" >"$tmp/$1.out"
}
show() { sed 's/^/# /' "$tmp/$1.out" "$tmp/$1.err" | tail -n 15; }

for tier in jit interp doorbell; do
	if [ $tier = interp ]; then env=PHV_JIT=0; else env=PHV_JIT_THRESHOLD=0; fi
	extra=
	[ $tier = doorbell ] && extra=" doorbell=1"
	run $tier "$env" "rounds=$rounds$extra"
	status=$(cat "$tmp/$tier.status")
	result $((status != 0)) "$tier: phv-run --smp $cpus exits with status 0 (got $status)"
	ok=0
	for ((i = 0; i < cpus; i++)); do
		grep -q "^@@SMP@@ cpu=$i sent=$rounds received=$rounds stale-local=0 stale-remote=0 spurious=0 timeouts=0 done=1\$" \
			"$tmp/$tier.out"
		r=$?
		result $r "$tier: vcpu $i sent and took all $rounds IPIs and never read a stale translation"
		[ $r -eq 0 ] || ok=1
	done
	grep -q "^@@SMP@@ total cpus=$cpus rounds=$rounds sent=$((cpus * rounds)) received=$((cpus * rounds)) bad=0\$" \
		"$tmp/$tier.out"
	r=$?
	result $r "$tier: the totals add up ($((cpus * rounds)) IPIs, $((cpus * rounds)) invalidations)"
	[ $r -eq 0 ] || ok=1
	if [ $tier = doorbell ]; then
		for ((i = 0; i < cpus; i++)); do
			grep -q "^@@SMP@@ doorbells cpu=$i sent=$((2 * rounds)) taken+deferred=$((2 * rounds)) other-threads=$((14 * rounds)) bad=0\$" \
				"$tmp/$tier.out"
			r=$?
			result $r "$tier: vcpu $i took each of its $((2 * rounds)) msgsndp doorbells once, none of the $((14 * rounds)) to threads 1..7"
			[ $r -eq 0 ] || ok=1
		done
		line=$(grep '^@@SMP@@ doorbells total ' "$tmp/$tier.out")
		taken=$(sed -n 's/.* taken=\([0-9]*\) .*/\1/p' <<<"$line")
		deferred=$(sed -n 's/.* deferred=\([0-9]*\) .*/\1/p' <<<"$line")
		total=$((2 * cpus * rounds))
		[[ "$line" =~ \ sent=$total\ .*\ bad=0$ ]] && [ $((${taken:-0} + ${deferred:-0})) -eq $total ] &&
			[ "${taken:-0}" -ge $((cpus * rounds)) ]
		r=$?
		result $r "$tier: the doorbell totals add up (${taken:-?} taken in the window, ${deferred:-?} behind an IPI, of $total; at least the $((cpus * rounds)) quiet ones taken)"
		[ $r -eq 0 ] || ok=1
	fi
	[ $ok -eq 0 ] && [ "$status" = 0 ] || show $tier
done

# The control: the same rounds without tlbie/H_RPT_INVALIDATE must read stale values on both sides.
run control PHV_JIT_THRESHOLD=0 "rounds=200 noinval=1"
local_stale=$(sed -n 's/^@@SMP@@ cpu=0 .* stale-local=\([0-9]*\) .*/\1/p' "$tmp/control.out")
remote_stale=$(sed -n 's/^@@SMP@@ cpu=0 .* stale-remote=\([0-9]*\) .*/\1/p' "$tmp/control.out")
[ "${local_stale:-0}" -gt 0 ] && [ "${remote_stale:-0}" -gt 0 ]
r=$?
result $r "control: without the invalidations vcpu 0 reads stale translations (${local_stale:-?} own, ${remote_stale:-?} its neighbour's)"
[ $r -eq 0 ] || show control

echo "1..$n"
[ "$failed" -eq 0 ]
