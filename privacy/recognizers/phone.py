"""PHONE_NUMBER: Chinese mobile and landline numbers, validated with phonenumbers (region CN).

Candidates come from :mod:`privacy.recognizers._numbers`: ``+86``, ``0086``,
``(+86)`` prefixes, spaces, hyphens, dots, full-width digits and a line break
inside the number are accepted; the span is the number as written.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import carrier

from privacy.recognizers._base import NOT_DIGIT_AFTER, NumberRecognizer, Verdict

__all__ = ["PhoneRecognizer", "validate_local", "validate_phone"]

_BEFORE = r"(?<![0-9A-Za-z+\-])"
_PREFIX = r"(?:(?:\+|00)86[ \-]?|[(（]\+?86[)）][ \-]?)?"
_MOBILE = _BEFORE + _PREFIX + r"1[3-9]\d(?:[ \-]?\d{4}){2}" + NOT_DIGIT_AFTER
_LANDLINE = (
    _BEFORE + _PREFIX
    + r"(?:[(（]0?\d{2,3}[)）][ \-]?|0\d{2,3}[ \-]?)[2-9]\d{6,7}(?:[\-转]\d{1,4})?" + NOT_DIGIT_AFTER
)
_EXTENSION = re.compile(r"[\-转]\d{1,4}$")
_LOCAL_LIKE = re.compile(r"\s*[0-9０-９]{3,4}[ \-－]?[0-9０-９]{4}\s*")


_META = phonenumbers.PhoneMetadata.metadata_for_region("CN")
# libphonenumber's own CN number plans, compiled once (what ``is_valid_number`` matches against).
_MOBILE_PLAN = re.compile(_META.mobile.national_number_pattern)
_FIXED_PLAN = re.compile(_META.fixed_line.national_number_pattern)
_NON_DIGIT = re.compile(r"\D")


@functools.lru_cache(maxsize=4096)
def _carrier(prefix: str) -> str:
    """Carrier of a mobile number by its first five digits (libphonenumber's carrier table)."""
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(prefix.ljust(11, "0")))
    return carrier.name_for_number(number, "zh") or ""


def _national(value: str) -> str:
    digits = _NON_DIGIT.sub("", value)
    if value.lstrip("（(").startswith(("+", "00")) or (len(digits) > 11 and digits.startswith("86")):
        digits = digits[4:] if digits.startswith("0086") else digits[2:]
    return digits


@functools.lru_cache(maxsize=65536)
def _parse(value: str) -> tuple[str, str, str] | None:
    """(kind, carrier-or-area-code, e164) for a valid personal CN number, per libphonenumber's plan."""
    national = _national(value)
    if national.startswith("0"):
        national = national[1:]  # the trunk prefix
        if len(national) != 11 or national[0] != "1":
            if 7 <= len(national) <= 11 and _FIXED_PLAN.fullmatch(national) is not None:
                # The area code (geocoder data would cost seconds of start-up for a place name).
                return "landline", "0" + national[: 2 if national[0] in "12" else 3], "+86" + national
            return None
    if len(national) == 11 and national[0] == "1" and _MOBILE_PLAN.fullmatch(national) is not None:
        return "mobile", _carrier(national[:5]), "+86" + national
    return None


def validate_local(digits: str) -> Verdict | None:
    """The verdict for 7–8 digits (not 0/1 first, not one digit repeated) where a phone label or header says phone:
    a landline written without its area code (``86543210``); service numbers (12345, 95588) are shorter."""
    if len(digits) not in (7, 8) or not digits.isdigit() or digits[0] in "01" or len(set(digits)) == 1:
        return None
    return Verdict("pii.why.local_phone", {"digits": len(digits)}, 0.8)


def validate_phone(value: str) -> Verdict | None:
    """The verdict for a personal CN phone number (any written form, extension allowed), else None."""
    parsed = _parse(value)
    if parsed is None:
        # An extension (0755-86001234转123): validate the number before it.
        main = _EXTENSION.sub("", value)
        parsed = _parse(main) if main != value else None
    if parsed is None:
        return None
    kind, where, _e164 = parsed
    if kind == "mobile":
        # (never the number itself: the explanation is shown next to the masked value)
        return Verdict("pii.why.mobile", {"carrier": where or "?"}, 0.9)
    return Verdict("pii.why.landline", {"area": where}, 0.7)


class PhoneRecognizer(NumberRecognizer):
    """Mobile (1[3-9]x) and landline (0xx-xxxxxxx) numbers, with or without +86 and separators."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = (("mobile", _MOBILE, 0.9), ("landline", _LANDLINE, 0.7))
    CONTEXT = ("电话", "手机", "联系方式", "来电", "致电", "号码", "电联", "tel", "Tel", "TEL", "联系")
    NEGATIVE_CONTEXT = ("订单", "单号", "编号", "流水", "工单号", "运单")

    def bare(self, value: str) -> Verdict | None:
        """A whole cell of 7–8 digits (not 0/1 first) in a column headed 电话/座机: a local landline (the header is
        the label), as ``联系电话：86543210`` is in text. Anything the scanner validates is that instead."""
        from privacy.recognizers._numbers import normalise_digits, number_spans

        if _LOCAL_LIKE.fullmatch(value) is None or number_spans(value):
            return None
        return validate_local(normalise_digits(value))

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        from privacy.recognizers._numbers import normalise_digits

        prefixed = value.lstrip(" （(").startswith(("+", "＋"))
        digits = normalise_digits(value)
        return validate_phone(("+" if prefixed else "") + digits) or validate_phone(value)
