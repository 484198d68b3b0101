"""Synthetic people: names, 身份证, birth dates, phones and addresses.

Faker (zh_CN) is asked once for pools of names; everything else is drawn
with a numpy ``Generator`` so a population of 20,000 takes well under a
second and is byte-identical for the same seed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from faker import Faker
from faker.providers.person.zh_CN import Provider as _PersonProvider
from faker.providers.phone_number.zh_CN import Provider as _PhoneProvider

from privacy.checksums import id_card_check_char
from sandbox.demo._geography import AS_OF, COUNTY_CODE, DISTRICTS, county_name, sample_ages, sample_districts

__all__ = ["COMMON_COLUMNS", "build_population"]

COMMON_COLUMNS: tuple[str, ...] = (
    "编号", "姓名", "性别", "身份证号", "出生日期", "年龄", "联系电话", "住址", "街道镇", "街道镇代码", "城乡", "区县",
)

_POOL = 3000
_CITY = "杭州市"


def _name_pools(seed: int) -> tuple[list[str], list[str]]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    # zh_CN ``name_male()`` mixes in female given names; pair surnames with sexed given names.
    male = [fake.last_name() + fake.random_element(_PersonProvider.first_names_male) for _ in range(_POOL)]
    female = [fake.last_name() + fake.random_element(_PersonProvider.first_names_female) for _ in range(_POOL)]
    return male, female


def _birth_dates(rng: np.random.Generator, ages: np.ndarray) -> list[date]:
    """A birth date for each age so that the age on :data:`AS_OF` is exact."""
    out: list[date] = []
    offsets = rng.random(ages.size)
    for age, off in zip(ages.tolist(), offsets.tolist(), strict=True):
        latest = AS_OF.replace(year=AS_OF.year - age)  # birthday today → exactly ``age``
        earliest = AS_OF.replace(year=AS_OF.year - age - 1) + timedelta(days=1)
        span = (latest - earliest).days
        out.append(earliest + timedelta(days=int(off * (span + 1))))
    return out


def _id_cards(rng: np.random.Generator, births: list[date], male: np.ndarray) -> list[str]:
    """18-digit 身份证号: county code, birth date, sequence (odd = male), check character."""
    seen: set[str] = set()
    out: list[str] = []
    seqs = rng.integers(0, 500, size=len(births))
    for birth, is_male, seq in zip(births, male.tolist(), seqs.tolist(), strict=True):
        seq = int(seq)
        while True:
            order = seq * 2 + (1 if is_male else 0)
            first17 = f"{COUNTY_CODE}{birth:%Y%m%d}{order:03d}"
            if first17 not in seen:
                break
            seq = (seq + 1) % 500
        seen.add(first17)
        out.append(first17 + id_card_check_char(first17))
    return out


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefixes = np.array([str(p) for p in _PhoneProvider.phonenumber_prefixes])
    chosen = prefixes[rng.integers(0, prefixes.size, size=n)]
    tails = rng.integers(0, 100_000_000, size=n)
    phones = [f"{p}{t:08d}" for p, t in zip(chosen.tolist(), tails.tolist(), strict=True)]
    # Make duplicates unique by bumping the tail deterministically.
    seen: set[str] = set()
    for i, phone in enumerate(phones):
        while phone in seen:
            phone = phone[:3] + f"{(int(phone[3:]) + 1) % 100_000_000:08d}"
        seen.add(phone)
        phones[i] = phone
    return phones


def _addresses(rng: np.random.Generator, district_idx: np.ndarray, rural_home: np.ndarray) -> list[str]:
    county = county_name()
    n = district_idx.size
    picks = rng.random((n, 2))
    nums = rng.integers(1, 400, size=n)
    blds = rng.integers(1, 30, size=n)
    units = rng.integers(1, 5, size=n)
    floors = rng.integers(1, 19, size=n)
    rooms = rng.integers(1, 4, size=n)
    groups = rng.integers(1, 13, size=n)
    out: list[str] = []
    for i, d_idx in enumerate(district_idx.tolist()):
        district = DISTRICTS[d_idx]
        head = f"{_CITY}{county}{district.name}"
        if rural_home[i] and district.villages:
            village = district.villages[int(picks[i, 0] * len(district.villages))]
            out.append(f"{head}{village}{groups[i]}组{nums[i] % 120 + 1}号")
        else:
            road = district.roads[int(picks[i, 1] * len(district.roads))]
            out.append(f"{head}{road}{nums[i]}号{blds[i]}幢{units[i]}单元{floors[i]}{rooms[i]:02d}室")
    return out


def build_population(
    *, n: int, seed: int, id_prefix: str, elderly_boost: float = 1.0
) -> tuple[pd.DataFrame, np.random.Generator]:
    """Build ``n`` people with the common columns of every scenario.

    Parameters
    ----------
    n : int
        Number of rows.
    seed : int
        Seed for Faker and numpy; the same seed gives the same people.
    id_prefix : str
        Prefix of ``编号`` (e.g. ``SA``).
    elderly_boost : float, default 1.0
        Extra weight on ages 60+.

    Returns
    -------
    (pandas.DataFrame, numpy.random.Generator)
        The people and the generator, positioned after them, for the
        scenario's own columns.
    """
    rng = np.random.default_rng(seed)
    male_pool, female_pool = _name_pools(seed)
    district_idx = sample_districts(rng, n)
    ages = sample_ages(rng, district_idx, elderly_boost=elderly_boost)
    male = rng.random(n) < 0.48
    names = np.where(
        male,
        np.array(male_pool, dtype=object)[rng.integers(0, _POOL, size=n)],
        np.array(female_pool, dtype=object)[rng.integers(0, _POOL, size=n)],
    )
    births = _birth_dates(rng, ages)
    ids = _id_cards(rng, births, male)
    phones = _phones(rng, n)
    is_town = np.array([DISTRICTS[i].rural for i in district_idx])
    # Inside a 镇 most people live in villages (农村); a few in the town seat.
    # Inside a 街道 a few live in remaining villages-turned-communities (城镇 anyway).
    rural_home = is_town & (rng.random(n) < 0.78)
    frame = pd.DataFrame(
        {
            "编号": [f"{id_prefix}{i + 1:06d}" for i in range(n)],
            "姓名": names,
            "性别": np.where(male, "男", "女"),
            "身份证号": ids,
            "出生日期": [b.isoformat() for b in births],
            "年龄": ages,
            "联系电话": phones,
            "住址": _addresses(rng, district_idx, rural_home),
            "街道镇": [DISTRICTS[i].name for i in district_idx],
            "街道镇代码": [DISTRICTS[i].code for i in district_idx],
            "城乡": np.where(rural_home, "农村", "城镇"),
            "区县": county_name(),
        }
    )
    return frame, rng
