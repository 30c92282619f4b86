"""The `triage` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from training import stats as data_stats
from training.data import TASKS, Task, validate_file

app = typer.Typer(help="Complaint triage: severity of tickets, tone of replies.", no_args_is_help=True)
data_app = typer.Typer(help="Inspect and validate the labeled datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DataDir = Annotated[Path, typer.Option("--data-dir", help="Folder holding tickets/ and replies/ JSONL splits.")]


@data_app.command("stats")
def stats_command(
    data_dir: DataDir = Path("data"),
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Exit with status 1 when a data-v1 floor is not met.")
    ] = False,
) -> None:
    """Print records per split and label, signal and span counts, and whether the floors hold."""
    collected = data_stats.collect(data_dir)
    typer.echo(data_stats.render(collected))
    failures = [f for s in collected for f in data_stats.floor_failures(s)]
    if failures:
        typer.echo("floors NOT met:")
        for failure in failures:
            typer.echo(f"  - {failure}")
        if check:
            raise typer.Exit(1)
    else:
        typer.echo("floors: all met")


@data_app.command("validate")
def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="JSONL file(s) to check against the labeling guide.")],
    task: Annotated[
        str | None,
        typer.Option("--task", help="Force 'tickets' or 'replies'; by default each line's label field decides."),
    ] = None,
) -> None:
    """Report every bad line (number and reason) of each file; exit 1 if any line is bad."""
    if task is not None and task not in TASKS:
        typer.echo(f"error: --task must be one of {', '.join(TASKS)}, got '{task}'", err=True)
        raise typer.Exit(2)
    forced: Task | None = task  # type: ignore[assignment]
    bad_files = 0
    for path in paths:
        report = validate_file(path, forced)
        for problem in report.problems:
            typer.echo(f"{path}:{problem}")
        status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        typer.echo(f"{path}: {len(report.records)} valid record(s), {status}")
        bad_files += not report.ok
    if bad_files:
        raise typer.Exit(1)


def main() -> None:
    app()
