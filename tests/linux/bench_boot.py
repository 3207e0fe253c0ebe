#!/usr/bin/env python3
"""Boot time, phv-run beside QEMU TCG: the same Debian kernel and initramfs, booted by each in turn, timed
from the start of the process to the kernel's "Run /init as init process" line on the console. QEMU runs the
pseries machine with VOF (its fastest firmware, which adds a few hundredths of a second) and TCG.

  bench_boot.py PHV_RUN QEMU_SYSTEM_PPC64 KERNEL INITRD [--cpu power9] [--smp 1] [--runs 1]

Prints one line per run and the ratio of the medians.
"""

import argparse
import os
import re
import select
import statistics
import subprocess
import sys
import time

MARKER = b"Run /init as init process"
APPEND = "console=hvc0 panic=-1 cryptomgr.notests"


def read_console(cmd, timeout, on_output):
    """Runs cmd and passes each piece of its console output, with the time it arrived, to on_output until that
    returns something other than None, which is returned; None if the output ends or the timeout passes
    first. The process is killed either way."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        while time.monotonic() - start < timeout:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            now = time.monotonic()
            if not ready:
                if proc.poll() is not None:
                    return None
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            result = on_output(now, chunk)
            if result is not None:
                return result
        return None
    finally:
        proc.kill()
        proc.wait()


def time_to_marker(cmd, timeout):
    """Seconds from launch until MARKER is printed, or None if it never is (the process is killed then)."""
    start = time.monotonic()
    seen = b""

    def look(now, chunk):
        nonlocal seen
        seen = (seen + chunk)[-4096:]
        return now - start if MARKER in seen else None
    return read_console(cmd, timeout, look)


def time_between_lines(cmd, start, end, timeout):
    """Seconds from the console line `start` to the line `end` (both regexes, matched at a line's start) and
    the text of the end line after its match, or None if the end never comes (the process is killed then)."""
    pending, started = b"", None

    def look(now, chunk):
        nonlocal pending, started
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            text = line.decode("latin-1").rstrip("\r")
            if started is None and re.match(start, text):
                started = now
            elif started is not None and (m := re.match(end, text)):
                return now - started, text[m.end():].strip()
        return None
    return read_console(cmd, timeout, look)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phv_run")
    ap.add_argument("qemu")
    ap.add_argument("kernel")
    ap.add_argument("initrd")
    ap.add_argument("--cpu", default="power9")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()

    phv = [a.phv_run, "--cpu", a.cpu, "--smp", str(a.smp), "--mem", "1G", "--kernel", a.kernel,
           "--initrd", a.initrd, "--append", APPEND]
    qemu = [a.qemu, "-M", "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
            "-accel", "tcg", "-cpu", a.cpu, "-smp", str(a.smp), "-m", "1G", "-nographic", "-vga", "none",
            "-no-reboot", "-kernel", a.kernel, "-initrd", a.initrd, "-append", APPEND]
    times = {"phv-run": [], "qemu-system-ppc64 TCG (VOF)": []}
    for run in range(a.runs):
        for name, cmd in (("phv-run", phv), ("qemu-system-ppc64 TCG (VOF)", qemu)):
            t = time_to_marker(cmd, a.timeout)
            print(f"run {run + 1}: {name}: " + (f"{t:.2f} s" if t is not None else "never reached /init"),
                  flush=True)
            if t is not None:
                times[name].append(t)
    phv_t, qemu_t = times["phv-run"], times["qemu-system-ppc64 TCG (VOF)"]
    if not phv_t or not qemu_t:
        print("boot to /init: no ratio (a boot did not reach /init)")
        return 1
    p, q = statistics.median(phv_t), statistics.median(qemu_t)
    print(f"boot to /init ({a.cpu}, smp {a.smp}, median of {a.runs}): phv-run {p:.2f} s, "
          f"qemu-system-ppc64 TCG {q:.2f} s; phv-run / QEMU = {p / q:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
