"""WECHAT_ID: a WeChat account name (微信号) after its label, or WeChat's own ``wxid_…`` anywhere.

A 微信号 is 6–20 letters, digits, ``_`` or ``-`` and starts with a letter; it
has no shape of its own (``zhangwei_1988`` could be any word), so it is reported
only right after a label people write for it: 微信, 微信号, 微信ID, 加我微信, vx,
V信, wx, 薇信, WeChat (``加我微信 zhangwei_1988``, ``vx：lily-0312``). Without
``号``/``ID``/a colon in the label the value must hold a digit, ``_`` or ``-``
(``微信 Payment`` is not an account). WeChat's generated IDs (``wxid_…``) are
accounts wherever they stand. A 微信 "号" that is a phone number is the phone
recognizer's (it comes first). In a column headed 微信号 a bare value of that
shape is one (:meth:`WeChatRecognizer.bare`).
"""

from __future__ import annotations

import re

from privacy.recognizers._base import WIDTH_FOLD, ChineseRecognizer, Verdict

__all__ = ["WeChatRecognizer"]

_VALUE = r"[A-Za-z][A-Za-z0-9_\-]{5,19}"
_AFTER = r"(?![A-Za-z0-9_\-@.])"  # not a longer token, not an e-mail's local part
# 微信 / 微信号 / 微信号码 / 微信ID / 微 信 号 ; vx, VX, V信, wx, WX, 薇信, 威信 (typed by voice), WeChat, weixin.
_WORD = r"(?:微\s?信|薇信|威信|[VvWw][Xx]|[Vv]信|(?i:wechat|weixin))"
_KEYED = r"(?:\s?(?:号码?|ID|id|账号|帐号))"
_FILLER = r"[ \t　]*(?:(?:是|为|:|：|=)[ \t　]*)?"  # one way to read any run of blanks (no backtracking)
_LABELLED = (
    r"(?<![A-Za-z0-9])"
    + _WORD
    + r"(?P<k>"
    + _KEYED
    + r")?(?P<c>"
    + _FILLER
    + r")(?!id_)(?P<v>"
    + _VALUE
    + r")"
    + _AFTER
)
_GENERATED = r"(?<![A-Za-z0-9_\-])wxid_[a-z0-9]{6,22}" + _AFTER
_LABELLED_RE = re.compile(_LABELLED)
_BARE = re.compile(r"\s*" + _VALUE + r"\s*")


class WeChatRecognizer(ChineseRecognizer):
    """微信号 after its label (微信号：zhangwei_1988, 加我vx lily-0312), and ``wxid_…`` anywhere."""

    ENTITY = "WECHAT_ID"
    FOLD = WIDTH_FOLD
    PATTERNS = (
        ("wechat_labelled", _LABELLED, 0.85),
        ("wechat_generated", _GENERATED, 0.9),
    )
    CONTEXT = ("微信", "vx", "VX", "wx", "WX", "加我")
    PREFILTER = r"微\s?信|薇信|威信|[VvWw][Xx]|[Vv]信|(?i:wechat|weixin)"  # wxid_ holds wx

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        if value.startswith("wxid_"):
            return Verdict("pii.why.wechat_generated")
        label = _label_before(text, start) if text else None
        if label is None:
            return None  # a whole value (column profiling) or no label: only the generated shape stands alone
        keyed, colon = label
        if not (keyed or colon or any(c in value for c in "0123456789_-")):
            return None  # 微信 Payment, 微信group: a word, not an account
        return Verdict("pii.why.wechat")

    def bare(self, value: str) -> Verdict | None:
        """The verdict for a whole cell of a column headed 微信号 (the header is the label), else None."""
        value = self.folded(value.strip())
        if value.startswith("wxid_"):
            return Verdict("pii.why.wechat_generated")
        if _BARE.fullmatch(value) is None:
            return None
        return Verdict("pii.why.wechat_column")


def _label_before(text: str, start: int) -> tuple[bool, bool] | None:
    """(keyed, colon) of the WeChat label ending right before ``start``; None if there is none."""
    for match in _LABELLED_RE.finditer(text, max(0, start - 16)):
        if match.start("v") == start:
            return bool(match.group("k")), any(c in match.group("c") for c in ":：=是为")
        if match.start("v") > start:
            break
    return None
