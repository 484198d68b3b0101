"""Decision conditions as text, one per line ``内容|负责人|期限`` — shared by the CLI and the workbench."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sandbox.errors import InputError

__all__ = ["FIELDS", "format_conditions", "parse_conditions"]

FIELDS: tuple[str, str, str] = ("text", "owner", "due")
# What is missing on a line -> the message naming it (in the user's language).
MISSING: dict[tuple[str, ...], str] = {
    ("text",): "review.condition_missing_text", ("owner",): "review.condition_missing_owner",
    ("due",): "review.condition_missing_due", ("text", "owner"): "review.condition_missing_text_owner",
    ("text", "due"): "review.condition_missing_text_due", ("owner", "due"): "review.condition_missing_owner_due",
    FIELDS: "review.condition_missing_all",
}
# An optional fourth field marks a condition that is not mandatory (its being overdue never flags the
# approval for suspension); conditions are mandatory unless marked.
OPTIONAL_WORDS: dict[str, bool] = {"可选": False, "optional": False, "必须": True, "mandatory": True}


def parse_conditions(lines: str | Iterable[str]) -> list[dict[str, Any]]:
    """Parse conditions written ``text|owner|due`` (due as YYYY-MM-DD), one per line.

    A fourth field ``可选``/``optional`` marks a condition that is not mandatory.

    Parameters
    ----------
    lines : str or iterable of str
        The text of a text area (blank lines are skipped) or the CLI's repeated
        ``--condition`` values; line numbers count from 1 as the user sees them.

    Returns
    -------
    list of dict
        ``{"text", "owner", "due"}`` per condition, in order (plus
        ``"mandatory": False`` for one marked optional).

    Raises
    ------
    InputError
        ``review.condition_missing_<fields>`` (line and what is missing),
        ``review.condition_extra_fields`` or ``review.condition_bad_due``.
    """
    rows = lines.splitlines() if isinstance(lines, str) else list(lines)
    out: list[dict[str, Any]] = []
    for number, line in enumerate(rows, 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        mandatory = True
        if len(parts) == len(FIELDS) + 1 and parts[-1].lower() in OPTIONAL_WORDS:
            mandatory = OPTIONAL_WORDS[parts.pop().lower()]
        if len(parts) > len(FIELDS):
            raise InputError("review.condition_extra_fields", line=number, count=len(parts))
        values = dict(zip(FIELDS, [*parts, "", ""][: len(FIELDS)], strict=True))
        missing = tuple(f for f in FIELDS if not values[f])
        if missing:
            raise InputError(MISSING[missing], line=number)
        try:
            date.fromisoformat(values["due"])
        except ValueError:
            raise InputError("review.condition_bad_due", line=number, value=values["due"]) from None
        if len(values["due"]) != 10:  # fromisoformat also takes 20270331; the format is YYYY-MM-DD
            raise InputError("review.condition_bad_due", line=number, value=values["due"])
        out.append(values if mandatory else {**values, "mandatory": False})
    return out


def format_conditions(conditions: Iterable[dict[str, Any]]) -> str:
    """The text form of conditions (e.g. carried over from the previous record), one per line."""
    return "\n".join("|".join(str(c.get(f) or "") for f in FIELDS) + ("" if c.get("mandatory", True) else "|可选")
                     for c in conditions)
