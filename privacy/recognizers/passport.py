"""PASSPORT: Chinese passports (E/G ordinary, D/S/P diplomatic, service, public affairs), and others after 护照.

A Chinese passport number has its own shape and is a candidate anywhere
(context raises its score). Other countries' numbers (``AB1234567``,
``C4471259``, ``75 1234567``, nine digits) have no common shape, so they are
reported only right after the word 护照 / passport (``证件：护照 C4471259``).
"""

from __future__ import annotations

import re

from privacy.recognizers._base import (
    NOT_ALNUM_AFTER,
    NOT_ALNUM_BEFORE,
    WIDTH_FOLD,
    ChineseRecognizer,
    Term,
    Verdict,
    window_before,
)

__all__ = ["PassportRecognizer"]

_KINDS = {"E": "普通护照（电子）", "G": "普通护照（旧版）", "D": "外交护照", "S": "公务护照", "P": "公务普通护照"}
_CHINESE = re.compile(r"(?:[EGeg]\d{8}|[Ee][A-HJ-NP-Za-hj-np-z]\d{7}|[DSPdsp][Ee]?\d{7})")
# The same written in two groups, as people copy it from the data page: E8821 4376, E 88214376, E8821-4376.
_GROUPED = r"(?:[EGeg](?:\d{4}[ \-]\d{4}| \d{8}))"
_SEPARATORS = re.compile(r"[ \-]")
_WORD = re.compile("护照|passport", re.IGNORECASE)
_CLAUSE_END = re.compile("[，。；,;!！?？、]")
# A Chinese passport's shape alone stays below the report threshold; a context word lifts it.
_CHINESE_SCORE = 0.45
# How far before a number the word 护照 may stand (证件类型：护照 证件号码：A52318746).
_WORD_WINDOW = 14


class PassportRecognizer(ChineseRecognizer):
    """护照号: E12345678 (also E1234 5678), EA1234567, G12345678, D/S/P + 7–8 digits; other countries' numbers after 护照."""

    ENTITY = "PASSPORT"
    FOLD = WIDTH_FOLD
    PATTERNS = (
        ("passport", NOT_ALNUM_BEFORE + _CHINESE.pattern + NOT_ALNUM_AFTER, _CHINESE_SCORE),
        ("passport_grouped", NOT_ALNUM_BEFORE + _GROUPED + NOT_ALNUM_AFTER, _CHINESE_SCORE),
        ("passport_other", NOT_ALNUM_BEFORE + r"(?:[A-Za-z]{1,2}\d{6,9}|\d{2} ?\d{7}|\d{9})" + NOT_ALNUM_AFTER, 0.6),
    )
    CONTEXT = ("护照", "passport", "Passport", "PASSPORT", "出国", "出境", "证件号")
    # English labels are longer than Chinese ones: a returnee's form writes "Passport No.: E95173082" and
    # "Passport Number: …" (14–17 characters before the number; the default window is 10).
    WINDOW_BEFORE = 18
    PREFILTER = r"[EGDSPegdsp][A-Za-z]?\d{7}|护照|(?i:passport)"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        value = value.upper()
        digits = value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").replace(" ", "")
        if len(set(digits)) == 1:
            return None
        if _CHINESE.fullmatch(value) or (_CHINESE.fullmatch(_SEPARATORS.sub("", value)) and value[0] in "EG"):
            return Verdict("pii.why.passport", {"kind": _KINDS[value[0]]}, _CHINESE_SCORE)
        before = window_before(text, start, _WORD_WINDOW)
        words = list(_WORD.finditer(before))
        if not words or _CLAUSE_END.search(before, words[-1].end()) is not None:
            return None  # another country's number only right after 护照 (not 我的护照丢了，订单号A…)
        return Verdict("pii.why.passport", {"kind": Term("pii.passport.other")}, 0.6)
