#!/bin/bash
# Boot the bare-metal payload under phv-run (flattened-device-tree entry) and
# check its console against wl-native, the same code built for the host.
# Output is TAP; any check that fails, including phv-run missing, crashing
# or hanging, is a "not ok" line.
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
# Every workload, non-default sizes: proves bootargs reach the payload.
args="int=1000 crc=2 copy=3 fib=15 sort=2 sortkeys=1000 hcalls=10"
osterm="exit=osterm selftest=0 int=0 crc=0 copy=0 fib=0 sort=0 hcalls=0"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/payload_checks.sh"

# The default parameters, on each CPU model phv-run offers.
native_reference "$native" ""
for cpu in power8 power9 power10; do
	boot_checked "phv-run --cpu $cpu" "$phv_run" --cpu "$cpu" --kernel "$payload"
	full_checks fdt ""
	diagnose "phv-run --cpu $cpu"
done
cp "$tmp/console" "$tmp/first"
boot_checked "phv-run --cpu power10, again" "$phv_run" --cpu power10 --kernel "$payload"
same_console "phv-run --cpu power10" "$tmp/first"
diagnose "phv-run --cpu power10, again"

native_reference "$native" "$args"
boot_checked "phv-run --append" "$phv_run" --kernel "$payload" --append "$args"
full_checks fdt "$args"
diagnose "phv-run --append \"$args\""

boot "$phv_run" --kernel "$payload" --append "$osterm"
osterm_checks "phv-run exit=osterm"
diagnose "phv-run --append \"$osterm\""

finish_tap
