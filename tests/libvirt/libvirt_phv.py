#!/usr/bin/env python3
"""libvirt runs a pseries guest under phv's QEMU with -accel phv: a private libvirtd (session mode, its own
runtime, config and cache directories in a temporary directory) defines the domain from phv-domain.xml.in
(Debian's kernel and the test initramfs) and virsh drives its life. Output is TAP.

    libvirt_phv.py QEMU_SYSTEM_PPC64

Checks: virsh start; the guest's console through `virsh console` (the shell answers a command); query-stats
provider phv answers (the core runs the guest, not TCG); dominfo (running, 2 vcpus); suspend (paused, and
the core's instruction count stands still) and resume (running, the shell answers again); save (the domain
shuts off) and restore (the shell answers again); shutdown (libvirt's
system_powerdown: the kernel's power-button event, the busybox init's poweroff, libvirt sees the guest shut
off); a second start and destroy. libvirtd and everything it started are stopped and the directory removed
however the test ends.

libvirt's session mode is unprivileged, and a root libvirtd is always privileged (the system instance and its
directories), so as root the daemon and virsh run as nobody, keeping only CAP_DAC_READ_SEARCH so that QEMU,
the kernel and the initramfs can stay where they are (a clone and PHV_CACHE under /root).
"""
import json
import os
import pty
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

n = 0
failed = 0
HERE = os.path.dirname(os.path.abspath(__file__))


def result(ok, name):
    global n, failed
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}", flush=True)
    failed += 0 if ok else 1
    return ok


class Session:
    """A private libvirtd in session mode and virsh connected to it."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.run_dir = os.path.join(tmp, "run")
        self.env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": os.path.join(tmp, "home"),
            "XDG_RUNTIME_DIR": self.run_dir,
            "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
            "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
            "XDG_DATA_HOME": os.path.join(tmp, "home", ".local", "share"),
            "LC_ALL": "C",
        }
        for d in ("home", "config/libvirt", "cache"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        os.makedirs(self.run_dir, mode=0o700, exist_ok=True)
        # stdio_handler "file": QEMU's output goes to the log file directly, no virtlogd to start and stop.
        # clear_emulator_capabilities 0: QEMU keeps the read-anywhere capability the daemon runs with as root.
        with open(os.path.join(tmp, "config", "libvirt", "qemu.conf"), "w") as f:
            f.write('stdio_handler = "file"\nclear_emulator_capabilities = 0\n')
        self.prefix = []
        if os.geteuid() == 0:
            self.prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
            for root, dirs, files in os.walk(tmp):
                for x in dirs + files:
                    os.lchown(os.path.join(root, x), 65534, 65534)
            os.chown(tmp, 65534, 65534)
        self.daemon = None

    def start_daemon(self):
        self.log = open(os.path.join(self.tmp, "libvirtd.log"), "w")
        self.daemon = subprocess.Popen(self.prefix + ["libvirtd"], env=self.env, stdin=subprocess.DEVNULL,
                                       stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        sock = os.path.join(self.run_dir, "libvirt", "libvirt-sock")
        deadline = time.time() + 30
        while time.time() < deadline and self.daemon.poll() is None:
            if os.path.exists(sock):
                return True
            time.sleep(0.2)
        return False

    def virsh(self, *args, timeout=60):
        try:
            p = subprocess.run(self.prefix + ["virsh", "-c", "qemu:///session", *args], env=self.env,
                               capture_output=True, text=True, timeout=timeout)
            return p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired:
            return -1, f"virsh {' '.join(args)}: timed out"

    def console(self, name):
        return Console(self.prefix + ["virsh", "-c", "qemu:///session", "console", name, "--force"], self.env)

    def stop(self):
        """Every QEMU this daemon started (by their pid files), then the daemon; nothing else."""
        qemu_run = os.path.join(self.run_dir, "libvirt", "qemu", "run")
        pids = []
        if os.path.isdir(qemu_run):
            for f in os.listdir(qemu_run):
                if f.endswith(".pid"):
                    try:
                        pids.append(int(open(os.path.join(qemu_run, f)).read().strip()))
                    except (OSError, ValueError):
                        pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()


class Console:
    """`virsh console` on a pseudo-terminal of its own (virsh wants a controlling terminal)."""

    def __init__(self, argv, env):
        self.out = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)

    def attached(self, timeout=30):
        """virsh is on the console. It makes the terminal raw (flushing what was typed) only after this line,
        so what is typed right after it may still be lost: shell_answers() types until it is answered."""
        return self.expect(rb"Escape character is[^\n]*\n", timeout) is not None

    def expect(self, pattern, timeout):
        """Reads until pattern (bytes regex) appears in what came after the last match; the match or None."""
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        while True:
            m = rx.search(self.out)
            if m:
                self.out = self.out[m.end():]
                return m
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    return None
                self.out += data
                self.seen = getattr(self, "seen", b"") + data

    def send(self, text):
        os.write(self.fd, text.encode())

    def close(self):
        try:
            os.write(self.fd, b"\x1d")      # virsh console's escape, Ctrl-]
        except OSError:
            pass
        deadline = time.time() + 5
        while time.time() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def dominfo(session, name):
    _, out = session.virsh("dominfo", name)
    return dict(re.findall(r"^([^:\n]+):\s*(.*)$", out, re.M)), out


def wait_state(session, name, state, timeout):
    deadline = time.time() + timeout
    while True:
        _, out = session.virsh("domstate", name)
        if out.strip() == state or time.time() > deadline:
            return out.strip()
        time.sleep(0.5)


def phv_insns(session, name):
    """The core's executed-instruction count for the VM (query-stats, provider phv), or None."""
    cmd = {"execute": "query-stats", "arguments": {"target": "vm", "providers": [{"provider": "phv"}]}}
    code, out = session.virsh("qemu-monitor-command", name, json.dumps(cmd))
    if code != 0:
        return None
    try:
        for prov in json.loads(out)["return"]:
            for s in prov["stats"]:
                if s["name"] == "sum_insns_executed" or s["name"] == "insns_executed":
                    return s["value"]
    except (ValueError, KeyError, TypeError):
        return None
    return None


def explain_silence(session, name, con):
    """What the guest was doing when its shell did not answer: the console's last bytes, each vcpu's NIP and
    whether the core still executes, on stderr (the TAP stream stays one line per case)."""
    a = phv_insns(session, name)
    time.sleep(1)
    b = phv_insns(session, name)
    _, cpus = session.virsh("qemu-monitor-command", name, "--hmp", "info cpus")
    _, irq = session.virsh("qemu-monitor-command", name, "--hmp", "info pic")
    seen = getattr(con, "seen", b"")[-1500:].decode(errors="replace")
    sys.stderr.write(f"--- the shell did not answer: the core executed {a} then {b} instructions a second later\n"
                     f"{cpus.strip()}\n--- info pic\n{irq.strip()[-2500:]}\n--- console (last bytes)\n{seen}\n")


def shell_answers(con, token, timeout=60):
    """The guest's shell runs a command typed on the console: an arithmetic the console itself cannot echo.

    The command is typed again every few seconds until the answer comes: virsh prints "Escape character is"
    before it makes the terminal raw with TCSAFLUSH, which drops what was typed in between (seen after a
    restore: the line echoed in cooked mode and never reached the guest), and nothing virsh prints tells
    when that is done. A repeated command only prints the same answer again."""
    a, b = int(token[:4], 16), int(token[4:8], 16)
    deadline = time.time() + timeout
    while True:
        con.send(f"\recho {token}-$(({a}+{b}))\r")
        left = deadline - time.time()
        if con.expect(rf"{token}-{a + b}\b".encode(), min(5, max(left, 0))) is not None:
            return True
        if left <= 5:
            return False


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    qemu = os.path.abspath(sys.argv[1])
    guests = os.path.join(os.environ.get("PHV_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "phv"), "guests")
    if not os.access(qemu, os.X_OK):
        print(f"1..0 # SKIP {qemu} not built (./phv build makes it)")
        return 0
    if not os.path.isfile(guests + "/vmlinux") or not os.path.isfile(guests + "/initramfs.cpio.gz"):
        print(f"1..0 # SKIP no guest kernel or initramfs in {guests} (./phv setup makes them)")
        return 0
    missing = [t for t in ("libvirtd", "virsh", "setpriv") if not shutil.which(t)]
    if missing:
        print(f"not ok 1 - {', '.join(missing)} installed (./phv setup installs libvirt)")
        print("1..1")
        return 1

    name = "phv-" + secrets.token_hex(4)
    tmp = tempfile.mkdtemp(prefix="phv-libvirt-")
    os.chmod(tmp, 0o755)
    session = Session(tmp)
    try:
        wrapper = os.path.join(tmp, "libvirt-phv-qemu")
        with open(os.path.join(HERE, "libvirt-phv-qemu.in")) as f:
            text = f.read().replace("@QEMU@", qemu)
        with open(wrapper, "w") as f:
            f.write(text)
        os.chmod(wrapper, 0o755)
        xml = os.path.join(tmp, "domain.xml")
        with open(os.path.join(HERE, "phv-domain.xml.in")) as f:
            text = f.read()
        for k, v in (("@NAME@", name), ("@EMULATOR@", wrapper), ("@KERNEL@", guests + "/vmlinux"),
                     ("@INITRD@", guests + "/initramfs.cpio.gz")):
            text = text.replace(k, v)
        with open(xml, "w") as f:
            f.write(text)
        if os.geteuid() == 0:
            os.chown(wrapper, 65534, 65534)
            os.chown(xml, 65534, 65534)
        run_checks(session, name, xml, tmp)
    finally:
        session.stop()
        log = os.path.join(tmp, "cache", "libvirt", "qemu", "log", name + ".log")
        if failed and os.path.exists(log):
            sys.stderr.write("--- QEMU log\n" + open(log, errors="replace").read()[-4000:] + "\n")
        if failed and os.path.exists(os.path.join(tmp, "libvirtd.log")):
            sys.stderr.write("--- libvirtd\n" + open(os.path.join(tmp, "libvirtd.log")).read()[-3000:] + "\n")
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    return 1 if failed else 0


def run_checks(session, name, xml, tmp):
    if not result(session.start_daemon(), "a private libvirtd (session mode) listens"):
        return
    code, out = session.virsh("define", xml)
    if not result(code == 0, f"virsh define ({out.strip()[:120]})"):
        return
    code, out = session.virsh("start", name, timeout=120)
    if not result(code == 0, f"virsh start ({out.strip()[:120]})"):
        return
    log = open(os.path.join(tmp, "cache", "libvirt", "qemu", "log", name + ".log"), errors="replace").read()
    result(re.search(r"^-accel phv", log, re.M) is not None and re.search(r"^-accel tcg", log, re.M) is not None,
           "libvirt passes its -accel tcg and the domain's -accel phv (the wrapper drops tcg; query-stats below shows phv runs)")
    con = session.console(name)
    try:
        result(con.attached(), "virsh console attaches")
        booted = con.expect(rb"Run /init as init process", 120) is not None
        result(booted, "virsh console: the kernel boots to /init")
        prompt = con.expect(rb"/ # ", 60) is not None
        result(prompt and shell_answers(con, secrets.token_hex(4)), "virsh console: the guest's shell answers")
        insns = phv_insns(session, name)
        result(insns is not None and insns > 0,
               f"query-stats provider phv counts the guest's instructions: the core runs it ({insns})")
        info, out = dominfo(session, name)
        result(info.get("State") == "running" and info.get("CPU(s)") == "2",
               f"dominfo: running, 2 vcpus (State {info.get('State')!r}, CPU(s) {info.get('CPU(s)')!r})")

        code, out = session.virsh("suspend", name)
        info, _ = dominfo(session, name)
        a = phv_insns(session, name)
        time.sleep(1)
        b = phv_insns(session, name)
        result(code == 0 and info.get("State") == "paused" and a is not None and a == b,
               f"suspend: paused, the core runs nothing ({info.get('State')!r}, {a} then {b} instructions)")
        code, out = session.virsh("resume", name)
        info, _ = dominfo(session, name)
        result(code == 0 and info.get("State") == "running" and shell_answers(con, secrets.token_hex(4)),
               f"resume: running and the shell answers ({info.get('State')!r})")

        save = os.path.join(tmp, "saved.img")
        code, out = session.virsh("save", name, save, timeout=120)
        saved = code == 0 and wait_state(session, name, "shut off", 10) == "shut off"
        result(saved, f"save: the domain is saved and shut off ({out.strip()[:100]})")
        if saved:
            con.close()
            code, out = session.virsh("restore", save, timeout=120)
            info, _ = dominfo(session, name)
            con = session.console(name)
            running = code == 0 and info.get("State") == "running"
            attached = running and con.attached()
            answers = attached and shell_answers(con, secrets.token_hex(4))
            if running and not answers:
                explain_silence(session, name, con)
            result(answers, f"restore: running and the shell answers ({info.get('State')!r}, console attached "
                            f"{attached}; {out.strip()[:100]})")
        else:
            result(False, "restore: nothing was saved")

        code, out = session.virsh("shutdown", name)
        down = con.expect(rb"reboot: Power down", 60) is not None
        state = wait_state(session, name, "shut off", 30)
        result(code == 0 and down and state == "shut off",
               f"shutdown: the guest powers itself off (power button, init's poweroff) and is shut off ({state!r})")
    finally:
        con.close()

    code, out = session.virsh("start", name, timeout=120)
    code2, out2 = session.virsh("destroy", name)
    state = wait_state(session, name, "shut off", 10)
    result(code == 0 and code2 == 0 and state == "shut off", f"start again, then destroy: shut off ({state!r})")
    code, out = session.virsh("undefine", name)
    result(code == 0, "undefine")


if __name__ == "__main__":
    sys.exit(main())
