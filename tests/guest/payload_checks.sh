# TAP checks on a payload console, shared by check_payload.sh (phv-run) and
# check_payload_qemu.sh (QEMU, the oracle).  Source it, set $tmp to a scratch
# directory, then:
#   native_reference WL_NATIVE ARGS   # wl-native's lines into $tmp/native
#   boot COMMAND...                   # run a VMM: console into $tmp/console, $status
#   boot_checked NAME COMMAND...      # the same, and check that it exits with status 0
#   full_checks BOOT ARGS             # everything a full run must show
#   osterm_checks NAME                # after a run with exit=osterm
#   same_console NAME FILE            # the console equals an earlier one (determinism)
#   diagnose NAME                     # after a run: print its console if a check failed
#   finish_tap                        # the plan line; status 1 if any check failed
# PHV_TEST_TIMEOUT (seconds, default 60) bounds each run; a payload that
# cannot end the VM (no RTAS tokens) hangs until then.

n=0
failed=0
run_failed=0
status=0
limit=${PHV_TEST_TIMEOUT:-60}

result() {	# result 0|1 NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		run_failed=1
	fi
}

has() {		# has ERE: does the console hold a matching line?
	grep -Eq -- "$1" "$tmp/console"
}

native_reference() {
	if ! "$1" $2 >"$tmp/native"; then
		echo "Bail out! $1 failed"
		exit 1
	fi
}

boot() {
	run_failed=0
	timeout "$limit" "$@" </dev/null >"$tmp/raw" 2>"$tmp/stderr"
	status=$?
	tr -d '\r' <"$tmp/raw" >"$tmp/console"
}

boot_checked() {
	local name=$1
	shift
	boot "$@"
	local note=""
	[ "$status" -eq 124 ] && note=", timed out after ${limit}s"
	result $((status != 0)) "$name: exit status 0 (got $status$note)"
}

# The payload's result lines, minus the run-dependent timing, must equal
# wl-native's line for line.
full_checks() {
	local boot=$1 args=$2 marker field rest name want got

	has '^@@PAYLOAD-START@@$'; result $? "payload start marker"
	has '^Hello from the phv bare-metal payload!$'; result $? "greeting"
	has "^@@PAYLOAD-ENTRY@@ .*entered_big_endian=1 boot=$boot\$"
	result $? "entered big-endian, boot=$boot"
	has '^@@PAYLOAD-DT@@ bootargs="'"$args"'" .*rtas\.power-off=0x[0-9a-f]*[1-9a-f]'
	result $? "device tree: bootargs and a non-zero power-off token"
	while read -r marker field rest; do
		case $marker in
		@@SELFTEST@@) name="selftest ${field#name=}" ;;
		@@WL@@) name="workload $field" ;;
		*) continue ;;
		esac
		want="$marker $field $rest"
		got=$(grep -E -- "^$marker $field " "$tmp/console" | head -n 1 | sed 's/ seconds=.*//')
		if [ "$got" = "$want" ]; then
			result 0 "$name matches wl-native"
		else
			result 1 "$name matches wl-native"
			echo "#   got:  ${got:-(no line)}"
			echo "#   want: $want"
		fi
	done <"$tmp/native"
	has '^@@WL@@ hcall calls=[0-9]+ status=0( |$)'; result $? "hcall H_GET_TERM_CHAR loop, status 0"
	has '^@@WL-DONE@@( |$)'; result $? "workloads done"
	has '^@@PAYLOAD-EXIT@@ power-off$'; result $? "RTAS power-off"
}

# ibm,os-term is how the payload reports failure; the VMM must end the run
# (QEMU and phv-run both log "OS terminated: <message>").
osterm_checks() {
	result $((status == 124)) "$1: ends without a timeout (status $status)"
	has '^@@PAYLOAD-EXIT@@ ibm,os-term$'; result $? "$1: os-term marker"
	grep -q 'OS terminated: payload os-term' "$tmp/stderr"
	result $? "$1: the VMM reports the os-term message"
}

# Without timing=1 the console holds nothing run-dependent, so two runs of
# the same VMM must print the same bytes.
same_console() {
	if has '^@@PAYLOAD-EXIT@@ power-off$' && cmp -s "$2" "$tmp/console"; then
		result 0 "$1: console identical to the earlier run"
	else
		result 1 "$1: console identical to the earlier run"
		diff "$2" "$tmp/console" | head -n 20 | sed 's/^/#   /'
	fi
}

diagnose() {
	[ "$run_failed" -eq 0 ] && return
	echo "# $1: exit status $status; console:"
	sed 's/^/#   /' "$tmp/console"
	if [ -s "$tmp/stderr" ]; then
		echo "# stderr:"
		sed 's/^/#   /' "$tmp/stderr"
	fi
}

# The exit status repeats the verdict for callers that do not read TAP.
finish_tap() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
