"""Model files: the sha256 catches damage; with TRIAGE_MODEL_SIGNING_KEY the HMAC decides what is unpickled."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.artifacts import SIGNING_KEY_ENV, ArtifactError, load_artifact, save_artifact, sign_artifact
from training.cli import app

KEY = "shared secret"


def test_a_model_saved_with_the_key_loads_only_under_that_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY)
    saved = save_artifact({"weights": [1, 2, 3]}, tmp_path, {"task": "tickets"}, version="20260101-000000")
    assert len(saved.metadata["model_hmac_sha256"]) == 64
    assert load_artifact(saved.path).model == {"weights": [1, 2, 3]}
    monkeypatch.setenv(SIGNING_KEY_ENV, "another key")
    with pytest.raises(ArtifactError, match="signature that does not match"):
        load_artifact(saved.path)
    monkeypatch.delenv(SIGNING_KEY_ENV)
    assert load_artifact(saved.path).model == {"weights": [1, 2, 3]}  # no key: the checksum alone, as before


def test_signing_refuses_a_changed_file_and_needs_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    saved = save_artifact({"weights": [1]}, tmp_path, {"task": "tickets"}, version="20260101-000000")
    assert "model_hmac_sha256" not in saved.metadata
    with pytest.raises(ArtifactError, match="is not set"):
        sign_artifact(saved.path)
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY)
    with pytest.raises(ArtifactError, match="is not signed"):
        load_artifact(saved.path)
    model_file = saved.path / "model.joblib"
    original = model_file.read_bytes()
    model_file.write_bytes(original + b"\0")
    with pytest.raises(ArtifactError, match="recorded sha256"):
        sign_artifact(saved.path)
    model_file.write_bytes(original)
    sign_artifact(saved.path)
    assert load_artifact(saved.path).model == {"weights": [1]}


def test_models_sign_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_artifact({"weights": [1]}, tmp_path / "severity", {"task": "tickets"}, version="20260101-000000")
    runner = CliRunner()
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    refused = runner.invoke(app, ["models", "sign", "20260101-000000", "--models-dir", str(tmp_path)])
    assert refused.exit_code == 1 and "TRIAGE_MODEL_SIGNING_KEY is not set" in refused.output
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY)
    signed = runner.invoke(app, ["models", "sign", "20260101-000000", "--models-dir", str(tmp_path)])
    assert signed.exit_code == 0 and "severity 20260101-000000: signed" in signed.output
    assert load_artifact(tmp_path / "severity" / "20260101-000000").model == {"weights": [1]}
