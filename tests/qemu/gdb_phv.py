#!/usr/bin/env python3
"""gdb (gdb-multiarch) debugging Debian's Linux under QEMU's pseries machine with -accel phv: QEMU's
gdbstub over phv's guest debug (the core's single step, software-breakpoint word, hardware breakpoints
and watchpoints). Output is TAP.

    gdb_phv.py QEMU_SYSTEM_PPC64

QEMU starts stopped (-S) with its gdbstub on a free local port (`-s` is the same on port 1234); one gdb
batch script then
  hbreak at start_kernel's local entry (the kernel is still at its load address when gdb connects, so a
  breakpoint word could not be planted where start_kernel will run; an address compare can), continue;
  reads registers (pc, r1 in the init stack, r2 the kernel's TOC, msr, info registers) and memory (the
  instruction at pc, linux_banner);
  stepi twice (mflr, then a bl: to the call's target with LR at the return address);
  a software breakpoint on kernel_init (entered through a function pointer: the global entry), continue;
  the guest's word is back once gdb lifted it;
  (power10) stepi 300 times from there with QEMU's default step flags (ENABLE|NOIRQ|NOTIMER, all of which
  the gdbstub reports phv supports): kernel_init's path, most of it with MSR[EE]=1 while the vm clock runs
  during every step; each step lands on the next instruction or its branch's target (from the word, LR and
  CTR read before it), never on an interrupt vector. Then a hardware breakpoint on mutex_lock (process
  context, so MSR[EE]=1), `maintenance packet qqemu.sstep=0x1` (ENABLE only) and stepi until a step enters
  an interrupt vector (at most 2000: the tick's decrementer, every 4 ms of guest time at HZ=250, expires
  within them, and with EE on and NOIRQ off the next step takes it; in practice the first steps take what
  expired meanwhile), every step before it on the path as above; then the flags back to 0x7. Only on
  power10: a hash guest's step may take an SLB miss (a synchronous interrupt, which NOIRQ rightly leaves
  alone), and the path check would need a model of the SLB;
  a hardware write watchpoint on jiffies_64 (the timer's increment), continue;
  deletes everything and detaches: the guest boots on to /init, runs a command and powers off.
All of it twice: on power10 (a radix guest) and on power8 (a hash guest: gdb's reads of effective
addresses translate through the SLB that the register sync copies from the core into QEMU's env, and the
core's HPT). Every expected value comes from the vmlinux file: symbols and localentry offsets (readelf), instruction
words and the banner from its PT_LOAD segments.
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

n = 0
failed = 0


def result_(ok, name):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}", flush=True)
    failed += 0 if ok else 1


class Vmlinux:
    """Symbols (with the ELFv2 localentry offset) and bytes at virtual addresses of a little-endian ELF64."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64")
        phoff, = struct.unpack_from("<Q", d, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
        self.loads = []
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", d, phoff + i * phentsize)
            if p_type == 1:
                self.loads.append((p_vaddr, p_offset, p_filesz))
        self.syms = {}
        out = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+\w+\s+\w+\s+(?:\[<localentry>: (\d+)\]\s+)?\S+\s+(\S+)$",
                         line)
            if m:
                self.syms.setdefault(m.group(5), (int(m.group(1), 16), int(m.group(2)), int(m.group(4) or 0)))

    def addr(self, name):
        return self.syms[name][0]

    def local_entry(self, name):
        value, _, local = self.syms[name]
        return value + local

    def read(self, vaddr, size):
        for base, off, filesz in self.loads:
            if base <= vaddr and vaddr + size <= base + filesz:
                return self.data[off + vaddr - base:off + vaddr - base + size]
        raise ValueError(f"{vaddr:#x} is not in the file")

    def word(self, vaddr):
        return struct.unpack("<I", self.read(vaddr, 4))[0]


def sext(v, bits):
    return v - (1 << bits) if v & (1 << (bits - 1)) else v


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MSR_SF, MSR_HV, MSR_EE, MSR_IR, MSR_DR, MSR_RI, MSR_LE = 1 << 63, 1 << 60, 1 << 15, 1 << 5, 1 << 4, 1 << 1, 1


# Interrupt vectors of a radix Linux guest: real-mode (0..0x1000) and, with LPCR[AIL]=3, the relocated
# ones at 0xc000000000004000 (scv's at 0xc000000000003000).
def in_vector(pc):
    return pc < 0x1000 or 0xc000000000003000 <= pc < 0xc000000000005000


LARX_XO = (20, 52, 84, 116, 276)   # lwarx lbarx ldarx lharx lqarx


def step_ok(pc0, w, lr, ctr, pc1):
    """Whether a step of the word w at pc0 (LR and CTR before it) may land at pc1 without an interrupt."""
    po, xo = w >> 26, (w >> 1) & 0x3ff
    aa = w & 2
    if po == 18:                                        # b/bl
        return pc1 == (sext(w & 0x03fffffc, 26) if aa else pc0 + sext(w & 0x03fffffc, 26)) & (2**64 - 1)
    if po == 16:                                        # bc
        target = sext(w & 0xfffc, 16) if aa else pc0 + sext(w & 0xfffc, 16)
        return pc1 in (pc0 + 4, target & (2**64 - 1))
    if po == 19 and xo == 16:                           # bclr
        return pc1 in (pc0 + 4, lr & ~3)
    if po == 19 and xo == 528:                          # bcctr
        return pc1 in (pc0 + 4, ctr & ~3)
    if po == 19 and xo in (18, 274, 560, 82):           # rfid hrfid bctar rfscv: a register gdb has not
        return not in_vector(pc1)
    if po == 1:                                         # prefixed
        return pc1 == pc0 + 8
    if po == 31 and xo in LARX_XO:
        # gdb steps a larx/stcx. sequence as one (a breakpoint after the stcx., ppc_deal_with_atomic_sequence).
        return pc0 < pc1 <= pc0 + 0x100
    return pc1 == pc0 + 4                               # everything else, sc (a hypercall) included


def step_rows(out, tag):
    """The (pc, word, lr, ctr, msr, pc after) of each step the gdb script logged with tag."""
    return [tuple(int(x, 16) for x in m.groups())
            for m in re.finditer(rf"^@@{tag} ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)$",
                                 out, re.M)]


def session(cpu, qemu, guests, gdb, vml, start, kinit, jiffies, banner_addr, banner, init_stack, toc, i0,
            bl_target, steps, sleeper):
    """One QEMU with CPU under gdb: every check, each named with the CPU."""
    def result(ok, name):
        return result_(ok, f"{cpu}: {name}")

    # One stepi in a gdb loop, printing "@@TAG pc word lr ctr msr" from before it and where it ended ($p1).
    def logged_step(tag):
        return f"""  set $p0 = (unsigned long)$pc
  set $w0 = *(unsigned int *)$pc
  set $lr0 = (unsigned long)$lr
  set $ctr0 = (unsigned long)$ctr
  set $msr0 = (unsigned long)$msr
  stepi
  set $n = $n + 1
  set $p1 = (unsigned long)$pc
  printf "@@{tag} %lx %x %lx %lx %lx %lx\\n", $p0, $w0, $lr0, $ctr0, $msr0, $p1
"""

    step_script = f"""maintenance packet qqemu.sstepbits
maintenance packet qqemu.sstep
set $n = 0
while $n < 300
{logged_step("s")}end
hbreak *{sleeper:#x}
continue
delete
maintenance packet qqemu.sstep=0x1
set $n = 0
set $hit = 0
while $n < 2000 && !$hit
{logged_step("t")}  if ($p1 < 0x1000 || ($p1 >= 0xc000000000003000 && $p1 < 0xc000000000005000))
    set $hit = 1
  end
end
maintenance packet qqemu.sstep=0x7
"""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        console = os.path.join(tmp, "console.log")
        script = os.path.join(tmp, "script.gdb")
        with open(script, "w") as f:
            f.write(f"""set pagination off
set confirm off
set height 0
set width 0
target remote 127.0.0.1:{port}
hbreak *{start:#x}
continue
printf "@@pc=%lx\\n", $pc
printf "@@r1=%lx\\n", $r1
printf "@@r2=%lx\\n", $r2
printf "@@msr=%lx\\n", $msr
printf "@@insn=%x\\n", *(unsigned int *){start:#x}
printf "@@banner=%s\\n", (char *){banner_addr:#x}
echo @@info-registers-begin\\n
info registers
echo @@info-registers-end\\n
stepi
printf "@@step1=%lx\\n", $pc
stepi
printf "@@step2=%lx lr=%lx\\n", $pc, $lr
delete
break *{kinit:#x}
continue
printf "@@swbp=%lx\\n", $pc
printf "@@swbp-word=%x\\n", *(unsigned int *){kinit:#x}
delete
{step_script if steps else ""}watch *(unsigned long *){jiffies:#x}
continue
printf "@@watch-pc=%lx\\n", $pc
printf "@@watch-value=%lx\\n", *(unsigned long *){jiffies:#x}
delete
detach
printf "@@detached\\n"
""")
        cmd = [qemu, "-M", "pseries,x-vof=on", "-accel", "phv", "-cpu", cpu, "-smp", "1", "-m", "1G",
               "-display", "none", "-monitor", "none", "-serial", f"file:{console}",
               "-kernel", guests + "/vmlinux", "-initrd", guests + "/initramfs.cpio.gz",
               "-append", 'console=hvc0 phv.cmd="echo gdb-$((6*7))"',
               "-gdb", f"tcp:127.0.0.1:{port}", "-S"]
        qemu_proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        try:
            # The gdbstub listens once QEMU is initialised; gdb fails rather than waits on a closed port.
            deadline = time.time() + 60
            while time.time() < deadline and qemu_proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            # The probe connection above was the gdbstub's one client until it closed; gdb takes its place.
            try:
                g_out = subprocess.run([gdb, "-nx", "-batch", "-x", script, guests + "/vmlinux"],
                                       capture_output=True, text=True, timeout=240)
                out = g_out.stdout + g_out.stderr
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
                out += "\n(gdb timed out)"
            try:
                q_out, _ = qemu_proc.communicate(timeout=120)   # the guest powers off after detach
            except subprocess.TimeoutExpired:
                qemu_proc.kill()
                q_out, _ = qemu_proc.communicate()
        finally:
            if qemu_proc.poll() is None:
                qemu_proc.kill()
                qemu_proc.wait()
        log = open(console, errors="replace").read() if os.path.exists(console) else ""

    vals = dict(re.findall(r"^@@([\w-]+)=(.*)$", out, re.M))

    def hexval(key):
        try:
            return int(vals[key].split()[0], 16)
        except (KeyError, ValueError, IndexError):
            return None

    pc = hexval("pc")
    result(pc == start, f"hardware breakpoint: stops at start_kernel's local entry {start:#x} (pc {vals.get('pc')})")
    r1 = hexval("r1")
    result(r1 is not None and init_stack < r1 < init_stack + 0x10000,
           f"r1 is in the init stack at {init_stack:#x} (r1 {vals.get('r1')})")
    result(hexval("r2") == toc, f"r2 is the kernel's TOC {toc:#x} (r2 {vals.get('r2')})")
    msr = hexval("msr")
    want = MSR_SF | MSR_IR | MSR_DR | MSR_RI | MSR_LE
    result(msr is not None and msr & want == want and not msr & (MSR_HV | MSR_EE),
           f"msr: 64-bit, translation on, little-endian, no HV, interrupts off (msr {vals.get('msr')})")
    result(hexval("insn") == i0, f"memory: the word at pc is vmlinux's {i0:#010x} (read {vals.get('insn')})")
    result(vals.get("banner") == banner.rstrip("\n"),
           f"memory: linux_banner reads {banner.strip()[:40]!r}... (read {vals.get('banner', '')[:40]!r})")
    regs = out.split("@@info-registers-begin", 1)[-1].split("@@info-registers-end", 1)[0]
    have = {m.group(1): int(m.group(2), 16) for m in re.finditer(r"^(\w+)\s+(0x[0-9a-f]+)", regs, re.M)}
    result(have.get("pc") == start and have.get("r2") == toc and "msr" in have and "lr" in have and "r31" in have,
           "info registers lists r0-r31, pc, msr and lr with the same values")
    result(hexval("step1") == start + 4, f"stepi: {start:#x} -> {start + 4:#x} (pc {vals.get('step1')})")
    step2 = vals.get("step2", "")
    m = re.match(r"([0-9a-f]+) lr=([0-9a-f]+)", step2)
    result(m is not None and int(m.group(1), 16) == bl_target and int(m.group(2), 16) == start + 8,
           f"stepi over bl: pc {bl_target:#x}, lr {start + 8:#x} ({step2})")
    result(hexval("swbp") == kinit, f"software breakpoint: stops at kernel_init {kinit:#x} (pc {vals.get('swbp')})")
    result(hexval("swbp-word") == vml.word(kinit),
           f"the breakpoint word is gone again: kernel_init reads vmlinux's {vml.word(kinit):#010x} "
           f"(read {vals.get('swbp-word')})")
    if steps:
        bits = re.search(r'received: "(ENABLE=[^"]*)"', out)
        result(bits is not None and "NOIRQ=2" in bits.group(1) and "NOTIMER=4" in bits.group(1),
               f"the gdbstub offers NOIRQ and NOTIMER ({bits.group(1) if bits else 'no answer'})")
        flags = re.search(r'sending: "?qqemu\.sstep"?\s+received: "([^"]*)"', out)
        result(flags is not None and flags.group(1) == "0x7",
               f"gdb's step flags are QEMU's default ENABLE|NOIRQ|NOTIMER ({flags.group(1) if flags else 'none'})")
        rows = step_rows(out, "s")
        bad = [r for r in rows if not step_ok(r[0], r[1], r[2], r[3], r[5])]
        ee = sum(1 for r in rows if r[4] & MSR_EE)
        result(len(rows) == 300 and not bad and not any(in_vector(r[5]) for r in rows),
               f"300 steps with NOIRQ: each on the next instruction or its branch's target, none in a vector "
               f"({len(rows)} steps, {ee} with MSR[EE]=1"
               + (f"; first bad: {bad[0][0]:#x} word {bad[0][1]:#010x} -> {bad[0][5]:#x}" if bad else "") + ")")
        result(ee >= 50, f"many of those steps ran with MSR[EE]=1 ({ee} of {len(rows)})")
        rows = step_rows(out, "t")
        first = next((i for i, r in enumerate(rows) if not step_ok(r[0], r[1], r[2], r[3], r[5])), None)
        ok = first is not None and in_vector(rows[first][5]) and first == len(rows) - 1
        result(ok, "with qqemu.sstep=0x1 (no NOIRQ), stepping from mutex_lock (process context: MSR[EE]=1) a "
               "step enters an interrupt vector "
               + (f"(step {first + 1} of {len(rows)}: {rows[first][0]:#x} word {rows[first][1]:#010x} -> "
                  f"{rows[first][5]:#x})" if first is not None else
                  f"(none in {len(rows)} steps, {sum(1 for r in rows if r[4] & MSR_EE)} with MSR[EE]=1)"))
        result(re.search(r'sending: "?qqemu\.sstep=0x1"?\s+received: "OK"', out) is not None and
               re.search(r'sending: "?qqemu\.sstep=0x7"?\s+received: "OK"', out) is not None,
               "the gdbstub accepts the flags 0x1 and back 0x7")
    wm = re.search(r"Hardware watchpoint \d+: \*\(unsigned long \*\)\S+\s+Old value = (\d+)\s+New value = (\d+)", out)
    result(wm is not None and int(wm.group(2)) > int(wm.group(1)),
           "hardware watchpoint: jiffies_64 is written, gdb sees the old and the new value"
           + (f" ({wm.group(1)} -> {wm.group(2)})" if wm else ""))
    wpc = hexval("watch-pc")
    text = (vml.addr("_stext"), vml.addr("_etext")) if "_stext" in vml.syms and "_etext" in vml.syms else (0, 0)
    result(wpc is not None and text[0] <= wpc < text[1], f"the watchpoint stops in kernel text (pc {vals.get('watch-pc')})")
    result("@@detached" in out, "gdb deletes the breakpoints and detaches")
    result("@@PHV-CMD-END@@ status=0" in log and "gdb-42" in log,
           "the guest boots on to /init and runs its command")
    result(qemu_proc.returncode == 0 and "reboot: Power down" in log,
           f"the guest powers off and QEMU exits with status 0 ({qemu_proc.returncode})")
    bad = [w for w in ("Oops", "Kernel panic", "BUG:", "phv:") if w in log or w in (q_out or "")]
    result(not bad, f"no oops, panic or phv error ({', '.join(bad) or 'none'})")
    if failed:
        sys.stderr.write("--- gdb\n" + out[-6000:] + "\n--- qemu\n" + (q_out or "")[-2000:] +
                         "\n--- console\n" + log[-3000:] + "\n")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    qemu = sys.argv[1]
    guests = os.path.join(os.environ.get("PHV_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "phv"), "guests")
    if not os.access(qemu, os.X_OK):
        print(f"1..0 # SKIP {qemu} not built (./phv build makes it)")
        return 0
    if not os.path.isfile(guests + "/vmlinux") or not os.path.isfile(guests + "/initramfs.cpio.gz"):
        print(f"1..0 # SKIP no guest kernel or initramfs in {guests} (./phv setup makes them)")
        return 0
    gdb = shutil.which("gdb-multiarch")
    if not gdb:
        print("not ok 1 - gdb-multiarch is installed (./phv setup installs it)")
        print("1..1")
        return 1

    vml = Vmlinux(guests + "/vmlinux")
    start = vml.local_entry("start_kernel")     # start_here_common's bl start_kernel lands here
    kinit = vml.addr("kernel_init")             # a kernel thread's function pointer: the global entry
    jiffies = vml.addr("jiffies_64")
    banner_addr, banner_size, _ = vml.syms["linux_banner"]
    banner = vml.read(banner_addr, banner_size).split(b"\0")[0].decode()
    init_stack = vml.addr("init_stack")
    # start_kernel's global entry computes the TOC from r12: addis r2,r12,HI; addi r2,r2,LO.
    g = vml.addr("start_kernel")
    w0, w1 = vml.word(g), vml.word(g + 4)
    assert w0 >> 26 == 15 and w1 >> 26 == 14, "start_kernel does not open with the TOC set-up"
    toc = g + (sext(w0 & 0xffff, 16) << 16) + sext(w1 & 0xffff, 16)
    # The two instructions stepped: the first must fall through, the second must be an I-form bl.
    i0, i1 = vml.word(start), vml.word(start + 4)
    assert i0 >> 26 not in (16, 18, 19), "start_kernel's first instruction is a branch"
    assert i1 >> 26 == 18 and i1 & 3 == 1, "start_kernel's second instruction is not a bl"
    bl_target = start + 4 + sext(i1 & 0x03fffffc, 26)

    # POWER10 translates radix; POWER8 is a hash guest, whose effective addresses gdb reads through the SLB
    # the register sync copies into QEMU's env and the core's HPT.
    for cpu in ("power10", "power8"):
        session(cpu, qemu, guests, gdb, vml, start, kinit, jiffies, banner_addr, banner, init_stack, toc, i0,
                bl_target, steps=cpu == "power10", sleeper=vml.local_entry("mutex_lock"))
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
