"""CN_HMT_PERMIT: 港澳/台湾 travel permits (往来港澳通行证, 回乡证, 台胞证, 往来台湾通行证)."""

from __future__ import annotations

from privacy.recognizers._base import (
    NOT_ALNUM_AFTER,
    NOT_ALNUM_BEFORE,
    WIDTH_FOLD,
    ChineseRecognizer,
    Verdict,
    window_before,
)

__all__ = ["HmtPermitRecognizer"]

_KINDS = {
    "C": "往来港澳通行证", "W": "往来港澳通行证（旧版）", "H": "港澳居民来往内地通行证（香港）",
    "M": "港澳居民来往内地通行证（澳门）", "L": "大陆居民往来台湾通行证", "T": "大陆居民往来台湾通行证",
}
_TAIWAN_CONTEXT = ("台胞证", "台湾居民来往大陆通行证", "台湾居民")


class HmtPermitRecognizer(ChineseRecognizer):
    """Letter + 8 digits (C/W/H/M/L/T), or 8 digits next to 台胞证 (no check digit: context matters)."""

    ENTITY = "CN_HMT_PERMIT"
    FOLD = WIDTH_FOLD
    PATTERNS = (
        ("lettered", NOT_ALNUM_BEFORE + r"(?:[CWHMLTcwhmlt]\d{8}(?:\d{2})?|[Cc][A-Za-z]\d{7})" + NOT_ALNUM_AFTER,
         0.45),
        ("taiwan", NOT_ALNUM_BEFORE + r"\d{8}(?:\(?[A-Za-z]\)?)?" + NOT_ALNUM_AFTER, 0.3),
    )
    CONTEXT = ("通行证", "港澳", "台胞", "回乡证", "往来台湾", "来往内地", "证件号")
    PREFILTER = r"\d{7}"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        value = value.upper()
        if value[0].isdigit():
            before = window_before(text, start, 12)
            if not any(word in before for word in _TAIWAN_CONTEXT):
                return None
            return Verdict("pii.why.hmt_permit", {"kind": "台湾居民来往大陆通行证（台胞证）"}, 0.85)
        if len(set(value[1:])) == 1:
            return None
        return Verdict("pii.why.hmt_permit", {"kind": _KINDS[value[0]]})
