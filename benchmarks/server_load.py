"""Server throughput and latency under a real load generator (wrk from Debian's packages, or locust
headless) against uvicorn on 127.0.0.1 with 1 and 2 workers, beside the framework's floor (a no-op
route of the same app) in one run.

For each worker count a fresh server (`bench_app.py`: the app plus `POST /bench/noop`, started by
`serve.runner` as `triage serve` starts it; a new SQLite file in a temp dir; `TRIAGE_API_KEYS` set,
`Authorization: Bearer bench-agent-key` on every request) gets, one after the other, a closed-loop
run per endpoint: `POST /bench/noop` (floor),
`POST /v1/replies/check` (drafts of 200–1,000 characters cut from data/replies/test.jsonl) and
`POST /v1/tickets` (texts of 100–800 characters cut from data/tickets/test.jsonl, no external_id:
every request scores and stores). Before the runs one client sends `--warm-requests` new tickets
and drafts (a running server's per-word caches are warm). Then each run has `--warmup` seconds not
counted: wrk runs twice (a warm-up run, then the measured one, each with its own bodies, written to
a file beforehand: one new text per request); with locust, requests that start in the first seconds
are dropped.
Server CPU is read from /proc (user + system of the worker processes); the load generator's
from the children's rusage. wrk is a C program (`make bench` installs Debian's `wrk`): it takes a
tenth of the CPU locust takes for the same load, which matters when both share two cores. Locust is
in the `dev` extra (`pip install -e '.[dev]'`).

    .venv/bin/python benchmarks/server_load.py [--generator wrk|locust] [--workers 1 2] [--users 16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from serverkit import AGENT_KEY, DRAFT_CHARS, ROOT, TICKET_CHARS, Server, cut, load_texts, machine, models_version

ENDPOINTS = (
    ("NoopUser", "POST /bench/noop (floor)"),
    ("CheckUser", "POST /v1/replies/check"),
    ("TicketUser", "POST /v1/tickets"),
)
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    server_cpu_ms: float
    """Server CPU (all workers, user + system) per counted request, ms."""
    client_cpu: float
    """Load generator CPU seconds per wall second (1.0 = one core)."""
    repeated: int
    """Requests that reused a body already sent in the run (wrk only: more requests than bodies)."""
    other_cpu: float
    """CPU of everything else on the machine (other jobs) per wall second."""
    split: str
    """Each worker's share of the server CPU, % (how evenly the kept-alive connections landed)."""


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all of /proc/stat's `cpu` line but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


class Meter:
    """CPU of the server's workers, of the load generator (this process's children) and of the rest of
    the machine, between `start()` and `stop()`."""

    def __init__(self, server: Server) -> None:
        self.pids = server.worker_pids()

    def start(self) -> None:
        self.per_worker = [cpu_seconds([p]) for p in self.pids]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.client = usage.ru_utime + usage.ru_stime
        self.busy, self.wall = machine_busy_seconds(), time.perf_counter()

    def stop(self) -> None:
        self.per_worker = [cpu_seconds([p]) - b for p, b in zip(self.pids, self.per_worker, strict=True)]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.client = usage.ru_utime + usage.ru_stime - self.client
        self.busy, self.wall = machine_busy_seconds() - self.busy, time.perf_counter() - self.wall

    @property
    def server(self) -> float:
        return sum(self.per_worker)

    @property
    def other_cpu(self) -> float:
        return max(0.0, self.busy - self.server - self.client) / self.wall

    @property
    def split(self) -> str:
        return "/".join(f"{100 * c / self.server:.0f}" for c in self.per_worker) if len(self.pids) > 1 else ""


def run_locust(server: Server, user: str, args: argparse.Namespace, out: Path) -> Result:
    out.mkdir(parents=True)
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless"]
    command += ["-H", server.host, "-u", str(args.users), "-r", str(args.users * 100)]
    command += ["-t", f"{args.warmup + args.seconds}s", "--stop-timeout", "10", "--only-summary"]
    command += ["--loglevel", "WARNING", "--exit-code-on-error", "0"]
    if args.locust_processes > 1:
        command += ["--processes", str(args.locust_processes)]
    command.append(user)
    meter = Meter(server)
    meter.start()
    with open(out / "locust.log", "wb") as log:
        subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_OUT": str(out)}, stdout=log, stderr=log, check=True)
    meter.stop()
    records = [json.loads(line) for f in sorted(out.glob("requests-*.jsonl")) for line in f.read_text().splitlines()]
    if not records:
        raise RuntimeError(f"locust recorded no request; see {out / 'locust.log'}")
    ends = np.array([r[0] for r in records])
    latency = np.array([r[1] for r in records])
    ok = np.array([r[2] for r in records], dtype=bool)
    start, stop = ends.min() + args.warmup, ends.max()
    counted = ends - latency / 1000 >= start  # started after the warm-up
    p50, p95, p99 = np.percentile(latency[counted & ok], [50, 95, 99])
    return Result(
        rps=int(counted.sum()) / (stop - start),
        p50=p50,
        p95=p95,
        p99=p99,
        requests=len(records),
        errors=int((~ok).sum()),
        server_cpu_ms=meter.server * 1000 / len(records),
        client_cpu=meter.client / (ends.max() - ends.min()),
        repeated=0,
        other_cpu=meter.other_cpu,
        split=meter.split,
    )


WRK_PATHS = {"NoopUser": "/bench/noop", "CheckUser": "/v1/replies/check", "TicketUser": "/v1/tickets"}


def write_bodies(path: Path, user: str, count: int, rng: random.Random) -> None:
    """`count` JSON bodies, one per line, each a new text: what the locust user of the same name sends."""
    task, size = ("tickets", TICKET_CHARS) if user == "TicketUser" else ("replies", DRAFT_CHARS)
    texts = load_texts(task)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(count):
            f.write(json.dumps({"text": cut(texts, rng, *size)}, ensure_ascii=False) + "\n")


def wrk(server: Server, user: str, bodies: Path, seconds: int, args: argparse.Namespace) -> dict[str, int]:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.users), "-d", f"{seconds}s", "--timeout", "30s"]
    command += ["-s", str(ROOT / "benchmarks" / "wrk_post.lua"), server.host]
    command += ["--", WRK_PATHS[user], str(bodies), AGENT_KEY, str(args.threads)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_wrk(server: Server, user: str, args: argparse.Namespace, out: Path) -> Result:
    out.mkdir(parents=True)
    rng = random.Random(f"{user}-{server.workers}")
    warm_bodies, bodies = out / "warm.jsonl", out / "bodies.jsonl"
    write_bodies(warm_bodies, user, args.bodies // 4, rng)
    write_bodies(bodies, user, args.bodies, rng)
    wrk(server, user, warm_bodies, args.warmup, args)
    meter = Meter(server)
    meter.start()
    r = wrk(server, user, bodies, args.seconds, args)
    meter.stop()
    wall = r["duration_us"] / 1e6
    errors = sum(r[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Result(
        rps=r["requests"] / wall,
        p50=r["p50_us"] / 1000,
        p95=r["p95_us"] / 1000,
        p99=r["p99_us"] / 1000,
        requests=r["requests"],
        errors=errors,
        server_cpu_ms=meter.server * 1000 / r["requests"],
        client_cpu=meter.client / wall,
        repeated=max(0, r["requests"] - args.bodies),
        other_cpu=meter.other_cpu,
        split=meter.split,
    )


def warm(server: Server, count: int) -> None:
    """A running server has seen traffic: one client sends `count` new tickets and drafts first."""
    rng = random.Random(1)
    tickets, replies = load_texts("tickets"), load_texts("replies")
    for _ in range(count):
        for path, body in (
            ("/v1/tickets", {"text": cut(tickets, rng, *TICKET_CHARS)}),
            ("/v1/replies/check", {"text": cut(replies, rng, *DRAFT_CHARS)}),
        ):
            status, data = server.request("POST", path, body)
            if status >= 300:
                raise RuntimeError(f"warm-up {path}: {status} {data[:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--generator", choices=("wrk", "locust"), default="wrk")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, default=16, help="concurrent connections (closed loop, no wait)")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measured run")
    parser.add_argument("--warm-requests", type=int, default=200, help="tickets and drafts sent first, one by one")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--bodies", type=int, default=40_000, help="wrk: bodies written per run (one per request)")
    parser.add_argument("--locust-processes", type=int, default=1, help="locust processes (>1: --processes N)")
    parser.add_argument("--loop", choices=("auto", "asyncio", "uvloop"), default="auto", help="uvicorn's event loop")
    parser.add_argument("--http", choices=("auto", "h11", "httptools"), default="auto", help="uvicorn's HTTP parser")
    args = parser.parse_args()
    if args.generator == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed: `make bench` installs Debian's wrk (or: apt-get install wrk)")
    models_dir = args.models_dir.resolve()
    run = run_wrk if args.generator == "wrk" else run_locust
    print(machine())
    print(f"models: {models_version(models_dir)}")
    generator = (
        f"wrk, {args.threads} thread(s)" if args.generator == "wrk" else f"locust, {args.locust_processes} process(es)"
    )
    print(
        f"{generator}, {args.users} connections, no wait; {args.seconds} s measured after {args.warmup} s warm-up "
        f"per endpoint; {server_stack(args.loop, args.http)}, access log off"
    )
    header = (
        f"{'workers':>7} | {'endpoint':<26} | {'req/s':>7} | {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} | "
        f"{'errors':>6} / {'requests':<8} | {'vs floor':>8} | {'server CPU/req':>14} | "
        f"{'client':>6} {'others':>6} | split %"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for workers in args.workers:
            workdir = Path(tmp) / f"workers-{workers}"
            with Server(workdir, models_dir, workers, (args.loop, args.http)) as server:
                server.wait()
                warm(server, args.warm_requests)
                floor = None
                for user, label in ENDPOINTS:
                    r = run(server, user, args, workdir / user)
                    floor = floor or r.rps
                    print(
                        f"{workers:>7} | {label:<26} | {r.rps:>7.1f} | "
                        f"{r.p50:>7.1f} {r.p95:>7.1f} {r.p99:>7.1f} | "
                        f"{r.errors:>6} / {r.requests:<8} | {r.rps / floor:>8.3f} | {r.server_cpu_ms:>11.2f} ms | "
                        f"{r.client_cpu:>6.2f} {r.other_cpu:>6.2f} | {r.split}"
                        + (f"  ({r.repeated} requests reused a body)" if r.repeated and user != "NoopUser" else ""),
                        flush=True,
                    )
            for line in server.incidents():
                print(f"  uvicorn ({workers} workers): {line}")
    command = "     .venv/bin/python benchmarks/server_load.py"
    if sys.argv[1:]:
        command += " " + " ".join(sys.argv[1:])
    print(
        "server CPU/req: user + system CPU of the uvicorn workers per request; client, others: cores used by "
        "the load generator and by every other process on the machine during the run (2.00 = both cores); "
        "split: each worker's share of the server CPU"
    )
    print(f"command: {command.strip()}")


def server_stack(loop: str, http: str) -> str:
    """uvicorn's version, HTTP parser and event loop ("auto": httptools and uvloop when installed)."""
    import importlib.util

    import uvicorn

    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn {uvicorn.__version__} ({http}, {loop})"


if __name__ == "__main__":
    main()
