from pathlib import Path

import pytest

from training.artifacts import save_artifact
from training.data import dataset_path, load_records
from training.tickets import TicketTriager
from training.tone import ToneChecker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return ROOT / "data"


@pytest.fixture(scope="session")
def ticket_test_records(data_dir: Path) -> list[dict]:
    return load_records(dataset_path(data_dir, "tickets", "test"), "tickets")


@pytest.fixture(scope="session")
def triager(data_dir: Path) -> TicketTriager:
    train = load_records(dataset_path(data_dir, "tickets", "train"), "tickets")
    return TicketTriager().fit(
        [r["text"] for r in train], [r["severity"] for r in train], [r.get("signals", []) for r in train]
    )


@pytest.fixture(scope="session")
def reply_test_records(data_dir: Path) -> list[dict]:
    return load_records(dataset_path(data_dir, "replies", "test"), "replies")


@pytest.fixture(scope="session")
def tone_checker(data_dir: Path) -> ToneChecker:
    return ToneChecker().fit(load_records(dataset_path(data_dir, "replies", "train"), "replies"))


@pytest.fixture(scope="session")
def served_models(triager, tone_checker, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("served-models")
    save_artifact(triager, root / "severity", {"task": "tickets"}, version="20260101-000000")
    save_artifact(tone_checker, root / "tone", {"task": "replies"}, version="20260101-000001")
    return root
