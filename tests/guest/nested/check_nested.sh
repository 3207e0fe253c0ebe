#!/bin/bash
# Run the nested payload (an L1 hypervisor using the PAPR nestedv2 hcalls) under phv-run --nested on POWER9
# and POWER10 and report each of its "@@NESTED@@ <name> ok|FAIL" lines as a TAP test; without --nested
# the hcalls must not exist (the payload sees H_FUNCTION); POWER8 cannot offer nesting.
#
#   check_nested.sh PHV_RUN NESTED_ELF

set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 PHV_RUN NESTED_ELF" >&2
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

for api in v2 v1; do
for cpu in power9 power10; do
	timeout "$limit" "$phv_run" --nested=$api --cpu "$cpu" --kernel "$elf" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	tr -d '\r' <"$tmp/out" >"$tmp/log"
	result $((status != 0)) "$api $cpu: phv-run --nested=$api exits with status 0 (got $status)"
	grep -q '^@@NESTED-DONE@@ .* failures=0$' "$tmp/log"; result $? "$api $cpu: the payload reaches the end without failures"
	[ "$api" = v1 ] && { grep -q '^@@NESTED@@ api v1' "$tmp/log"; result $? "$api $cpu: the payload took the nestedv1 path"; }
	while read -r _ name verdict rest; do
		[ "$verdict" = ok ] && ok=0 || ok=1
		result $ok "$api $cpu: $name${rest:+ ($rest)}"
	done < <(grep -a '^@@NESTED@@ [a-z0-9-]* \(ok\|FAIL\)' "$tmp/log")
	if ! grep -q '^@@NESTED-DONE@@' "$tmp/log"; then
		sed 's/^/# /' "$tmp/log" "$tmp/err" | tail -n 20
	fi
	grep -a '^@@NESTED@@ round-trip' "$tmp/log" | sed "s/^/# $cpu: /"
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

echo "1..$n"
[ "$failed" -eq 0 ]
