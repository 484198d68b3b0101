"""Rare Chinese characters in names (生僻字: 王𠮷, 刘䶮, 陈𬱖) seen by the name rules as name characters.

The rules and lists of the name recognizer speak of the common CJK block
(U+4E00–U+9FFF); a name written with a character outside it — CJK Extension
A, B and later, compatibility ideographs, as 公安 databases and people's own
names hold them — was no name at all ("用户王𠮷的账号被冻结" found nothing).
Such characters are almost only written in names, so before the name rules
and the model look at a text each is replaced by one common given-name
character. Python indexes a string by code point, so the stand-in text has
the same length and every span found in it is the span in the original.
"""

from __future__ import annotations

import re

__all__ = ["STAND_IN", "stand_in"]

# Extension A; compatibility ideographs; Extensions B–I and compatibility supplement (planes 2 and 3).
_RARE = re.compile("[\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003ffff]")
STAND_IN = "昕"  # a given-name character that is no word of its own and no surname


def stand_in(text: str) -> str:
    """``text`` with every rare CJK character replaced by :data:`STAND_IN` (same length; ``text`` itself if none)."""
    return _RARE.sub(STAND_IN, text) if _RARE.search(text) is not None else text
