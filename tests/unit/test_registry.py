"""The registry: champion/challenger aliases, promotion, rollback, history."""

from pathlib import Path

import pytest

from training.artifacts import ArtifactError, save_artifact
from training.registry import champion_folder, promote, read_registry, register_trained, rollback


def saved(task_dir: Path, version: str) -> str:
    save_artifact({"model": version}, task_dir, {"task": "tickets", "metrics_test": {"macro_f1": 0.5}}, version=version)
    return version


def test_without_a_registry_the_newest_version_is_the_champion(tmp_path: Path) -> None:
    saved(tmp_path, "20260101-000000")
    saved(tmp_path, "20260102-000000")
    assert champion_folder(tmp_path).name == "20260102-000000"
    assert read_registry(tmp_path)["history"] == []


def test_training_never_changes_the_champion_once_there_is_one(tmp_path: Path) -> None:
    first = saved(tmp_path, "20260101-000000")
    assert register_trained(tmp_path, first, by="ds") == "champion"
    second = saved(tmp_path, "20260102-000000")
    assert register_trained(tmp_path, second, by="ds") == "challenger"
    registry = read_registry(tmp_path)
    assert (registry["champion"], registry["challenger"]) == (first, second)
    assert champion_folder(tmp_path).name == first


def test_a_version_trained_before_the_registry_stays_champion(tmp_path: Path) -> None:
    old = saved(tmp_path, "20260101-000000")
    new = saved(tmp_path, "20260102-000000")
    assert register_trained(tmp_path, new) == "challenger"
    assert champion_folder(tmp_path).name == old


def test_promote_then_rollback_records_who_when_and_what(tmp_path: Path) -> None:
    first = saved(tmp_path, "20260101-000000")
    register_trained(tmp_path, first, by="ds")
    second = saved(tmp_path, "20260102-000000")
    register_trained(tmp_path, second, by="ds")
    event = promote(tmp_path, second, by="anna", reason="better")
    assert (event["previous"], event["version"], event["by"]) == (first, second, "anna")
    assert event["metrics"] == {"macro_f1": 0.5} and event["at"]
    assert champion_folder(tmp_path).name == second
    assert read_registry(tmp_path)["challenger"] is None
    back = rollback(tmp_path, by="boris")
    assert (back["action"], back["version"], back["previous"]) == ("rollback", first, second)
    assert champion_folder(tmp_path).name == first
    assert [e["action"] for e in read_registry(tmp_path)["history"]] == ["promote", "challenger", "promote", "rollback"]


def test_rollback_without_an_earlier_champion_and_unknown_versions_are_refused(tmp_path: Path) -> None:
    first = saved(tmp_path, "20260101-000000")
    register_trained(tmp_path, first)
    with pytest.raises(ArtifactError, match="nothing to roll back"):
        rollback(tmp_path)
    with pytest.raises(ArtifactError, match="no version 20990101-000000"):
        promote(tmp_path, "20990101-000000")
    with pytest.raises(ArtifactError, match="already the champion"):
        promote(tmp_path, first)


def test_a_champion_whose_folder_vanished_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    first = saved(tmp_path, "20260101-000000")
    register_trained(tmp_path, first)
    saved(tmp_path, "20260102-000000")
    for path in (tmp_path / first).iterdir():
        path.unlink()
    (tmp_path / first).rmdir()
    with pytest.raises(ArtifactError, match="folder is missing"):
        champion_folder(tmp_path)


def test_concurrent_registry_changes_are_all_kept(tmp_path: Path) -> None:
    """Promotions from several processes at once (API workers, a CLI) each read-modify-write the
    registry; under its lock none of them is lost."""
    import subprocess
    import sys
    import time

    champion = saved(tmp_path, "20260101-000000")
    register_trained(tmp_path, champion, by="ds")
    challengers = [saved(tmp_path, f"20260102-00000{k}") for k in range(6)]
    go = tmp_path / "go"
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from training.registry import register_trained\n"
        "while not os.path.exists(sys.argv[3]): time.sleep(0.001)\n"
        "for _ in range(5): register_trained(Path(sys.argv[1]), sys.argv[2], by=sys.argv[2])\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), v, str(go)]) for v in challengers]
    time.sleep(1.0)
    go.touch()
    assert [w.wait(timeout=60) for w in workers] == [0] * len(workers)
    history = read_registry(tmp_path)["history"]
    assert len(history) == 1 + 5 * len(challengers)
    assert sorted(e["by"] for e in history[1:]) == sorted(v for v in challengers for _ in range(5))
