"""One helper for the name tests: the person names the scanner reports in a text."""

from __future__ import annotations

from privacy.scanning import scan_texts

__all__ = ["names"]


def names(text: str) -> list[str]:
    """The PERSON findings of ``text`` (scanned alone, the default threshold), sorted."""
    return sorted(f.text for f in scan_texts([text]) if f.entity_type == "PERSON")
