"""居民身份证号 CN_RESIDENT_ID: GB 11643 check character, real birth date, known region.

Candidates come from :mod:`privacy.recognizers._numbers`, so grouped
(``3301 1219 5304 2897 13``), hyphenated, full-width and lower-case ``x``
forms are validated after normalisation and reported with their written span.
"""

from __future__ import annotations

import functools
import time
from datetime import date

from privacy.checksums import id_card_birth_date, is_valid_id_card_checksum
from privacy.recognizers._base import NOT_ALNUM_AFTER, NOT_ALNUM_BEFORE, NumberRecognizer, Verdict
from sandbox.regions import lookup_region

__all__ = ["ResidentIdRecognizer", "validate_checked_id", "validate_id", "validate_id_shape"]

_EARLIEST = date(1880, 1, 1)
# Region codes repeat across a table's IDs: look each one up once (RegionInfo is frozen).
_region = functools.lru_cache(maxsize=8192)(lookup_region)


@functools.lru_cache(maxsize=1)
def _today_for(hour: int) -> date:
    return date.today()


def _today() -> date:
    """Today's date, looked up at most once an hour (checked for every candidate)."""
    return _today_for(int(time.time() // 3600))


def validate_id(value: str) -> Verdict | None:
    """The verdict for normalised digits (``X`` upper-case) that form a valid ID, else None."""
    value = value.upper()
    if len(value) == 18 and not is_valid_id_card_checksum(value):
        return None
    return validate_checked_id(value)


def validate_id_shape(value: str) -> Verdict | None:
    """The verdict for normalised digits shaped like an 18-digit ID whose check character is wrong, else None.

    A real region code and birth date with a wrong check character in a
    column of IDs is a mistyped ID (a digit slipped, the ``X`` typed as ``0``,
    numbers a clerk made up): still a person's ID (region and birth date) to
    whoever holds the table, so :mod:`privacy._profile` counts and replaces it
    with the column. Free text does not use it: there a number whose check
    fails is often one the text itself calls wrong ("校验不通过"), and the
    scanner reports only checked IDs.
    """
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X" \
            or is_valid_id_card_checksum(value):
        return None
    verdict = validate_checked_id(value)
    if verdict is None:
        return None
    return Verdict("pii.why.id18_badcheck", verdict.params, 0.5)


def validate_checked_id(value: str) -> Verdict | None:
    """:func:`validate_id` for an upper-case value whose check character (if 18 long) is already verified."""
    if len(value) not in (15, 18) or not value[:15].isdigit():
        return None
    born = id_card_birth_date(value)
    if born is None or not _EARLIEST <= born <= _today():
        return None
    region = _region(value[:6])
    if region is None:
        return None
    # What the explanation may say: shown next to the masked value (110***********0021), the region code
    # and full birth date would give the whole number back; the province and the year do not.
    province = _region(value[:2] + "0000")
    params = {"province": province.name if province is not None else region.full_name[:2], "year": born.year}
    if region.current:
        key = "pii.why.id18" if len(value) == 18 else "pii.why.id15"
    else:
        key = "pii.why.id18_retired" if len(value) == 18 else "pii.why.id15_retired"
    return Verdict(key, params, 1.0 if len(value) == 18 else 0.6)


class ResidentIdRecognizer(NumberRecognizer):
    """18-digit 居民身份证号 (MOD 11-2, ``X`` allowed) and the 15-digit legacy form."""

    ENTITY = "CN_RESIDENT_ID"
    # For Presidio's own listing; finding goes through the shared number scanner.
    PATTERNS = (
        ("id18", NOT_ALNUM_BEFORE + r"[1-9]\d{16}[0-9Xx]" + NOT_ALNUM_AFTER, 1.0),
        ("id15", NOT_ALNUM_BEFORE + r"[1-9]\d{14}" + NOT_ALNUM_AFTER, 0.6),
    )
    CONTEXT = ("身份证", "身份号", "证件号", "公民身份", "居民身份", "ID")

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        from privacy.recognizers._numbers import normalise_digits

        return validate_id(normalise_digits(value))
