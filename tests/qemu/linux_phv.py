#!/usr/bin/env python3
"""Debian's Linux under QEMU's pseries machine with -accel phv, in the style of QEMU's tests/functional: QEMU's
own qemu.machine.QEMUMachine from the patched source tree, local assets only (the kernel, busybox and kernel
modules that ./phv setup puts in PHV_CACHE/guests; the initramfs, with the virtio/ext4 modules, and an ext4
image are made here, so no other checkout's set-up can change them under the test). Output is TAP.

    linux_phv.py QEMU_SYSTEM_PPC64 QEMU_PYTHON_DIR

Three boots share one virtio-blk disk, so the last one proves that what the first wrote survived:
  power10, VOF, radix, XIVE, 2 vcpus: writes a random token to the disk, syncs, powers off;
  power9,  SLOF (QEMU's default firmware), radix, 2 vcpus: reads the token, appends to the file;
  power8,  VOF, hash (the core's HPT), XICS, 2 vcpus: reads both lines back.
Then the host reads the image with debugfs. Each boot must reach /init on every vcpu, run its commands with
status 0, power off through RTAS and leave QEMU with exit status 0, with no oops, panic or phv error.
"""
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_guest import guests_dir, skip_line   # noqa: E402

n = 0
failed = 0


def result(ok, name):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}", flush=True)
    failed += 0 if ok else 1


BOOTS = [
    # name, -cpu, firmware, MMU, interrupt controller as the guest reports them
    ("power10-vof", "power10", "vof", "lpar: Using radix MMU under hypervisor", "XIVE"),
    ("power9-slof", "power9", "slof", "lpar: Using radix MMU under hypervisor", "XIVE"),
    ("power8-vof", "power8", "vof", "hash-mmu: Initializing hash mmu", "XICS"),
]


def boot(qemu_machine, qemu, tmp, cpu, firmware, disk, initrd, commands, timeout):
    machine = "pseries,x-vof=on" if firmware == "vof" else "pseries"
    vm = qemu_machine(qemu, base_temp_dir=tmp, log_dir=tmp, args=[
        "-M", machine, "-accel", "phv", "-cpu", cpu, "-smp", "2", "-m", "1G", "-nographic",
        "-kernel", GUESTS + "/vmlinux", "-initrd", initrd,
        "-drive", f"file={disk},if=none,id=disk0,format=raw",
        "-device", "virtio-blk-pci,drive=disk0",
        "-append", f'console=hvc0 phv.modules=1 phv.cmd="{commands}"'])
    vm.set_qmp_monitor(True)
    vm.launch()
    try:
        vm.wait(timeout=timeout)    # the guest powers off; QEMU exits
        code = vm.exitcode()
    except subprocess.TimeoutExpired:
        vm.kill()
        code = None
    return code, vm.get_log() or ""


def check_boot(name, code, log, mmu, intc, expect):
    result(code == 0, f"{name}: QEMU exits with status 0 after the guest's power-off ({code})")
    result("@@PHV-INIT@@" in log, f"{name}: /init runs")
    result("@@PHV-CMD-END@@ status=0" in log, f"{name}: the commands end with status 0")
    result("reboot: Power down" in log, f"{name}: the kernel powers the machine off")
    result(re.search(r"^2$", log, re.M) is not None, f"{name}: nproc says 2")
    result(mmu in log, f"{name}: the kernel says {mmu!r}")
    result(re.search(rf"^intc={intc}", log, re.M) is not None,
           f"{name}: the {intc} interrupt controller serves the guest (/proc/interrupts)")
    result("virtio_blk virtio0: [vda]" in log, f"{name}: virtio-blk disk found")
    # VOF, unlike SLOF, leaves QEMU's NVRAM unformatted, and Linux says so with a WARNING under any accelerator.
    log = log.replace("WARNING: nvram corruption detected: 0-length partition", "(unformatted NVRAM)")
    bad = [w for w in ("Oops", "Kernel panic", "BUG:", "WARNING:", "phv:", "@@PHV-MODULE-FAILED@@") if w in log]
    result(not bad, f"{name}: no oops, panic, warning or phv error ({', '.join(bad) or 'none'})")
    for line in log.splitlines():
        if any(w in line for w in bad):
            print(f"# {name}: {line.strip()}")
    # What the commands printed, not the command line echoed by the kernel and by /init.
    out = "\n".join(l for l in log.splitlines() if "@@PHV-CMD@@" not in l and "command line" not in l)
    for what in expect:
        result(what in out, f"{name}: the commands print {what!r}")


def main():
    global GUESTS
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    qemu, pydir = sys.argv[1:]
    GUESTS = guests_dir()
    skip = skip_line(qemu, pydir, [GUESTS + "/vmlinux", GUESTS + "/busybox"], "guest kernel or busybox")
    if skip:
        print(skip)
        return 0
    if not shutil.which("mkfs.ext4") or not shutil.which("debugfs"):
        print("not ok 1 - mkfs.ext4 and debugfs (e2fsprogs) are needed for the disk image")
        print("1..1")
        return 1
    sys.path.insert(0, pydir)
    from qemu.machine import QEMUMachine   # noqa: E402 (QEMU's tree is known only now)

    timeout = int(os.environ.get("PHV_LINUX_BOOT_TIMEOUT", "300"))
    token = secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        maker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux", "make_initramfs.sh")
        made = subprocess.run([maker, GUESTS + "/busybox", initrd, GUESTS + "/modules"])
        result(made.returncode == 0 and os.path.isfile(GUESTS + "/modules/load-order"),
               "initramfs with the guest kernel's virtio and ext4 modules (./phv setup picks them)")
        disk = os.path.join(tmp, "disk.img")
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "phv", disk, "32M"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mount = "echo intc=$(grep -o -m1 XI[CV][ES] /proc/interrupts); mount -t ext4 /dev/vda /mnt"
        steps = [
            (f"nproc; {mount} && echo first-{token} > /mnt/token && sync && umount /mnt && echo wrote-{token}",
             [f"wrote-{token}"]),
            (f"nproc; {mount} && cat /mnt/token && echo second-{token} >> /mnt/token && sync && umount /mnt",
             [f"first-{token}"]),
            (f"nproc; {mount} && cat /mnt/token && umount /mnt", [f"first-{token}", f"second-{token}"]),
        ]
        for (name, cpu, fw, mmu, intc), (commands, expect) in zip(BOOTS, steps):
            try:
                code, log = boot(QEMUMachine, qemu, tmp, cpu, fw, disk, initrd, commands, timeout)
            except Exception as e:      # a failed launch is the result
                result(False, f"{name}: launch: {e}")
                continue
            check_boot(name, code, log, mmu, intc, expect)
            if code != 0 or "@@PHV-CMD-END@@" not in log:
                sys.stderr.write(log[-3000:])
        host = subprocess.run(["debugfs", "-R", "cat /token", disk], capture_output=True, text=True)
        result(host.stdout == f"first-{token}\nsecond-{token}\n",
               f"the host reads both boots' lines from the ext4 image ({host.stdout.strip()!r})")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
