"""Options and helpers every `triage` sub-command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from training.artifacts import Artifact, ArtifactError, load_artifact
from training.registry import champion_folder

DataDir = Annotated[Path, typer.Option("--data-dir", help="Folder holding tickets/ and replies/ JSONL splits.")]
ModelsDir = Annotated[Path, typer.Option("--models-dir", help="Folder holding models/<task>/<version>/.")]
ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="A model version folder; by default the task's champion under --models-dir."),
]
ReportsDir = Annotated[Path, typer.Option("--reports-dir", help="Where reports and plots are written.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def open_model(models_dir: Path, task_folder: str, model: Path | None) -> Artifact:
    try:
        return load_artifact(model or champion_folder(models_dir / task_folder))
    except ArtifactError as err:
        raise fail(str(err)) from err
