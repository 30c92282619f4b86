"""Which version of a task's model is served: `models/<folder>/registry.json`.

The layout `models/<folder>/<version>/` stays; beside the versions, one small JSON file names the
`champion` (served) and any `challenger` (trained, waiting for a decision), and keeps the history
of every promotion and rollback: who, when, with which metrics and why. Aliases rather than a
"latest wins" rule, so training a model never changes what help desks are served.

Without a registry file (a folder trained before the registry existed), the newest version is the
champion, as it was before.
"""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.artifacts import METADATA_FILE, ArtifactError, latest_version, read_metadata
from training.filelock import exclusive

REGISTRY_FILE = "registry.json"
TASK_FOLDERS: dict[str, str] = {"tickets": "severity", "replies": "tone"}


def registry_path(task_dir: Path) -> Path:
    return task_dir / REGISTRY_FILE


def versions(task_dir: Path) -> list[str]:
    """Every saved version of a task, oldest first."""
    if not task_dir.is_dir():
        return []
    return sorted(p.name for p in task_dir.iterdir() if (p / METADATA_FILE).is_file())


def read_registry(task_dir: Path) -> dict[str, Any]:
    """The registry of a task; a folder without one gets its implied registry (newest = champion)."""
    path = registry_path(task_dir)
    if path.is_file():
        try:
            registry = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ArtifactError(f"{path} is not valid JSON: {err.msg}") from err
        registry.setdefault("challenger", None)
        registry.setdefault("history", [])
        return registry
    found = versions(task_dir)
    return {"champion": found[-1] if found else None, "challenger": None, "history": []}


def write_registry(task_dir: Path, registry: dict[str, Any]) -> None:
    """Write atomically (temp file + rename) so a server polling the file never reads half of it."""
    task_dir.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=task_dir, prefix=".registry-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(registry, ensure_ascii=False, indent=2) + "\n")
    os.replace(temp, registry_path(task_dir))


def registry_lock(task_dir: Path) -> AbstractContextManager[None]:
    """Serialise a read-modify-write of the registry: a promotion through the API (any worker, any
    machine sharing the folder) and one from the CLI must not both start from the same old file."""
    task_dir.mkdir(parents=True, exist_ok=True)
    return exclusive(task_dir / ".registry.lock")


def champion_folder(task_dir: Path) -> Path:
    """The version folder to serve: the registry's champion, else the newest version."""
    champion = read_registry(task_dir).get("champion")
    if champion and (task_dir / champion / METADATA_FILE).is_file():
        return task_dir / champion
    if champion:
        raise ArtifactError(f"{task_dir}: champion {champion} is named in {REGISTRY_FILE} but its folder is missing")
    return latest_version(task_dir)


def whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _event(action: str, version: str | None, previous: str | None, by: str | None, **extra: Any) -> dict[str, Any]:
    return {"action": action, "version": version, "previous": previous, "by": by or whoami(), "at": _now(), **extra}


def _require_version(task_dir: Path, version: str) -> None:
    if not (task_dir / version / METADATA_FILE).is_file():
        known = ", ".join(versions(task_dir)) or "none"
        raise ArtifactError(f"no version {version} under {task_dir} (known: {known})")


def register_trained(task_dir: Path, version: str, by: str | None = None) -> str:
    """Record a freshly trained version: champion if the task has none yet, otherwise challenger.

    Returns the role it got.
    """
    with registry_lock(task_dir):
        _require_version(task_dir, version)
        registry = read_registry(task_dir)
        if not registry_path(task_dir).is_file():
            older = [v for v in versions(task_dir) if v != version]
            registry["champion"] = older[-1] if older else None
        metrics = read_metadata(task_dir / version).get("metrics_test", {})
        if registry.get("champion") in (None, version):
            registry["champion"] = version
            event = _event("promote", version, None, by, reason="first model of the task", metrics=metrics)
            registry["history"].append(event)
            role = "champion"
        else:
            registry["challenger"] = version
            registry["history"].append(_event("challenger", version, registry["champion"], by, metrics=metrics))
            role = "challenger"
        write_registry(task_dir, registry)
        return role


def promote(task_dir: Path, version: str, by: str | None = None, reason: str = "", **extra: Any) -> dict[str, Any]:
    """Make `version` the champion; the old champion stays on disk for a rollback."""
    with registry_lock(task_dir):
        _require_version(task_dir, version)
        registry = read_registry(task_dir)
        previous = registry.get("champion")
        if previous == version:
            raise ArtifactError(f"{version} is already the champion of {task_dir.name}")
        registry["champion"] = version
        if registry.get("challenger") == version:
            registry["challenger"] = None
        metrics = read_metadata(task_dir / version).get("metrics_test", {})
        event = _event("promote", version, previous, by, reason=reason or "promoted by hand", metrics=metrics, **extra)
        registry["history"].append(event)
        write_registry(task_dir, registry)
        return event


def rollback(task_dir: Path, by: str | None = None) -> dict[str, Any]:
    """Give the champion's place back to the version it replaced (the previous promotion's)."""
    with registry_lock(task_dir):
        registry = read_registry(task_dir)
        current = registry.get("champion")
        history = registry["history"]
        promotion = next((e for e in reversed(history) if e["action"] == "promote" and e["version"] == current), None)
        if promotion is None or not promotion.get("previous"):
            raise ArtifactError(
                f"nothing to roll back to: {task_dir.name} champion {current} replaced no earlier version"
            )
        target = promotion["previous"]
        _require_version(task_dir, target)
        registry["champion"] = target
        event = _event("rollback", target, current, by, reason=f"rolled back from {current}")
        history.append(event)
        write_registry(task_dir, registry)
        return event


def last_change(task_dir: Path) -> str:
    """When the task's registry last changed ('' when never): to pick the task a bare rollback means."""
    history = read_registry(task_dir)["history"]
    changes = [e["at"] for e in history if e["action"] in ("promote", "rollback") and e.get("previous")]
    return max(changes, default="")
