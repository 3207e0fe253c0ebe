#!/bin/bash
# A real Linux L1 under phv's nested L0 (TAP). Boots bookworm-backports' 6.12 kernel under
# phv-run --nested=API with an initramfs holding kvm.ko, kvm-hv.ko and kvm_l2_launch; /init loads the
# modules and runs the launcher, which creates a VM through /dev/kvm and runs the L2 payload (console
# hcalls, MMIO, 1000 H_CONFER served in the L1 kernel). Checked: the L1's kvm-hv took the API phv offered,
# every launcher step, the L2's results, the L0's nested_* statistics, and (nestedv2) the L2 context-switch
# counters in the L1's VPA as the L1 itself reports them through its kvm_hv:kvmppc_vcpu_stats tracepoint.
#
#   check_nested_l1.sh PHV_RUN KVM_L2_LAUNCH [--qemu QEMU] [CONFIG...]
#
# A CONFIG is API:CPU (phv-run --nested=API; default v2:power10 v1:power9) or qemu-API:CPU: the same L1
# under QEMU's pseries machine with -accel phv and cap-nested-papr=on (v2) or cap-nested-hv=on (v1), which
# make phv the L0 there too (patch 0009). There the launcher holds its VM for a few seconds after the L2's
# end while nested_qmp.py asks QEMU over QMP: query-phv-nested lists the L2, its vcpu and counters, and
# query-stats' nested_* counters match them (phv-run has no QMP; its -d stats lines are checked instead).
# The boots run side by side (each is ~20 s of one host core). Without the L1 kernel (./phv setup fetches it
# into PHV_CACHE/guests/l1), or with --qemu naming no executable, every case is skipped.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 PHV_RUN KVM_L2_LAUNCH [--qemu QEMU] [CONFIG...]" >&2
	exit 2
fi
phv_run=$1
launcher=$2
shift 2
qemu=
if [ "${1:-}" = --qemu ]; then
	qemu=$2
	shift 2
	if [ ! -x "$qemu" ]; then
		echo "1..0 # SKIP no QEMU with phv at $qemu (PHV_QEMU=0?)"
		exit 0
	fi
fi
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(v2:power10 v1:power9)
guests=${PHV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phv}/guests
kernel=$guests/l1/vmlinux
modules=$guests/l1/modules
limit=${PHV_NESTED_L1_TIMEOUT:-240}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ ! -f "$kernel" ] || [ ! -f "$modules/load-order" ] || [ ! -f "$guests/busybox" ]; then
	echo "1..0 # SKIP no L1 kernel, kvm-hv or busybox in $guests (./phv setup fetches them)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$here/../linux/make_initramfs.sh" "$guests/busybox" "$tmp/initrd.gz" "$modules" "$launcher"; then
	echo "1..1"
	echo "not ok 1 - initramfs with kvm-hv and the launcher"
	exit 0
fi

# The L1's script: load kvm-hv (phv.modules=1), trace the L2 counters where the tracepoint exists
# (nestedv2: it reads them from the VPA after every run), run the launcher, show the trace and dmesg's KVM lines.
tp=/sys/kernel/tracing/events/kvm_hv/kvmppc_vcpu_stats/enable
l1_script() {   # l1_script LAUNCHER_ARGS
	echo "mount -t tracefs nodev /sys/kernel/tracing; [ -f $tp ] && echo 1 >$tp; kvm_l2_launch $1; s=\$?; [ -f $tp ] && { echo 0 >$tp; grep -a -m 3 kvmppc_vcpu_stats /sys/kernel/tracing/trace; }; dmesg | grep -i -E 'kvm|nested'; exit \$s"
}

pids=()
qmp_pids=()
for config in "${configs[@]}"; do
	api=${config%%:*}
	cpu=${config##*:}
	hold=
	[ "${api#qemu-}" = "$api" ] || hold="--hold ${PHV_NESTED_L1_HOLD:-10}"
	append="console=hvc0 panic=-1 quiet cryptomgr.notests phv.modules=1 phv.cmd=\"$(l1_script "$hold")\""
	case $api in
	qemu-v1) cap=cap-nested-hv=on ;;
	qemu-v2) cap=cap-nested-papr=on,cap-rpt-invalidate=on ;;
	esac
	if [ "${api#qemu-}" != "$api" ]; then
		start=$(date +%s.%N)
		timeout -k 5 "$limit" "$qemu" -M "pseries,x-vof=on,$cap" -accel phv -cpu "$cpu" -m 1G -nographic \
			-vga none -no-reboot -kernel "$kernel" -initrd "$tmp/initrd.gz" -append "$append" \
			-qmp "unix:$tmp/$config.qmp,server=on,wait=off" \
			</dev/null >"$tmp/$config.out" 2>"$tmp/$config.err" &
		pids+=($!)
		PHV_NESTED_L1_TIMEOUT=$limit python3 "$here/nested_qmp.py" "$tmp/$config.qmp" "$tmp/$config.out" \
			"${api#qemu-}" "$start" "$!" >"$tmp/$config.qmp-results" 2>&1 &
		qmp_pids+=($!)
		continue
	else
		timeout -k 5 "$limit" "$phv_run" --nested="$api" --cpu "$cpu" -m 1G --kernel "$kernel" \
			--initrd "$tmp/initrd.gz" --append "$append" -d stats </dev/null >"$tmp/$config.out" 2>"$tmp/$config.err" &
	fi
	pids+=($!)
done

n=0
results=()
ok() {   # ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then results+=("ok $n - $2"); else results+=("not ok $n - $2"); fi
}
stat() { tr ' ' '\n' <"$tmp/$config.err" | sed -n "s/^$1=//p" | tail -1; }

i=0
q=0
for config in "${configs[@]}"; do
	wait "${pids[$i]}"
	status=$?
	i=$((i + 1))
	if [ "${config#qemu-}" != "$config" ]; then
		wait "${qmp_pids[$q]}"
		q=$((q + 1))
	fi
	api=${config%%:*}
	cpu=${config##*:}
	label="$api $cpu"
	tr -d '\r' <"$tmp/$config.out" >"$tmp/log"
	has() { grep -a -qE -- "$1" "$tmp/log"; }
	first=$n

	has "^@@PHV-INIT@@"; ok $? "$label: the L1 kernel reaches /init"
	! has "^@@PHV-MODULE-FAILED@@"; ok $? "$label: kvm.ko and kvm-hv.ko load"
	if [ "${api#qemu-}" = v1 ]; then
		has "falling back to nestedv1"; ok $? "$label: the L1's kvm-hv finds no nestedv2 and takes nestedv1"
	else
		! has "falling back to nestedv1|Could not set parent hypervisor capabilities"
		ok $? "$label: the L1's kvm-hv takes nestedv2 (H_GUEST_GET/SET_CAPABILITIES succeed)"
	fi
	while read -r _ step verdict rest; do
		[ "$verdict" = ok ]; ok $? "$label: launcher $step${rest:+ ($rest)}"
	done < <(grep -a '^@@L1@@ [a-z0-9-]* \(ok\|FAIL\)' "$tmp/log")
	has "^@@L1-DONE@@ failures=0$"; ok $? "$label: the launcher ran the L2 to its end without failures"
	if [ "${api#qemu-}" = "$api" ]; then
		entries=$(stat nested_entries)
		exits=$(stat nested_exits)
		# 14 console hcalls, 2 MMIO, 1000 H_CONFER, the end, and at least the first instruction fault.
		[ "${entries:-0}" -ge 1018 ] && [ "$entries" = "$exits" ]
		ok $? "$label: the L0 counted the L2's entries and exits (nested_entries=${entries:-none} nested_exits=${exits:-none})"
		[ "$(stat nested_l1_to_l2_tb)" -gt 0 ] 2>/dev/null && [ "$(stat nested_l2_runtime_tb)" -gt 0 ] 2>/dev/null &&
			[ "$(stat nested_l2_to_l1_tb)" -gt 0 ] 2>/dev/null
		ok $? "$label: nested_l1_to_l2_tb, nested_l2_runtime_tb and nested_l2_to_l1_tb advanced"
		# Closing the VM, the L1 deletes its L2 (nestedv2) or clears its LPID's entry and flushes it (nestedv1).
		grep -q '^phv-run: nested: 0 L2 guests$' "$tmp/$config.err"
		ok $? "$label: the L1 retired its L2: phv-run's exit listing is empty"
	fi
	if [ "${api#qemu-}" != "$api" ]; then
		while read -r verdict desc; do
			[ "$verdict" = ok ]; ok $? "$label: $desc"
		done < <(grep -E '^(ok|not ok) ' "$tmp/$config.qmp-results" | sed 's/^not ok /not-ok /')
		grep '^# ' "$tmp/$config.qmp-results" | sed "s/^# /# $label: /"
	fi
	if [ "${api#qemu-}" = v2 ]; then
		has "kvmppc_vcpu_stats: VCPU 0: l1_to_l2_cs_time=[0-9]+ ns l2_to_l1_cs_time=[0-9]+ ns l2_runtime=[1-9][0-9]* ns"
		ok $? "$label: the L1 reads advancing L2 counters from its VPA (kvmppc_vcpu_stats tracepoint)"
	fi
	! has "Oops|BUG:|WARNING:|Call Trace|Unable to handle|Kernel panic|KVM[: ].*hcall failed"
	ok $? "$label: no kernel complaint on the L1's console"
	has "^@@PHV-CMD-END@@ status=0$" && has "reboot: Power down" && [ "$status" = 0 ]
	ok $? "$label: the L1 powers off, the VMM exits 0 (status $status)"

	grep -a '^@@L1@@ round-trip' "$tmp/log" | sed "s/^/# $label: L2->L1 kernel->L2 /"
	if printf '%s\n' "${results[@]:$first}" | grep -q "^not ok"; then
		echo "# --- $label: last console lines and phv-run's stderr"
		tail -30 "$tmp/log" | sed 's/^/# /'
		grep -v "H_SET_MODE" "$tmp/$config.err" | tail -10 | sed 's/^/# /'
	fi
done

echo "1..$n"
printf '%s\n' "${results[@]}"
