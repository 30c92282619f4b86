"""Model artifacts: `models/<task>/<version>/{model.joblib, metadata.json}` with provenance and a checksum.

joblib files run code when loaded, so `load_artifact` checks the file's sha256 against the
metadata before unpickling and refuses a file that was changed by even one byte. A checksum beside
the file only catches damage: whoever can replace the file can rewrite the checksum too. With
`TRIAGE_MODEL_SIGNING_KEY` set (a secret the training and the serving machines share, never stored
with the models), `save_artifact` also records an HMAC-SHA256 of the file under that key and
`load_artifact` refuses any file whose HMAC is missing or wrong, so only a holder of the key can
make a model the server will unpickle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import joblib

SIGNING_KEY_ENV = "TRIAGE_MODEL_SIGNING_KEY"
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


def signing_key() -> bytes | None:
    key = os.environ.get(SIGNING_KEY_ENV, "")
    return key.encode("utf-8") if key else None


def file_digests(path: Path, key: bytes | None) -> tuple[str, str | None]:
    """(sha256, HMAC-SHA256 under `key` or None) of a file, in one read."""
    digest = hashlib.sha256()
    mac = hmac.new(key, digestmod=hashlib.sha256) if key else None
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            if mac is not None:
                mac.update(chunk)
    return digest.hexdigest(), mac.hexdigest() if mac is not None else None


def sign_artifact(folder: Path) -> str:
    """Record the HMAC of an existing version's model file under the current key (`triage models sign`):
    for versions trained before the key was set. The file must still match its recorded sha256."""
    key = signing_key()
    if key is None:
        raise ArtifactError(f"{SIGNING_KEY_ENV} is not set: nothing to sign with")
    meta = read_metadata(folder)
    model_path = folder / str(meta.get("model_file", MODEL_FILE))
    if not model_path.is_file():
        raise ArtifactError(f"{model_path} is missing")
    sha256, mac = file_digests(model_path, key)
    if sha256 != meta.get("model_sha256"):
        raise ArtifactError(f"{model_path} does not match its recorded sha256; not signing a changed file")
    meta["model_hmac_sha256"] = mac
    write_metadata(folder, meta)
    return str(mac)


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
    sha256, mac = file_digests(model_path, signing_key())
    full = {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "libraries": library_versions(),
        **metadata,
        "model_file": MODEL_FILE,
        "model_sha256": sha256,
    }
    if mac is not None:
        full["model_hmac_sha256"] = mac
    write_metadata(folder, full)
    return Artifact(model, full, folder)


def write_metadata(folder: Path, meta: dict[str, Any]) -> None:
    (folder / METADATA_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_metadata(folder: Path) -> dict[str, Any]:
    path = folder / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ArtifactError(f"{path} is missing") from err
    except json.JSONDecodeError as err:
        raise ArtifactError(f"{path} is not valid JSON: {err.msg}") from err


def load_artifact(folder: Path) -> Artifact:
    """Load a version folder after checking the model file against the recorded sha256 and, with a
    signing key set, against its HMAC."""
    meta = read_metadata(folder)
    model_path = folder / str(meta.get("model_file", MODEL_FILE))
    if not model_path.is_file():
        raise ArtifactError(f"{model_path} is missing")
    key = signing_key()
    expected = meta.get("model_sha256")
    actual, mac = file_digests(model_path, key)
    if actual != expected:
        raise ArtifactError(
            f"{model_path} does not match its metadata (sha256 {actual[:12]}… != {str(expected)[:12]}…); "
            "refusing to load a file that may have been tampered with"
        )
    if key is not None:
        recorded = meta.get("model_hmac_sha256")
        if not isinstance(recorded, str) or not hmac.compare_digest(recorded, str(mac)):
            state = "is not signed" if recorded is None else "has a signature that does not match"
            raise ArtifactError(
                f"{model_path} {state} under {SIGNING_KEY_ENV}; refusing to unpickle it "
                "(sign a version you trust with `triage models sign VERSION`)"
            )
    return Artifact(joblib.load(model_path), meta, folder)


def latest_version(task_dir: Path) -> Path:
    """The newest version folder of a task (versions sort by creation time)."""
    versions = sorted(p for p in task_dir.glob("*/") if (p / METADATA_FILE).is_file()) if task_dir.is_dir() else []
    if not versions:
        raise ArtifactError(f"no trained model under {task_dir}; run `triage train` first")
    return versions[-1]
