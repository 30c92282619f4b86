"""Latency of one in-process tone check, beside the plain TF-IDF + LR tone baseline, in one run.

Drafts of about 200, 1,000 and 5,000 characters are cut from the test split's replies (joined
until long enough, so every draft is new text). Each draft is checked alone, as an editor would on
a keystroke pause; the per-text analysis cache is cleared before every call.

    .venv/bin/python benchmarks/check_latency.py [--model models/tone/<version>] [--drafts 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from training.artifacts import latest_version, load_artifact
from training.data import load_records
from training.text import analyse

SIZES = (200, 1000, 5000)


def drafts_of(size: int, texts: list[str], count: int, rng: np.random.Generator) -> list[str]:
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < size:
            parts.append(texts[int(rng.integers(len(texts)))])
        draft = " ".join(parts)[:size]
        out.append(draft.rsplit(" ", 1)[0] if " " in draft else draft)
    return out


def latencies(call: Callable[[str], object], drafts: list[str]) -> np.ndarray:
    out = []
    for draft in drafts:
        analyse.cache_clear()
        started = time.perf_counter()
        call(draft)
        out.append((time.perf_counter() - started) * 1000)
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--model", type=Path, default=None, help="model version folder (default: newest)")
    parser.add_argument("--drafts", type=int, default=200, help="drafts per size")
    args = parser.parse_args()
    train = load_records(args.data_dir / "replies" / "train.jsonl", "replies")
    test = [r["text"] for r in load_records(args.data_dir / "replies" / "test.jsonl", "replies")]
    artifact = load_artifact(args.model or latest_version(Path("models") / "tone"))
    checker = artifact.model
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)).fit(
        [r["text"] for r in train], [r["tone"] for r in train]
    )
    rng = np.random.default_rng(0)
    checker.check(test)  # warm the per-word caches, as a running server has them
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"model {artifact.version}; {args.drafts} drafts per size, one check per call")
    print(f"{'chars':>6} | {'check p50':>9} {'p99':>7} | {'baseline p50':>12} {'p99':>7} | {'ratio p50':>9} {'p99':>6}")
    for size in SIZES:
        drafts = drafts_of(size, test, args.drafts, rng)
        ours = latencies(lambda d: checker.check([d]), drafts)
        base = latencies(lambda d: baseline.predict_proba([d]), drafts)
        o50, o99 = np.percentile(ours, [50, 99])
        b50, b99 = np.percentile(base, [50, 99])
        print(
            f"{size:>6} | {o50:>7.2f}ms {o99:>5.2f}ms | {b50:>10.2f}ms {b99:>5.2f}ms | "
            f"{o50 / b50:>9.1f} {o99 / b99:>6.1f}"
        )
    print("command: .venv/bin/python benchmarks/check_latency.py")


if __name__ == "__main__":
    main()
