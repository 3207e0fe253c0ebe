#!/bin/bash
# Run the privileged payload under phv-run and under QEMU (TCG pseries, the oracle) for each CPU model and
# compare the "@@PRIV@@" lines one by one.  Output is TAP: one test per line and CPU.  A line may differ
# only where oracle_differences.txt says why (the ISA or KVM behaviour phv follows and QEMU does not).
#
#   check_priv.sh PHV_RUN PRIV_ELF QEMU_SYSTEM_PPC64

set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 PHV_RUN PRIV_ELF QEMU" >&2
	exit 2
fi
phv_run=$1
elf=$2
qemu=$3
known="$(dirname "$0")/oracle_differences.txt"
limit=${PHV_TEST_TIMEOUT:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
result() {	# result 0|1 TEXT
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# oracle_differences.txt: "CPU|* NAME differs|phv-only REASON...".  kind CPU NAME prints the kind and the
# reason of the entry for that line, or nothing.
entry() {
	awk -v cpu="$1" -v name="$2" '
		/^#/ || NF < 4 { next }
		($1 == cpu || $1 == "*") && $2 == name { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }
	' "$known"
}
# The probes QEMU cannot run on CPU (it aborts): the payload skips them there.
qemu_skips() {
	awk -v cpu="$1" '!/^#/ && NF >= 4 && ($1 == cpu || $1 == "*") && $3 == "phv-only" { printf "%s%s", s, $2; s = "," }' "$known"
}

for cpu in power8 power9 power10; do
	timeout "$limit" "$phv_run" --cpu "$cpu" --kernel "$elf" </dev/null >"$tmp/phv.raw" 2>"$tmp/phv.err"
	phv_status=$?
	timeout "$limit" "$qemu" -M pseries,x-vof=on -accel tcg -cpu "$cpu" -m 256M -nographic -vga none \
		-no-reboot -kernel "$elf" -append "skip=$(qemu_skips "$cpu")" </dev/null >"$tmp/qemu.raw" 2>"$tmp/qemu.err"
	qemu_status=$?
	tr -d '\r' <"$tmp/phv.raw" | grep -a '^@@PRIV' >"$tmp/phv"
	tr -d '\r' <"$tmp/qemu.raw" | grep -a '^@@PRIV' >"$tmp/qemu"

	result $((phv_status != 0)) "$cpu: phv-run exits with status 0 (got $phv_status)"
	result $((qemu_status != 0)) "$cpu: qemu exits with status 0 (got $qemu_status)"
	grep -q '^@@PRIV-DONE@@' "$tmp/phv"; result $? "$cpu: phv-run reaches the end"
	grep -q '^@@PRIV-DONE@@' "$tmp/qemu"; result $? "$cpu: qemu reaches the end"
	if ! grep -q '^@@PRIV-DONE@@' "$tmp/phv"; then
		sed 's/^/# phv: /' "$tmp/phv.raw" "$tmp/phv.err" | tail -n 20
	fi

	# One check per line of QEMU's transcript, by the line's name.
	while read -r marker name rest; do
		[ "$marker" = "@@PRIV@@" ] || continue
		want="$marker $name $rest"
		got=$(grep -a -- "^@@PRIV@@ $name " "$tmp/phv" | head -n 1)
		if [ "$got" = "$want" ]; then
			result 0 "$cpu $name: phv agrees with qemu"
			continue
		fi
		why=$(entry "$cpu" "$name")
		kind=${why%% *}
		why=${why#* }
		if [ "$kind" = "phv-only" ] && [ -n "$got" ] && [ "$rest" = "skipped" ]; then
			result 0 "$cpu $name: qemu cannot run it, phv prints a result ($why)"
			echo "#   phv:  $got"
		elif [ "$kind" = "differs" ] && [ -n "$got" ]; then
			result 0 "$cpu $name: differs from qemu as documented ($why)"
			echo "#   phv:  $got"
			echo "#   qemu: $want"
		else
			result 1 "$cpu $name: phv and qemu disagree"
			echo "#   phv:  ${got:-(missing)}"
			echo "#   qemu: $want"
		fi
	done <"$tmp/qemu"
	# Lines phv prints that QEMU does not.
	while read -r marker name rest; do
		[ "$marker" = "@@PRIV@@" ] || continue
		grep -aq -- "^@@PRIV@@ $name " "$tmp/qemu" || result 1 "$cpu $name: only phv prints it: $marker $name $rest"
	done <"$tmp/phv"
done

echo "1..$n"
[ "$failed" -eq 0 ]
