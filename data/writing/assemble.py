"""Assemble writers' draft files into the published splits, giving each record a stable id.

Drafts are `<drafts>/<task>_<split>_<writer>.jsonl`, written one record at a time by hand and
checked by `add.py` on the way in. This script only orders, numbers and reformats them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

PREFIX = {"tickets": "t", "replies": "r"}
ORDER = {
    "tickets": ["id", "text", "severity", "signals", "industry", "channel", "writer"],
    "replies": ["id", "text", "tone", "spans", "elements", "complaint", "industry", "channel", "writer"],
}


def assemble(drafts: Path, out_dir: Path, task: str, split: str) -> int:
    rows = []
    for path in sorted(drafts.glob(f"{task}_{split}_*.jsonl")):
        writer = f"{split}-{path.stem.rsplit('_', 1)[-1]}"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append({**json.loads(line), "writer": writer})
    target = out_dir / task / f"{split}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        for number, row in enumerate(rows, 1):
            row["id"] = f"{PREFIX[task]}-{split}-{number:04d}"
            ordered = {key: row[key] for key in ORDER[task] if key in row}
            handle.write(json.dumps(ordered, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=Path, required=True, help="folder with the writers' draft files")
    parser.add_argument("--out", type=Path, default=Path("data"), help="data folder to write the splits into")
    args = parser.parse_args()
    for task in PREFIX:
        for split in ("train", "test"):
            print(task, split, assemble(args.drafts, args.out, task, split))


if __name__ == "__main__":
    main()
