#!/usr/bin/env python3
"""./phv bench: the same guest work on phv-run and on qemu-system-ppc64 TCG, side by side.

  bench.py PHV_RUN PAYLOAD_ELF [NAME ...] [--runs 3] [--cpu power10] [--qemu qemu-system-ppc64]
           [--kernel VMLINUX --initrd INITRD] [--json FILE|-] [--check]

Every workload but `boot` and `shell` is one run of the bare-metal payload (tests/guest/payload) with only that workload
switched on and timing=1: the payload times it with the timebase (both VMMs drive it from the host's clock)
and prints its checksum, which must be the same on phv and on TCG, so a fast wrong engine cannot look good.
`boot` is Linux from process start to "Run /init as init process" (tests/linux/bench_boot.py); `shell` is a
busybox sh script inside that Linux (SHELL_SCRIPT), timed on the host between two console lines, with its
results compared between the engines like a payload's checksum.

Printed per workload: the median, min and max seconds on each, the ratio phv/TCG of the medians (below 1:
phv is faster) and phv's guest instructions per second (the core's insns_executed, less what the payload
executes with every workload off). --check runs the payload workloads once at tiny sizes, in one boot on each
VMM, and prints TAP: the checksums of the two engines must agree (no timing is judged).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
import bench_boot  # noqa: E402  (time_to_marker, the kernel command line and QEMU's machine options)

# name: (what it measures, payload parameters for the benchmark, for --check). The benchmark sizes keep
# each workload at 0.1-1 s on either side: at 10-30 ms, warm-up (TCG's translation, phv's interpreted runs
# and compiles) and a loaded host's scheduling weighed as much as the engines.
WORKLOADS = {
    "int": ("integer: multiply/add/shift loop", "int=100000000", "int=20000"),
    "crc": ("integer: table-driven CRC-32 over 1 MiB", "crc=40", "crc=1"),
    "sort": ("integer: heap sort of 128 Ki keys", "sort=4 sortkeys=131072", "sort=1 sortkeys=2000"),
    "fib": ("integer: branchy recursion, fib(32)", "fib=32", "fib=15"),
    "copy": ("memory: 1 MiB copies between buffers 1 MiB apart", "copy=320", "copy=2"),
    "copynear": ("memory: 64 KiB copies between buffers 64 KiB apart", "copynear=10000", "copynear=3"),
    "fp": ("binary64 power iteration: fma, sqrt, divide", "fp=20000", "fp=10"),
    "vec": ("VMX: 4-lane hash and float recurrence over 1 MiB", "vec=32", "vec=1"),
    "hcall": ("H_GET_TERM_CHAR round trips to the VMM", "hcalls=100000", "hcalls=100"),
}
# The payload's name for a workload on its @@WL@@ line.
WL_NAME = {"hcall": "hcall"}
ALL_OFF = "selftest=0 int=0 crc=0 copy=0 copynear=0 fib=0 sort=0 fp=0 vec=0 hcalls=0"
TIMEOUT = 600


def phv_cmd(a, append):
    return [a.phv_run, "--cpu", a.cpu, "--mem", "512M", "--kernel", a.payload, "--append", append,
            "-d", "stats"]


def qemu_cmd(a, append):
    return [a.qemu, "-M", "pseries,x-vof=on", "-accel", "tcg", "-cpu", a.cpu, "-m", "512M", "-nographic",
            "-vga", "none", "-no-reboot", "-kernel", a.payload, "-append", append]


def run(cmd):
    """(console text, stderr text) of one run; the console is stdout for both VMMs."""
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    return p.stdout.decode(errors="replace").replace("\r", ""), p.stderr.decode(errors="replace")


def parse_result(name, console):
    """(checksum text, seconds) from the workload's @@WL@@ line, or None when it has none."""
    tb_freq = 512000000
    m = re.search(r"^@@PAYLOAD-DT@@ .* timebase-frequency=(\d+)", console, re.M)
    if m and int(m.group(1)):
        tb_freq = int(m.group(1))
    m = re.search(rf"^@@WL@@ {WL_NAME.get(name, name)} (.*)$", console, re.M)
    if not m:
        return None
    fields = dict(f.split("=", 1) for f in m.group(1).split() if "=" in f)
    if "tb" not in fields:
        return None
    checksum = " ".join(f"{k}={v}" for k, v in fields.items() if k not in ("seconds", "tb", "ns_per_call"))
    return checksum, int(fields["tb"]) / tb_freq


def insns_executed(stderr):
    m = re.search(r"insns_executed=(\d+)", stderr)
    return int(m.group(1)) if m else None


def payload_workload(a, name, params, runs, baseline_insns):
    """Runs one payload workload `runs` times on each VMM; a result dict."""
    append = f"{ALL_OFF} {params} timing=1"
    res = {"name": name, "what": WORKLOADS[name][0], "params": params, "phv": [], "tcg": [],
           "checksum": {}, "insns": None, "error": None}
    for _ in range(runs):
        for who, cmd in (("phv", phv_cmd(a, append)), ("tcg", qemu_cmd(a, append))):
            try:
                console, err = run(cmd)
            except subprocess.TimeoutExpired:
                res["error"] = f"{who} timed out after {TIMEOUT} s"
                return res
            r = parse_result(name, console)
            if r is None:
                res["error"] = f"{who} printed no result for {name}: " + (console + err)[-400:].strip()
                return res
            checksum, seconds = r
            add_run(res, who, checksum, seconds)
            if who == "phv" and baseline_insns is not None:
                n = insns_executed(err)
                if n is not None:
                    res["insns"] = n - baseline_insns
    return compare_engines(res)


def add_run(res, who, checksum, seconds):
    """One run's time, and its checksum, which must be the one this engine gave before."""
    res["checksum"].setdefault(who, checksum)
    if res["checksum"][who] != checksum:
        res["error"] = f"{who} gave two different results: {res['checksum'][who]} / {checksum}"
    res[who].append(seconds)


def compare_engines(res):
    if res["error"] is None and res["checksum"].get("phv") != res["checksum"].get("tcg"):
        res["error"] = f"checksums differ: phv {res['checksum'].get('phv')}, TCG {res['checksum'].get('tcg')}"
    return res


def boot_workload(a, runs):
    res = {"name": "boot", "what": f"Linux {a.cpu} smp {a.smp}: process start to /init", "params": bench_boot.APPEND,
           "phv": [], "tcg": [], "checksum": {}, "insns": None, "error": None}
    for _ in range(runs):
        for who, cmd in linux_cmds(a, bench_boot.APPEND):
            t = bench_boot.time_to_marker(cmd, TIMEOUT)
            if t is None:
                res["error"] = f"{who} never reached /init"
                return res
            res[who].append(t)
    return res


# The shell workload: busybox sh inside the Linux guest, from the line SHELL_START to SHELL_END on the console
# (timed on the host). Its parts: the shell's own arithmetic loop, a pipeline sorting 20,000 lines, 50
# command substitutions of three-process pipelines (fork, exec, page faults, exits) and an awk loop. The end
# line carries their results, which must be the same on phv and on TCG. /init runs it from phv.cmd (which
# may hold no double quote) and echoes it first, so the markers are matched at the start of a line only.
SHELL_START, SHELL_END = r"@@SHELL-START@@", r"@@SHELL-END@@"
SHELL_SCRIPT = (
    "echo @@SHELL-START@@; "
    "i=0; s=7; while [ $i -lt 5000 ]; do s=$(( (s * 31 + i) % 1000003 )); i=$((i + 1)); done; "
    "seq 1 20000 | sort -r | md5sum > /tmp/sorted; "
    "n=0; for j in $(seq 1 50); do n=$((n + $(echo $j | tr 0-9 a-j | wc -c))); done; "
    "awk 'BEGIN { x = 0; for (k = 0; k < 30000; k++) x = (x * 7 + k) % 65521; print x }' > /tmp/awk; "
    "echo @@SHELL-END@@ $s $n $(cut -c1-8 /tmp/sorted) $(cat /tmp/awk)")


def linux_cmds(a, append):
    phv = [a.phv_run, "--cpu", a.cpu, "--smp", str(a.smp), "--mem", "1G", "--kernel", a.kernel, "--initrd", a.initrd,
           "--append", append]
    qemu = [a.qemu, "-M", "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
            "-accel", "tcg", "-cpu", a.cpu, "-smp", str(a.smp), "-m", "1G", "-nographic", "-vga", "none", "-no-reboot",
            "-kernel", a.kernel, "-initrd", a.initrd, "-append", append]
    return (("phv", phv), ("tcg", qemu))


def shell_workload(a, runs):
    res = {"name": "shell", "what": f"Linux {a.cpu} smp {a.smp}: a busybox sh script (arithmetic, sort, "
           "fork/exec pipelines, awk)", "params": "", "phv": [], "tcg": [], "checksum": {}, "insns": None,
           "error": None}
    append = f'{bench_boot.APPEND} phv.cmd="{SHELL_SCRIPT}"'
    for _ in range(runs):
        for who, cmd in linux_cmds(a, append):
            r = bench_boot.time_between_lines(cmd, SHELL_START, SHELL_END, TIMEOUT)
            if r is None:
                res["error"] = f"{who} never finished the script"
                return res
            seconds, checksum = r
            add_run(res, who, checksum, seconds)
    return compare_engines(res)


def summarise(res):
    for who in ("phv", "tcg"):
        v = res[who]
        res[who + "_median"] = statistics.median(v) if v else None
        res[who + "_min"] = min(v) if v else None
        res[who + "_max"] = max(v) if v else None
    p, q = res["phv_median"], res["tcg_median"]
    res["ratio"] = p / q if p and q else None
    res["phv_insns_per_s"] = res["insns"] / p if res["insns"] and p else None
    return res


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def print_table(results, a):
    print(f"\nphv-run vs {a.qemu} -accel tcg, cpu {a.cpu}, median of {a.runs} "
          f"(seconds; ratio = phv / TCG, below 1 means phv is faster)")
    print(f"{'workload':<9} {'phv med':>8} {'min':>7} {'max':>7} {'TCG med':>8} {'min':>7} {'max':>7} "
          f"{'phv/TCG':>8} {'phv Minsn/s':>11}  checksum")
    for r in results:
        mips = r["phv_insns_per_s"] / 1e6 if r["phv_insns_per_s"] else None
        tail = r["error"] or r["checksum"].get("phv", "")
        print(f"{r['name']:<9} {fmt(r['phv_median'], '8.3f')} {fmt(r['phv_min'], '7.3f')} "
              f"{fmt(r['phv_max'], '7.3f')} {fmt(r['tcg_median'], '8.3f')} {fmt(r['tcg_min'], '7.3f')} "
              f"{fmt(r['tcg_max'], '7.3f')} {fmt(r['ratio'], '8.2f')} {fmt(mips, '11.1f')}  {tail}")


def check(a, names):
    """TAP: the payload workloads at tiny sizes, all in one boot on each VMM; the checksums must agree."""
    names = [n for n in names if n in WORKLOADS]
    append = " ".join([ALL_OFF] + [WORKLOADS[n][2] for n in names] + ["timing=1"])
    consoles = {}
    for who, cmd in (("phv", phv_cmd(a, append)), ("tcg", qemu_cmd(a, append))):
        try:
            consoles[who] = run(cmd)[0]
        except subprocess.TimeoutExpired:
            consoles[who] = ""
    print(f"1..{len(names)}")
    failed = 0
    for i, name in enumerate(names, 1):
        p, q = parse_result(name, consoles["phv"]), parse_result(name, consoles["tcg"])
        ok = p is not None and q is not None and p[0] == q[0]
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} {i} - {name}: phv and TCG print the same result "
              f"({p[0] if p else '-'})")
        if not ok:
            print(f"#   phv: {p[0] if p else '(no result)'}")
            print(f"#   TCG: {q[0] if q else '(no result)'}")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phv_run")
    ap.add_argument("payload")
    ap.add_argument("names", nargs="*", help="workloads (default all): " + " ".join([*WORKLOADS, "boot", "shell"]))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cpu", default="power10")
    ap.add_argument("--smp", type=int, default=1, help="vcpus for boot and shell (the payload runs on one)")
    ap.add_argument("--qemu", default="qemu-system-ppc64")
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-': stdout)")
    ap.add_argument("--check", action="store_true", help="tiny sizes, once, checksums only (TAP)")
    a = ap.parse_intermixed_args()

    known = [*WORKLOADS, *LINUX_WORKLOADS]
    names = a.names or known
    for n in names:
        if n not in known:
            ap.error(f"unknown workload '{n}' (known: {' '.join(known)})")
    if a.check:
        return check(a, names)
    if not (a.kernel and a.initrd):
        for n in [n for n in names if n in LINUX_WORKLOADS]:
            print(f"{n}: skipped (no --kernel/--initrd)", file=sys.stderr)
        names = [n for n in names if n not in LINUX_WORKLOADS]

    baseline = None
    if any(n in WORKLOADS for n in names):
        _, err = run(phv_cmd(a, ALL_OFF))
        baseline = insns_executed(err)
    results = []
    for name in names:
        print(f"{name}: {a.runs} run(s) on each ...", file=sys.stderr, flush=True)
        r = LINUX_WORKLOADS[name](a, a.runs) if name in LINUX_WORKLOADS else \
            payload_workload(a, name, WORKLOADS[name][1], a.runs, baseline)
        results.append(summarise(r))
    print_table(results, a)
    if a.json:
        doc = {"cpu": a.cpu, "runs": a.runs, "workloads": results}
        if a.json == "-":
            json.dump(doc, sys.stdout, indent=1)
            print()
        else:
            with open(a.json, "w") as f:
                json.dump(doc, f, indent=1)
    return 1 if any(r["error"] for r in results) else 0


# The workloads that boot the Linux guest (--kernel and --initrd) instead of the payload.
LINUX_WORKLOADS = {"boot": boot_workload, "shell": shell_workload}


if __name__ == "__main__":
    sys.exit(main())
