"""What a Markdown element's source reads as on the page (pages escape text from uploads: sandbox.ui.md_escape)."""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"\\([\\`*_\[\]<>$~|])")


def shown(markdown: str) -> str:
    """The text a reader sees for a Markdown source written with :func:`sandbox.ui.md_escape`."""
    return _ESCAPED.sub(r"\1", markdown)
