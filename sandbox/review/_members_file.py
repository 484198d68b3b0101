"""Read a committee's members from a YAML file (``sandbox committee create NAME --members FILE``).

The format a city administrator writes by hand (UTF-8)::

    members:
      - username: chair          # an existing account (role chair or reviewer)
        category: 伦理            # 科技 | 伦理 | 法律 | 其他
        sex: 男                   # 男 | 女
        affiliation: 市大数据发展管理局
        chair: true              # the committee chair (at most one)
      - username: reviewer6
        category: 其他
        sex: 女
        affiliation: 社区居民代表
        interests:               # declared conflicts of interest (optional)
          - 曾为数安城市科技有限公司提供咨询服务（2025年）
        voting: true             # optional, default true

A top-level list (without ``members:``) is accepted too. Every problem names
the file, the member's position and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sandbox.errors import InputError

__all__ = ["parse_members", "read_members"]

_REQUIRED: tuple[str, ...] = ("username", "category", "sex")
_TEXT: tuple[str, ...] = ("username", "category", "sex", "affiliation", "name")
_FLAGS: tuple[str, ...] = ("chair", "voting")
_KNOWN: frozenset[str] = frozenset((*_TEXT, *_FLAGS, "interests"))


def _member(raw: Any, *, file: str, row: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("committee.file_member_not_mapping", file=file, row=row)
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        raise InputError("committee.file_unknown_field", file=file, row=row, field=", ".join(unknown),
                         known=", ".join(sorted(_KNOWN)))
    for field in _REQUIRED:
        if raw.get(field) in (None, ""):
            raise InputError("committee.file_missing_field", file=file, row=row, field=field)
    member: dict[str, Any] = {}
    for field in _TEXT:
        if field in raw and raw[field] is not None:
            if not isinstance(raw[field], str | int):
                raise InputError("committee.file_bad_value", file=file, row=row, field=field, value=str(raw[field]))
            member[field] = str(raw[field]).strip()
    for field in _FLAGS:
        if field in raw and not isinstance(raw[field], bool):
            raise InputError("committee.file_bad_flag", file=file, row=row, field=field, value=str(raw[field]))
    interests = raw.get("interests") or []
    if isinstance(interests, str):
        interests = [interests]
    if not isinstance(interests, list) or not all(isinstance(x, str) and x.strip() for x in interests):
        raise InputError("committee.file_bad_value", file=file, row=row, field="interests", value=str(interests))
    member["interests"] = [x.strip() for x in interests]
    member["is_chair"] = bool(raw.get("chair", False))
    member["voting"] = bool(raw.get("voting", True))
    return member


def read_members(path: Path) -> list[dict[str, Any]]:
    """The members listed in ``path`` (YAML), as :func:`create_committee` takes them.

    Raises
    ------
    InputError
        The file is missing, not UTF-8 YAML, or a member lacks a field / has an unknown one.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("committee.file_missing", file=file) from None
    except UnicodeDecodeError:
        raise InputError("committee.file_not_utf8", file=file) from None
    return parse_members(text, file=file)


def parse_members(text: str, *, file: str) -> list[dict[str, Any]]:
    """The members in ``text`` (the YAML of a members file; ``file`` names it in messages)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise InputError("committee.file_bad_yaml", file=file, line=line) from None
    if isinstance(doc, dict) and set(doc) == {"members"}:
        doc = doc.get("members")
    if not isinstance(doc, list) or not doc:
        raise InputError("committee.file_no_members", file=file)
    return [_member(raw, file=file, row=i) for i, raw in enumerate(doc, start=1)]
