"""The font every PDF of the sandbox embeds, and text it can draw.

WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``, installed by ``make install``)
covers the Basic Multilingual Plane's CJK characters, not the supplementary
planes (CJK Extension B and later: 𠮷 in 王𠮷, rare name and place characters
a 公安 database holds). fpdf2 prints nothing for a character without a glyph;
:func:`printable` names it instead.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["FONT", "printable"]

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
_KEEP = frozenset("\n\t ")


@functools.cache
def _covered() -> frozenset[int]:
    """The code points the embedded font has glyphs for."""
    from fontTools.ttLib import TTCollection

    with TTCollection(str(FONT), lazy=True) as fonts:
        return frozenset(fonts[0].getBestCmap())


def printable(text: str) -> str:
    """``text`` with every character the font cannot draw written as its code point (``王〔U+20BB7〕``).

    The font covers the BMP's CJK characters but not the supplementary planes
    (CJK Extension B and later: 𠮷 in 王𠮷, and other rare name characters
    a 公安 database holds). fpdf2 would print nothing there — a name in a
    signed record silently shortened — so the character is named instead;
    the record's JSON keeps the exact text.
    """
    covered = _covered()
    if all(ord(ch) in covered or ch in _KEEP for ch in text):
        return text
    return "".join(ch if ord(ch) in covered or ch in _KEEP else f"〔U+{ord(ch):04X}〕" for ch in text)


