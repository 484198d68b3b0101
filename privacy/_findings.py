"""Findings and how they are shown: masked by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HEADER_KEY", "Finding", "mask_value"]

_KEEP: dict[str, tuple[int, int]] = {
    "CN_RESIDENT_ID": (3, 4),
    "PHONE_NUMBER": (3, 4),
    "BANK_CARD": (4, 4),
    "CN_USCC": (8, 2),
    "PASSPORT": (1, 2),
    "CN_HMT_PERMIT": (1, 2),
    "CN_LICENSE_PLATE": (2, 1),
    "PERSON": (1, 0),
    "WECHAT_ID": (2, 0),
    "QQ_NUMBER": (2, 2),
}

# How reports name the header row (never by a header's own text, which may be the name it holds).
HEADER_KEY = "(表头 header)"

# File types ``scan_file`` reads (here, in a light module, so pages can list them without Presidio).
SCAN_SUFFIXES = (".txt", ".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".jsonl")


def mask_value(value: str, entity_type: str) -> str:
    """Hide most of ``value``: 110***********0021, 138****5678, 张**, 北京市朝阳区****."""
    if entity_type == "EMAIL_ADDRESS" and "@" in value:
        local, domain = value.rsplit("@", 1)
        return local[:1] + "***@" + domain
    if entity_type == "IP_ADDRESS":
        sep = "." if "." in value else ":"
        return value.split(sep, 1)[0] + sep + "*" * 3
    if entity_type == "ADDRESS":
        keep = min(6, max(1, len(value) // 3))
        return value[:keep] + "*" * (len(value) - keep)
    head, tail = _KEEP.get(entity_type, (1, 1))
    if len(value) <= head + tail:
        return value[:1] + "*" * (len(value) - 1)
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


@dataclass(slots=True)
class Finding:
    """One piece of personal information found.

    ``start``/``end`` are offsets into the original text (the cell, the line,
    or the string given to :func:`privacy.scanning.scan_text`); ``row`` is the
    0-based table row or text line, ``column`` the table column (None for text).
    """

    entity_type: str
    start: int
    end: int
    score: float
    text: str
    explanation: str
    row: int | None = None
    column: str | None = None

    @property
    def masked(self) -> str:
        return mask_value(self.text, self.entity_type)

    def to_dict(self, *, unmask: bool = False) -> dict[str, Any]:
        """JSON-ready; the value is masked unless ``unmask``."""
        data: dict[str, Any] = {}
        if self.row is not None:
            data["row"] = self.row
        if self.column is not None:
            data["column"] = self.column
        data.update(
            start=self.start,
            end=self.end,
            entity_type=self.entity_type,
            score=round(self.score, 3),
            text=self.text if unmask else self.masked,
            explanation=self.explanation,
        )
        return data
