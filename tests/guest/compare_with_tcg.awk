# Compares a payload's @@PRIV@@ lines under phv and QEMU for one CPU (compare_with_tcg.sh) and prints TAP
# lines numbered from n+1, then "#counts <n> <failed>".
#   awk -v cpu=CPU -v n=N -f compare_with_tcg.awk oracle_differences.txt PHV_LINES QEMU_LINES
FILENAME == ARGV[1] {
	if ($0 ~ /^#/ || NF < 4 || ($1 != cpu && $1 != "*"))
		next
	kind[$2] = $3
	r = $0
	sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", r)
	why[$2] = r
	next
}
FILENAME == ARGV[2] {
	if ($1 == "@@PRIV@@" && !($2 in phv))
		phv[$2] = $0
	if ($1 == "@@PRIV@@")
		phv_order[++phv_count] = $2
	next
}
$1 == "@@PRIV@@" {
	name = $2
	seen[name] = 1
	got = (name in phv) ? phv[name] : ""
	if (got == $0) {
		ok(cpu " " name ": phv agrees with qemu")
	} else if (kind[name] == "phv-only" && got != "" && NF == 3 && $3 == "skipped") {
		ok(cpu " " name ": qemu cannot run it, phv prints a result (" why[name] ")")
		print "#   phv:  " got
	} else if (kind[name] == "differs" && got != "") {
		ok(cpu " " name ": differs from qemu as documented (" why[name] ")")
		print "#   phv:  " got
		print "#   qemu: " $0
	} else {
		notok(cpu " " name ": phv and qemu disagree")
		print "#   phv:  " (got == "" ? "(missing)" : got)
		print "#   qemu: " $0
	}
}
function ok(text) { print "ok " ++n " - " text }
function notok(text) { print "not ok " ++n " - " text; failed++ }
END {
	for (i = 1; i <= phv_count; i++)
		if (!(phv_order[i] in seen))
			notok(cpu " " phv_order[i] ": only phv prints it: " phv[phv_order[i]])
	print "#counts " n " " failed + 0
}
