"""Generated identifiers for the PII tests (valid and deliberately invalid)."""

from __future__ import annotations

import random

from privacy.checksums import USCC_ALPHABET, id_card_check_char, luhn_check_digit, uscc_check_char


def make_uscc(rng: random.Random, region: str = "330110") -> str:
    body = rng.choice("159") + rng.choice("123") + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def make_unionpay(rng: random.Random, length: int = 19) -> str:
    payload = "62" + "".join(rng.choice("0123456789") for _ in range(length - 3))
    return payload + luhn_check_digit(payload)


def wrong_id_check(number: str) -> str:
    right = id_card_check_char(number[:17])
    wrong = next(c for c in "0123456789X" if c != right)
    return number[:17] + wrong
