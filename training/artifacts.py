"""Model artifacts: `models/<task>/<version>/{model.joblib, metadata.json}` with provenance and a checksum.

joblib files run code when loaded, so `load_artifact` checks the file's sha256 against the
metadata before unpickling and refuses a file that was changed by even one byte.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import joblib

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib", "pymorphy3", "complaint-triage")


class ArtifactError(RuntimeError):
    """An artifact is missing, incomplete or does not match its recorded checksum."""


@dataclass
class Artifact:
    model: Any
    metadata: dict[str, Any]
    path: Path

    @property
    def version(self) -> str:
        return str(self.metadata["version"])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def new_version(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


def save_artifact(model: Any, task_dir: Path, metadata: dict[str, Any], version: str | None = None) -> Artifact:
    """Write the model and its metadata (with the model file's sha256) into a new version folder."""
    version = version or new_version()
    folder = task_dir / version
    if folder.exists():
        raise ArtifactError(f"{folder} already exists; versions are never overwritten")
    folder.mkdir(parents=True)
    model_path = folder / MODEL_FILE
    joblib.dump(model, model_path, compress=3)
    full = {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "libraries": library_versions(),
        **metadata,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_file(model_path),
    }
    (folder / METADATA_FILE).write_text(json.dumps(full, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Artifact(model, full, folder)


def read_metadata(folder: Path) -> dict[str, Any]:
    path = folder / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ArtifactError(f"{path} is missing") from err
    except json.JSONDecodeError as err:
        raise ArtifactError(f"{path} is not valid JSON: {err.msg}") from err


def load_artifact(folder: Path) -> Artifact:
    """Load a version folder after checking the model file against the recorded sha256."""
    meta = read_metadata(folder)
    model_path = folder / str(meta.get("model_file", MODEL_FILE))
    if not model_path.is_file():
        raise ArtifactError(f"{model_path} is missing")
    expected = meta.get("model_sha256")
    actual = sha256_file(model_path)
    if actual != expected:
        raise ArtifactError(
            f"{model_path} does not match its metadata (sha256 {actual[:12]}… != {str(expected)[:12]}…); "
            "refusing to load a file that may have been tampered with"
        )
    return Artifact(joblib.load(model_path), meta, folder)


def latest_version(task_dir: Path) -> Path:
    """The newest version folder of a task (versions sort by creation time)."""
    versions = sorted(p for p in task_dir.glob("*/") if (p / METADATA_FILE).is_file()) if task_dir.is_dir() else []
    if not versions:
        raise ArtifactError(f"no trained model under {task_dir}; run `triage train` first")
    return versions[-1]
