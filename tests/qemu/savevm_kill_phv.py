#!/usr/bin/env python3
"""A savevm image survives QEMU's death: Linux under QEMU's pseries machine with -accel phv writes a random
pattern to memory (tmpfs) and to its qcow2 disk, HMP savevm stores the vm in that image, the guest overwrites
the pattern, QEMU is killed with SIGKILL (no shutdown, no flush, no quit), and a new QEMU started with
-loadvm on the same image must run the guest from the snapshot with the pattern intact in memory and on disk.
Output is TAP.

    savevm_kill_phv.py QEMU_SYSTEM_PPC64 QEMU_PYTHON_DIR

The guest, its shell and the checks are migrate_phv.py's (imported, not copied): the same Guest, PATTERN and
verify().
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import migrate_phv as mp  # noqa: E402


def killed_and_restored(machine, qemu, tmp, initrd, cpu):
    what = f"savevm, SIGKILL, -loadvm ({cpu}, phv)"
    disk = os.path.join(tmp, f"kill-{cpu}.qcow2")
    mp.make_qcow2(disk, 64 << 20)
    g = mp.Guest(machine, qemu, tmp, f"kill-{cpu}", "phv", cpu, initrd, disk, disk_format="qcow2")
    try:
        if not mp.boot(g, what):
            return
        out = g.sh(mp.PATTERN, 120)
        sums = mp.checksums(out)
        if not mp.result(len(sums) == 1, f"{what}: the guest writes an 8 MiB pattern to tmpfs and disk"):
            return
        want = sums[0]
        r = g.hmp("savevm snap1")
        mp.result(r.strip() == "", f"{what}: HMP savevm succeeds ({r.strip()!r})")
        out = g.sh("dd if=/dev/urandom of=/tmp/m/pattern bs=1M count=8 conv=notrunc 2>/dev/null && "
                   "dd if=/tmp/m/pattern of=/dev/vda bs=1M count=8 oflag=direct 2>/dev/null && "
                   "md5sum /tmp/m/pattern", 120)
        changed = mp.checksums(out)
        mp.result(bool(changed) and changed[0] != want,
                  f"{what}: the guest runs on and overwrites the pattern in memory and on disk")
        pid = g.vm.get_pid()
        os.kill(pid, signal.SIGKILL)
        deadline, dead = time.time() + 30, False
        while time.time() < deadline and not dead:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    dead = f.read().rsplit(")", 1)[1].split()[0] == "Z"   # a zombie until it is reaped
            except OSError:
                dead = True
            time.sleep(0.1)
        mp.result(dead, f"{what}: QEMU (pid {pid}) is dead after SIGKILL")
    finally:
        try:
            g.vm.kill()   # reaps the process and closes the sockets; it is dead already
        except Exception:
            pass

    h = mp.Guest(machine, qemu, tmp, f"restored-{cpu}", "phv", cpu, initrd, disk, disk_format="qcow2")
    h.vm.add_args("-loadvm", "snap1")
    try:
        try:
            h.launch()
        except Exception as e:
            mp.result(False, f"{what}: a new QEMU with -loadvm snap1 starts: {e}")
            return
        st = h.vm.cmd("query-status")
        mp.result(st.get("status") == "running", f"{what}: a new QEMU with -loadvm snap1 runs the guest "
                                                 f"({st.get('status')})")
        info = h.hmp("info snapshots")
        mp.result("snap1" in info, f"{what}: the image still lists snap1")
        # The shell was waiting for its next line at the savevm; after the load it is again.
        mp.verify(h, what + ": after the restart", want)
        out = h.sh("sleep 1; cat /proc/uptime", 60)
        mp.result(out is not None and re.search(r"^\d+\.\d+ ", out, re.M) is not None,
                  f"{what}: the restored guest keeps running (timers, sleep)")
        mp.no_errors(h, what)
    finally:
        h.shutdown()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    qemu, pydir = sys.argv[1:]
    mp.GUESTS = mp.guests_dir()
    skip = mp.skip_line(qemu, pydir, [mp.GUESTS + "/vmlinux", mp.GUESTS + "/busybox"], "guest kernel or busybox")
    if skip:
        print(skip)
        return 0
    sys.path.insert(0, pydir)
    from qemu.machine import QEMUMachine   # noqa: E402 (QEMU's tree is known only now)

    mp.TIMEOUT = int(os.environ.get("PHV_LINUX_BOOT_TIMEOUT", "300"))
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        maker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux", "make_initramfs.sh")
        made = subprocess.run([maker, mp.GUESTS + "/busybox", initrd, mp.GUESTS + "/modules"])
        mp.result(made.returncode == 0, "initramfs with the guest kernel's virtio modules")
        killed_and_restored(QEMUMachine, qemu, tmp, initrd, "power10")
    print(f"1..{mp.n}")
    return 1 if mp.failed else 0


if __name__ == "__main__":
    sys.exit(main())
