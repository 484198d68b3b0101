"""Vendor-written text and names: shown safely, refused when they hide something.

A vendor controls archive member names, upload names, card text and whatever its code
prints or raises in the sandbox. Control characters (newline, escape, bell), Unicode
format characters (right-to-left override, zero-width space) and private-use or
surrogate code points let such text forge lines (the sha256sum-style tree digest, a
terminal, a message) or show one name while meaning another.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

__all__ = ["HIDDEN_CATEGORIES", "hidden_character", "markdown_text", "name_problem", "vendor_text"]

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def hidden_character(text: str, *, allow: str = "") -> str | None:
    """The first control/format/private character of ``text`` (not in ``allow``) as ``\\uXXXX``, or None."""
    for ch in text:
        if ch not in allow and unicodedata.category(ch) in HIDDEN_CATEGORIES:
            return f"\\u{ord(ch):04x}"
    return None


def vendor_text(value: object, limit: int = 500, *, name: bool = False) -> str:
    """Vendor text made safe to show: cut to ``limit``, one line (breaks as `` | ``), other control/format
    characters written as ``\\uXXXX`` — for a ``name``, line breaks too (the name holds one)."""
    text = str(value)[:limit] if name else " | ".join(str(value)[:limit].splitlines())
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in HIDDEN_CATEGORIES else ch for ch in text)


def name_problem(name: str) -> str | None:
    """Why a file or member name is refused (``"hidden"``, ``"empty"``, ``"dots"``, ``"encoded"``), or None.

    ``"encoded"``: percent-encoding that decodes to a separator or ``..`` (``%2e%2e%2f``): an
    ``mlflow server`` decodes artifact paths, so such a name means another path there.
    """
    if hidden_character(name):
        return "hidden"
    for part in re.split(r"[\\/]", name):
        decoded = part
        for _ in range(4):  # %252e is %2e once decoded
            decoded, before = unquote(decoded), decoded
            if decoded == before:
                break
        if decoded != part and (re.search(r"[\\/]", decoded) or decoded.strip() in {".", ".."}):
            return "encoded"
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if not last.strip():
        return "empty"
    if last in {".", ".."}:
        return "dots"
    return None


_MARKDOWN = re.compile(r"([\\`*_\[\]<>|!#~$])")


def markdown_text(value: object, limit: int = 5000) -> str:
    """Vendor text inside Markdown someone else renders (the MLflow UI's version description): one line,
    no link, image, HTML or emphasis — shown as written."""
    text = vendor_text(" ".join(str(value)[:limit].splitlines()), limit)
    return _MARKDOWN.sub(r"\\\1", text)
