from training.dedup import near_duplicate_pairs, shared_runs


def test_near_duplicate_pairs_ignores_case_and_spacing() -> None:
    texts = [
        "Интернет не работает с утра, прошу срочно починить",
        "интернет  не работает с утра, прошу срочно починить!",
        "Курьер привёз не тот заказ",
    ]
    pairs = near_duplicate_pairs(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] > 0.8


def test_near_duplicate_pairs_keeps_different_texts_apart() -> None:
    texts = ["Списали деньги дважды за одну покупку", "Верните деньги за сломанный чайник"]
    assert near_duplicate_pairs(texts) == []


def test_shared_runs_within_and_across() -> None:
    a = ["раз два три четыре пять шесть", "ноль раз два три четыре пять"]
    assert shared_runs(a, 5) == [(0, 1, "раз два три четыре пять")]
    assert shared_runs(a, 6) == []
    assert shared_runs(a[:1], 3, ["а четыре пять шесть б"]) == [(0, 0, "четыре пять шесть")]
