#!/usr/bin/env python3
"""Snapshots and migration of a running Linux guest under QEMU's pseries machine with -accel phv, and between
phv and TCG, in the style of QEMU's tests/functional: QEMU's own qemu.machine.QEMUMachine, local assets only
(the kernel, busybox and kernel modules that ./phv setup puts in PHV_CACHE/guests). Output is TAP.

    migrate_phv.py QEMU_SYSTEM_PPC64 QEMU_PYTHON_DIR

The guest's /init runs a shell that reads commands from the console, so the test drives it line by line.
The guest writes a random pattern to memory (tmpfs) and to a virtio-blk disk and keeps its checksums; after
every restore or hop the guest checks both again, and QEMU's and the guest's own view must agree.

  savevm/loadvm, power10 (radix) and power8 (hash: the HPT travels in the htab section): savevm (HMP, through
      QMP human-monitor-command, into a qcow2 image), the guest goes on and overwrites its pattern, loadvm,
      the pattern is back and the guest keeps running;
  live migration chain on power10, with a background writer rewriting 4 MiB files (each with its checksum)
      the whole time, so that dirty logging has to drive the iterations:
      TCG -> phv, phv -> phv, phv -> TCG (one QEMU build; every hop over a unix socket); before the chain a
      power10 stream offered to a power9 destination is refused with a message, and the source keeps running;
  the same on power8 (hash), starting under phv: phv -> phv, phv -> TCG, TCG -> phv, the writer's processes
      changing the HPT the whole time. From a phv source the machine's x-phv-htab-* counters must show that
      the live iterations carried the table (the whole of it once, then changed groups) and that the stopped
      pass sent fewer entries than the table held;
  (a nested-hypervisor guest, cap-nested-papr / cap-nested-hv, is the suite qemu-phv-nested-migrate:
  tests/nested_l1/nested_migrate.py).
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_guest import ConsoleGuest, guests_dir, skip_line   # noqa: E402

n = 0
failed = 0


T0 = time.time()


def result(ok, name):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name} ({time.time() - T0:.0f}s)", flush=True)
    failed += 0 if ok else 1
    return ok


def make_qcow2(path, size):
    """An empty qcow2 v3 image (64 KiB clusters: header, refcount table, refcount block, L1 table), as
    qemu-img create would write it; the machine ./phv builds has no qemu-img."""
    cluster = 1 << 16
    l1_entries = -(-size // (cluster * (cluster // 8)))
    header = struct.pack(">4sIQIIQIIQQIIQQQQII", b"QFI\xfb", 3, 0, 0, 16, size, 0, l1_entries, 3 * cluster,
                         1 * cluster, 1, 0, 0, 0, 0, 0, 4, 104)
    img = bytearray(4 * cluster)
    img[:len(header)] = header
    struct.pack_into(">Q", img, cluster, 2 * cluster)          # refcount table -> refcount block
    for c in range(4):
        struct.pack_into(">H", img, 2 * cluster + 2 * c, 1)    # clusters 0-3 in use once
    with open(path, "wb") as f:
        f.write(img)


class Guest(ConsoleGuest):
    """One QEMU process booting the Debian kernel with a shell on its console."""

    def __init__(self, machine, qemu, tmp, name, accel, cpu, initrd, disk, disk_format="raw", incoming=False):
        self.name = name
        # phv.cmd=sh: /init runs a shell on the console, which the test types into.
        args = ["-M", "pseries,x-vof=on,cap-dawr1=off", "-accel", accel, "-cpu", cpu, "-smp", "2",
                "-m", "512M", "-kernel", GUESTS + "/vmlinux", "-initrd", initrd,
                "-drive", f"file={disk},if=none,id=disk0,format={disk_format}",
                "-device", "virtio-blk-pci,drive=disk0,id=blk0",
                "-append", "console=hvc0 phv.modules=1 phv.cmd=sh"]
        if incoming:
            args += ["-incoming", "defer"]
        super().__init__(machine(qemu, base_temp_dir=tmp, log_dir=tmp, name=name, args=args))

    def listen(self, uri):
        self.vm.cmd("migrate-set-capabilities", capabilities=[{"capability": "return-path", "state": True}])
        self.vm.cmd("migrate-incoming", uri=uri)


PATTERN = ("mkdir -p /tmp/m && mount -t tmpfs -o size=64m tmpfs /tmp/m && "
           "dd if=/dev/urandom of=/tmp/m/pattern bs=1M count=8 2>/dev/null && "
           "md5sum /tmp/m/pattern > /tmp/m/pattern.md5 && "
           "dd if=/tmp/m/pattern of=/dev/vda bs=1M count=8 oflag=direct 2>/dev/null && sync && cat /tmp/m/pattern.md5")
# The memory copy, and the disk read past the page cache.
VERIFY = ("md5sum -c /tmp/m/pattern.md5 && echo 3 > /proc/sys/vm/drop_caches && "
          "dd if=/dev/vda bs=1M count=8 iflag=direct 2>/dev/null | md5sum")
WRITER = ("( i=0; while [ ! -e /tmp/m/stop ]; do f=/tmp/m/w$((i%4)); "
          "dd if=/dev/urandom of=$f bs=64k count=64 2>/dev/null; md5sum $f > $f.md5; i=$((i+1)); done; "
          "touch /tmp/m/stopped ) >/dev/null 2>&1 &")
WRITER_CHECK = ("touch /tmp/m/stop; while [ ! -e /tmp/m/stopped ]; do sleep 0.1; done; "
                "rm -f /tmp/m/stop /tmp/m/stopped; for f in /tmp/m/w?; do md5sum -c $f.md5 || exit 1; done; "
                "ls /tmp/m | grep -c '^w.$'")


def boot(g, what):
    try:
        g.launch()
    except Exception as e:
        result(False, f"{what}: launch: {e}")
        return False
    ok = g.wait_for(r"^@@PHV-CMD@@", TIMEOUT) is not None
    if not result(ok, f"{what}: Linux boots to the console shell"):
        sys.stderr.write(g.log()[-3000:])
        return False
    time.sleep(0.5)
    out = g.sh("uname -m; grep -o -m1 'XI[CV][ES]' /proc/interrupts", 60)
    return result(out is not None and "ppc64" in out, f"{what}: the shell answers ({(out or '').split()[:1]})")


def checksums(out):
    return re.findall(r"\b([0-9a-f]{32})\b", out or "")


def verify(g, what, want, timeout=120):
    out = g.sh(VERIFY, timeout)
    sums = checksums(out)
    ok = out is not None and "/tmp/m/pattern: OK" in out and sums[-1:] == [want]
    return result(ok, f"{what}: the guest finds its pattern intact in memory and on disk "
                      f"({'OK' if ok else (out or 'no answer').strip()[-200:]})")


def no_errors(g, what):
    # VOF, unlike SLOF, leaves QEMU's NVRAM unformatted, and Linux says so with a WARNING under any accelerator.
    log = g.log().replace("WARNING: nvram corruption detected: 0-length partition", "(unformatted NVRAM)")
    log += g.qemu_log()
    bad = [w for w in ("Oops", "Kernel panic", "BUG:", "WARNING:", "phv:", "self-detected stall",
                       "detected stalls", "unstable", "watchdog: BUG", "hung_task") if w in log]
    # A vcpu thread the host did not run for 10 s looks like a hard lockup to the guest, as under KVM on an
    # overcommitted host: reported, not failed (a vcpu that cannot wake shows as an RCU stall above).
    seen = [w for w in ("hard LOCKUP", "Hard LOCKUP", "became unstuck") if w in log]
    result(not bad, f"{what}: no oops, panic, warning, stall or phv error ({', '.join(bad) or 'none'})")
    for line in log.splitlines():
        if any(w in line for w in bad + seen):
            print(f"# {what}: {line.strip()}")


def snapshot_test(machine, qemu, tmp, initrd, cpu, mmu_word):
    what = f"savevm/loadvm {cpu} phv"
    # savevm wants every writable disk to take snapshots: the guest's disk is the qcow2 image the vm state
    # goes to, and loadvm brings back its blocks too.
    disk = os.path.join(tmp, f"snap-{cpu}.qcow2")
    make_qcow2(disk, 64 << 20)
    g = Guest(machine, qemu, tmp, f"snap-{cpu}", "phv", cpu, initrd, disk, disk_format="qcow2")
    try:
        if not boot(g, what):
            return
        result(mmu_word in g.log(), f"{what}: the kernel says {mmu_word!r}")
        out = g.sh(PATTERN, 120)
        sums = checksums(out)
        if not result(len(sums) == 1, f"{what}: the guest writes an 8 MiB pattern to tmpfs and disk"):
            return
        want = sums[0]
        t0 = time.time()
        r = g.hmp("savevm snap1")
        result(r.strip() == "", f"{what}: HMP savevm succeeds in {time.time() - t0:.1f}s ({r.strip()!r})")
        info = g.hmp("info snapshots")
        result("snap1" in info, "info snapshots lists snap1")
        out = g.sh("dd if=/dev/urandom of=/tmp/m/pattern bs=1M count=8 conv=notrunc 2>/dev/null && "
                   "dd if=/tmp/m/pattern of=/dev/vda bs=1M count=8 oflag=direct 2>/dev/null && md5sum /tmp/m/pattern", 120)
        changed = checksums(out)
        result(changed and changed[0] != want, f"{what}: the guest keeps running and overwrites the pattern")
        # The shell is blocked in read() at the snapshot; loadvm puts it back there.
        r = g.hmp("loadvm snap1")
        result(r.strip() == "", f"{what}: HMP loadvm succeeds ({r.strip()!r})")
        st = g.vm.cmd("query-status")
        result(st.get("status") == "running", f"{what}: the guest runs after loadvm ({st.get('status')})")
        verify(g, what + " after loadvm", want)
        out = g.sh("sleep 1; cat /proc/uptime; ls / | wc -l", 60)
        result(out is not None and re.search(r"^\d+\.\d+ ", out, re.M) is not None,
               f"{what}: the guest keeps running after loadvm (timers, sleep)")
        no_errors(g, what)
    finally:
        g.shutdown()


# LPCR's power-saving exit enables (PDEE HDEE EEE DEE OEE, bits 47:51), which the machine sets when a vcpu
# starts (QEMU's spapr, RTAS start-cpu): a TCG vcpu in H_CEDE wakes only for what they enable.
LPCR_PECE = 0x1f << 12


def lpcr_wake_bits(g, what):
    regs = g.hmp("info registers -a")
    lpcrs = [int(v, 16) for v in re.findall(r"\bLPCR ([0-9a-f]{16})", regs)]
    bad = [f"{v:016x}" for v in lpcrs if v & LPCR_PECE != LPCR_PECE]
    return result(len(lpcrs) == 2 and not bad,
                  f"{what}: both vcpus' LPCR enable the exits from H_CEDE "
                  f"({', '.join(bad) or len(lpcrs)} {'lack them' if bad else 'vcpus'})")


def wait_migration(src, timeout):
    end = time.time() + timeout
    info = {}
    while time.time() < end:
        info = src.vm.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            return info
        time.sleep(0.2)
    return info


def htab_passes(src, what):
    """A hash guest's HPT from a phv source: the whole table in the live iterations, then changed groups."""
    c = {p: src.vm.cmd("qom-get", path="/machine", property=f"x-phv-htab-{p}")
         for p in ("first-pass", "live", "live-passes", "stopped")}
    info = ", ".join(f"{k} {v}" for k, v in c.items())
    # Whether iterations after the first one run depends on how fast RAM converges (a fresh clone's run once
    # went to the stopped pass straight after it), so only the whole-table pass is required here; the
    # changed-group passes are unit-tested in the core.
    result(c["first-pass"] > 0,
           f"{what}: the live iterations sent the HPT's valid entries ({info})")
    result(c["stopped"] < c["first-pass"],
           f"{what}: the stopped pass sent fewer HPT entries than the table held ({c['stopped']} < {c['first-pass']})")


def hop(machine, qemu, tmp, src, accel, cpu, initrd, disk, k, want):
    src_accel = src.name.split('-')[-1]
    what = f"hop {k}: {src_accel} -> {accel}"
    sock = os.path.join(tmp, f"mig{k}.sock")
    dst = Guest(machine, qemu, tmp, f"m{k}-{accel}", accel, cpu, initrd, disk, incoming=True)
    try:
        dst.launch()
        dst.listen(f"unix:{sock}")
    except Exception as e:
        result(False, f"{what}: launch destination: {e}")
        return None
    src.vm.cmd("migrate-set-parameters", max_bandwidth=1 << 30, downtime_limit=300)
    src.vm.cmd("migrate-set-capabilities", capabilities=[{"capability": "return-path", "state": True}])
    t0 = time.time()
    src.vm.cmd("migrate", uri=f"unix:{sock}")
    info = wait_migration(src, 240)
    ram = info.get("ram", {})
    ok = result(info.get("status") == "completed",
                f"{what}: migration completes in {time.time() - t0:.1f}s ({info.get('status')}, "
                f"{ram.get('dirty-sync-count', '?')} dirty syncs, {ram.get('transferred', 0) >> 20} MiB, "
                f"downtime {info.get('downtime', '?')} ms)")
    if not ok:
        sys.stderr.write(str(info) + "\n")
        dst.shutdown()
        return None
    result(ram.get("dirty-sync-count", 0) >= 2,
           f"{what}: dirty logging drove more than one pass ({ram.get('dirty-sync-count')})")
    if src_accel == "phv" and cpu in HASH_CPUS:
        htab_passes(src, what)
    st = dst.vm.cmd("query-status")
    result(st.get("status") == "running", f"{what}: the destination runs the guest ({st.get('status')})")
    lpcr_wake_bits(dst, what)
    no_errors(src, f"{what}: source")
    src.shutdown()
    # Generous: TCG on a loaded 2-core host may take tens of seconds for these checksums (phv a few).
    slow = 300 if accel == "tcg" else 120
    verify(dst, what, want, slow)
    out = dst.sh(WRITER_CHECK, slow)
    result(out is not None and re.search(r"^4\s*$", out, re.M) is not None,
           f"{what}: every file the writer finished during the migration has its checksum "
           f"({(out or 'no answer').strip()[-160:]})")
    dst.sh(WRITER, 30)
    no_errors(dst, what)
    return dst


HASH_CPUS = ("power8",)


def migration_test(machine, qemu, tmp, initrd, cpu="power10", accels=("tcg", "phv", "phv", "tcg")):
    """A guest booted under accels[0] and migrated live under each of the others in turn."""
    disk = os.path.join(tmp, f"disk-mig-{cpu}.img")
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    src = Guest(machine, qemu, tmp, f"{cpu}-m0-{accels[0]}", accels[0], cpu, initrd, disk)
    cur = src
    try:
        if not boot(src, f"migration source ({accels[0]}, {cpu})"):
            return
        out = src.sh(PATTERN, 120)
        sums = checksums(out)
        if not result(len(sums) == 1, f"{accels[0]} {cpu} guest writes an 8 MiB pattern to tmpfs and disk"):
            return
        want = sums[0]
        src.sh(WRITER, 30)
        if cpu == "power10":
            refused_elsewhere(machine, qemu, tmp, src, initrd, disk)

        for k, accel in enumerate(accels[1:], 1):
            nxt = hop(machine, qemu, tmp, cur, accel, cpu, initrd, disk, f"{cpu}-{k}", want)
            if nxt is None:
                return
            cur = nxt
        out = cur.sh("cat /proc/uptime; nproc", 30)
        result(out is not None and re.search(r"^2\s*$", out, re.M) is not None,
               f"after {len(accels) - 1} hops the {cpu} guest runs on both vcpus")
    finally:
        cur.shutdown()
        if cur is not src:
            src.shutdown()


def refused_elsewhere(machine, qemu, tmp, src, initrd, disk):
    """A destination with another CPU model: QEMU must refuse the stream, the source must carry on."""
    sock = os.path.join(tmp, "wrong.sock")
    wrong = Guest(machine, qemu, tmp, "wrong-p9", "phv", "power9", initrd, disk, incoming=True)
    wrong.launch()
    wrong.listen(f"unix:{sock}")
    src.vm.cmd("migrate-set-capabilities", capabilities=[{"capability": "return-path", "state": True}])
    src.vm.cmd("migrate-set-parameters", max_bandwidth=1 << 30, downtime_limit=300)
    src.vm.cmd("migrate", uri=f"unix:{sock}")
    info = wait_migration(src, 120)
    try:
        wrong.vm.wait(timeout=30)
    except Exception:
        wrong.vm.kill()
    wlog = wrong.vm.get_log() or ""
    result(info.get("status") == "failed" and wrong.vm.exitcode() not in (0, None),
           f"a power10 stream offered to a power9 destination fails ({info.get('status')}, "
           f"destination exit {wrong.vm.exitcode()})")
    msg = [l for l in wlog.splitlines() if "load" in l.lower() or "cpu" in l.lower()]
    result(bool(msg), f"the destination says why ({(msg or ['nothing'])[0].strip()[:160]})")
    st = src.vm.cmd("query-status")
    result(st.get("status") == "running", f"the source keeps running ({st.get('status')})")
    out = src.sh("cat /proc/uptime", 30)
    result(out is not None, "the source guest still answers")


def main():
    global GUESTS, TIMEOUT
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    qemu, pydir = sys.argv[1:]
    GUESTS = guests_dir()
    skip = skip_line(qemu, pydir, [GUESTS + "/vmlinux", GUESTS + "/busybox"], "guest kernel or busybox")
    if skip:
        print(skip)
        return 0
    sys.path.insert(0, pydir)
    from qemu.machine import QEMUMachine   # noqa: E402 (QEMU's tree is known only now)

    TIMEOUT = int(os.environ.get("PHV_LINUX_BOOT_TIMEOUT", "300"))
    only = os.environ.get("PHV_MIGRATE_ONLY", "")
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        maker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux", "make_initramfs.sh")
        made = subprocess.run([maker, GUESTS + "/busybox", initrd, GUESTS + "/modules"])
        result(made.returncode == 0, "initramfs with the guest kernel's virtio modules")
        if not only or "snap" in only:
            snapshot_test(QEMUMachine, qemu, tmp, initrd, "power10", "lpar: Using radix MMU under hypervisor")
            snapshot_test(QEMUMachine, qemu, tmp, initrd, "power8", "hash-mmu: Initializing hash mmu")
        if not only or "mig" in only:
            migration_test(QEMUMachine, qemu, tmp, initrd)
        if not only or "hash" in only:
            migration_test(QEMUMachine, qemu, tmp, initrd, "power8", ("phv", "phv", "tcg", "phv"))
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
