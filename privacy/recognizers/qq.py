"""QQ_NUMBER: a QQ account number after its label (QQ, QQ号, 扣扣, 企鹅号).

A QQ number is 5–11 digits without a leading zero: any number, so it is
reported only right after its label (``QQ 394857261``, ``扣扣：12345678``,
``QQ号码是 2876543``). A QQ group (``QQ群 12345678``) is not a person's account
and is left alone; ``QQ邮箱 123@qq.com`` is the e-mail recognizer's. In a column
headed QQ a bare number of that shape is one (:meth:`QqRecognizer.bare`).
"""

from __future__ import annotations

import re

from privacy.recognizers._base import WIDTH_FOLD, ChineseRecognizer, Verdict

__all__ = ["QqRecognizer"]

_DIGITS = r"[1-9１-９][0-9０-９]{4,10}"
_LABELLED = (
    r"(?<![A-Za-z0-9])(?:[Qq]{2}|扣扣|企鹅)(?:\s?(?:号码?|账号|帐号))?[ \t　]*(?:(?:是|为|:|：)[ \t　]*)?"
    r"(?P<v>" + _DIGITS + r")(?![0-9０-９@.])"
)
_BARE = re.compile(r"\s*" + _DIGITS + r"\s*")


class QqRecognizer(ChineseRecognizer):
    """QQ号 after its label (QQ 394857261, 扣扣：12345678); never a QQ group."""

    ENTITY = "QQ_NUMBER"
    FOLD = WIDTH_FOLD
    PATTERNS = (("qq_labelled", _LABELLED, 0.85),)
    CONTEXT = ("QQ", "qq", "扣扣")
    PREFILTER = r"[Qq]{2}|扣扣|企鹅"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        if not text or start == 0:
            return None  # a bare number is a QQ number only under a QQ header (:meth:`bare`)
        return Verdict("pii.why.qq")

    def bare(self, value: str) -> Verdict | None:
        """The verdict for a whole cell of a column headed QQ (the header is the label), else None."""
        value = self.folded(value)
        if _BARE.fullmatch(value) is None:
            return None
        return Verdict("pii.why.qq_column")
