#!/bin/bash
# Boots Debian's ppc64el kernel with the test initramfs under phv-run, once per CPU configuration, and checks
# the console (TAP). The kernel command line makes /init run a script (uname, cpuinfo, nproc, two small
# workloads with known results) and power off, so a pass means: the kernel came up on every vcpu, user space
# ran, the results are right, the machine powered off, and the kernel never complained.
#
#   check_linux_boot.sh PHV_RUN CPU:SMP...        e.g. check_linux_boot.sh build/phv-run/phv-run power9:1 power10:2
#
# The guest files come from ./phv setup (PHV_CACHE/guests); without them every case is skipped. Without VMX
# and VSX in the core, user space cannot run (Linux's copy routines and Debian's busybox use them): a core
# that no longer offers them fails the first case instead of skipping anything.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 PHV_RUN CPU:SMP..." >&2
	exit 2
fi
phv_run=$1
shift
guests=${PHV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phv}/guests
kernel=$guests/vmlinux
initrd=$guests/initramfs.cpio.gz
boot_timeout=${PHV_LINUX_BOOT_TIMEOUT:-180}

if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
	echo "1..0 # SKIP no guest kernel or initramfs in $guests (./phv setup fetches and builds them)"
	exit 0
fi

vector=$("$phv_run" --version | sed -n 's/^vector units: //p')

# Sum of i*i for i < 1000, and the SHA-256 of 1 MiB of zeros.
loop_expect=332833500
sha_expect=30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58
script='uname -a; cat /proc/cpuinfo; echo nproc=$(nproc); echo sha256=$(dd if=/dev/zero bs=65536 count=16 2>/dev/null | sha256sum); i=0; s=0; while [ $i -lt 1000 ]; do s=$((s+i*i)); i=$((i+1)); done; echo loop=$s'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
plan=0
results=()
ok() {   # ok CONDITION-STATUS DESCRIPTION [DIRECTIVE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		results+=("ok $n - $2${3:+ $3}")
	else
		results+=("not ok $n - $2${3:+ $3}")
	fi
}
has() { grep -qE -- "$1" "$tmp/console"; }

[ "$vector" = "vmx vsx" ]; ok $? "phv-run offers VMX and VSX (vector units: ${vector:-none})"

for config in "$@"; do
	cpu=${config%%:*}
	smp=${config##*:}
	case $cpu in
	power8) mmu=Hash; mmu_line="hash-mmu: Initializing hash mmu" ;;
	*) mmu=Radix; mmu_line="lpar: Using radix MMU under hypervisor" ;;
	esac
	cpu_name=$(echo "$cpu" | tr a-z A-Z)
	label="$cpu smp $smp"
	start=$(date +%s.%N)
	timeout -k 5 "$boot_timeout" "$phv_run" --cpu "$cpu" --smp "$smp" --kernel "$kernel" --initrd "$initrd" \
		--append "console=hvc0 panic=-1 cryptomgr.notests phv.cmd=\"$script\"" \
		</dev/null >"$tmp/console" 2>"$tmp/stderr"
	status=$?
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	tr -d '\r' <"$tmp/console" >"$tmp/c" && mv "$tmp/c" "$tmp/console"

	first=$n
	has "Run /init as init process"; ok $? "$label: the kernel reaches /init"
	has "smp: Brought up 1 node, $smp CPUs?$"; ok $? "$label: $smp vcpu(s) brought up"
	has "$mmu_line"; ok $? "$label: $mmu MMU"
	! grep -qE -- "Oops|BUG:|WARNING:|Call Trace|Unable to handle|Kernel panic" "$tmp/console"
	ok $? "$label: no kernel complaint on the console"

	has "^@@PHV-INIT@@"; ok $? "$label: /init runs"
	has "^Linux \(none\) 6\.[0-9.]+-[0-9]+-powerpc64le #1 SMP .* ppc64le GNU/Linux$"; ok $? "$label: uname -a"
	[ "$(grep -cE "^processor[[:space:]]+: " "$tmp/console")" = "$smp" ] && has "^cpu[[:space:]]+: $cpu_name" &&
		has "^MMU[[:space:]]+: $mmu$"
	ok $? "$label: /proc/cpuinfo lists $smp $cpu_name ($mmu)"
	has "^nproc=$smp$"; ok $? "$label: nproc"
	has "^sha256=$sha_expect -$" && has "^loop=$loop_expect$"; ok $? "$label: workload results"
	has "^@@PHV-CMD-END@@ status=0$" && has "reboot: Power down" && [ "$status" = 0 ]
	ok $? "$label: powers off, phv-run exits 0 (status $status, ${secs%.*} s)"

	if printf '%s\n' "${results[@]:$first}" | grep -q "^not ok"; then
		echo "# --- $label: last console lines and phv-run's stderr"
		tail -25 "$tmp/console" | sed 's/^/# /'
		tail -10 "$tmp/stderr" | sed 's/^/# /'
	fi
	echo "# $label: phv-run status $status after ${secs} s"
done

echo "1..$n"
printf '%s\n' "${results[@]}"
