"""BANK_CARD: 16–19 digit payment cards, Luhn-checked, with a known IIN range.

Candidates come from :mod:`privacy.recognizers._numbers` (grouped by four,
hyphenated, full-width, split over a line — reported as written).
"""

from __future__ import annotations

import re

from privacy.checksums import id_card_birth_date, is_valid_luhn
from privacy.recognizers._base import NOT_ALNUM_AFTER, NOT_ALNUM_BEFORE, NumberRecognizer, Verdict
from sandbox.regions import lookup_region

__all__ = ["BankCardRecognizer", "card_network", "validate_account", "validate_card", "validate_card_shape"]

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


def validate_card(digits: str) -> tuple[Verdict, bool] | None:
    """(verdict, needs a card word nearby) for normalised digits that form a card number, else None.

    An 18-digit number shaped like an ID (region + date) with a wrong check
    digit is a card only next to a card word.
    """
    if not 16 <= len(digits) <= 19 or not digits.isdigit() or not is_valid_luhn(digits):
        return None
    network = card_network(digits)
    if network is None:
        return None
    verdict = Verdict("pii.why.bank_card", {"digits": len(digits), "network": network}, 0.8)
    return verdict, len(digits) == 18 and _looks_like_id(digits)


def validate_card_shape(digits: str) -> Verdict | None:
    """The verdict for normalised digits shaped like a card (16–19 digits, a known IIN) whose Luhn digit is wrong.

    In a column of card numbers (银行卡号) such a cell is a mistyped card — a digit slipped — still 18 of a
    person's 19 digits: :mod:`privacy._profile` counts and masks it with the column. Free text does not use it.
    """
    if not 16 <= len(digits) <= 19 or not digits.isdigit() or is_valid_luhn(digits) or card_network(digits) is None:
        return None
    return Verdict("pii.why.card_badcheck", {"digits": len(digits)}, 0.5)


def validate_account(digits: str) -> Verdict:
    """The verdict for 12–25 digits after an account label (存折账号, 发放账户为, 账号：) that no card check accepts."""
    return Verdict("pii.why.bank_account", {"digits": len(digits)}, 0.7)


_ACCOUNT_LIKE = re.compile(r"\s*[0-9０-９](?:[ \-－]?[0-9０-９]){11,24}\s*")


class BankCardRecognizer(NumberRecognizer):
    """银行卡号: 16–19 digits (any grouping), Luhn, UnionPay 62… and other IINs."""

    ENTITY = "BANK_CARD"
    PATTERNS = (
        ("plain", NOT_ALNUM_BEFORE + r"[2-9]\d{15,18}" + NOT_ALNUM_AFTER, 0.8),
        ("grouped", NOT_ALNUM_BEFORE + r"[2-9]\d{3}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?" + NOT_ALNUM_AFTER, 0.8),
    )
    CONTEXT = ("银行卡", "卡号", "账号", "帐号", "账户", "帐户", "开户行", "开户", "银行", "储蓄卡", "借记卡",
               "信用卡", "社保卡", "存折")
    NEGATIVE_CONTEXT = ("订单", "单号", "编号", "流水", "工单", "快递", "运单", "身份证", "证件")

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        from privacy.recognizers._numbers import normalise_digits

        found = validate_card(normalise_digits(value))
        if found is None or (found[1] and not (text and self.context_word(text, start, end))):
            return None
        return found[0]

    def bare(self, value: str) -> Verdict | None:
        """A whole cell of 12–25 digits in a column headed 账号/存折/卡号: an account number (the header is the label).

        Unlike free text, a column of them is one kind of value: a card column's cells that fail every card check
        are the people's account numbers all the same.
        """
        from privacy.recognizers._numbers import normalise_digits, number_spans

        if _ACCOUNT_LIKE.fullmatch(value) is None or number_spans(value):
            return None  # an ID, phone or card in the column is that (the column's scan reports it)
        digits = normalise_digits(value)
        return validate_account(digits) if len(set(digits)) > 1 else None
