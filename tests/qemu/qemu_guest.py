"""What the suites that drive our QEMU with a Linux guest share: where ./phv keeps the guest files, the check
that makes a suite skip when QEMU or a guest is missing, and a guest whose console is read in the background
(waiting for a pattern, typing shell commands), its QEMU log, HMP and shutdown."""
import os
import re
import threading
import time


def guests_dir():
    """~/.cache/phv/guests, or where PHV_CACHE / XDG_CACHE_HOME put it (./phv setup fills it)."""
    cache = os.environ.get("PHV_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "phv")
    return os.path.join(cache, "guests")


def skip_line(qemu, pydir, needed, what):
    """The TAP plan of a skipped suite when QEMU is not built or a guest file in `needed` is missing, else None."""
    if not os.access(qemu, os.X_OK) or not os.path.isdir(pydir):
        return f"1..0 # SKIP {qemu} not built (./phv build makes it)"
    if not all(os.path.isfile(p) for p in needed):
        return f"1..0 # SKIP no {what} in {guests_dir()} (./phv setup fetches them)"
    return None


class ConsoleGuest:
    """One QEMU process (a QEMUMachine in self.vm, made by the subclass) and the console it prints on."""

    def __init__(self, vm):
        self.vm = vm
        self.vm.set_qmp_monitor(True)
        self.vm.set_console()
        self.buf = ""
        self.lock = threading.Lock()
        self.seq = 0

    def launch(self):
        self.vm.launch()
        self.sock = self.vm.console_socket
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.buf += data.decode("utf-8", "replace")

    def wait_for(self, pattern, timeout, start=0):
        """The first match of `pattern` in the console output from `start` on, or None by the timeout or once
        QEMU has gone."""
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                m = re.search(pattern, self.buf[start:], re.M)
            if m:
                return m
            if not self.vm.is_running():
                break
            time.sleep(0.05)
        return None

    def sh(self, command, timeout=60):
        """Runs a command in the guest's shell; returns its output, or None when it did not finish."""
        self.seq += 1
        # The console echoes the line as typed: the end marker is built at run time so only the output has it.
        with self.lock:
            start = len(self.buf)
        self.sock.sendall(f"{command}\necho @@END-$((0+{self.seq}))@@ status=$?\n".encode())
        m = self.wait_for(rf"^@@END-{self.seq}@@ status=(\d+)", timeout, start)
        if not m:
            return None
        with self.lock:
            return self.buf[start:start + m.start()]

    def log(self):
        with self.lock:
            return self.buf

    def qemu_log(self):
        """What QEMU printed so far (QEMUMachine hands its log out only after the shutdown)."""
        try:
            with open(self.vm._qemu_log_path, errors="replace") as f:
                return f.read()
        except (OSError, TypeError, AttributeError):
            return self.vm.get_log() or ""

    def hmp(self, command):
        return self.vm.cmd("human-monitor-command", command_line=command)

    def shutdown(self):
        try:
            self.vm.shutdown(timeout=20)
        except Exception:
            self.vm.kill()
