"""Append a reviewed writing pass to a published split, numbering on from its last id.

Data v2 (replies train-g … train-n) was written after v1 was published, so its records are
appended rather than re-assembled: the ids of v1 stay stable.

    python data/writing/append_pass.py --task replies --split train /work/drafts/reviewed/replies_train_*.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assemble import ORDER, PREFIX


def append(data_dir: Path, task: str, split: str, drafts: list[Path]) -> int:
    target = data_dir / task / f"{split}.jsonl"
    existing = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]
    number = max(int(r["id"].rsplit("-", 1)[-1]) for r in existing)
    added = 0
    with target.open("a", encoding="utf-8") as handle:
        for path in drafts:
            writer = f"{split}-{path.stem.rsplit('_', 1)[-1]}"
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                number += 1
                row = {**json.loads(line), "writer": writer, "id": f"{PREFIX[task]}-{split}-{number:04d}"}
                handle.write(json.dumps({k: row[k] for k in ORDER[task] if k in row}, ensure_ascii=False) + "\n")
                added += 1
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=sorted(PREFIX), required=True)
    parser.add_argument("--split", choices=["train", "test"], required=True)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("drafts", type=Path, nargs="+")
    args = parser.parse_args()
    print(args.task, args.split, "appended", append(args.data, args.task, args.split, sorted(args.drafts)))


if __name__ == "__main__":
    main()
