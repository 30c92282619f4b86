"""Tickets per second for severity prediction, beside a plain baseline and the parsing floor.

All three run in one process on the same test split:
  floor    — read and parse the JSONL, no scoring;
  baseline — plain TF-IDF (raw words) + logistic regression, fitted here on train;
  triage   — the saved ticket model (severity, calibrated scores, signals with evidence spans).

    .venv/bin/python benchmarks/triage_throughput.py [--model models/severity/<version>] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from training.artifacts import latest_version, load_artifact
from training.data import load_records
from training.text import analyse


def rate(work: Callable[[], int], repeats: int) -> float:
    """Best-of-`repeats` items per second (the least disturbed run)."""
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        items = work()
        best = max(best, items / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--model", type=Path, default=None, help="model version folder (default: newest)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    test_path = args.data_dir / "tickets" / "test.jsonl"
    raw_lines = test_path.read_bytes().splitlines()
    train = load_records(args.data_dir / "tickets" / "train.jsonl", "tickets")
    artifact = load_artifact(args.model or latest_version(Path("models") / "severity"))
    model = artifact.model

    def parse() -> list[str]:
        return [json.loads(line)["text"] for line in raw_lines if line.strip()]

    texts = parse()
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)).fit(
        [r["text"] for r in train], [r["severity"] for r in train]
    )
    model.predict(texts)  # warm the lemma cache, as a long-running server would have it

    floor = rate(lambda: len(parse()), args.repeats)
    base = rate(lambda: len(baseline.predict(parse())), args.repeats)

    def score() -> int:
        analyse.cache_clear()  # a server sees new texts: no per-text cache hits, only the per-word ones
        return len(model.predict(parse(), artifact.version))

    ours = rate(score, args.repeats)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"data: {test_path} ({len(texts)} tickets), model {artifact.version}, best of {args.repeats}")
    print(f"{'pipeline':<10} {'tickets/s':>10} {'vs floor':>9} {'vs baseline':>12}")
    for name, value in (("floor", floor), ("baseline", base), ("triage", ours)):
        print(f"{name:<10} {value:>10.0f} {value / floor:>9.3f} {value / base:>12.2f}")
    print("command: .venv/bin/python benchmarks/triage_throughput.py")


if __name__ == "__main__":
    main()
