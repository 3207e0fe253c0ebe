#!/usr/bin/env python3
"""QEMU with -accel phv driven over QMP, in the style of QEMU's tests/functional: QEMU's own
qemu.machine.QEMUMachine (from the patched source tree ./phv builds), local assets only (the bare-metal
payload). Output is TAP.

    qmp_phv.py QEMU_SYSTEM_PPC64 QEMU_PYTHON_DIR PAYLOAD_ELF

The payload runs its workloads (hcalls, RTAS through QEMU's dispatcher) and powers off; -no-shutdown keeps
QEMU up so that the checks can look at the run: the SHUTDOWN event and its cause, query-stats with provider
phv (per vcpu and per VM), stop/cont, system_reset (the payload runs again to a second power-off), quit.
"""
import os
import sys
import tempfile

n = 0
failed = 0


def result(ok, name):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    failed += 0 if ok else 1


def stat_values(entry):
    return {s["name"]: s["value"] for s in entry["stats"]}


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    qemu, pydir, payload = sys.argv[1:]
    if not os.access(qemu, os.X_OK) or not os.path.isdir(pydir):
        print(f"1..0 # SKIP {qemu} not built (PHV_QEMU=1 ./phv build makes it)")
        return 0
    import subprocess
    accels = subprocess.run([qemu, "-accel", "help"], capture_output=True, text=True, timeout=60).stdout
    result("phv" in accels.split(), "-accel help lists phv")
    sys.path.insert(0, pydir)
    from qemu.machine import QEMUMachine   # noqa: E402 (QEMU's tree is known only now)

    with tempfile.TemporaryDirectory() as tmp:
        vm = QEMUMachine(qemu, base_temp_dir=tmp, log_dir=tmp,
                         args=["-M", "pseries,x-vof=on", "-accel", "phv", "-cpu", "power9", "-m", "512M",
                               "-smp", "2", "-nographic", "-no-shutdown", "-kernel", payload])
        vm.set_qmp_monitor(True)
        try:
            vm.launch()
        except Exception as e:          # the launch failure is the result
            result(False, f"launch: {e}")
            print(f"1..{n}")
            return 1
        ev = vm.event_wait("SHUTDOWN", timeout=60)
        result(ev is not None and ev["data"].get("guest") is True, "the payload powers off (SHUTDOWN from the guest)")

        accels = vm.cmd("query-status")
        result(accels.get("status") == "shutdown", f"status after power-off is shutdown ({accels.get('status')})")

        vcpus = vm.cmd("query-stats", target="vcpu", providers=[{"provider": "phv"}])
        result(len(vcpus) == 2 and all(r["provider"] == "phv" for r in vcpus),
               f"query-stats target=vcpu: one phv entry per vcpu ({len(vcpus)})")
        # The payload runs on one vcpu (the other stays in RTAS's stopped state): judge the one that ran.
        per_vcpu = [stat_values(v) for v in vcpus]
        boot = max(per_vcpu, key=lambda s: s.get("insns_executed", 0), default={})
        result(boot.get("hcall_exits", 0) > 0, f"boot vcpu counted hcall exits ({boot.get('hcall_exits')})")
        result(boot.get("insns_executed", 0) > 1000,
               f"boot vcpu counted instructions ({boot.get('insns_executed')})")
        vm_stats = vm.cmd("query-stats", target="vm", providers=[{"provider": "phv"}])
        total = stat_values(vm_stats[0]) if vm_stats else {}
        sums_ok = bool(total) and all(total.get(k) == sum(s.get(k, 0) for s in per_vcpu) for k in boot)
        result(sums_ok and total.get("hcall_exits", 0) > 0,
               f"query-stats target=vm is the sum over the vcpus ({len(total)} counters)")
        schema = vm.cmd("query-stats-schemas", provider="phv")
        result(any(s["target"] == "vcpu" and any(v["name"] == "hcall_exits" for v in s["stats"]) for s in schema),
               "query-stats-schemas names the phv counters")

        vm.cmd("system_reset")
        vm.qmp("cont")      # after a guest power-off with -no-shutdown, reset leaves the VM paused
        ev = vm.event_wait("SHUTDOWN", timeout=60)
        result(ev is not None, "after system_reset the payload runs again to power-off")
        again = stat_values(vm.cmd("query-stats", target="vm", providers=[{"provider": "phv"}])[0])
        result(again.get("hcall_exits", 0) > total.get("hcall_exits", 0), "the second run added hcall exits")

        vm.cmd("stop")
        result(vm.cmd("query-status").get("running") is False, "stop")
        vm.cmd("quit")
        vm.wait(timeout=30)
        result(vm.exitcode() == 0, f"quit: exit status 0 ({vm.exitcode()})")
        log = vm.get_log() or ""
        result("@@PAYLOAD-EXIT@@ power-off" in log, "console shows the payload's power-off marker")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
