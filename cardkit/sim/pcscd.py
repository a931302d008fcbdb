# SPDX-License-Identifier: Apache-2.0
"""Start pcscd (pcsc-lite, with the vpcd driver) when it is not running, and stop what we started.

Used by the test session, the demo and the pytest plugin: ``pcscd -f -a`` in the background,
stopped by PID. APDU logging (-a) goes to a log file the caller chooses (default: discarded),
because it contains personal data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from cardkit.errors import TransportError

SOCKET = Path("/run/pcscd/pcscd.comm")


def pcscd_running() -> bool:
    try:
        out = subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return SOCKET.exists()
    return bool(out.stdout.strip())


class Pcscd:
    """Context manager: ensure pcscd runs; stop it on exit only if we started it."""

    def __init__(self, log: str | os.PathLike | None = None) -> None:
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> Pcscd:
        if pcscd_running():
            return self
        exe = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not Path(exe).exists():
            raise TransportError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen([exe, "-f", "-a"], stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TransportError(f"pcscd exited at start (status {self.proc.returncode})")
            if SOCKET.exists():
                return self
            time.sleep(0.05)
        raise TransportError("pcscd did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> Pcscd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
