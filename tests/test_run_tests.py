#!/usr/bin/env python3
"""The TAP counting of run_tests.py, on made-up suite outputs: what counts as passed, failed, skipped or todo.

Each check runs run_tap on a tiny program that prints the given TAP and exits with the given status, and
prints one TAP line of its own (no hash sign in it: that would be a directive to the runner reading it).
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_tests  # noqa: E402

# (name, TAP the suite prints, its exit status, expected (passed, failed, skipped, todo))
CASES = [
    ("plain ok and not ok", "1..3\nok 1 - a\nnot ok 2 - b\nok 3 - c\n", 1, (2, 1, 0, 0)),
    ("not ok with TODO is todo, never passed", "1..2\nok 1 - a\nnot ok 2 - b # TODO known bug\n", 0, (1, 0, 0, 1)),
    ("lower-case todo directive", "1..1\nnot ok 1 - b # todo later\n", 0, (0, 0, 0, 1)),
    ("ok with TODO is stale: failed", "1..1\nok 1 - b # TODO fixed already\n", 0, (0, 1, 0, 0)),
    ("ok with SKIP is skipped", "1..2\nok 1 - a # SKIP no qemu\nok 2 - b\n", 0, (1, 0, 1, 0)),
    ("not ok with SKIP is failed", "1..1\nnot ok 1 - a # SKIP but broken\n", 1, (0, 1, 0, 0)),
    ("a hash sign in a description is no directive", "1..1\nnot ok 1 - case #17 TODO-list\n", 1, (0, 1, 0, 0)),
    ("short plan fails the missing cases", "1..3\nok 1 - a\n", 0, (1, 2, 0, 0)),
    ("no plan fails", "ok 1 - a\n", 0, (1, 1, 0, 0)),
    ("non-zero exit without a failed case fails", "1..1\nok 1 - a\n", 3, (1, 1, 0, 0)),
    ("only TODO failures and a failing exit status", "1..1\nnot ok 1 - a # TODO\n", 1, (0, 1, 0, 1)),
    ("bail out fails", "1..2\nok 1 - a\nBail out! broken\n", 1, (1, 1, 0, 0)),
]


def main():
    print(f"1..{len(CASES)}")
    bad = 0
    with tempfile.TemporaryDirectory() as build:
        for i, (name, tap, rc, want) in enumerate(CASES, 1):
            assert "#" not in name, name
            script = f"import sys; sys.stdout.write({tap!r}); sys.exit({rc})"
            test = {"name": name, "cmd": [sys.executable, "-c", script], "env": {}}
            o, _, _ = run_tests.run_tap(test, 60, build)
            got = (o.passed, o.failed, o.skipped, o.todo)
            ok = got == want
            bad += not ok
            print(f"{'ok' if ok else 'not ok'} {i} - {name}" +
                  ("" if ok else f": got passed/failed/skipped/todo {got}, want {want}"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
