"""Wall time of `triage train tickets` and `triage train replies` (into a temp models folder), and the
fit time alone as the metadata records it (`training_seconds`), beside a plain TF-IDF + logistic
regression fitted on the same train split in the same run.

Each run launches the command as a user would (`.venv/bin/triage train <task> --models-dir <tmp>
--reports-dir <tmp>`): wall = process launch to exit (imports, data loading and validation, the fit,
the test evaluation, saving, the model card and report); CPU = the command's user + system time
(above wall: scikit-learn / BLAS using both cores; well below: other jobs had the CPU). Tasks
alternate run by run.

    .venv/bin/python benchmarks/training_time.py [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from serverkit import ROOT, machine
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from training.data import load_records

TASKS = (("tickets", "severity", "severity"), ("replies", "tone", "tone"))


def train(task: str, folder: str, models_dir: Path, reports_dir: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, training_seconds from the metadata) of one `triage train` run."""
    command = [str(Path(sys.executable).parent / "triage"), "train", task]
    command += ["--models-dir", str(models_dir), "--reports-dir", str(reports_dir)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    newest = max((models_dir / folder).glob("*/metadata.json"), key=lambda p: p.stat().st_mtime)
    return wall, cpu, json.loads(newest.read_text())["training_seconds"]


def baseline_fit(task: str, label: str) -> float:
    records = load_records(ROOT / "data" / task / "train.jsonl", task)  # type: ignore[arg-type]
    started = time.perf_counter()
    make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)).fit(
        [r["text"] for r in records], [r[label] for r in records]
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    rows: dict[str, list[tuple[float, float, float, float]]] = {task: [] for task, _, _ in TASKS}
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        for run in range(args.runs):
            for task, folder, label in TASKS:
                wall, cpu, fit = train(task, folder, Path(tmp) / f"models-{run}", Path(tmp) / f"reports-{run}")
                rows[task].append((wall, cpu, fit, baseline_fit(task, label)))
                print(
                    f"run {run + 1} {task:<7}: wall {wall:6.1f} s, CPU {cpu:6.1f} s, fit {fit:6.1f} s; "
                    f"baseline fit {rows[task][-1][3]:.2f} s",
                    flush=True,
                )
    print(f"\n{'task':<8} | {'wall s':>13} | {'CPU s':>13} | {'fit s (metadata)':>16} | {'baseline fit s':>14}")
    for task, values in rows.items():
        v = np.array(values)
        cells = [f"{v[:, k].min():5.1f}–{v[:, k].max():5.1f}" for k in range(3)]
        print(
            f"{task:<8} | {cells[0]:>13} | {cells[1]:>13} | {cells[2]:>16} | {v[:, 3].min():6.2f}–{v[:, 3].max():5.2f}"
        )
    print("baseline: TF-IDF (words) + LogisticRegression on the same train split, in this process")
    print(f"command: {' '.join(['.venv/bin/python benchmarks/training_time.py', *sys.argv[1:]])}")


if __name__ == "__main__":
    main()
