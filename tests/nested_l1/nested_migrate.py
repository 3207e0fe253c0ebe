#!/usr/bin/env python3
"""A real L1 hypervisor with a running L2, snapshotted and migrated under QEMU -accel phv (TAP).

    nested_migrate.py QEMU_SYSTEM_PPC64 QEMU_PYTHON_DIR KVM_L2_LAUNCH [CONFIG...]

The L1's initramfs is the nested-l1 one (busybox, kvm.ko, kvm-hv.ko and KVM_L2_LAUNCH). A CONFIG is API:CPU (v2:power10
by default; v1:power9 for nestedv1). The L1 (bookworm-backports' 6.12 kernel) runs `kvm_l2_launch --spin`:
its L2 does its checks and then keeps making H_CONFER round trips (L2 -> L0 -> L1 kernel -> L2) until
"stop" is typed on the L1's console, so the L1's vcpu is inside H_GUEST_RUN_VCPU / H_ENTER_NESTED nearly
all the time while the test works (the configs run side by side):

  nestedv2 only, savevm/loadvm: stop, savevm (into a qcow2 image), cont, the L2 runs on, stop, loadvm: the
      L0's record of the L2 (query-phv-nested: its runs) goes back to the snapshot's, cont;
  nestedv2 only, phv -> TCG (cap-nested-papr on both): refused by the TCG destination with a message, the
      source runs on;
  phv -> phv live: the destination lists the same L2 (query-phv-nested) and runs it;
  then "stop" on the destination's console: the L2 ends there and the launcher checks everything it did
  (console, MMIO, every H_CONFER answered H_SUCCESS) and prints @@L1-DONE@@ failures=0; the L1's console
  shows no kernel complaint.
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
from migrate_phv import make_qcow2   # noqa: E402
from qemu_guest import ConsoleGuest, guests_dir   # noqa: E402

n = 0
failed = 0
T0 = time.time()
LIMIT = float(os.environ.get("PHV_NESTED_L1_TIMEOUT", "300"))


RESULTS = threading.Lock()


def result(ok, name):
    global n, failed
    with RESULTS:
        n += 1
        print(f"{'ok' if ok else 'not ok'} {n} - {name} ({time.time() - T0:.0f}s)", flush=True)
        failed += 0 if ok else 1
    return ok


class L1(ConsoleGuest):
    """One QEMU process running the L1 and its console."""

    def __init__(self, machine, qemu, tmp, name, accel, api, cpu, initrd, disk=None, incoming=False):
        self.name = name
        # TCG has no H_RPT_INVALIDATE: its destination leaves the cap off (the nested state is refused first).
        rpt = "off" if accel == "tcg" else "on"
        cap = f"cap-nested-papr=on,cap-rpt-invalidate={rpt}" if api == "v2" else "cap-nested-hv=on"
        append = ("console=hvc0 panic=-1 quiet cryptomgr.notests phv.modules=1 "
                  "phv.cmd=\"kvm_l2_launch --spin; dmesg | grep -i -E 'kvm|nested'\"")
        args = ["-M", f"pseries,x-vof=on,cap-dawr1=off,{cap}", "-accel", accel, "-cpu", cpu, "-m", "1G",
                "-vga", "none", "-no-reboot", "-kernel", GUESTS + "/l1/vmlinux", "-initrd", initrd,
                "-append", append]
        if disk:
            args += ["-drive", f"file={disk},if=none,id=disk0,format=qcow2",
                     "-device", "virtio-blk-pci,drive=disk0,id=blk0"]
        if incoming:
            args += ["-incoming", "defer"]
        super().__init__(machine(qemu, base_temp_dir=tmp, log_dir=tmp, name=name, args=args))

    def log(self):
        return super().log().replace("\r", "")

    def l2_runs(self):
        """The L0's count of the L2 vcpu's runs (query-phv-nested), or None without exactly one L2 vcpu."""
        guests = self.vm.cmd("query-phv-nested")
        vcpus = [v for g in guests for v in g.get("vcpus", [])]
        return vcpus[0].get("runs") if len(vcpus) == 1 else None


def wait_migration(src, timeout):
    end = time.time() + timeout
    info = {}
    while time.time() < end:
        info = src.vm.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            return info
        time.sleep(0.2)
    return info


def migrate(src, dst, sock):
    dst.vm.cmd("migrate-set-capabilities", capabilities=[{"capability": "return-path", "state": True}])
    dst.vm.cmd("migrate-incoming", uri=f"unix:{sock}")
    src.vm.cmd("migrate-set-parameters", max_bandwidth=1 << 30, downtime_limit=300)
    src.vm.cmd("migrate-set-capabilities", capabilities=[{"capability": "return-path", "state": True}])
    src.vm.cmd("migrate", uri=f"unix:{sock}")
    return wait_migration(src, 240)


def snapshot(g, what):
    """savevm with the L2 at work, let it run on, loadvm: the L0's L2 record is the snapshot's again."""
    g.vm.cmd("stop")
    saved = g.l2_runs()
    r = g.hmp("savevm nested1")
    result(r.strip() == "" and saved, f"{what}: HMP savevm with the L2 at work ({r.strip()[:160]!r}, runs {saved})")
    g.vm.cmd("cont")
    time.sleep(3)
    g.vm.cmd("stop")
    later = g.l2_runs()
    r = g.hmp("loadvm nested1")
    back = g.l2_runs()
    result(r.strip() == "" and later and back == saved and later > saved,
           f"{what}: loadvm puts the L0's record of the L2 back (runs {saved} -> {later} -> {back}; {r.strip()[:160]!r})")
    g.vm.cmd("cont")
    st = g.vm.cmd("query-status")
    result(st.get("status") == "running", f"{what}: the L1 runs after loadvm ({st.get('status')})")


def refuse_tcg(machine, qemu, tmp, src, api, cpu, initrd, disk, others):
    what = f"{api} {cpu}"
    tcg = L1(machine, qemu, tmp, f"{api}-tcg", "tcg", api, cpu, initrd, disk, incoming=True)
    others.append(tcg)
    tcg.launch()
    info = migrate(src, tcg, os.path.join(tmp, f"{api}-tcg.sock"))
    time.sleep(1)
    msg = tcg.qemu_log()
    result(info.get("status") == "failed" and "cannot run them" in msg,
           f"{what}: phv -> TCG is refused by the destination with a message ({info.get('status')}; "
           f"{(re.findall(r'.*cannot run them.*', msg) or ['no message'])[0][:120]})")
    st = src.vm.cmd("query-status")
    result(st.get("status") == "running", f"{what}: the source runs on after the refused hop ({st.get('status')})")
    tcg.shutdown()


def run_config(machine, qemu, tmp, initrd, api, cpu):
    what = f"{api} {cpu}"
    disk = None
    if api == "v2":
        disk = os.path.join(tmp, f"{api}.qcow2")
        make_qcow2(disk, 16 << 20)
    src = L1(machine, qemu, tmp, f"{api}-src", "phv", api, cpu, initrd, disk)
    others = []
    try:
        src.launch()
        ok = result(src.wait_for(r"^@@L1-SPIN@@", LIMIT) is not None,
                    f"{what}: the L1 boots, loads kvm-hv and its L2 is at work")
        if not ok:
            sys.stderr.write(src.log()[-3000:] + "\n" + src.qemu_log()[-2000:] + "\n")
            return
        if api == "v2":
            snapshot(src, what)

        # phv -> TCG: the TCG destination cannot run what the phv core kept as the L0 (the same code for
        # either API: nestedv2's only, to keep the suite short).
        if api == "v2":
            refuse_tcg(machine, qemu, tmp, src, api, cpu, initrd, disk, others)
        # phv -> phv, live, with the L2 at work.
        dst = L1(machine, qemu, tmp, f"{api}-dst", "phv", api, cpu, initrd, disk, incoming=True)
        others.append(dst)
        dst.launch()
        t0 = time.time()
        info = migrate(src, dst, os.path.join(tmp, f"{api}-dst.sock"))
        ram = info.get("ram", {})
        ok = result(info.get("status") == "completed",
                    f"{what}: phv -> phv live migration completes in {time.time() - t0:.1f}s ({info.get('status')}, "
                    f"{ram.get('dirty-sync-count', '?')} dirty syncs, downtime {info.get('downtime', '?')} ms)")
        if not ok:
            sys.stderr.write(str(info) + "\n" + src.qemu_log()[-2000:] + "\n" + dst.qemu_log()[-2000:] + "\n")
            return
        st = dst.vm.cmd("query-status")
        result(st.get("status") == "running", f"{what}: the destination runs the L1 ({st.get('status')})")
        before = src.log()
        src.shutdown()
        guests = dst.vm.cmd("query-phv-nested")
        vcpus = guests[0].get("vcpus", []) if len(guests) == 1 else []
        result(len(guests) == 1 and guests[0].get("api") == api and len(vcpus) == 1 and vcpus[0].get("runs", 0) > 0,
               f"{what}: the destination's L0 holds the L2 and its record ({str(guests)[:200]})")
        time.sleep(2)
        dst.sock.sendall(b"stop\n")
        done = dst.wait_for(r"^@@L1-DONE@@ failures=(\d+)", LIMIT)
        log = dst.log()
        result(done is not None and done.group(1) == "0" and "@@L1-DONE@@" not in before,
               f"{what}: the L2 ends on the destination and the launcher finds everything right "
               f"({done.group(0) if done else 'no end'})")
        for step in re.findall(r"^@@L1@@ (l2-\S+ (?:ok|FAIL).*)$", log, re.M):
            result(" ok" in step, f"{what}: launcher {step.strip()}")
        bad = re.findall(r".*(?:Oops|BUG:|WARNING:|Call Trace|Unable to handle|Kernel panic|hcall failed).*",
                         before + log)
        result(not bad, f"{what}: no kernel complaint on the L1's console ({bad[:2]})")
        if failed:
            sys.stderr.write("--- destination console\n" + log[-3000:] + "\n--- destination QEMU\n" +
                             dst.qemu_log()[-2000:] + "\n")
    except Exception as e:
        result(False, f"{what}: {type(e).__name__}: {e}")
        sys.stderr.write(src.log()[-3000:] + "\n")
    finally:
        for g in [src] + others:
            if g.vm.is_running():
                g.shutdown()


def main():
    global GUESTS
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    qemu, pydir, launcher = sys.argv[1:4]
    configs = sys.argv[4:] or ["v2:power10"]
    GUESTS = guests_dir()
    if not os.access(qemu, os.X_OK) or not os.path.isdir(pydir):
        print(f"1..0 # SKIP {qemu} not built (PHV_QEMU=0?)")
        return 0
    if not all(os.path.isfile(p) for p in (GUESTS + "/l1/vmlinux", GUESTS + "/l1/modules/load-order",
                                           GUESTS + "/busybox")):
        print(f"1..0 # SKIP no L1 kernel, kvm-hv or busybox in {GUESTS} (./phv setup fetches them)")
        return 0
    sys.path.insert(0, pydir)
    from qemu.machine import QEMUMachine   # noqa: E402
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initrd.gz")
        made = subprocess.run([os.path.join(HERE, "..", "linux", "make_initramfs.sh"), GUESTS + "/busybox",
                               initrd, GUESTS + "/l1/modules", launcher])
        if not result(made.returncode == 0, "initramfs with kvm-hv and the launcher"):
            print(f"1..{n}")
            return 1
        # Side by side, as the nested-l1 suite boots its L1s: each is mostly one host core's work.
        threads = [threading.Thread(target=run_config, args=(QEMUMachine, qemu, tmp, initrd) + tuple(c.split(":")))
                   for c in configs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
