"""BANK_CARD: 16–19 digit payment cards, Luhn-checked, with a known IIN range."""

from __future__ import annotations

from privacy.checksums import id_card_birth_date, is_valid_luhn
from privacy.recognizers._base import NOT_ALNUM_AFTER, NOT_ALNUM_BEFORE, ChineseRecognizer, Verdict
from sandbox.regions import lookup_region

__all__ = ["BankCardRecognizer", "card_network"]

# IIN prefixes (ISO/IEC 7812) of the networks cards in China are issued on.
_NETWORKS: tuple[tuple[tuple[int, int], int, str], ...] = (
    ((62, 62), 2, "中国银联 UnionPay"),
    ((81, 81), 2, "中国银联 UnionPay"),
    ((60, 60), 2, "中国银联/Discover"),
    ((4, 4), 1, "Visa"),
    ((51, 55), 2, "Mastercard"),
    ((2221, 2720), 4, "Mastercard"),
    ((35, 35), 2, "JCB"),
    ((644, 659), 3, "Discover"),
    ((9, 9), 1, "境内借记卡 domestic debit"),
)


def card_network(digits: str) -> str | None:
    """The card network of a digit string by its IIN, or None if no known range."""
    for (low, high), width, name in _NETWORKS:
        if len(digits) >= width and low <= int(digits[:width]) <= high:
            return name
    return None


def _looks_like_id(digits: str) -> bool:
    """An 18-digit string with a known region code and a real birth date where an ID has them."""
    return id_card_birth_date(digits) is not None and lookup_region(digits[:6]) is not None


class BankCardRecognizer(ChineseRecognizer):
    """银行卡号: 16–19 digits (optionally grouped by 4), Luhn, UnionPay 62… and other IINs."""

    ENTITY = "BANK_CARD"
    PATTERNS = (
        ("plain", NOT_ALNUM_BEFORE + r"[2-9]\d{15,18}" + NOT_ALNUM_AFTER, 0.8),
        ("grouped", NOT_ALNUM_BEFORE + r"[2-9]\d{3}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?" + NOT_ALNUM_AFTER, 0.8),
    )
    CONTEXT = ("银行卡", "卡号", "账号", "帐号", "开户行", "开户", "银行", "储蓄卡", "借记卡", "信用卡", "社保卡")
    NEGATIVE_CONTEXT = ("订单", "单号", "编号", "流水", "工单", "快递", "运单", "身份证", "证件")
    PREFILTER = r"\d{4}"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        digits = value.replace(" ", "").replace("-", "")
        if not 16 <= len(digits) <= 19 or not is_valid_luhn(digits):
            return None
        network = card_network(digits)
        if network is None:
            return None
        if len(digits) == 18 and _looks_like_id(digits) and not self.context_word(text, start, end):
            return None  # an ID number with a wrong check digit, not a card
        return Verdict("pii.why.bank_card", {"digits": len(digits), "network": network})
