"""PHONE_NUMBER: Chinese mobile and landline numbers, validated with phonenumbers (region CN)."""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from privacy.recognizers._base import NOT_DIGIT_AFTER, ChineseRecognizer, Verdict

__all__ = ["PhoneRecognizer"]

_BEFORE = r"(?<![0-9A-Za-z+\-])"
_PREFIX = r"(?:(?:\+|00)86[ \-]?|[(（]\+?86[)）][ \-]?)?"
_MOBILE = _BEFORE + _PREFIX + r"1[3-9]\d(?:[ \-]?\d{4}){2}" + NOT_DIGIT_AFTER
_LANDLINE = (
    _BEFORE + _PREFIX
    + r"(?:[(（]0?\d{2,3}[)）][ \-]?|0\d{2,3}[ \-]?)[2-9]\d{6,7}(?:[\-转]\d{1,4})?" + NOT_DIGIT_AFTER
)
_EXTENSION = re.compile(r"[\-转]\d{1,4}$")
_PERSONAL = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


@functools.lru_cache(maxsize=65536)
def _parse(digits: str) -> tuple[str, str, str] | None:
    """(kind, carrier-or-area-code, e164) for a valid personal CN number."""
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number_for_region(number, "CN"):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in _PERSONAL:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == PhoneNumberType.MOBILE:
        return "mobile", carrier.name_for_number(number, "zh") or "", e164
    # The area code (geocoder data would cost seconds of start-up for a place name).
    return "landline", "0" + str(number.national_number)[: 2 if str(number.national_number)[0] in "12" else 3], e164


class PhoneRecognizer(ChineseRecognizer):
    """Mobile (1[3-9]x) and landline (0xx-xxxxxxx) numbers, with or without +86 and separators."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = (("mobile", _MOBILE, 0.9), ("landline", _LANDLINE, 0.7))
    CONTEXT = ("电话", "手机", "联系方式", "来电", "致电", "号码", "电联", "tel", "Tel", "TEL", "联系")
    NEGATIVE_CONTEXT = ("订单", "单号", "编号", "流水", "工单号", "快递", "运单", "账号", "卡号")
    PREFILTER = r"\d{3}"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        parsed = _parse(value)
        if parsed is None:
            # An extension (0755-86001234转123): validate the number before it.
            main = _EXTENSION.sub("", value)
            parsed = _parse(main) if main != value else None
        if parsed is None:
            return None
        kind, where, e164 = parsed
        if kind == "mobile":
            return Verdict("pii.why.mobile", {"carrier": where or "?", "e164": e164})
        return Verdict("pii.why.landline", {"area": where, "e164": e164})
