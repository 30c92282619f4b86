"""What the server benchmarks share: start uvicorn on 127.0.0.1 with a fresh SQLite database, find its
worker processes and their resident memory, and cut varied texts from the test splits.

Not a benchmark itself; imported by `server_load.py`, `memory_startup.py` and `locustfile.py`.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
API_KEYS = "agent:bench-agent-key,admin:bench-admin-key"
AGENT_KEY = "bench-agent-key"
HEADERS = {"Authorization": f"Bearer {AGENT_KEY}", "Content-Type": "application/json"}


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average before the run {load}"
    )


def models_version(models_dir: Path) -> str:
    from training.registry import champion_folder

    return ", ".join(f"{folder} {champion_folder(models_dir / folder).name}" for folder in ("severity", "tone"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m serve.runner bench_app:create_app` (uvicorn as `triage serve` runs it) with N workers,
    its own SQLite file in `workdir`.

    The access log is off (one log line per request would be measured too); everything else is
    the app as `triage serve` runs it (registry watcher on, the default settings). The new database
    is migrated before uvicorn starts, as `triage serve` does, so the workers' start-up (and the
    cold-start figure) does not include creating the tables.
    """

    def __init__(
        self, workdir: Path, models_dir: Path, workers: int = 1, stack: tuple[str, str] = ("auto", "auto")
    ) -> None:
        self.workdir, self.models_dir, self.workers = workdir, models_dir, workers
        self.loop, self.http = stack
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.launched = 0.0

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        from serve.store import make_engine, migrate

        self.workdir.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{self.workdir / 'triage.db'}"
        engine = make_engine(database_url)
        migrate(engine)
        engine.dispose()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
            "TRIAGE_DATABASE_URL": database_url,
            "TRIAGE_MODELS_DIR": str(self.models_dir),
            "TRIAGE_API_KEYS": API_KEYS,
            # the per-key rate limit (100/s by default) would measure itself, not the server
            "TRIAGE_RATE_LIMIT_PER_SECOND": "0",
        }
        command = [sys.executable, "-m", "serve.runner", "bench_app:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        command += ["--log-level", "warning", "--no-access-log", "--loop", self.loop, "--http", self.http]
        self.log = open(self.workdir / f"uvicorn-{self.port}.log", "wb")  # noqa: SIM115 (closed in stop)
        self.launched = time.perf_counter()
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def request(self, method: str, path: str, body: object = None, timeout: float = 30) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
            conn.request(method, path, body=data, headers=HEADERS)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait(self, method: str = "GET", path: str = "/readyz", body: object = None, timeout: float = 120) -> float:
        """Poll until `path` answers 2xx (and /readyz says ready); seconds since launch."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                status, data = self.request(method, path, body, timeout=5)
                if 200 <= status < 300 and (path != "/readyz" or json.loads(data)["status"] == "ready"):
                    return time.perf_counter() - self.launched
            except (ConnectionError, OSError, http.client.HTTPException):
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{path} did not answer within {timeout} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn itself with 1 worker, its spawned children with more."""
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        pids = []
        for child in children(self.proc.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def incidents(self) -> list[str]:
        """Log lines worth reporting: a worker killed by uvicorn's health check (no pong within 5 s), errors."""
        text = Path(self.log.name).read_text(errors="replace")
        return [line for line in text.splitlines() if any(w in line for w in ("died", "ERROR", "Traceback"))]

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def rss_mb(pid: int) -> float:
    """VmRSS of one process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def pss_mb(pid: int) -> float:
    """Proportional set size (shared pages split between the processes that map them), MiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")


def load_texts(task: str) -> list[str]:
    path = ROOT / "data" / task / "test.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cut(texts: list[str], rng: random.Random, shortest: int, longest: int) -> str:
    """A new text: a random word-aligned window of `shortest`–`longest` characters over random records
    joined end to end, so texts (and the per-text analysis cache) practically never repeat."""
    size = rng.randint(shortest, longest)
    words: list[str] = []
    first = rng.choice(texts).split()
    words += first[rng.randrange(len(first)) :]
    while sum(len(w) + 1 for w in words) < size:
        words += rng.choice(texts).split()
    out: list[str] = []
    length = 0
    for word in words:
        if length + len(word) > size and out:
            break
        out.append(word)
        length += len(word) + 1
    return " ".join(out)


DRAFT_CHARS = (200, 1000)
TICKET_CHARS = (100, 800)
