"""`triage serve --workers 2` in a subprocess, for the tests that need a real multi-worker server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.conftest import KEYS

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """`triage serve --workers 2` on a free 127.0.0.1 port, with TRIAGE_* env, in its own process group."""

    WORKERS = 2

    def __init__(self, database_url: str, models_dir: Path, log: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "TRIAGE_DATABASE_URL": database_url,
            "TRIAGE_API_KEYS": KEYS,
            "TRIAGE_RATE_LIMIT_PER_SECOND": "0",
            "TRIAGE_MODEL_POLL_SECONDS": "0",
            # the runner's shared folder for the workers lands here: a SIGKILLed server cannot remove it
            "TMPDIR": str(log.parent),
            **env,
        }
        self.models_dir = models_dir
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        command = [str(Path(sys.executable).with_name("triage")), "serve", "--models-dir", str(self.models_dir)]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(self.WORKERS)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited: {self.log.read_text()[-2000:]}"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).json().get("status") == "ready":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready within 90 s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL to the whole group: the supervisor and every worker die at once, mid-request."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):  # a worker left behind must not outlive the test
                os.killpg(self.process.pid, signal.SIGKILL)
