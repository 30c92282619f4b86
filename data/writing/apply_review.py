"""Apply a reviewer's corrections (one JSON line per changed record, spans given as exact text)
to a published split, in place. The corrections files are kept next to this script as the record of
what review changed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

FIELDS = ("severity", "signals", "tone", "elements")


def spans_from_text(text: str, spans: list[dict]) -> list[dict]:
    out = []
    for span in spans:
        start = text.find(span["text"])
        if start < 0:
            raise SystemExit(f"span {span['text']!r} not found in {text[:60]!r}")
        out.append({"start": start, "end": start + len(span["text"]), "label": span["label"]})
    return sorted(out, key=lambda s: s["start"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("split", type=Path, help="the JSONL split to correct in place")
    parser.add_argument("corrections", type=Path, help="JSONL of {id, <fields to set>, why}")
    args = parser.parse_args()
    fixes = {}
    for line in args.corrections.read_text(encoding="utf-8").splitlines():
        if line.strip():
            fix = json.loads(line)
            fixes[fix["id"]] = fix
    rows = [json.loads(line) for line in args.split.read_text(encoding="utf-8").splitlines() if line.strip()]
    changed = 0
    for row in rows:
        fix = fixes.pop(row["id"], None)
        if fix is None:
            continue
        for name in FIELDS:
            if name in fix:
                row[name] = fix[name]
        if "spans" in fix:
            row["spans"] = spans_from_text(row["text"], fix["spans"]) if row.get("tone") == "blame_shifting" else []
        changed += 1
    if fixes:
        raise SystemExit(f"ids not found in {args.split}: {sorted(fixes)}")
    args.split.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{args.split}: {changed} record(s) corrected")


if __name__ == "__main__":
    main()
