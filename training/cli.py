"""The `triage` command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from training import stats as data_stats
from training.artifacts import ArtifactError
from training.cli_options import DataDir, ModelOption, ModelsDir, ReportsDir, fail, open_model
from training.data import TASKS, DataError, Task, dataset_path, load_records, validate_file
from training.registry import champion_folder

app = typer.Typer(help="Complaint triage: severity of tickets, tone of replies.", no_args_is_help=True)
data_app = typer.Typer(help="Inspect and validate the labeled datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")
train_app = typer.Typer(
    help="Train a model, evaluate it on the test split and save a new version.", no_args_is_help=True
)
evaluate_app = typer.Typer(help="Evaluate a saved model and write a report with plots.", no_args_is_help=True)
predict_app = typer.Typer(help="Score a JSONL file of {id, text} records.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(predict_app, name="predict")


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


def train_task(task: Task, data_dir: Path, models_dir: Path, reports_dir: Path) -> None:
    """Train, evaluate on the test split, save and register a version, write the report and card."""
    from training.registry import register_trained
    from training.train import TASK_SPECS, train_task_model

    spec = TASK_SPECS[task]
    try:
        trained = train_task_model(task, data_dir, models_dir)
    except DataError as err:
        raise fail(str(err)) from err
    artifact, metrics = trained.artifact, trained.metrics
    role = register_trained(models_dir / spec.model_folder, artifact.version)
    spec.write_report(metrics, dataset_path(data_dir, task, "test"), artifact.version, reports_dir)
    typer.echo(f"saved {artifact.path} in {artifact.metadata['training_seconds']} s, registered as {role}")
    if role == "challenger":
        typer.echo(
            f"the champion is unchanged: `triage models promote {artifact.version}` serves this one, "
            f"`triage retrain {task}` compares and promotes only a better one"
        )
    typer.echo(spec.summary(metrics))


def evaluate_task(
    task: Task, data: Path | None, data_dir: Path, models_dir: Path, model: Path | None, reports_dir: Path
) -> None:
    """Evaluate a saved model on labeled data (default: the test split) and write the report."""
    from training.train import TASK_SPECS

    spec = TASK_SPECS[task]
    artifact = open_model(models_dir, spec.model_folder, model)
    path = data or dataset_path(data_dir, task, "test")
    try:
        records = load_records(path, task)
    except DataError as err:
        raise fail(str(err)) from err
    metrics = spec.evaluate(artifact.model, records, artifact.version)
    report = spec.write_report(metrics, path, artifact.version, reports_dir)
    typer.echo(report.read_text(encoding="utf-8"))
    typer.echo(f"written {report}")


DataOption = Annotated[
    Path | None, typer.Option("--data", help="Labeled JSONL to evaluate on; default the test split.")
]


@train_app.command("tickets")
def train_tickets_command(
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    reports_dir: ReportsDir = Path("reports"),
) -> None:
    """Train the severity and signal models on train, evaluate on test, write models/severity/<version>/."""
    train_task("tickets", data_dir, models_dir, reports_dir)


@evaluate_app.command("tickets")
def evaluate_tickets_command(
    data: DataOption = None,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    model: ModelOption = None,
    reports_dir: ReportsDir = Path("reports"),
) -> None:
    """Per-class precision/recall/F1, macro-F1, confusion matrix, critical recall, ECE; writes reports/severity.md."""
    evaluate_task("tickets", data, data_dir, models_dir, model, reports_dir)


@predict_app.command("tickets")
def predict_tickets_command(
    input_path: Annotated[Path, typer.Option("--input", help="JSONL with at least {id, text} per line.")],
    output_path: Annotated[Path, typer.Option("--output", help="JSONL to write: one prediction or error per line.")],
    models_dir: ModelsDir = Path("models"),
    model: ModelOption = None,
) -> None:
    """Score every ticket; unscorable lines get {"id", "error"}, nothing is dropped."""
    if not input_path.is_file():
        raise fail(f"input file {input_path} does not exist")
    from training.predict import scorer

    artifact = open_model(models_dir, "severity", model)
    run_predictions(input_path, output_path, scorer("tickets", artifact))


def run_predictions(input_path: Path, output_path: Path, score: Callable[[list[str]], list[dict]]) -> None:
    """Stream a JSONL file through a scorer with a progress bar on stderr; print the counts."""
    from rich.console import Console
    from rich.progress import Progress

    from training.predict import count_lines, predict_lines, unscorable_reason

    total = count_lines(input_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        input_path.open("rb") as source,
        output_path.open("w", encoding="utf-8") as sink,
        Progress(console=Console(stderr=True), transient=True, disable=total < 1000) as progress,
    ):
        bar = progress.add_task("scoring", total=total)
        counts = predict_lines(source, score, unscorable_reason, sink, lambda n: progress.advance(bar, n))
    typer.echo(f"{counts['scored']} scored, {counts['errors']} error(s) → {output_path}", err=True)


@train_app.command("replies")
def train_replies_command(
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    reports_dir: ReportsDir = Path("reports"),
) -> None:
    """Train the tone checker (tone, spans, elements) on train, evaluate on test, write models/tone/<version>/."""
    train_task("replies", data_dir, models_dir, reports_dir)


@evaluate_app.command("replies")
def evaluate_replies_command(
    data: DataOption = None,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    model: ModelOption = None,
    reports_dir: ReportsDir = Path("reports"),
) -> None:
    """Tone table, confusion matrix, span precision/recall by overlap and category, element accuracy."""
    evaluate_task("replies", data, data_dir, models_dir, model, reports_dir)


@predict_app.command("replies")
def predict_replies_command(
    input_path: Annotated[Path, typer.Option("--input", help="JSONL with at least {id, text} per line.")],
    output_path: Annotated[Path, typer.Option("--output", help="JSONL to write: one check result or error per line.")],
    models_dir: ModelsDir = Path("models"),
    model: ModelOption = None,
) -> None:
    """Check every draft reply; unscorable lines get {"id", "error"}, nothing is dropped."""
    if not input_path.is_file():
        raise fail(f"input file {input_path} does not exist")
    from training.predict import scorer

    artifact = open_model(models_dir, "tone", model)
    run_predictions(input_path, output_path, scorer("replies", artifact))


@app.command("check")
def check_command(
    text: Annotated[str | None, typer.Argument(help="The draft reply; read from stdin when omitted.")] = None,
    models_dir: ModelsDir = Path("models"),
    model: ModelOption = None,
) -> None:
    """Check one draft reply and print it with blame-shifting passages highlighted, messages and missing elements."""
    import sys

    from training.predict import unscorable_reason
    from training.render import render_check

    draft = text if text is not None else sys.stdin.read()
    reason = unscorable_reason(draft)
    if reason:
        raise fail(reason, code=2)
    artifact = open_model(models_dir, "tone", model)
    render_check(draft, artifact.model.check([draft], artifact.version)[0])


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Interface to bind; 127.0.0.1 keeps it local.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    reports_dir: ReportsDir = Path("reports"),
) -> None:
    """Train any missing model from the data, then serve the API (migrations run at start-up)."""
    import os

    from serve import runner

    for task, folder in (("tickets", "severity"), ("replies", "tone")):
        try:
            champion_folder(models_dir / folder)
        except ArtifactError:
            typer.echo(f"no {folder} model under {models_dir}; training one from {data_dir}")
            train_task(task, data_dir, models_dir, reports_dir)  # type: ignore[arg-type]
    os.environ.setdefault("TRIAGE_MODELS_DIR", str(models_dir))
    page = f"http://{host}:{port}/"
    if not os.environ.get("TRIAGE_API_KEYS") and not os.environ.get("TRIAGE_API_KEYS_FILE"):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise fail(f"refusing to serve on {host} without API keys: set TRIAGE_API_KEYS or TRIAGE_API_KEYS_FILE")
        from serve.auth import new_key

        agent, admin = new_key(), new_key()
        os.environ["TRIAGE_API_KEYS"] = f"agent:{agent},admin:{admin}"
        typer.echo("no TRIAGE_API_KEYS set: keys generated for this run (local only)")
        typer.echo(f"  agent key: {agent}\n  admin key: {admin}")
        page += f"#key={agent}"
    else:
        from serve.auth import load_keyring

        file = os.environ.get("TRIAGE_API_KEYS_FILE")
        try:
            load_keyring(os.environ.get("TRIAGE_API_KEYS", ""), Path(file) if file else None)
        except (ValueError, OSError) as err:
            raise fail(f"bad API keys: {err}") from err
    from serve.settings import Settings
    from serve.store import make_engine, migrate

    # once here, before any worker starts: a migration that fails stops `serve` with its message
    engine = make_engine(Settings().database_url)
    migrate(engine)
    engine.dispose()
    typer.echo(f"serving on http://{host}:{port}  (agent page: {page}, API docs: http://{host}:{port}/docs)")
    runner.serve("serve.app:create_app", host=host, port=port, workers=workers)


keys_app = typer.Typer(help="API keys for the server.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def keys_new(role: Annotated[str, typer.Option("--role", help="agent or admin.")] = "agent") -> None:
    """Print a new key (give it to the client) and its line for TRIAGE_API_KEYS_FILE (keep it on the server)."""
    from serve.auth import ROLES, digest, new_key

    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, got '{role}'", code=2)
    key = new_key()
    typer.echo(f"key:            {key}")
    typer.echo(f"key file line:  {role} sha256:{digest(key)}")


def register_lifecycle() -> None:
    from training.cli_lifecycle import corrections_app, label_app, models_app, retrain_command

    app.add_typer(models_app, name="models")
    app.add_typer(corrections_app, name="corrections")
    app.add_typer(label_app, name="label")
    app.command("retrain")(retrain_command)


register_lifecycle()


def main() -> None:
    app()
