"""Server throughput and latency under a real load generator (locust, headless) against uvicorn on
127.0.0.1 with 1 and 2 workers, beside the framework's floor (a no-op route of the same app) in one run.

For each worker count a fresh server (`bench_app.py`: the app plus `POST /bench/noop`; a new SQLite
file in a temp dir; `TRIAGE_API_KEYS` set, `Authorization: Bearer bench-agent-key` on every request)
gets, one after the other, a closed-loop locust run per endpoint: `POST /bench/noop` (floor),
`POST /v1/replies/check` (drafts of 200–1,000 characters cut from data/replies/test.jsonl) and
`POST /v1/tickets` (texts of 100–800 characters cut from data/tickets/test.jsonl, no external_id:
every request scores and stores). Before the runs one client sends `--warm-requests` new tickets
and drafts (a running server's per-word caches are warm); requests that start in the first
`--warmup` seconds of each run are not counted.
Server CPU is read from /proc (user + system of the worker processes); the load generator's
from the children's rusage. Locust is in the `dev` extra (`pip install -e '.[dev]'`).

    .venv/bin/python benchmarks/server_load.py [--workers 1 2] [--users 16] [--seconds 20] [--locust-processes 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from serverkit import DRAFT_CHARS, ROOT, TICKET_CHARS, Server, cut, load_texts, machine, models_version

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


def run_locust(server: Server, user: str, args: argparse.Namespace, out: Path) -> Result:
    out.mkdir(parents=True)
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless"]
    command += ["-H", server.host, "-u", str(args.users), "-r", str(args.users * 100)]
    command += ["-t", f"{args.warmup + args.seconds}s", "--stop-timeout", "10", "--only-summary"]
    command += ["--loglevel", "WARNING", "--exit-code-on-error", "0"]
    if args.locust_processes > 1:
        command += ["--processes", str(args.locust_processes)]
    command.append(user)
    pids = server.worker_pids()
    per_worker_before = [cpu_seconds([p]) for p in pids]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_before = usage.ru_utime + usage.ru_stime
    busy_before, wall_before = machine_busy_seconds(), time.perf_counter()
    with open(out / "locust.log", "wb") as log:
        subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_OUT": str(out)}, stdout=log, stderr=log, check=True)
    per_worker = [cpu_seconds([p]) - b for p, b in zip(pids, per_worker_before, strict=True)]
    server_cpu = sum(per_worker)
    busy, wall_all = machine_busy_seconds() - busy_before, time.perf_counter() - wall_before
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = usage.ru_utime + usage.ru_stime - client_before
    records = [json.loads(line) for f in sorted(out.glob("requests-*.jsonl")) for line in f.read_text().splitlines()]
    if not records:
        raise RuntimeError(f"locust recorded no request; see {out / 'locust.log'}")
    ends = np.array([r[0] for r in records])
    latency = np.array([r[1] for r in records])
    ok = np.array([r[2] for r in records], dtype=bool)
    start, stop = ends.min() + args.warmup, ends.max()
    counted = ends - latency / 1000 >= start  # started after the warm-up
    wall = stop - start
    p50, p95, p99 = np.percentile(latency[counted & ok], [50, 95, 99])
    total_wall = ends.max() - ends.min()
    return Result(
        rps=int(counted.sum()) / wall,
        p50=p50,
        p95=p95,
        p99=p99,
        requests=len(records),
        errors=int((~ok).sum()),
        server_cpu_ms=server_cpu * 1000 / len(records),
        client_cpu=client_cpu / total_wall,
        other_cpu=max(0.0, busy - server_cpu - client_cpu) / wall_all,
        split="/".join(f"{100 * c / server_cpu:.0f}" for c in per_worker) if len(pids) > 1 else "",
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
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, default=16, help="concurrent locust users (closed loop, no wait)")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="seconds at the start of each run not counted")
    parser.add_argument("--warm-requests", type=int, default=200, help="tickets and drafts sent first, one by one")
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="also run each worker count with TCP_NODELAY forced on (bench_app.py; the uvicorn --workers bug)",
    )
    parser.add_argument("--locust-processes", type=int, default=1, help="locust processes (>1: --processes N)")
    args = parser.parse_args()
    models_dir = args.models_dir.resolve()
    print(machine())
    print(f"models: {models_version(models_dir)}")
    print(
        f"locust {args.locust_processes} process(es), {args.users} users, no wait; "
        f"{args.seconds} s measured after {args.warmup} s warm-up per endpoint; uvicorn (h11, asyncio), access log off"
    )
    header = (
        f"{'workers':>7} | {'endpoint':<26} | {'req/s':>7} | {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} | "
        f"{'errors':>6} / {'requests':<8} | {'vs floor':>8} | {'server CPU/req':>14} | "
        f"{'locust':>6} {'others':>6} | split %"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        runs = [(w, False) for w in args.workers] + ([(w, True) for w in args.workers] if args.nodelay else [])
        for workers, nodelay in runs:
            workdir = Path(tmp) / f"workers-{workers}{'-nodelay' if nodelay else ''}"
            with Server(workdir, models_dir, workers, nodelay) as server:
                server.wait()
                warm(server, args.warm_requests)
                floor = None
                for user, label in ENDPOINTS:
                    r = run_locust(server, user, args, workdir / user)
                    floor = floor or r.rps
                    print(
                        f"{workers:>5}{'+N' if nodelay else '  '} | {label:<26} | {r.rps:>7.1f} | "
                        f"{r.p50:>7.1f} {r.p95:>7.1f} {r.p99:>7.1f} | "
                        f"{r.errors:>6} / {r.requests:<8} | {r.rps / floor:>8.3f} | {r.server_cpu_ms:>11.2f} ms | "
                        f"{r.client_cpu:>6.2f} {r.other_cpu:>6.2f} | {r.split}",
                        flush=True,
                    )
            for line in server.incidents():
                print(f"  uvicorn ({workers} workers): {line}")
    command = "     .venv/bin/python benchmarks/server_load.py"
    if sys.argv[1:]:
        command += " " + " ".join(sys.argv[1:])
    print(
        "server CPU/req: user + system CPU of the uvicorn workers per request; locust, others: cores used by "
        "the load generator and by every other process on the machine during the run (2.00 = both cores); "
        "split: each worker's share of the server CPU; N+N: TCP_NODELAY forced on (the uvicorn --workers bug, "
        "see bench_app.py)"
    )
    print(f"command: {command.strip()}")


if __name__ == "__main__":
    main()
