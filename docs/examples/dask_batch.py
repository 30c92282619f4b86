"""Score a JSONL file with Dask on this machine, line for line what `triage predict` writes.

    .venv/bin/python docs/examples/dask_batch.py [--input data/tickets/test.jsonl] [--output out/dask.jsonl]
        [--task tickets|replies] [--models-dir models] [--partitions 4] [--workers 2]
        [--scheduler processes|threads] [--baseline]

The file is cut into blocks of whole lines (`training.batch.jsonl_blocks`), each block becomes a
partition (`dd.from_map`), `training.batch.score_partition` scores it with the same functions as the
CLI, and every partition writes its own part file, concatenated in order at the end. On a cluster
the same graph runs on `distributed.Client(...)`; only the scheduler changes. `--baseline` also
times the CLI's own sequential path on the same file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd

from training.batch import block_meta, champion, jsonl_blocks, output_meta, read_block, score_partition


def write_part(frame: pd.DataFrame, folder: str, partition_info: dict | None = None) -> pd.DataFrame:
    """Write a scored partition to `folder/part-<n>.jsonl`; return its counts (scored, errors)."""
    number = partition_info["number"] if partition_info else 0
    lines = frame["json"].tolist()
    with (Path(folder) / f"part-{number:06d}.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(line + "\n" for line in lines)
    scored = int(frame["scored"].sum())
    return pd.DataFrame({"scored": [scored], "errors": [len(lines) - scored]})


def run(
    input_path: Path,
    output_path: Path,
    model_folder: Path,
    task: str = "tickets",
    partitions: int = 4,
    workers: int = 2,
    scheduler: str = "processes",
) -> dict[str, int]:
    """Score `input_path` into `output_path` (same lines as `triage predict`); return the counts."""
    with input_path.open("rb") as handle:
        total = sum(1 for _ in handle)
    blocks = jsonl_blocks(input_path, max(1, -(-total // partitions)))
    parts = output_path.with_name(output_path.name + ".parts")
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir(parents=True)

    with dask.config.set({"dataframe.convert-string": False}):  # ids keep their JSON type (1 stays 1, not "1")
        records = dd.from_map(read_block, blocks, meta=block_meta(), enforce_metadata=False)
        scored = records.map_partitions(score_partition, str(model_folder), task, meta=output_meta())
        counts = scored.map_partitions(write_part, str(parts), meta={"scored": int, "errors": int})
        totals = counts.compute(scheduler=scheduler, num_workers=workers).sum()

    with output_path.open("wb") as out:
        for part in sorted(parts.glob("part-*.jsonl")):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out)
    shutil.rmtree(parts)
    return {"scored": int(totals["scored"]), "errors": int(totals["errors"]), "partitions": len(blocks)}


def baseline(input_path: Path, output_path: Path, model_folder: Path, task: str) -> int:
    """The CLI's path (`triage predict`): one process, the same functions; returns the lines written."""
    from training.artifacts import load_artifact
    from training.predict import predict_lines, scorer, unscorable_reason

    artifact = load_artifact(model_folder)
    with input_path.open("rb") as source, output_path.open("w", encoding="utf-8") as sink:
        counts = predict_lines(source, scorer(task, artifact), unscorable_reason, sink, lambda n: None)
    return counts["scored"] + counts["errors"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=Path("data/tickets/test.jsonl"))
    parser.add_argument("--output", type=Path, default=Path("out/dask.jsonl"))
    parser.add_argument("--task", choices=("tickets", "replies"), default="tickets")
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", choices=("processes", "threads"), default="processes")
    parser.add_argument("--baseline", action="store_true", help="also time the CLI's sequential path")
    args = parser.parse_args(argv)

    model_folder = champion(args.models_dir, args.task)  # resolved once: every worker scores with this version
    args.output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = run(args.input, args.output, model_folder, args.task, args.partitions, args.workers, args.scheduler)
    seconds = time.perf_counter() - started
    rows = counts["scored"] + counts["errors"]
    print(
        f"dask ({args.scheduler}, {args.workers} workers, {counts['partitions']} partitions): "
        f"{counts['scored']} scored, {counts['errors']} error(s) → {args.output}; "
        f"{rows} rows in {seconds:.2f} s = {rows / seconds:.0f} rows/s (model {model_folder.name})"
    )
    if args.baseline:
        started = time.perf_counter()
        rows = baseline(args.input, args.output.with_suffix(".cli.jsonl"), model_folder, args.task)
        seconds = time.perf_counter() - started
        print(f"cli path (1 process): {rows} rows in {seconds:.2f} s = {rows / seconds:.0f} rows/s")


if __name__ == "__main__":
    sys.exit(main())
