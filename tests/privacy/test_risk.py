"""k-anonymity, ℓ-diversity and attacker-model risks against hand-worked tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from privacy.risk import risk_report, suggest_generalisation
from sandbox.errors import InputError

# Classes: (25,M,A)×3 {x,y,x}; (40,F,B)×4 {x,y,z,x}; (70,M,C)×2 {y,y}; (85,F,C)×1 {x}
TABLE = pd.DataFrame({
    "age": [25, 25, 25, 40, 40, 40, 40, 70, 70, 85],
    "sex": list("MMMFFFFMMF"),
    "d": list("AAABBBBCCC"),
    "dis": ["x", "y", "x", "x", "y", "z", "x", "y", "y", "x"],
})
QI = ["age", "sex", "d"]


def test_hand_worked_k_l_and_risks() -> None:
    r = risk_report(TABLE, QI, sensitive="dis", k=3)
    assert (r.n, r.classes, r.k) == (10, 4, 1)
    assert r.class_sizes == {1: 1, 2: 1, 3: 1, 4: 1}
    assert r.prosecutor_highest == 1.0
    assert r.prosecutor_average == pytest.approx(4 / 10)
    assert r.records_at_risk == pytest.approx(3 / 10)  # classes of size 2 and 1 are below k=3
    assert r.marketer == pytest.approx(4 / 10)
    assert r.journalist_highest == 1.0  # no population table: the release is its own population
    assert r.l_distinct == 1
    assert r.l_entropy == pytest.approx(1.0)
    assert [v["size"] for v in r.violating] == [1, 2]
    assert r.violating[0] == {"age": 85, "sex": "F", "d": "C", "size": 1}


def test_hand_worked_entropy_l_on_diverse_classes() -> None:
    diverse = TABLE.iloc[:7]  # classes (25,M,A){x,y,x} and (40,F,B){x,y,z,x}
    r = risk_report(diverse, QI, sensitive="dis", k=3)
    assert (r.k, r.l_distinct) == (3, 2)
    # class 1: p = (2/3, 1/3) → H = -(2/3 ln 2/3 + 1/3 ln 1/3); class 2: p = (1/2, 1/4, 1/4)
    h1 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    h2 = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert r.l_entropy == pytest.approx(math.exp(min(h1, h2)))


def test_population_gives_journalist_and_marketer() -> None:
    population = pd.concat([TABLE, TABLE], ignore_index=True)  # F = 2 f for every class
    r = risk_report(TABLE, QI, k=3, population=population)
    assert r.journalist_highest == pytest.approx(1 / 2)
    assert r.marketer == pytest.approx((3 / 6 + 4 / 8 + 2 / 4 + 1 / 2) / 10)
    assert r.prosecutor_highest == 1.0


def test_missing_values_form_their_own_class() -> None:
    frame = pd.DataFrame({"a": ["x", None, None, "x"], "b": [1, 2, 2, 1]})
    r = risk_report(frame, ["a", "b"], k=2)
    assert (r.classes, r.k) == (2, 2)


def test_suggestion_matches_hand_search() -> None:
    found = suggest_generalisation(TABLE, QI, k=3, max_suppression=0.1)
    best = found[0]
    assert best["levels"]["sex"] == "*" and best["levels"]["d"] == "exact"
    assert best["levels"]["age"].startswith("wide")
    assert (best["suppressed"], best["k_after"], best["height"]) == (0, 3, 4)


def test_large_table_agrees_with_groupby() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({c: rng.integers(0, m, 50_000) for c, m in (("a", 8), ("b", 2), ("c", 13), ("d", 40))})
    r = risk_report(frame, list("abcd"), k=5)
    sizes = frame.groupby(list("abcd")).size()
    assert r.k == sizes.min() and r.classes == len(sizes)
    assert r.records_at_risk == pytest.approx(sizes[sizes < 5].sum() / len(frame))


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        risk_report(TABLE, [])
    assert err.value.key == "privacy.err.no_quasi"
    with pytest.raises(InputError) as err:
        risk_report(TABLE, ["age", "nope"])
    assert err.value.key == "privacy.err.columns_missing" and "nope" in err.value.render("en")
    with pytest.raises(InputError) as err:
        risk_report(TABLE.iloc[:0], ["age"])
    assert err.value.key == "privacy.err.no_rows"
