#!/bin/bash
# Boot the bare-metal payload under phv-run (flattened-device-tree entry) and
# check its console against wl-native, the same code built for the host.
# Output is TAP.
#
#   check_payload.sh PHV_RUN PAYLOAD_ELF WL_NATIVE

set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 PHV_RUN PAYLOAD_ELF WL_NATIVE" >&2
	exit 2
fi
phv_run=$1
payload=$2
native=$3
args="selftest=1 int=100000 crc=2 copy=2 fib=20 sort=1 hcalls=1000"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/payload_checks.sh"

native_reference "$native" "$args"

boot_checked "phv-run" "$phv_run" --kernel "$payload" --append "$args"
full_checks fdt "$args"
diagnose "phv-run --append \"$args\""

for cpu in power8 power9; do
	boot_checked "phv-run --cpu $cpu" "$phv_run" --cpu "$cpu" --kernel "$payload" --append "selftest=1"
	has '^Hello from the phv bare-metal payload!$'; result $? "$cpu: greeting"
	has '^@@PAYLOAD-EXIT@@ power-off$'; result $? "$cpu: self-tests passed and RTAS power-off"
	diagnose "phv-run --cpu $cpu"
done

finish_tap
