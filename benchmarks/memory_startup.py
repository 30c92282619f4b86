"""Resident memory of the server after loading both models and after 10,000 requests, and its cold
start, beside the same app started without models (`TRIAGE_MODELS_DIR` an empty folder) in one run.

Memory: VmRSS from /proc/<pid>/status summed over the processes that serve requests (uvicorn itself
with 1 worker; its spawned workers with 2 — the supervisor, which loads nothing, is shown apart),
plus the PSS sum (pages shared between workers counted once). Read once /readyz says both models
are loaded, then after `--requests` requests, half `POST /v1/tickets` (stored) and half
`POST /v1/replies/check`, new texts cut from the test splits, sent by `--clients` threads. The
baseline gets as many `POST /bench/noop`.
Cold start: from launching uvicorn to the first answer of `GET /healthz` (polled every 10 ms; uvicorn
answers once the app has started, i.e. both models are loaded), then to the first 2xx of
`POST /v1/replies/check` sent right after; the baseline (no models) to its first `GET /healthz`.
Each server has a fresh SQLite file, migrated before the launch (`serverkit.Server`).

    .venv/bin/python benchmarks/memory_startup.py [--runs 5] [--requests 10000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from serverkit import (
    DRAFT_CHARS,
    ROOT,
    TICKET_CHARS,
    Server,
    cut,
    load_texts,
    machine,
    models_version,
    pss_mb,
    rss_mb,
)

FIRST_DRAFT = {"text": "Извините, но это вы сами неправильно заполнили заявку, поэтому деньги не пришли."}


def send(server: Server, total: int, clients: int, with_models: bool) -> int:
    """`total` requests from `clients` threads; returns the number of non-2xx answers."""
    tickets, replies = load_texts("tickets"), load_texts("replies")
    errors = [0] * clients

    def client(k: int) -> None:
        rng = random.Random(k)
        for i in range(k, total, clients):
            if not with_models:
                path, body = "/bench/noop", {"text": cut(replies, rng, *DRAFT_CHARS)}
            elif i % 2:
                path, body = "/v1/replies/check", {"text": cut(replies, rng, *DRAFT_CHARS)}
            else:
                path, body = "/v1/tickets", {"text": cut(tickets, rng, *TICKET_CHARS)}
            status, _ = server.request("POST", path, body)
            errors[k] += not 200 <= status < 300

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(errors)


def memory(server: Server) -> tuple[float, float, float]:
    """(VmRSS sum, PSS sum) of the serving processes and the supervisor's VmRSS (0 with one worker), MiB.

    /readyz answers from one worker; the figures are read once no worker's VmRSS has moved by
    more than 1 MiB for a second (the other worker has finished loading too)."""
    last: list[float] = []
    steady = 0
    while steady < 4:
        time.sleep(0.25)
        if server.proc is None or server.proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited; see {server.log.name}")
        try:
            pids = server.worker_pids()
            now = [rss_mb(p) for p in pids]
        except (OSError, RuntimeError):  # a worker replaced by uvicorn's health check meanwhile
            steady, last = 0, []
            continue
        stable = len(now) == len(last) == server.workers and all(abs(a - b) < 1 for a, b in zip(now, last, strict=True))
        steady = steady + 1 if stable else 0
        last = now
    supervisor = rss_mb(server.proc.pid) if server.workers > 1 else 0.0  # type: ignore[union-attr]
    return sum(rss_mb(p) for p in pids), sum(pss_mb(p) for p in pids), supervisor


def cold_start(workdir: Path, models_dir: Path, workers: int, with_models: bool) -> tuple[float, float]:
    """Seconds from launch to the first answer of GET /healthz (the app has started: models loaded),
    then to the first 2xx of POST /v1/replies/check sent right after it (no-models baseline: 0)."""
    with Server(workdir, models_dir, workers) as server:
        up = server.wait("GET", "/healthz")
        return up, server.wait("POST", "/v1/replies/check", FIRST_DRAFT) if with_models else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=5, help="cold starts per configuration")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4, help="client threads sending the requests")
    args = parser.parse_args()
    models_dir = args.models_dir.resolve()
    print(machine())
    print(f"models: {models_version(models_dir)}")
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        empty = Path(tmp) / "no-models"
        empty.mkdir()
        configs = [(w, m) for w in args.workers for m in (False, True)]

        def label(workers: int, with_models: bool) -> str:
            return f"{workers} worker{'s' if workers > 1 else ' '}, {'both models' if with_models else 'no models '}"

        print(f"\nmemory, MiB ({args.requests:,} requests from {args.clients} client threads after loading)")
        print(
            f"{'server':<26} | {'RSS loaded':>10} {'PSS':>7} | {'RSS after':>9} {'PSS':>7} | "
            f"{'supervisor':>10} | errors"
        )
        for n, (workers, with_models) in enumerate(configs):
            with Server(Path(tmp) / f"mem-{n}", models_dir if with_models else empty, workers) as server:
                server.wait("GET", "/readyz" if with_models else "/healthz")
                rss0, pss0, sup = memory(server)
                errors = send(server, args.requests, args.clients, with_models)
                rss1, pss1, sup = memory(server)
            for line in server.incidents():
                print(f"  uvicorn: {line}")
            print(
                f"{label(workers, with_models):<26} | {rss0:>10.1f} {pss0:>7.1f} | {rss1:>9.1f} {pss1:>7.1f} | "
                f"{sup:>10.1f} | {errors}",
                flush=True,
            )

        print(f"\ncold start, s, launch → first 2xx ({args.runs} runs, configurations alternating)")
        times: dict[tuple[int, bool], list[tuple[float, float]]] = {c: [] for c in configs}
        for run in range(args.runs):
            for n, (workers, with_models) in enumerate(configs):
                workdir = Path(tmp) / f"cold-{run}-{n}"
                times[(workers, with_models)].append(
                    cold_start(workdir, models_dir if with_models else empty, workers, with_models)
                )
        print(f"{'server':<26} | {'first answer':<24} | {'median':>6} {'min':>6} {'max':>6} | runs")
        for (workers, with_models), pairs in times.items():
            for k, first in enumerate(("GET /healthz", "POST /v1/replies/check")):
                if k and not with_models:
                    continue
                v = np.array([p[k] for p in pairs])
                runs = " ".join(f"{x:.2f}" for x in v)
                print(
                    f"{label(workers, with_models):<26} | {first:<24} | "
                    f"{np.median(v):>6.2f} {v.min():>6.2f} {v.max():>6.2f} | {runs}"
                )
    command = ".venv/bin/python benchmarks/memory_startup.py"
    print(f"command: {' '.join([command, *sys.argv[1:]])}")


if __name__ == "__main__":
    main()
