#!/bin/bash
# The isolation payload's probes that only phv can run (QEMU TCG has no MMIO exit to compare with), under
# phv-run's guarded RAM (PROT_NONE on both sides of the slot, so a host access outside it would be a
# SIGSEGV here, not a wrong value).  TAP, one line per check.
#
#   check_faults.sh PHV_RUN ISOLATION_ELF
#
# * a real-mode instruction fetch beyond RAM through the VRMA (POWER8, and POWER9 before radix): an ISI the
#   guest takes, and the run goes on to its end;
# * under radix, a real-mode and a translated instruction fetch at the first gpa beyond RAM: phv stops the
#   guest with an internal error naming the fetch; phv-run must say so and exit with its internal-error
#   status (3), not a signal;
# * the whole payload at the smallest RAM phv-run takes (64 MiB) and at 2 GiB, so the end of RAM moves.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 PHV_RUN ISOLATION_ELF" >&2
	exit 2
fi
phv_run=$1
elf=$2
limit=${PHV_TEST_TIMEOUT:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
run() {	# run NAME CPU MEM APPEND: the transcript in $tmp/NAME.out, stderr in .err, status in .status
	timeout "$limit" "$phv_run" --cpu "$2" --mem "$3" --kernel "$elf" ${4:+--append "$4"} </dev/null \
		>"$tmp/$1.raw" 2>"$tmp/$1.err"
	echo $? >"$tmp/$1.status"
	tr -d '\r' <"$tmp/$1.raw" >"$tmp/$1.out"
}
show() { sed 's/^/# /' "$tmp/$1.out" "$tmp/$1.err" | grep -av '@@PRIV@@ [a-z]' | tail -n 8; }

# Independent runs, a few seconds each: all at once.
run vrma-p8 power8 256M fetch=real-hash-end &
run vrma-p9 power9 256M fetch=real-hash-end &
wait
for c in p8 p9; do
	status=$(cat "$tmp/vrma-$c.status")
	result $((status != 0)) "$c: a real-mode fetch beyond RAM through the VRMA: the run ends normally (status $status)"
	grep -aq '^@@PRIV@@ fetch-real-hash-end int=0x400 ' "$tmp/vrma-$c.out"
	r=$?
	result $r "$c: ... and the guest takes an ISI for it"
	[ $r -eq 0 ] || show "vrma-$c"
done

for what in fetch=real-radix-end fetch=radix-end; do
	run "${what#*=}" power9 256M "$what" &
done
wait
expect_error() {	# expect_error NAME PATTERN TEXT
	local status
	status=$(cat "$tmp/$1.status")
	result $((status != 3)) "$3: phv-run stops the guest with an internal error (status 3, got $status)"
	grep -aq "$2" "$tmp/$1.err"
	local r=$?
	result $r "$3: ... and says why ($2)"
	[ "$status" = 3 ] && [ $r -eq 0 ] || show "$1"
}
expect_error real-radix-end 'instruction fetch from gpa 0x10000000, which is not RAM' "radix, real-mode fetch beyond RAM"
expect_error radix-end 'instruction fetch from gpa 0x10000000, which is not RAM' "radix, translated fetch of a page beyond RAM"

run small power10 64M "" &
run large power10 2G "" &
wait
for size in small large; do
	status=$(cat "$tmp/$size.status")
	result $((status != 0)) "$size RAM: the whole payload runs to its power-off (status $status)"
	grep -aq '^@@PRIV-DONE@@' "$tmp/$size.out"
	r=$?
	result $r "$size RAM: ... past every probe"
	lines=$(grep -ac '^@@PRIV@@' "$tmp/$size.out")
	grep -aq '^@@PRIV@@ hcall-flood calls=[0-9]* not-papr=0 msr-same=1 sp-same=1 canary=1$' "$tmp/$size.out"
	result $? "$size RAM: the hcall flood returns PAPR codes only and leaves the guest as it was ($lines lines)"
	[ "$status" = 0 ] || show "$size"
done

echo "1..$n"
[ "$failed" -eq 0 ]
