"""CN_USCC 统一社会信用代码: GB 32100 check character and a known region code."""

from __future__ import annotations

from privacy.checksums import is_valid_uscc
from privacy.recognizers._base import (
    NOT_ALNUM_AFTER,
    NOT_ALNUM_BEFORE,
    WIDTH_FOLD,
    ChineseRecognizer,
    Verdict,
)
from sandbox.regions import lookup_region

__all__ = ["UsccRecognizer"]

# GB 32100 first character: the registration authority.
_AUTHORITY = {
    "1": "机构编制", "5": "民政", "9": "工商/市场监管", "2": "外交", "3": "司法行政",
    "4": "文化", "6": "旅游", "7": "宗教", "8": "工会", "A": "中央军委改革和编制办公室",
    "N": "农业", "Y": "其他",
}


class UsccRecognizer(ChineseRecognizer):
    """统一社会信用代码: 18 characters, authority + category + region + org code + check."""

    ENTITY = "CN_USCC"
    FOLD = WIDTH_FOLD
    PATTERNS = (
        ("uscc", NOT_ALNUM_BEFORE + r"[1-9ANYany][1-9]\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}" + NOT_ALNUM_AFTER,
         1.0),
    )
    CONTEXT = ("信用代码", "统一社会", "社会信用", "营业执照", "USCC", "税号", "纳税人识别号")
    PREFILTER = r"\d{6}"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        code = value.upper()
        if not is_valid_uscc(code):
            return None
        region = lookup_region(code[2:8])
        if region is None or not region.source:
            return None
        return Verdict(
            "pii.why.uscc",
            {"authority": _AUTHORITY.get(code[0], code[0]), "code": code[2:8], "region": region.full_name},
        )
