"""DP mechanisms: intervals cover at the stated rate; an empirical privacy test catches a broken mechanism."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from privacy.dp import dp_histogram, dp_mean, dp_sum, geometric_halfwidth, noisy_counts
from privacy.ledger import BudgetLedger
from sandbox.errors import InputError
from tests.privacy.release_helpers import STEWARD, SpyRandomState, people

BIG = {"name": "big", "version": "1", "dp": {"epsilon_total": 1e6, "min_cell": 0, "small_cells": "keep"},
       "public_keys": {"性别": ["男", "女"]}}


def _ledger(name: str, **dp: object) -> BudgetLedger:
    policy = {**BIG, "dp": {**BIG["dp"], **dp}}
    return BudgetLedger(actor=STEWARD, dataset=name, policy=policy)


def test_geometric_halfwidth_hand_worked() -> None:
    # P(|Z| > h) = 2 p^(h+1) / (1+p), p = e^-ε. ε=1: h=2 → 0.0665 > 0.05; h=3 → 0.0268 ≤ 0.05.
    assert geometric_halfwidth(1.0) == 3
    p = math.exp(-0.1)
    h = geometric_halfwidth(0.1)
    assert 2 * p ** (h + 1) / (1 + p) <= 0.05 < 2 * p**h / (1 + p)
    # Sum of 2 cells: exact convolution; must be wider than one cell, narrower than two.
    assert geometric_halfwidth(1.0) < geometric_halfwidth(1.0, cells=2) <= 2 * geometric_halfwidth(1.0)


@pytest.mark.parametrize("epsilon", [0.2, 1.0])
def test_count_intervals_cover_at_stated_rate(epsilon: float) -> None:
    truth = np.array([0, 1, 3, 40, 500])
    reps = 4000
    rng = np.random.RandomState(11)
    h = geometric_halfwidth(epsilon)
    covered = np.zeros(len(truth))
    for _ in range(reps):
        noisy = np.maximum(noisy_counts(truth, epsilon, random_state=rng), 0)  # published: clamped at 0
        covered += (np.maximum(noisy - h, 0) <= truth) & (truth <= noisy + h)
    rate = covered / reps
    p = math.exp(-epsilon)
    exact = 1 - 2 * p ** (h + 1) / (1 + p)  # the discrete mechanism's true coverage (≥ 95%)
    se = math.sqrt(exact * (1 - exact) / reps)
    assert exact >= 0.95
    assert np.all(rate >= exact - 4 * se), rate  # clamping at 0 never lowers coverage
    assert abs(rate[-1] - exact) < 4 * se  # far from 0 the rate is the stated one


def _empirical_epsilon(mechanism: Callable[[int, np.random.RandomState], int], reps: int = 20000) -> float:
    """Largest |log P(M(D)=o) / P(M(D')=o)| over outputs seen ≥ 300 times; D, D' differ by one record."""
    rng = np.random.RandomState(5)
    a = np.array([mechanism(20, rng) for _ in range(reps)])
    b = np.array([mechanism(21, rng) for _ in range(reps)])
    worst = 0.0
    for value in np.union1d(a, b):
        ca, cb = np.sum(a == value), np.sum(b == value)
        if min(ca, cb) >= 300:
            worst = max(worst, abs(math.log(ca / cb)))
    return worst


def test_empirical_privacy_passes_ours_and_fails_a_broken_mechanism() -> None:
    epsilon = 0.5

    def ours(count: int, rng: np.random.RandomState) -> int:
        return int(noisy_counts(np.array([count]), epsilon, random_state=rng)[0])

    def broken(count: int, rng: np.random.RandomState) -> int:  # noise for ε=2 while claiming ε=0.5
        return int(noisy_counts(np.array([count]), 4 * epsilon, random_state=rng)[0])

    assert _empirical_epsilon(ours) <= epsilon * 1.3
    assert _empirical_epsilon(broken) > epsilon * 1.5


def test_histogram_cells_keys_and_unknowns(home: Path) -> None:
    frame = people(500)
    frame.loc[0, "年龄"] = 130  # invalid age → 未知, never dropped
    frame.loc[1, "性别"] = "不详"  # outside the public keys → 其他
    table = dp_histogram(frame, ["性别", "年龄"], epsilon=5.0, accountant=_ledger("h1"),
                         random_state=np.random.RandomState(1)).table
    assert set(table["性别"]) == {"男", "女", "其他"}
    assert len(table) == 3 * 8  # 2 keys + 其他; 6 bands + 0-17 + 未知
    assert table["count"].sum() == pytest.approx(500, abs=60)
    assert table.loc[(table["性别"] == "其他") & (table["年龄"] == "未知"), "count"].iloc[0] <= 5
    assert (table["lower"] <= table["count"]).all() and (table["count"] <= table["upper"]).all()
    assert (table["count"] >= 0).all()


def test_small_cells_suppressed_or_merged(home: Path) -> None:
    frame = people(600)
    keys = {"街道镇": ["青山湖街道", "锦北街道", "太湖源镇"]}
    sup = dp_histogram(frame, ["街道镇", "性别"], epsilon=5.0, keys=keys, random_state=np.random.RandomState(2),
                       accountant=_ledger("h2", min_cell=150, small_cells="suppress")).table
    assert set(sup.loc[sup["status"] == "suppressed", "街道镇"]) >= {"其他"}
    assert sup.loc[sup["status"] == "suppressed", "count"].isna().all()
    merged = dp_histogram(frame, ["街道镇", "性别"], epsilon=5.0, keys=keys, random_state=np.random.RandomState(2),
                          accountant=_ledger("h3", min_cell=150, small_cells="merge")).table
    rolled = merged[merged["街道镇"] == "浙江省杭州市临安区（合并）"]
    assert len(rolled) == 3 and (rolled["merged_cells"] == 3).all()  # ~100 per cell × 3 → merged up to 区县
    people_rows = rolled[rolled["性别"] != "其他"]
    assert (people_rows["status"] == "merged").all()
    assert rolled.loc[rolled["性别"] == "其他", "status"].iloc[0] == "suppressed"  # merged but still small
    exact = frame.groupby("性别").size()
    for _, row in people_rows.iterrows():
        assert row["lower"] <= exact[row["性别"]] <= row["upper"]


def test_values_as_typed_match_their_public_key(home: Path) -> None:
    typed = ["锦城街道", "锦城街道 ", " 锦城 街道", "锦城街道\t", "高虹镇", "高虹镇　", "於潜镇", None, "   "]
    frame = pd.DataFrame({"街道镇": typed * 10})
    keys = {"街道镇": ["锦城街道", "高虹镇", "於潜镇"]}
    table = dp_histogram(frame, ["街道镇"], epsilon=200.0, keys=keys, random_state=np.random.RandomState(3),
                         accountant=_ledger("h5", epsilon_total=1e6)).table
    counts = dict(zip(table["街道镇"], table["count"], strict=True))
    assert counts == {"锦城街道": 40, "高虹镇": 20, "於潜镇": 10, "其他": 20}  # ε=200: noise is 0 here
    scoped = dp_histogram(frame, ["街道镇"], epsilon=200.0, keys=keys, where={"街道镇": ["锦城街道"]},
                          random_state=np.random.RandomState(3), accountant=_ledger("h6", epsilon_total=1e6)).table
    assert dict(zip(scoped["街道镇"], scoped["count"], strict=True))["锦城街道"] == 40
    from_data = dp_histogram(frame, ["街道镇"], epsilon=200.0, keys_from_data=True,
                             random_state=np.random.RandomState(3), accountant=_ledger("h7", epsilon_total=1e6)).table
    assert set(from_data["街道镇"]) == {"锦城街道", "高虹镇", "於潜镇", "其他"}  # one key per place, not per spelling


def test_keys_from_data_is_recorded(home: Path) -> None:
    result = dp_histogram(people(100), ["街道镇"], epsilon=1.0, keys_from_data=True, accountant=_ledger("h4"))
    assert result.keys_source["街道镇"].startswith("data")
    assert "clamped" in result.post_processing[0]


def test_sum_and_mean_need_declared_bounds(home: Path) -> None:
    spy = SpyRandomState()
    ledger = _ledger("s1")
    for bounds, key in ((None, "privacy.err.bounds_missing"), ((5, 1), "privacy.err.bounds_invalid"),
                        ((0, float("nan")), "privacy.err.bounds_invalid")):
        with pytest.raises(InputError) as err:
            dp_sum(people(50), "收入", ["性别"], epsilon=1.0, bounds=bounds, accountant=ledger, random_state=spy)
        assert err.value.key == key
    with pytest.raises(InputError):
        dp_mean(people(50), "收入", epsilon=1.0, bounds=None, accountant=ledger, random_state=spy)
    assert spy.draws == 0
    assert ledger.status()["exists"] is False


def test_sum_and_mean_intervals_cover(home: Path) -> None:
    frame = people(2000)
    clipped = frame["收入"].clip(0, 6000)
    ledger = _ledger("s2")
    hits_sum = hits_mean = 0
    reps = 60
    for i in range(reps):
        s = dp_sum(frame, "收入", epsilon=0.5, bounds=(0, 6000), accountant=ledger,
                   random_state=np.random.RandomState(i)).table.iloc[0]
        hits_sum += s["lower"] <= clipped.sum() <= s["upper"]
        m = dp_mean(frame, "收入", ["性别"], epsilon=0.5, bounds=(0, 6000), accountant=ledger,
                    random_state=np.random.RandomState(1000 + i)).table
        truth = clipped.groupby(frame["性别"]).mean()
        row = m[m["性别"] == "男"].iloc[0]
        hits_mean += row["lower"] <= truth["男"] <= row["upper"]
        assert 0 <= row["mean"] <= 6000
    assert hits_sum >= 0.9 * reps and hits_mean >= 0.9 * reps
    assert ledger.status()["epsilon_spent"] == pytest.approx(reps * 1.0)


def test_histogram_over_numeric_code_column_from_data(home: Path) -> None:
    frame = pd.DataFrame({"区": ["a", "b", "a"], "年龄": [30, 40, 50]})
    with pytest.raises(InputError) as err:
        dp_histogram(frame, ["区", "年龄"], epsilon=1.0, accountant=_ledger("h5"))
    assert err.value.key == "privacy.err.keys_missing" and "区" in err.value.render("zh")
