#!/usr/bin/env python3
"""Run one libFuzzer target for a bounded time and report it as one pass/fail result.

The checked-in seed corpus is read, never written: new inputs go to a work directory (a temporary one, or
--corpus DIR to keep them between long runs). A crash, a leak, a sanitizer report or a timeout fails the run;
the input that caused it is saved next to the work directory and its path printed, so it can be added to the
seed corpus once the bug is fixed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("seeds", help="checked-in seed corpus (read only)")
    ap.add_argument("--time", type=int, default=5, help="seconds of fuzzing (default 5)")
    ap.add_argument("--corpus", help="keep generated inputs here (default: a temporary directory)")
    ap.add_argument("--artifacts", default=None, help="where a crashing input is written")
    ap.add_argument("--jobs", type=int, default=1, help="parallel fuzzing processes (libFuzzer -fork)")
    ap.add_argument("--runs", type=int, default=0,
                    help="stop after this many executions (with --time as the bound; one process only)")
    args = ap.parse_args()

    name = os.path.basename(args.binary)
    tmp = None
    work = args.corpus
    if work is None:
        tmp = tempfile.mkdtemp(prefix=f"{name}-")
        work = tmp
    os.makedirs(work, exist_ok=True)
    artifacts = args.artifacts or os.path.join(os.path.dirname(os.path.abspath(args.binary)), "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    cmd = [args.binary, f"-max_total_time={args.time}", "-print_final_stats=1", "-timeout=20",
           "-rss_limit_mb=4096", "-max_len=8192", f"-artifact_prefix={artifacts}/{name}-"]
    if args.runs and args.jobs > 1:
        ap.error("--runs counts the executions of one process: use it with --jobs 1")
    if args.runs:
        cmd.append(f"-runs={args.runs}")
    if args.jobs > 1:
        cmd.append(f"-fork={args.jobs}")
    cmd += [work, args.seeds]
    env = dict(os.environ)
    # Leak checking stays on; a guest must not be able to make the host leak either.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:allocator_may_return_null=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    # Blocks compiled on the vcpu's own thread: with the compile worker, which blocks are compiled before a
    # run ends would be the host scheduler's choice, and libFuzzer's coverage with it (the worker is tested
    # by the unit and guest suites, under ASan too).
    env.setdefault("PHV_JIT_ASYNC", "0")
    start, cpu0 = time.time(), os.times()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.time() - start
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    out = proc.stdout.decode(errors="replace")
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out)
    insns = re.findall(r"phv-fuzz: guest instructions:\s*(\d+)", out)
    n = sum(int(x) for x in execs) if execs else None
    summary = f"{name}: {n if n is not None else '?'} executions in {elapsed:.0f} s (CPU {cpu:.0f} s)"
    if insns:
        summary += f", {sum(int(x) for x in insns)} guest instructions"
    if proc.returncode != 0:
        sys.stdout.write(out[-12000:])
        print(f"{summary}: FAILED (exit status {proc.returncode}); crashing input under {artifacts}/")
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
