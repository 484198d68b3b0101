"""Check characters of Chinese identifiers, written once.

* 居民身份证号 — GB 11643-1999, ISO 7064 MOD 11-2.
* 统一社会信用代码 — GB 32100-2015, MOD 31.
* Bank cards — Luhn (ISO/IEC 7812-1).

Recognizers, model-card validation and the demo world all call these; nothing
else computes a check character.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "USCC_ALPHABET",
    "id_card_birth_date",
    "id_card_check_char",
    "is_valid_id_card_checksum",
    "is_valid_luhn",
    "is_valid_uscc",
    "luhn_check_digit",
    "uscc_check_char",
]

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {ch: i for i, ch in enumerate(USCC_ALPHABET)}


def id_card_check_char(first17: str) -> str:
    """MOD 11-2 check character for the first 17 digits of an 18-digit ID."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_card_checksum(number: str) -> bool:
    """True for an 18-character ID whose check character matches (``x`` accepted)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return id_card_check_char(number[:17]) == number[17].upper()


def id_card_birth_date(number: str) -> date | None:
    """Birth date of an 18- or 15-digit ID (15-digit: 19YY), or None if impossible."""
    try:
        if len(number) == 18:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if len(number) == 15:
            return date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None
    return None


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a USCC."""
    if len(first17) != 17 or any(ch not in _USCC_INDEX for ch in first17):
        raise ValueError("need 17 characters from the USCC alphabet")
    total = sum(_USCC_INDEX[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for an 18-character 统一社会信用代码 with a correct check character."""
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in _USCC_INDEX for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit to append to ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_luhn(number: str) -> bool:
    """True if the digit string passes the Luhn check."""
    if not number.isdigit() or len(number) < 2:
        return False
    return luhn_check_digit(number[:-1]) == number[-1]
