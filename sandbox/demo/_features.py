"""Scenario columns and labels for the three tabular scenarios.

Each builder takes the common population and a generator and returns the
scenario's feature columns, the ground-truth label and the *historical*
label the baseline model was trained on. The historical label carries the
planted disparity (see :func:`elderly_rural`); the ground truth does not, so
an audit against the ground truth finds the model's bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TabularColumns", "elderly_rural", "pension", "risk_warning", "social_assistance"]

#: Age from which the planted disparity applies (in rural 镇).
DISPARITY_AGE = 75


@dataclass(frozen=True, kw_only=True)
class TabularColumns:
    """What a builder returns.

    Attributes
    ----------
    features : pandas.DataFrame
        Scenario feature columns (in output order).
    label : numpy.ndarray
        Ground truth (0/1).
    train_label : numpy.ndarray
        Historical decisions used to train the baseline (biased).
    categorical : tuple of str
        Feature columns (of the model inputs) that are categorical.
    """

    features: pd.DataFrame
    label: np.ndarray
    train_label: np.ndarray
    categorical: tuple[str, ...]


def elderly_rural(people: pd.DataFrame) -> np.ndarray:
    """Mask of people aged 75+ living in a rural 镇 (the planted group)."""
    return ((people["年龄"] >= DISPARITY_AGE) & people["街道镇"].str.endswith("镇")).to_numpy()


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(n))


def social_assistance(people: pd.DataFrame, rng: np.random.Generator) -> TabularColumns:
    """社会救助精准识别: household means and hardship → 符合救助."""
    n = len(people)
    age = people["年龄"].to_numpy()
    rural = (people["城乡"] == "农村").to_numpy()
    y = (rng.random(n) < 0.45).astype(np.int64)
    size = np.clip(rng.poisson(np.where(age >= 70, 0.8, 2.0), n) + 1, 1, 7)
    per_capita = _lognormal(rng, np.where(y == 1, 1000.0, 2500.0) * np.where(rural, 0.85, 1.0), 0.4, n)
    income = np.round(per_capita * size, -1)
    disability = np.where(rng.random(n) < np.where(y == 1, 0.18, 0.08), rng.integers(1, 5, n), 0)
    illness = (rng.random(n) < np.where(y == 1, 0.25, 0.12)).astype(np.int64)
    savings = np.round(_lognormal(rng, np.where(y == 1, 1.2, 3.5), 1.0, n), 1)
    car = (rng.random(n) < np.where(y == 1, 0.08, 0.25)).astype(np.int64)
    job_choices = np.array(["在职", "灵活就业", "失业", "务农", "退休", "无业"])
    job = np.where(
        age >= 60,
        np.where(rural, "务农", "退休"),
        job_choices[rng.choice(6, size=n, p=[0.45, 0.2, 0.1, 0.1, 0.0, 0.15])],
    )
    job = np.where((y == 1) & (age < 60) & (rng.random(n) < 0.5), "失业", job)
    housing = np.array(["自有住房", "租房", "借住亲友"])[
        np.where(rng.random(n) < np.where(y == 1, 0.45, 0.8), 0, rng.integers(1, 3, n))
    ]
    features = pd.DataFrame(
        {
            "家庭人口": size,
            "家庭月收入": income.astype(np.int64),
            "人均月收入": np.round(income / size).astype(np.int64),
            "残疾等级": disability.astype(np.int64),
            "重大疾病": illness,
            "家庭存款万元": savings,
            "名下机动车": car,
            "就业状态": job,
            "住房情况": housing,
        }
    )
    train = y.copy()
    flip = elderly_rural(people) & (y == 1) & (rng.random(n) < 0.5)
    train[flip] = 0
    return TabularColumns(features=features, label=y, train_label=train, categorical=("就业状态", "住房情况"))


def pension(people: pd.DataFrame, rng: np.random.Generator) -> TabularColumns:
    """养老资格无感核验: activity traces → 核验通过 without an in-person visit."""
    n = len(people)
    age = people["年龄"].to_numpy()
    rural = (people["城乡"] == "农村").to_numpy()
    y = (rng.random(n) < 0.88).astype(np.int64)
    scheme = np.where(rural & (rng.random(n) < 0.8), "城乡居民养老保险", "城镇职工养老保险")
    years = np.clip(np.round(rng.normal(np.where(scheme == "城镇职工养老保险", 28, 15), 6, n)), 1, 45)
    years = np.minimum(years, np.maximum(age - 17, 1)).astype(np.int64)
    benefit = np.where(scheme == "城镇职工养老保险", 1800 + 95 * years, 290 + 12 * years)
    benefit = np.round(benefit * _lognormal(rng, 1.0, 0.12, n), -1).astype(np.int64)
    # A negative is someone no longer entitled (died, moved abroad, jailed); a third of
    # them only recently, so their traces still look like a living person's.
    # A few entitled people leave no traces either (long hospital stays, living with
    # children elsewhere).
    traces = rng.random(n)
    active = np.where(y == 1, traces > 0.04, traces < 0.35)
    medical = np.where(active, rng.poisson(np.clip((age - 40) / 15, 0.3, 4.0), n), rng.poisson(0.5, n))
    pay_days = np.where(active, rng.binomial(90, np.clip(0.75 - (age - 50) / 80, 0.05, 0.75)), rng.binomial(90, 0.06))
    card_uses = np.where(active, rng.poisson(np.where(rural, 4.0, 7.0), n), rng.poisson(1.5, n))
    alone = (rng.random(n) < np.clip((age - 50) / 90, 0.05, 0.45)).astype(np.int64)
    smartphone = (rng.random(n) < np.clip(1.05 - (age - 40) / 55, 0.15, 0.98)).astype(np.int64)
    features = pd.DataFrame(
        {
            "参保类型": scheme,
            "缴费年限": years,
            "月养老金": benefit,
            "近90天就医次数": medical.astype(np.int64),
            "近90天移动支付天数": pay_days.astype(np.int64),
            "近12月社保卡使用次数": card_uses.astype(np.int64),
            "独居": alone,
            "使用智能手机": smartphone,
        }
    )
    train = y.copy()
    flip = elderly_rural(people) & (y == 1) & (rng.random(n) < 0.45)
    train[flip] = 0
    return TabularColumns(features=features, label=y, train_label=train, categorical=("参保类型",))


def risk_warning(people: pd.DataFrame, rng: np.random.Generator) -> TabularColumns:
    """基层治理风险预警: grid records → 发生风险事件 within 12 months."""
    n = len(people)
    age = people["年龄"].to_numpy()
    y = (rng.random(n) < 0.12).astype(np.int64)
    prior = rng.poisson(np.where(y == 1, 1.0, 0.3), n)
    disputes = rng.poisson(np.where(y == 1, 0.7, 0.2), n)
    visits = rng.poisson(np.where(y == 1, 2.0, 4.0), n)
    utility = (rng.random(n) < np.where(y == 1, 0.25, 0.08)).astype(np.int64)
    arrears = (rng.random(n) < np.where(y == 1, 0.25, 0.08)).astype(np.int64)
    alone = (rng.random(n) < np.clip((age - 50) / 90, 0.05, 0.45)).astype(np.int64)
    chronic = (rng.random(n) < np.clip((age - 30) / 80, 0.05, 0.7)).astype(np.int64)
    level_p = np.where(y == 1, 0.5, 0.15)
    level = np.where(rng.random(n) < level_p, np.where(rng.random(n) < 0.4, "重点", "关注"), "一般")
    features = pd.DataFrame(
        {
            "独居": alone,
            "慢性病": chronic,
            "既往事件次数": prior.astype(np.int64),
            "矛盾纠纷登记次数": disputes.astype(np.int64),
            "近一年走访次数": visits.astype(np.int64),
            "水电燃气异常": utility,
            "欠费记录": arrears,
            "网格关注等级": level,
        }
    )
    train = y.copy()
    flip = elderly_rural(people) & (y == 0) & (rng.random(n) < 0.45)
    train[flip] = 1
    return TabularColumns(features=features, label=y, train_label=train, categorical=("网格关注等级",))
