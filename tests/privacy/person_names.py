"""The one helper name tests share: the PERSON values a scan reports for a text, in order."""

from __future__ import annotations

from privacy.scanning import scan_texts


def person_names(text: str) -> list[str]:
    """The text of every PERSON finding in ``text`` (scanned as one sentence of a batch)."""
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]
