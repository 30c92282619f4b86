"""Inter-annotator agreement between the published test labels and the blind second pass.

The second annotator saw only the texts (and, for replies, the complaint), never the first labels.
Prints Cohen's kappa per task and every disagreement, for adjudication by the guide.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score


def read(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip())}


def span_texts(record: dict) -> set[tuple[str, str]]:
    out = set()
    for span in record.get("spans", []):
        text = span["text"] if "text" in span else record["text"][span["start"] : span["end"]]
        out.add((text, span["label"]))
    return out


def overlap_f1(first: list[dict], second: list[dict]) -> float:
    """Span agreement: a span matches when the other pass has an overlapping span of the same category."""

    def ranges(record: dict, text: str) -> list[tuple[int, int, str]]:
        out = []
        for span in record.get("spans", []):
            if "text" in span:
                start = text.find(span["text"])
                out.append((start, start + len(span["text"]), span["label"]))
            else:
                out.append((span["start"], span["end"], span["label"]))
        return out

    hits_a = total_a = hits_b = total_b = 0
    for a, b in zip(first, second, strict=True):
        ra, rb = ranges(a, a["text"]), ranges(b, a["text"])
        total_a += len(ra)
        total_b += len(rb)
        hits_a += sum(any(s < e2 and s2 < e and c == c2 for s2, e2, c2 in rb) for s, e, c in ra)
        hits_b += sum(any(s < e2 and s2 < e and c == c2 for s2, e2, c2 in ra) for s, e, c in rb)
    precision = hits_b / total_b if total_b else 0.0
    recall = hits_a / total_a if total_a else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--second", type=Path, default=Path(__file__).parent / "second_pass")
    args = parser.parse_args()
    order = ["low", "medium", "high", "critical"]
    first = read(args.data / "tickets" / "test.jsonl")
    second = read(args.second / "tickets_second.jsonl")
    ids = list(second)
    a = [first[i]["severity"] for i in ids]
    b = [second[i]["severity"] for i in ids]
    print(f"tickets: {len(ids)} double-labelled records")
    print(
        f"  severity kappa {cohen_kappa_score(a, b):.3f}, quadratic-weighted kappa "
        f"{cohen_kappa_score([order.index(x) for x in a], [order.index(x) for x in b], weights='quadratic'):.3f}, "
        f"raw agreement {sum(x == y for x, y in zip(a, b, strict=True)) / len(ids):.3f}"
    )
    sig_a = [set(first[i].get("signals", [])) for i in ids]
    sig_b = [set(second[i].get("signals", [])) for i in ids]
    inter = sum(len(x & y) for x, y in zip(sig_a, sig_b, strict=True))
    print(f"  signals: Dice agreement {2 * inter / (sum(map(len, sig_a)) + sum(map(len, sig_b))):.3f}")
    for i in ids:
        if first[i]["severity"] != second[i]["severity"]:
            print(f"  {i}: first {first[i]['severity']} / second {second[i]['severity']}: {first[i]['text'][:90]!r}")

    first = read(args.data / "replies" / "test.jsonl")
    second = read(args.second / "replies_second.jsonl")
    ids = list(second)
    a = [first[i]["tone"] for i in ids]
    b = [second[i]["tone"] for i in ids]
    print(f"replies: {len(ids)} double-labelled records")
    print(
        f"  tone kappa {cohen_kappa_score(a, b):.3f}, "
        f"raw agreement {sum(x == y for x, y in zip(a, b, strict=True)) / len(ids):.3f}"
    )
    both = [i for i in ids if first[i]["tone"] == second[i]["tone"] == "blame_shifting"]
    print(
        f"  span overlap-F1 (same category) on {len(both)} replies both call blame_shifting: "
        f"{overlap_f1([first[i] for i in both], [{**second[i], 'text': first[i]['text']} for i in both]):.3f}"
    )
    el_a = [set(first[i].get("elements", [])) for i in ids]
    el_b = [set(second[i].get("elements", [])) for i in ids]
    inter = sum(len(x & y) for x, y in zip(el_a, el_b, strict=True))
    print(f"  elements: Dice agreement {2 * inter / (sum(map(len, el_a)) + sum(map(len, el_b))):.3f}")
    for i in ids:
        if first[i]["tone"] != second[i]["tone"]:
            print(f"  {i}: first {first[i]['tone']} / second {second[i]['tone']}: {first[i]['text'][:90]!r}")


if __name__ == "__main__":
    main()
