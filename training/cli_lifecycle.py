"""`triage models …`, `triage corrections export`, `triage retrain`, `triage label …`: a model's life
after its first training — corrections in, challenger trained, judged, promoted or refused, rolled back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from training.artifacts import ArtifactError, read_metadata, sign_artifact
from training.cli_options import DataDir, ModelsDir, fail, open_model
from training.data import TASKS, DataError, Task
from training.registry import TASK_FOLDERS, last_change, promote, read_registry, rollback, versions

models_app = typer.Typer(help="The model registry: champion, challenger, history.", no_args_is_help=True)
corrections_app = typer.Typer(help="Agents' corrections stored by the server.", no_args_is_help=True)
label_app = typer.Typer(
    help="Active learning with Label Studio: export tasks, import annotations.", no_args_is_help=True
)

TaskArgument = Annotated[str, typer.Argument(help="tickets or replies.")]
TaskOption = Annotated[str, typer.Option("--task", help="tickets or replies.")]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="The server's database; default TRIAGE_DATABASE_URL or sqlite:///var/triage.db."
    ),
]
ByOption = Annotated[str | None, typer.Option("--by", help="Who does this (recorded in the history); default: $USER.")]


def checked_task(task: str) -> Task:
    if task not in TASKS:
        raise fail(f"task must be one of {', '.join(TASKS)}, got '{task}'", code=2)
    return task  # type: ignore[return-value]


def open_database(url: str | None) -> Any:
    """A session factory on the server's database, refusing a SQLite file that does not exist."""
    from serve.settings import Settings
    from serve.store import make_engine, session_factory

    url = url or Settings().database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise fail(f"no database at {path} (start the server once, or pass --database-url)")
    try:
        return session_factory(make_engine(url))
    except Exception as err:
        raise fail(f"cannot open the database {url}: {err}") from err


# ---- models ---------------------------------------------------------------------------------------


@models_app.command("list")
def models_list(
    task: Annotated[str | None, typer.Option("--task", help="Only this task (tickets or replies).")] = None,
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Every saved version per task, its role (champion, challenger) and headline test figures."""
    tasks = [checked_task(task)] if task else list(TASKS)
    for name in tasks:
        task_dir = models_dir / TASK_FOLDERS[name]
        registry = read_registry(task_dir)
        typer.echo(f"{name} ({task_dir}):")
        found = versions(task_dir)
        if not found:
            typer.echo("  no versions; run `triage train " + name + "`")
        for version in found:
            role = (
                "champion"
                if version == registry["champion"]
                else "challenger"
                if version == registry.get("challenger")
                else ""
            )
            metrics = read_metadata(task_dir / version).get("metrics_test", {})
            figures = ", ".join(
                f"{k} {metrics[k]:.3f}" for k in ("macro_f1", "critical_recall", "blame_recall") if k in metrics
            )
            typer.echo(f"  {version}  {role:<10}  {figures}")


def find_version(models_dir: Path, version: str) -> tuple[Task, Path]:
    for task, folder in TASK_FOLDERS.items():
        if version in versions(models_dir / folder):
            return task, models_dir / folder  # type: ignore[return-value]
    raise fail(f"no version {version} under {models_dir}; `triage models list` shows them")


@models_app.command("show")
def models_show(
    version: Annotated[str, typer.Argument(help="A version, e.g. 20261206-101500.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Print a version's model card (CARD.md), or its metadata when it has no card."""
    _, task_dir = find_version(models_dir, version)
    card = task_dir / version / "CARD.md"
    if card.is_file():
        typer.echo(card.read_text(encoding="utf-8"))
    else:
        typer.echo(json.dumps(read_metadata(task_dir / version), indent=2, ensure_ascii=False))


@models_app.command("promote")
def models_promote(
    version: Annotated[str, typer.Argument(help="The version to serve.")],
    models_dir: ModelsDir = Path("models"),
    by: ByOption = None,
) -> None:
    """Make a version the champion by hand (servers pick it up without a restart)."""
    _, task_dir = find_version(models_dir, version)
    try:
        event = promote(task_dir, version, by=by)
    except ArtifactError as err:
        raise fail(str(err)) from err
    typer.echo(f"{task_dir.name}: champion {event['previous']} → {event['version']} (by {event['by']})")


@models_app.command("sign")
def models_sign(
    version_list: Annotated[list[str], typer.Argument(metavar="VERSION", help="Versions to sign.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Sign versions you trust with TRIAGE_MODEL_SIGNING_KEY (versions trained without it); a server
    with the key set loads only signed model files."""
    for version in version_list:
        _, task_dir = find_version(models_dir, version)
        try:
            mac = sign_artifact(task_dir / version)
        except ArtifactError as err:
            raise fail(str(err)) from err
        typer.echo(f"{task_dir.name} {version}: signed (HMAC-SHA256 {mac[:12]}…)")


@models_app.command("rollback")
def models_rollback(
    task: Annotated[
        str | None, typer.Option("--task", help="tickets or replies; default the task whose champion changed last.")
    ] = None,
    models_dir: ModelsDir = Path("models"),
    by: ByOption = None,
) -> None:
    """Give the champion's place back to the version the current champion replaced."""
    if task is None:
        changed = {name: last_change(models_dir / folder) for name, folder in TASK_FOLDERS.items()}
        task = max(changed, key=lambda name: changed[name])
        if not changed[task]:
            raise fail("no promotion to roll back in any task")
    task_dir = models_dir / TASK_FOLDERS[checked_task(task)]
    try:
        event = rollback(task_dir, by=by)
    except ArtifactError as err:
        raise fail(str(err)) from err
    typer.echo(f"{task}: champion {event['previous']} → {event['version']} (rolled back by {event['by']})")


# ---- corrections ----------------------------------------------------------------------------------


@corrections_app.command("export")
def corrections_export(
    task: TaskOption,
    output: Annotated[Path, typer.Option("--output", help="JSONL of guide-format records to write.")],
    data_dir: DataDir = Path("data"),
    database_url: DatabaseOption = None,
) -> None:
    """Stored corrections → guide-format records: overrides of train texts and new texts (never test texts)."""
    from serve.store import corrections_for_export
    from training.corrections import TARGET, export_for_task

    name = checked_task(task)
    sessions = open_database(database_url)
    with sessions() as session:
        corrections = corrections_for_export(session, TARGET[name])
    try:
        records, counts = export_for_task(name, corrections, data_dir)
    except DataError as err:
        raise fail(str(err)) from err
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as sink:
        for record in records:
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    typer.echo(counts.summary())
    for reason in counts.skipped:
        typer.echo(f"  skipped {reason}", err=True)
    typer.echo(f"{len(records)} record(s) → {output}")


# ---- retrain --------------------------------------------------------------------------------------


def retrain_command(
    task: TaskArgument,
    with_corrections: Annotated[
        Path | None, typer.Option("--with-corrections", help="JSONL from `triage corrections export`.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report the comparison; promote nothing.")] = False,
    data_dir: DataDir = Path("data"),
    models_dir: ModelsDir = Path("models"),
    by: ByOption = None,
    resamples: Annotated[int, typer.Option("--resamples", min=100, help="Bootstrap resamples.")] = 1000,
) -> None:
    """Train a challenger, compare it with the champion on the frozen test split, promote it only if better."""
    from training.retrain import retrain

    name = checked_task(task)
    if with_corrections is not None and not with_corrections.is_file():
        raise fail(f"corrections file {with_corrections} does not exist")
    try:
        result = retrain(name, data_dir, models_dir, with_corrections, dry_run=dry_run, by=by, n_boot=resamples)
    except (ArtifactError, DataError) as err:
        raise fail(str(err)) from err
    typer.echo(result.report)
    typer.echo(f"written {result.report_path}")


# ---- Label Studio ---------------------------------------------------------------------------------


@label_app.command("export")
def label_export(
    task: TaskOption,
    output: Annotated[Path, typer.Option("--output", help="Label Studio tasks JSON to write.")],
    strategy: Annotated[str, typer.Option("--strategy", help="uncertainty, margin or entropy.")] = "uncertainty",
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many tasks.")] = 100,
    input_path: Annotated[
        Path | None, typer.Option("--input", help="JSONL of {id, text} to choose from instead of the database.")
    ] = None,
    models_dir: ModelsDir = Path("models"),
    database_url: DatabaseOption = None,
) -> None:
    """The least-confident stored tickets (or drafts) as Label Studio tasks, pre-annotated by the champion."""
    from training.labelstudio import CONFIG_FILES, STRATEGIES, export_tasks
    from training.predict import unscorable_reason
    from training.train import TASK_SPECS

    name = checked_task(task)
    if strategy not in STRATEGIES:
        raise fail(f"--strategy must be one of {', '.join(STRATEGIES)}, got '{strategy}'", code=2)
    if input_path is not None:
        items = read_items(input_path)
    else:
        from serve.store import stored_reply_texts, stored_ticket_texts

        with open_database(database_url)() as session:
            items = stored_ticket_texts(session) if name == "tickets" else stored_reply_texts(session)
    items = [item for item in items if not unscorable_reason(item["text"])]
    if not items:
        raise fail("nothing to export: no stored texts (or none scorable)")
    spec = TASK_SPECS[name]
    artifact = open_model(models_dir, spec.model_folder, None)
    predictions = spec.predict(artifact.model, [i["text"] for i in items], artifact.version)
    tasks = export_tasks(name, items, predictions, strategy, limit)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    typer.echo(f"{len(tasks)} task(s) of {len(items)} by {strategy} → {output}; label config: {CONFIG_FILES[name]}")


def read_items(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise fail(f"input file {path} does not exist")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise fail(f"{path}:{number}: bad JSON: {err.msg}") from err
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
            raise fail(f"{path}:{number}: expected an object with 'id' and a string 'text'")
        items.append({"id": str(row["id"]), "text": row["text"]})
    return items


@label_app.command("import")
def label_import(
    export: Annotated[Path, typer.Argument(help="A Label Studio JSON export (list of tasks with annotations).")],
    output: Annotated[Path, typer.Option("--output", help="JSONL of guide-format records to write.")] = Path(
        "label-studio-records.jsonl"
    ),
    task: Annotated[str | None, typer.Option("--task", help="tickets or replies; default from the results.")] = None,
) -> None:
    """Annotations → guide-format records, span offsets checked against their text; exit 1 on any problem."""
    from training.labelstudio import import_export

    name = checked_task(task) if task else None
    if not export.is_file():
        raise fail(f"export file {export} does not exist")
    try:
        payload = json.loads(export.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise fail(f"{export} is not a JSON file: {err}") from err
    report = import_export(payload, name)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as sink:
        for record in report.records:
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    for problem in report.problems:
        typer.echo(f"{export}: {problem}", err=True)
    typer.echo(f"{report.summary()} → {output}")
    if report.problems:
        raise typer.Exit(1)
