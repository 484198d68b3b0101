"""CN_LICENSE_PLATE 车牌: ordinary plates and new-energy (新能源) plates."""

from __future__ import annotations

import re

from privacy.recognizers._base import NOT_ALNUM_AFTER, WIDTH_FOLD, ChineseRecognizer, Verdict

__all__ = ["LicensePlateRecognizer"]

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ALNUM = "[A-HJ-NP-Z0-9]"
_SEP = r"[·•\-\s]?"
_ORDINARY = f"[{PROVINCES}][A-Z]{_SEP}{_ALNUM}{{4}}[A-HJ-NP-Z0-9挂学警港澳领]"
_NEW_ENERGY_SMALL = f"[{PROVINCES}][A-Z]{_SEP}[DFABCEGHJK][A-HJ-NP-Z0-9]\\d{{4}}"
_NEW_ENERGY_LARGE = f"[{PROVINCES}][A-Z]{_SEP}\\d{{5}}[DF]"
_LETTERS = re.compile("[A-HJ-NP-Z]")


class LicensePlateRecognizer(ChineseRecognizer):
    """车牌号: 京A12345, 粤B·D12345 (小型新能源), 沪A12345D (大型新能源), with ·/-/space."""

    ENTITY = "CN_LICENSE_PLATE"
    FOLD = WIDTH_FOLD
    PATTERNS = (
        ("new_energy_small", _NEW_ENERGY_SMALL + NOT_ALNUM_AFTER, 0.7),
        ("new_energy_large", _NEW_ENERGY_LARGE + NOT_ALNUM_AFTER, 0.7),
        ("ordinary", _ORDINARY + NOT_ALNUM_AFTER, 0.6),
    )
    CONTEXT = ("车牌", "号牌", "车辆", "车号", "机动车", "驾驶", "停车", "违停", "私家车", "轿车", "货车")
    PREFILTER = f"[{PROVINCES}][A-Z]"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        body = re.sub(r"[·•\-\s]", "", value)[2:]
        if len(body) == 6:
            kind = "新能源（小型）" if body[0] in "DFABCEGHJK" and body[1:].isascii() else "新能源（大型）"
            if body[-1] in "DF" and body[:5].isdigit():
                kind = "新能源（大型）"
            return Verdict("pii.why.plate", {"province": value[0], "kind": kind})
        if len(body) != 5 or len(_LETTERS.findall(body)) > 3:
            return None
        return Verdict("pii.why.plate", {"province": value[0], "kind": "普通"})
