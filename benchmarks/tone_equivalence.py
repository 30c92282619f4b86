"""Dump every tone check result on the reply splits, or compare two dumps: the equivalence check of
a speed change (outputs must not move).

    # the code before the change, from a copy of its `training/` package:
    git archive <old-commit> training | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old .venv/bin/python benchmarks/tone_equivalence.py dump /tmp/old.json
    .venv/bin/python benchmarks/tone_equivalence.py dump /tmp/new.json
    .venv/bin/python benchmarks/tone_equivalence.py compare /tmp/old.json /tmp/new.json

Drafts: test and train replies plus 40 drafts each of about 1,000 and 5,000 characters; each is
checked alone (per-text cache cleared, as in `check_latency.py`) and all in one batch.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from training.artifacts import latest_version, load_artifact
from training.data import load_records
from training.text import analyse


def drafts(data_dir: Path) -> list[str]:
    texts = []
    for split in ("test", "train"):
        texts += [r["text"] for r in load_records(data_dir / "replies" / f"{split}.jsonl", "replies")]
    rng = np.random.default_rng(1)
    for size in (1000, 5000):
        for _ in range(40):
            parts: list[str] = []
            while sum(len(p) + 1 for p in parts) < size:
                parts.append(texts[int(rng.integers(len(texts)))])
            texts.append(" ".join(parts)[:size])
    return texts


def dump(out: Path, model: Path | None, data_dir: Path) -> None:
    checker = load_artifact(model or latest_version(Path("models") / "tone")).model
    texts = drafts(data_dir)
    single = []
    for text in texts:
        analyse.cache_clear()
        single.append(checker.check([text])[0])
    result = {"texts": texts, "single": single, "batch": checker.check(texts)}
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    print(f"{len(texts)} drafts → {out}")


def differences(a: Any, b: Any, path: str, tolerance: float, out: list[str]) -> float:
    """Paths where two results differ (floats beyond `tolerance`); returns the largest float gap."""
    if isinstance(a, float) or isinstance(b, float):
        gap = abs(a - b)
        if gap > tolerance:
            out.append(f"{path}: {a!r} != {b!r}")
        return gap
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        return max([differences(a[k], b[k], f"{path}.{k}", tolerance, out) for k in a], default=0.0)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return max(
            [differences(x, y, f"{path}[{i}]", tolerance, out) for i, (x, y) in enumerate(zip(a, b, strict=True))],
            default=0.0,
        )
    if a != b:
        out.append(f"{path}: {a!r} != {b!r}")
    return 0.0


def compare(old: Path, new: Path, tolerance: float) -> int:
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (old, new))
    if a["texts"] != b["texts"]:
        print("the dumps are of different drafts")
        return 2
    found: list[str] = []
    gap = max(differences(a[m], b[m], m, tolerance, found) for m in ("single", "batch"))
    for line in found[:20]:
        print(line)
    print(f"{len(a['texts'])} drafts, alone and in a batch: {len(found)} differences, largest float gap {gap:.3g}")
    return 1 if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--model", type=Path, default=None)
    d.add_argument("--data-dir", type=Path, default=Path("data"))
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.model, args.data_dir)
    else:
        raise SystemExit(compare(args.old, args.new, args.tolerance))


if __name__ == "__main__":
    main()
