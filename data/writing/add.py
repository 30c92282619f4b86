# ruff: noqa
# (kept as the writers ran it while writing data v1, for provenance; not part of the package)
"""Validate a batch of hand-written records and append the good ones to a draft file.

Usage: python /work/drafts/tools/add.py --task tickets|replies --split train|test --out FILE BATCH.jsonl
Spans in the batch are given as {"text": "exact substring", "label": "..."}; offsets are computed here.
"""

import argparse
import glob
import itertools
import json
import os
import re
import sys

SEV = {"low", "medium", "high", "critical"}
SIG = {
    "outage",
    "money",
    "repeat_contact",
    "churn_threat",
    "legal_threat",
    "safety",
    "security",
    "deadline",
    "many_affected",
    "staff_rudeness",
}
TONE = {"accountable", "neutral", "blame_shifting"}
CAT = {
    "blames_customer",
    "policy_shield",
    "third_party",
    "deflection",
    "stonewalling",
    "condescension",
    "customer_burden",
    "minimizing",
}
ELEM = {"apology", "empathy", "ownership", "explanation", "remedy", "timeline", "compensation"}
CHANNELS = {"email", "chat", "social", "app_review", "call", "pretenziya", "web_form", "messenger"}
WORD = re.compile(r"\w+")


def grams(text, n):
    w = WORD.findall(text.lower())
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def chars(text):
    t = " ".join(text.lower().split())
    return {t[i : i + 5] for i in range(len(t) - 4)}


def load_existing(task):
    out = []
    for f in glob.glob(f"/work/drafts/{task}_*.jsonl"):
        split = "test" if "_test" in os.path.basename(f) else "train"
        for line in open(f, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                out.append((split, f, r["text"]))
    return out


def check(rec, task):
    if not isinstance(rec, dict):
        return "not an object"
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        return "missing text"
    if text != text.strip():
        rec["text"] = text = text.strip()
    if not isinstance(rec.get("industry"), str) or not rec.get("industry"):
        return "missing industry"
    if rec.get("channel") not in CHANNELS:
        return f"channel must be one of {sorted(CHANNELS)}"
    if task == "tickets":
        if rec.get("severity") not in SEV:
            return "bad severity"
        sig = rec.get("signals", [])
        if not isinstance(sig, list) or any(s not in SIG for s in sig):
            return f"bad signals {sig}"
        rec["signals"] = sorted(set(sig), key=sig.index)
        return None
    if rec.get("tone") not in TONE:
        return "bad tone"
    el = rec.get("elements", [])
    if not isinstance(el, list) or any(e not in ELEM for e in el):
        return f"bad elements {el}"
    comp = rec.get("complaint")
    if comp is not None and not isinstance(comp, str):
        return "complaint must be a string"
    spans = rec.get("spans", [])
    if rec["tone"] != "blame_shifting":
        if spans:
            return "only blame_shifting records may have spans"
        rec["spans"] = []
        return None
    if not spans:
        return "blame_shifting record needs at least one span"
    done = []
    for s in spans:
        if not isinstance(s, dict) or s.get("label") not in CAT:
            return f"bad span label in {s}"
        st = s.get("text", "")
        if not isinstance(st, str):
            return f"bad span {s}"
        st = st.strip().strip(",;").strip()
        if not st:
            return f"empty span {s}"
        occ = int(s.get("occurrence", 1))
        pos = -1
        for _ in range(occ):
            pos = text.find(st, pos + 1)
            if pos < 0:
                return f"span text not found verbatim in text: {st!r}"
        done.append({"start": pos, "end": pos + len(st), "label": s["label"]})
    done.sort(key=lambda d: d["start"])
    for a, b in itertools.pairwise(done):
        if b["start"] < a["end"]:
            return "spans overlap"
    rec["spans"] = done
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", required=True, choices=["tickets", "replies"])
    ap.add_argument("--split", required=True, choices=["train", "test"])
    ap.add_argument("--out", required=True)
    ap.add_argument("batch")
    a = ap.parse_args()
    base = os.path.basename(a.out)
    if not base.startswith(f"{a.task}_{a.split}"):
        sys.exit(f"--out must be /work/drafts/{a.task}_{a.split}_<yourname>.jsonl")
    existing = load_existing(a.task)
    ex_chars = [(s, chars(t)) for s, _, t in existing]
    ex8 = {}
    ex12 = set()
    for s, _, t in existing:
        for g in grams(t, 8):
            ex8.setdefault(g, set()).add(s)
        if s == a.split:
            ex12 |= grams(t, 12)
    ok, bad = 0, 0
    with open(a.out, "a", encoding="utf-8") as out:
        for n, line in enumerate(open(a.batch, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"line {n}: REJECTED bad JSON ({e})")
                bad += 1
                continue
            err = check(rec, a.task)
            if not err:
                c = chars(rec["text"])
                for s, oc in ex_chars:
                    j = len(c & oc) / max(1, len(c | oc))
                    if j >= 0.8:
                        err = f"near-duplicate of an existing record (5-gram Jaccard {j:.2f})"
                        break
            if not err:
                g8 = grams(rec["text"], 8)
                other = "test" if a.split == "train" else "train"
                shared = [g for g in g8 if other in ex8.get(g, ())]
                if shared:
                    err = f"shares an 8-word run with the {other} split: {' '.join(shared[0])!r}; reword"
                elif grams(rec["text"], 12) & ex12:
                    err = "shares a 12-word run with another record; reword"
            if err:
                print(
                    f"line {n}: REJECTED {err}: {rec.get('text', '')[:60]!r}"
                    if isinstance(rec, dict)
                    else f"line {n}: REJECTED {err}"
                )
                bad += 1
                continue
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            ok += 1
            ex_chars.append((a.split, chars(rec["text"])))
            for g in grams(rec["text"], 8):
                ex8.setdefault(g, set()).add(a.split)
            ex12 |= grams(rec["text"], 12)
    counts = {}
    for line in open(a.out, encoding="utf-8"):
        r = json.loads(line)
        k = r.get("severity") or r.get("tone")
        counts[k] = counts.get(k, 0) + 1
        for s in r.get("spans", []):
            counts["span:" + s["label"]] = counts.get("span:" + s["label"], 0) + 1
    print(f"appended {ok}, rejected {bad}; {a.out} now: {json.dumps(counts, ensure_ascii=False, sort_keys=True)}")


if __name__ == "__main__":
    main()
