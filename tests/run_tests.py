#!/usr/bin/env python3
"""Run every test meson knows about and count test *cases*, not executables.

meson's own runner counts one result per test() entry; phv's rule is one line
`N passed, N failed` over the individual cases of all suites, so this driver
asks each protocol for its cases:

  gtest     --gtest_output=json, one case per TEST()
  tap       one case per `ok` / `not ok` line; a short or missing plan fails.
            Directives as meson reads them: `ok # SKIP` is skipped, `not ok # SKIP`
            failed; `not ok # TODO` is a known failure, counted apart as todo
            (never as passed) and listed, `ok # TODO` failed (the TODO is stale)
  exitcode  the whole program is one case (77 means skipped)

A suite that crashes or times out adds a failed case of its own, so a dead
suite can never look green.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class Outcome:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    todo: int = 0      # `not ok ... # TODO`: known failures, neither passed nor failed
    failures: list = field(default_factory=list)
    todos: list = field(default_factory=list)


def introspect(build):
    out = subprocess.run(["meson", "introspect", "--tests", build],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run_process(test, extra_args, timeout, build):
    env = dict(os.environ)
    env.update(test.get("env") or {})
    cmd = list(test["cmd"]) + extra_args
    # meson runs tests from the build directory unless the test names one.
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=test.get("workdir") or build, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout)
        rc, output = proc.returncode, proc.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc = None
        output = (e.stdout or b"").decode(errors="replace")
    except OSError as e:
        rc, output = 127, f"cannot run {cmd[0]}: {e}\n"
    return rc, output, time.monotonic() - start


def describe_rc(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        return f"killed by signal {-rc}"
    return f"exit status {rc}"


def run_gtest(test, timeout, build):
    o = Outcome()
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        rc, output, secs = run_process(test, [f"--gtest_output=json:{report}"], timeout, build)
        data = None
        if os.path.exists(report):
            try:
                with open(report) as f:
                    data = json.load(f)
            except ValueError:
                data = None
    if data is not None:
        for suite in data.get("testsuites", []):
            for case in suite.get("testsuite", []):
                name = f"{suite['name']}.{case['name']}"
                if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                    o.skipped += 1
                elif case.get("failures"):
                    o.failed += 1
                    o.failures.append(name)
                else:
                    o.passed += 1
    if data is None or (rc != 0 and o.failed == 0):
        # No report (a crash) or a failure gtest did not attribute to a case.
        o.failed += 1
        o.failures.append(f"(suite {describe_rc(rc)})")
    return o, output, secs


TAP_RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")


def run_tap(test, timeout, build):
    o = Outcome()
    rc, output, secs = run_process(test, [], timeout, build)
    plan, seen, bailed = None, 0, False
    for line in output.splitlines():
        if m := TAP_PLAN.match(line):
            plan = int(m.group(1))
            continue
        if line.startswith("Bail out!"):
            bailed = True
            o.failed += 1
            o.failures.append(line)
            continue
        m = TAP_RESULT.match(line)
        if not m:
            continue
        seen += 1
        ok, desc = m.group(1) == "ok", m.group(3)
        directive = desc.split("#", 1)[1].strip().upper() if "#" in desc else ""
        name = desc.split("#", 1)[0].strip() or f"case {m.group(2)}"
        if directive.startswith("SKIP") and ok:
            o.skipped += 1
        elif directive.startswith("TODO"):
            # A TODO failure does not fail the suite (TAP), but it is no pass either; a TODO that passes
            # means the directive is stale and hides nothing any more: fail it so that it gets removed.
            if ok:
                o.failed += 1
                o.failures.append(f"{name} (passes but is marked TODO: remove the directive)")
            else:
                o.todo += 1
                o.todos.append(desc.strip())
        elif ok:
            o.passed += 1
        else:
            o.failed += 1
            o.failures.append(desc.strip() or f"case {m.group(2)}")
    if not bailed:
        if plan is None:
            o.failed += 1
            o.failures.append("(no TAP plan)")
        elif seen < plan:
            o.failed += plan - seen
            o.failures.append(f"({plan - seen} planned cases never reported)")
        if rc != 0 and o.failed == 0:
            o.failed += 1
            o.failures.append(f"(suite {describe_rc(rc)})")
    return o, output, secs


def run_exitcode(test, timeout, build):
    o = Outcome()
    rc, output, secs = run_process(test, [], timeout, build)
    if rc == 77:
        o.skipped += 1
    elif rc == 0:
        o.passed += 1
    else:
        o.failed += 1
        o.failures.append(f"({describe_rc(rc)})")
    return o, output, secs


RUNNERS = {"gtest": run_gtest, "tap": run_tap, "exitcode": run_exitcode}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", action="append",
                    help="meson build directory (repeatable: the gcc build and the fuzz build; default build)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every suite's output")
    ap.add_argument("suites", nargs="*", help="run only these tests (by meson test name)")
    args = ap.parse_args()

    builds = args.build or ["build"]
    # (build directory, test) pairs: the fuzz build's targets run beside the main build's suites.
    tests = [(b, t) for b in builds for t in introspect(b)]
    if args.suites:
        unknown = set(args.suites) - {t["name"] for _, t in tests}
        if unknown:
            print(f"run_tests: no such test: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        tests = [(b, t) for b, t in tests if t["name"] in args.suites]

    total = Outcome()
    for build, test in tests:
        runner = RUNNERS.get(test.get("protocol", "exitcode"), run_exitcode)
        timeout = test.get("timeout") or 300
        print(f"--- {test['name']} ...", flush=True)
        o, output, secs = runner(test, timeout if timeout > 0 else None, os.path.abspath(build))
        if args.verbose or o.failed:
            sys.stdout.write(output if output.endswith("\n") or not output else output + "\n")
        skipped = f", {o.skipped} skipped" if o.skipped else ""
        todo = f", {o.todo} todo" if o.todo else ""
        print(f"    {test['name']}: {o.passed} passed, {o.failed} failed{skipped}{todo} ({secs:.1f}s)")
        for name in o.failures:
            print(f"    FAILED {test['name']}: {name}")
        for name in o.todos:
            print(f"    TODO {test['name']}: {name}")
        total.passed += o.passed
        total.failed += o.failed
        total.skipped += o.skipped
        total.todo += o.todo

    if total.passed + total.failed == 0:
        print("run_tests: no test cases ran", file=sys.stderr)
        total.failed = 1
    if total.todo:
        print(f"run_tests: {total.todo} known failures marked TODO (not counted as passed; listed above)")
    print(f"{total.passed} passed, {total.failed} failed")
    return 0 if total.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
