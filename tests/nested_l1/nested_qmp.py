#!/usr/bin/env python3
"""The L0's view of a real L1's L2 over QMP (QEMU -accel phv with cap-nested-papr / cap-nested-hv).

    nested_qmp.py QMP_SOCKET CONSOLE_LOG API START_EPOCH QEMU_PID

Waits until the L1's launcher, holding its VM after the L2 ran, prints "@@L1-HOLD@@" on the console, then
asks QEMU: query-phv-nested must list that one L2 (the API's kind of id), its vcpu 0 idle with every run
ended by a counted exit, and counters that advanced; query-stats (provider phv, target vm) must show the
same runs and ticks in the nested_* counters, none larger than the wall time since START_EPOCH in timebase
ticks (512 MHz). Prints one "ok|not ok DESCRIPTION" line per check (check_nested_l1.sh numbers them) and
"# ..." details.
"""
import json
import os
import socket
import sys
import time

TB_HZ = 512_000_000
results = []


def check(ok, desc):
    results.append((bool(ok), desc))


class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())          # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            msg = json.loads(self.f.readline())
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise RuntimeError(f"{name}: {msg['error']}")
            # an event: not ours


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def wait_for(path, marker, limit, pid):
    """Until the marker shows, the launcher ends without it, or QEMU is gone."""
    end = time.time() + limit
    while time.time() < end:
        try:
            with open(path, "rb") as f:
                text = f.read()
            if marker in text:
                return True
            if b"@@L1-DONE@@" in text:
                return False
        except OSError:
            pass
        if not alive(pid):
            return False
        time.sleep(0.2)
    return False


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    sock, console, api, start, pid = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
    limit = float(os.environ.get("PHV_NESTED_L1_TIMEOUT", "240"))
    if not wait_for(console, b"@@L1-HOLD@@", limit, pid):
        check(False, "QMP: the L1's launcher held its VM for the queries (no @@L1-HOLD@@)")
        return report()
    try:
        q = Qmp(sock)
        guests = q.cmd("query-phv-nested")
        stats = q.cmd("query-stats", target="vm", providers=[{"provider": "phv"}])
    except (OSError, ValueError, RuntimeError) as e:
        check(False, f"QMP: query-phv-nested and query-stats answer ({e})")
        return report()
    wall_tb = (time.time() - start) * TB_HZ
    print("# query-phv-nested: " + json.dumps(guests))
    check(len(guests) == 1 and guests[0]["api"] == api and guests[0]["id"] >= 1,
          f"QMP: query-phv-nested lists the one {api} L2 ({len(guests)} guests)")
    if len(guests) != 1:
        return report()
    g = guests[0]
    check((api == "v2") == ("logical-pvr" in g) and g.get("logical-pvr", 0x0f000005) in (0x0f000005, 0x0f000006),
          f"QMP: logical-pvr present (and a POWER9/10 one) exactly for nestedv2 ({g.get('logical-pvr')})")
    vcpus = g["vcpus"]
    check(len(vcpus) == 1 and vcpus[0]["id"] == 0 and vcpus[0]["state"] == "idle",
          "QMP: its vcpu 0 is listed, idle while the launcher holds the VM")
    if len(vcpus) != 1:
        return report()
    v = vcpus[0]
    exits = {e["reason"]: e["count"] for e in v["exits"]}
    # 14 console hcalls, 1000 H_CONFER and the end are hcall exits; 2 MMIO and at least one first-touch fault.
    check(v["runs"] >= 1018 and sum(exits.values()) == v["runs"] and exits.get("hcall", 0) >= 1015,
          f"QMP: runs={v['runs']}, each ended by a counted exit ({exits})")
    check(all(v[k] > 0 for k in ("l1-to-l2-cs-tb", "l2-to-l1-cs-tb", "l2-runtime-tb")),
          f"QMP: l1-to-l2-cs-tb={v['l1-to-l2-cs-tb']} l2-to-l1-cs-tb={v['l2-to-l1-cs-tb']} "
          f"l2-runtime-tb={v['l2-runtime-tb']} advanced")
    check(all(g[k] == v[k] for k in ("runs", "l1-to-l2-cs-tb", "l2-to-l1-cs-tb", "l2-runtime-tb")),
          "QMP: the guest's sums are its one vcpu's counters")
    total = {s["name"]: s["value"] for s in stats[0]["stats"]} if stats else {}
    print("# query-stats nested_*: " + json.dumps({k: x for k, x in total.items() if k.startswith("nested")}))
    check(total.get("nested_entries") == v["runs"] and total.get("nested_exits") == v["runs"],
          f"query-stats: nested_entries={total.get('nested_entries')} nested_exits={total.get('nested_exits')} "
          f"are the L2's runs")
    check(total.get("nested_l1_to_l2_tb") == v["l1-to-l2-cs-tb"] and
          total.get("nested_l2_to_l1_tb") == v["l2-to-l1-cs-tb"] and
          total.get("nested_l2_runtime_tb") == v["l2-runtime-tb"],
          "query-stats: nested_l1_to_l2_tb, nested_l2_to_l1_tb, nested_l2_runtime_tb are the L2's counters")
    spent = v["l1-to-l2-cs-tb"] + v["l2-to-l1-cs-tb"] + v["l2-runtime-tb"]
    check(0 < spent <= wall_tb,
          f"query-stats: switch and run time together ({spent} ticks) within the wall time ({int(wall_tb)} ticks)")
    return report()


def report():
    for ok, desc in results:
        print(f"{'ok' if ok else 'not ok'} {desc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
