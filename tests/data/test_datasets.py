"""Data tests: the published splits follow the guide, hold the floors and do not leak."""

from pathlib import Path
from typing import Any

import pytest

from training.data import dataset_path, validate_file
from training.dedup import near_duplicate_pairs, shared_runs
from training.stats import floor_failures, split_stats

SPLITS = [(task, split) for task in ("tickets", "replies") for split in ("train", "test")]


@pytest.fixture(scope="module")
def splits(data_dir: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out = {}
    for task, split in SPLITS:
        report = validate_file(dataset_path(data_dir, task, split), task)  # type: ignore[arg-type]
        assert report.ok, [str(p) for p in report.problems[:10]]
        out[(task, split)] = report.records
    return out


@pytest.mark.parametrize(("task", "split"), SPLITS)
def test_split_meets_the_floors(splits, task: str, split: str) -> None:
    stats = split_stats(task, split, splits[(task, split)])  # type: ignore[arg-type]
    assert floor_failures(stats) == []


def test_ids_are_unique_across_all_splits(splits) -> None:
    ids = [r["id"] for records in splits.values() for r in records]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_blame_shifting_reply_has_its_spans_and_others_none(splits, split: str) -> None:
    for record in splits[("replies", split)]:
        if record["tone"] == "blame_shifting":
            assert record.get("spans"), record["id"]
        else:
            assert record.get("spans") == [], record["id"]


@pytest.mark.parametrize("split", ["train", "test"])
def test_spans_are_clean_substrings(splits, split: str) -> None:
    for record in splits[("replies", split)]:
        for span in record["spans"]:
            piece = record["text"][span["start"] : span["end"]]
            assert piece == piece.strip() and piece, (record["id"], piece)
            assert piece[-1] not in ",;:", (record["id"], piece)


@pytest.mark.parametrize("split", ["train", "test"])
def test_critical_and_high_tickets_carry_signals(splits, split: str) -> None:
    records = splits[("tickets", split)]
    critical = [r for r in records if r["severity"] == "critical"]
    assert all(r.get("signals") for r in critical), [r["id"] for r in critical if not r.get("signals")]
    high = [r for r in records if r["severity"] == "high"]
    assert sum(bool(r.get("signals")) for r in high) >= 0.9 * len(high)


@pytest.mark.parametrize("task", ["tickets", "replies"])
def test_no_near_duplicates_within_or_across_splits(splits, task: str) -> None:
    records = splits[(task, "train")] + splits[(task, "test")]
    pairs = near_duplicate_pairs([r["text"] for r in records], threshold=0.8)
    assert [(records[i]["id"], records[j]["id"], round(s, 2)) for i, j, s in pairs] == []


@pytest.mark.parametrize("task", ["tickets", "replies"])
def test_no_shared_twelve_word_run(splits, task: str) -> None:
    records = splits[(task, "train")] + splits[(task, "test")]
    runs = shared_runs([r["text"] for r in records], 12)
    assert [(records[i]["id"], records[j]["id"], run) for i, j, run in runs] == []


@pytest.mark.parametrize("task", ["tickets", "replies"])
def test_test_and_train_share_no_eight_word_run(splits, task: str) -> None:
    train, test = splits[(task, "train")], splits[(task, "test")]
    runs = shared_runs([r["text"] for r in test], 8, [r["text"] for r in train])
    assert [(test[i]["id"], train[j]["id"], run) for i, j, run in runs] == []


@pytest.mark.parametrize("task", ["tickets", "replies"])
def test_test_split_is_written_by_other_writers_about_other_industries(splits, task: str) -> None:
    train, test = splits[(task, "train")], splits[(task, "test")]
    assert not {r["writer"] for r in train} & {r["writer"] for r in test}
    train_industries = {r["industry"] for r in train}
    test_only = [r for r in test if r["industry"] not in train_industries]
    assert len(test_only) >= 0.5 * len(test)


@pytest.mark.parametrize(("task", "split"), SPLITS)
def test_corpus_is_varied_in_channel_and_length(splits, task: str, split: str) -> None:
    records = splits[(task, split)]
    channels = {r["channel"] for r in records}
    assert len(channels) >= 6
    lengths = sorted(len(r["text"].split()) for r in records)
    assert lengths[0] <= 8
    assert lengths[-1] >= 120
