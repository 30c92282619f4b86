"""Champion against challenger: paired bootstrap, McNemar, the promotion rule."""

import numpy as np
import pytest

from training.compare import (
    bootstrap_interval,
    compare,
    macro_f1,
    mcnemar,
    reply_outcomes,
    span_f1,
    ticket_outcomes,
)

LEVELS = ["low", "medium", "high", "critical"]


def tickets(truth: list[str]) -> list[dict]:
    return [{"id": f"t{k}", "text": f"текст {k}", "severity": s} for k, s in enumerate(truth)]


def predicted(levels: list[str]) -> list[dict]:
    return [{"severity": s} for s in levels]


@pytest.fixture
def truth() -> list[str]:
    rng = np.random.default_rng(1)
    return [LEVELS[i] for i in rng.integers(0, 4, 200)]


def degrade(levels: list[str], every: int, to: str) -> list[str]:
    return [to if k % every == 0 else s for k, s in enumerate(levels)]


def test_macro_f1_matches_scikit_learn(truth: list[str]) -> None:
    from sklearn.metrics import f1_score

    guess = degrade(truth, 3, "medium")
    o = ticket_outcomes(tickets(truth), predicted(guess))
    assert macro_f1(o, np.arange(len(truth))) == pytest.approx(f1_score(truth, guess, average="macro"))


def test_identical_models_differ_by_exactly_zero_and_are_promoted(truth: list[str]) -> None:
    guess = degrade(truth, 4, "high")
    a = ticket_outcomes(tickets(truth), predicted(guess))
    result = compare("tickets", a, ticket_outcomes(tickets(truth), predicted(guess)), n_boot=200)
    assert result["figures"]["macro_f1"]["ci_low"] == result["figures"]["macro_f1"]["ci_high"] == 0
    assert result["mcnemar"]["p_value"] == 1.0
    assert result["promote"] and result["reasons"] == []


def test_a_clearly_worse_challenger_is_refused_with_every_reason(truth: list[str]) -> None:
    champion = ticket_outcomes(tickets(truth), predicted(degrade(truth, 10, "medium")))
    challenger = ticket_outcomes(tickets(truth), predicted(degrade(truth, 2, "low")))
    result = compare("tickets", champion, challenger, n_boot=300)
    assert not result["promote"]
    text = " ".join(result["reasons"])
    assert "macro-F1 is worse beyond the interval" in text
    assert "critical_recall is lower" in text
    assert "newly called low" in text and result["new_critical_predicted_low"]
    assert result["mcnemar"]["only_champion_right"] > result["mcnemar"]["only_challenger_right"]
    assert result["mcnemar"]["p_value"] < 0.001


def test_one_new_critical_called_low_is_enough_to_refuse(truth: list[str]) -> None:
    k = truth.index("critical")
    worse = list(truth)
    worse[k] = "low"
    result = compare(
        "tickets", ticket_outcomes(tickets(truth), predicted(truth)), ticket_outcomes(tickets(truth), predicted(worse))
    )
    assert not result["promote"]
    assert result["new_critical_predicted_low"] == [f"t{k}"]


def test_mcnemar_counts_only_discordant_records(truth: list[str]) -> None:
    a = ticket_outcomes(tickets(truth), predicted(degrade(truth, 5, "low")))
    b = ticket_outcomes(tickets(truth), predicted(truth))
    m = mcnemar(a, b)
    wrong_in_a = int((~a.correct).sum())
    assert m == {"only_champion_right": 0, "only_challenger_right": wrong_in_a, "p_value": pytest.approx(m["p_value"])}


def test_reply_span_f1_and_its_interval() -> None:
    records = [
        {"id": "r1", "text": "a", "tone": "blame_shifting", "spans": [{"start": 0, "end": 5, "label": "x"}]},
        {"id": "r2", "text": "b", "tone": "neutral", "spans": []},
    ]
    preds = [
        {"tone": "blame_shifting", "spans": [{"start": 3, "end": 8, "label": "x"}, {"start": 20, "end": 30}]},
        {"tone": "neutral", "spans": []},
    ]
    o = reply_outcomes(records, preds)
    assert span_f1(o, np.arange(2)) == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    value, low, high = bootstrap_interval(o, span_f1, n_boot=100)
    assert low <= value <= high


def test_models_scored_on_different_records_cannot_be_compared(truth: list[str]) -> None:
    a = ticket_outcomes(tickets(truth), predicted(truth))
    b = ticket_outcomes(tickets(truth[:-1]), predicted(truth[:-1]))
    with pytest.raises(ValueError, match="same records"):
        compare("tickets", a, b)
