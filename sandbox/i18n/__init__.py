"""The one catalog of user-facing strings (zh, en).

Strings live in ``catalog/*.yaml`` beside this file, one file per area, each a
mapping ``key: {zh: ..., en: ...}``. Keys are global: two files must not define
the same key (a test checks this, and that both languages exist and use the
same ``{placeholders}``).
"""

from __future__ import annotations

import functools
import string
from importlib import resources
from typing import Any

import yaml

__all__ = ["LANGUAGES", "catalog", "current_language", "placeholders", "set_language", "t"]

LANGUAGES: tuple[str, ...] = ("zh", "en")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the catalog loads ~10× faster on every CLI start


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    """Load every catalog file once; raise on duplicate keys."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("sandbox.i18n") / "catalog"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, value in data.items():
            if key in merged:
                raise RuntimeError(f"catalog key {key!r} in {entry.name} and {origin[key]}")
            merged[key] = value
            origin[key] = entry.name
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


_override: list[str] = []


def set_language(lang: str | None) -> None:
    """Set the process language (the CLI's ``--lang``); None restores the setting."""
    _override.clear()
    if lang:
        _override.append(lang)


def _current_language() -> str:
    from sandbox.settings import get_settings

    if _override:
        return _override[0]
    try:
        return get_settings().language
    except Exception:
        return "zh"


def current_language() -> str:
    """The language messages are rendered in right now (``--lang``, else the setting)."""
    return _current_language()


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """Translate ``key`` into ``lang`` (default: the configured language).

    A missing key returns the key itself so a page never crashes on it; the
    catalog test makes sure that never ships.
    """
    language = lang or _current_language()
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry.get("zh") or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text
