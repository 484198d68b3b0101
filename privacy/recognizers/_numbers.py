"""Numbers as people write them: grouped, hyphenated, full-width, split over a line.

One pass finds every *run* of digit groups in a text — groups of half- or
full-width digits joined by at most a short separator (spaces, a hyphen, a
dot, a line break) — and cuts each run into the longest consecutive groups
that validate, after normalisation, as one identifier:

* 18 digits (or 17 + ``X``/``x``/``Ｘ``): a 居民身份证号 if the GB 11643 check
  digit, the birth date and the region code hold; otherwise possibly a card;
* 15 digits: a legacy 身份证号 (date + region);
* 16–19 digits: a bank card (Luhn + a known IIN range);
* 11 digits from ``1[3-9]`` or 10–12 from ``0``: a phone number per
  libphonenumber's CN plan, with ``+86``/``0086``/``(+86)`` before it and
  ``转123`` after a landline taken into the span.

Spans are offsets into the original text, so ``3301 1219 5304 2897 13`` is
reported as written. The label before a number is never part of it (only
digits, ``(区号)`` and a prefix are). The result of the last few texts is
cached: the three recognizers that use it share one pass.

:func:`fullmatch_many` is the batched form of a number recognizer's
``fullmatch`` (column profiling): values written as one plain run of ASCII
digits (what most exported identifier columns hold) are validated directly,
without the run scanner; every other value takes the general path. Same
verdicts either way (tested against the per-value path).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from privacy.recognizers._base import Verdict

if TYPE_CHECKING:
    from privacy.recognizers._base import NumberRecognizer

__all__ = ["NumberSpan", "fullmatch_many", "normalise_digits", "number_spans"]

NumberKind = Literal["CN_RESIDENT_ID", "BANK_CARD", "PHONE_NUMBER"]

# × (U+00D7) is the X of many typed IDs: an input method offers it for "cheng"/"x" (33010219480715301×).
_FULL = str.maketrans("０１２３４５６７８９Ｘｘx×", "0123456789XXXX")
_D = "[0-9０-９]"
_SP = "[ \\t\\u3000\\u00a0]"
_SEP = f"(?:{_SP}{{1,2}}|{_SP}?[\\-－–—‐.．]{_SP}?|{_SP}?\\r?\\n{_SP}?)"
_NOT_ALNUM_BEFORE = "(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ])"
_NOT_ALNUM_AFTER = "(?![0-9０-９A-Za-zＡ-Ｚａ-ｚ])"
_RUN = re.compile(
    f"{_NOT_ALNUM_BEFORE}(?:[(（]{_D}{{3,4}}[)）]{_SP}?[\\-－]?{_SP}?)?{_D}+(?:{_SEP}{_D}+)*"
    f"(?:{_SP}?[XxＸｘ×])?{_NOT_ALNUM_AFTER}"
)
_GROUP = re.compile(f"[(（]{_D}{{3,4}}[)）]|{_D}+[XxＸｘ×]?|(?<={_SP})[XxＸｘ×]")  # … 3 1 X: letter-spaced
_PREFIX_BEFORE = re.compile(
    f"(?:[(（]{_SP}?[+＋]?{_SP}?(?:00)?86{_SP}?[)）]|[+＋]{_SP}?(?:00)?86(?:{_SP}?[(（]0[)）])?|(?<![0-9])0086|[+＋])"
    "[ \\t\\-－]?$"
)
_EXTENSION_AFTER = re.compile(f"{_SP}?(?:转|分机|ext\\.?{_SP}?)[0-9０-９]{{1,5}}(?![0-9０-９])|[\\-－][0-9]{{1,4}}(?![0-9])")
_MAX_GROUPS = 8
# A number written one digit at a time — an OCR'd form (身份证号 3 7 0 2 0 2 …), boxes typed as digits, a
# phone broken over lines (1 3 9⏎5 8 0 2⏎7 3 6 1) — has up to 19 one-digit groups. Beyond _MAX_GROUPS an ID
# (check character, date, region) is taken as it is; a phone or card only after its label (a row of
# one-digit scores may pass a phone number plan or Luhn, not an ID's checks).
_SPACED_MAX = 19
_SPACED_CUE = re.compile(
    r"(?:电话|手机|联系|号码|热线|卡号|账号|银行卡|tel|phone|mobile)[^0-9０-９]{0,8}\Z", re.IGNORECASE
)
# Numbers read out and written down in Chinese digits (a call transcript: 幺三八 零七幺六 …, or mixed:
# 135 幺零二二 八九一六; radio/army speech: 洞 0, 拐 7, 勾 9). 十/百 never occur in such a number, so a run
# of them is not one; three in a row and a valid number (length, check digit, number plan) are needed.
_SPOKEN_DIGITS = "零〇洞幺一二两三四五六七拐八九勾"
_SPOKEN = str.maketrans(_SPOKEN_DIGITS, "0001122345677899")
_SPOKEN_D = f"[0-9０-９{_SPOKEN_DIGITS}]"
_SPOKEN_CHAR = re.compile(f"[{_SPOKEN_DIGITS}]")
_SPOKEN_HINT = re.compile(f"[{_SPOKEN_DIGITS}]{{3}}")  # also NumberRecognizer.PREFILTER's second half
_SPOKEN_RUN = re.compile(
    f"(?<![0-9０-９A-Za-z{_SPOKEN_DIGITS}十百千万亿点])"
    f"{_SPOKEN_D}+(?:(?:{_SP}{{1,2}}|{_SP}?[\\-－]{_SP}?){_SPOKEN_D}+)*"
)
_SPOKEN_GROUP = re.compile(f"{_SPOKEN_D}+")
# One run of plain ASCII digits that ``_classify`` could accept (``x`` only as an 18th character):
# for such a value the run scanner finds exactly one group, the whole value (see :func:`fullmatch_many`).
_PLAIN = re.compile(r"(?:[0-9]{10,19}|[0-9]{17}[Xx])\Z")


def normalise_digits(value: str) -> str:
    """Digits (and a final ``X``) of ``value``: full-width to half-width, separators dropped."""
    return "".join(ch for ch in value.translate(_FULL) if ch.isdigit() or ch == "X")


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """One identifier in a text: its kind, original span, normalised digits and verdict.

    ``needs_context`` marks a card number that is also shaped like an ID with a
    wrong check digit: a card only when a card word (卡号, 银行卡 …) is near.
    """

    kind: NumberKind
    start: int
    end: int
    digits: str
    verdict: Verdict
    needs_context: bool = False


@functools.cache
def _validators() -> tuple:  # type: ignore[type-arg]
    from privacy.recognizers.bank_card import validate_card
    from privacy.recognizers.phone import validate_phone
    from privacy.recognizers.resident_id import validate_id

    return validate_id, validate_card, validate_phone


def _classify(digits: str) -> tuple[NumberKind, Verdict, bool] | None:
    validate_id, validate_card, validate_phone = _validators()
    length = len(digits)
    if "X" in digits:
        if length == 18 and digits.index("X") == 17:
            verdict = validate_id(digits)
            if verdict is not None:
                return "CN_RESIDENT_ID", verdict, False
        return None
    if length in (15, 18):
        verdict = validate_id(digits)
        if verdict is not None:
            return "CN_RESIDENT_ID", verdict, False
    if 16 <= length <= 19:
        card = validate_card(digits)
        if card is not None:
            return "BANK_CARD", card[0], card[1]
    if 10 <= length <= 15:
        verdict = validate_phone(digits)
        if verdict is not None:
            return "PHONE_NUMBER", verdict, False
    return None


@functools.lru_cache(maxsize=8)
def number_spans(text: str) -> tuple[NumberSpan, ...]:
    """Every validated identifier number in ``text`` (see the module docstring)."""
    found: list[NumberSpan] = []
    for run in _RUN.finditer(text):
        groups = [(m.start(), m.end(), normalise_digits(m.group())) for m in _GROUP.finditer(text, *run.span())]
        before = len(found)
        _cut(text, groups, run.start(), found)
        if len(found) == before and groups:
            _labelled_account(text, groups, found)
            if len(found) == before:
                _labelled_local(text, groups, found)
    if _SPOKEN_HINT.search(text) is not None:
        for run in _SPOKEN_RUN.finditer(text):
            if _SPOKEN_CHAR.search(run.group()) is None:
                continue  # plain digits: the first pass had them
            groups = [(m.start(), m.end(), m.group().translate(_SPOKEN).translate(_FULL))
                      for m in _SPOKEN_GROUP.finditer(text, *run.span())]
            _cut(text, groups, run.start(), found)
        found.sort(key=lambda span: span.start)
    return tuple(found)


def _cut(text: str, groups: list[tuple[int, int, str]], run_start: int, found: list[NumberSpan]) -> None:
    """Cut one run's digit groups into the longest consecutive groups that validate (appended to ``found``)."""
    i = 0
    while i < len(groups):
        best = None
        # +86 571 8613 2207: after an international prefix a landline may lack its trunk 0
        abroad = _prefix_start(text, groups[i][0]) if groups[i][2][:1] in tuple("23456789") else None
        last = i + _MAX_GROUPS
        if len(groups) > last:
            last = _spaced_end(groups, i, last)
        for j in range(min(len(groups), last) - 1, i - 1, -1):
            digits = "".join(g[2] for g in groups[i : j + 1])
            if len(digits) > 19 or ("X" in digits[:-1]):
                continue
            kind = _classify(digits)
            if kind is None and abroad is not None:
                kind = _landline_abroad(digits)
            if kind is not None and j >= i + _MAX_GROUPS and kind[0] != "CN_RESIDENT_ID" \
                    and _SPACED_CUE.search(text, max(0, groups[i][0] - 16), groups[i][0]) is None:
                kind = None  # one digit at a time, no label: not a phone or card
            if kind is not None:
                best = (j, digits, kind)
                break
        if best is None:
            glued = _split_glued(groups, i)
            if glued is not None:
                groups[i : i + 1] = glued  # 13705538871|3402…: a phone and an ID written without a gap
                continue
            i += 1
            continue
        j, digits, (kind, verdict, needs_context) = best
        start, end = groups[i][0], groups[j][1]
        if kind == "PHONE_NUMBER":
            start, end = _phone_extent(text, start, end, i == 0 and groups[0][0] == run_start, verdict)
            start = min(start, abroad) if abroad is not None else start
        found.append(NumberSpan(kind, start, end, digits, verdict, needs_context))
        i = j + 1


# 存折账号 / 养老金发放账户为 / 收款账号： — right before a run of digits (same clause, a few characters). Not
# 卡号: a card has a Luhn digit, and free text reports no card that fails it (a digit slipped or missing).
_ACCOUNT_LABEL = re.compile(
    f"(?:账号|帐号|账户|帐户|存折号?|折号)(?:号码|号)?{_SP}?(?:为|是)?{_SP}?[:：]?{_SP}*\\Z"
)


def _labelled_account(text: str, groups: list[tuple[int, int, str]], found: list[NumberSpan]) -> None:
    """A whole run of 12–25 digits that nothing validated, right after an account label: an account number.

    Passbook (存折) and credit-cooperative accounts have no Luhn digit and no card IIN:
    ``存折账号 1010 0001 2345 6789 012`` was no personal information to the scanner.
    """
    digits = "".join(g[2] for g in groups)
    start = groups[0][0]
    if not 12 <= len(digits) <= 25 or not digits.isdigit() or len(set(digits)) == 1:
        return
    if _ACCOUNT_LABEL.search(text, max(0, start - 12), start) is None:
        return
    from privacy.recognizers.bank_card import validate_account

    found.append(NumberSpan("BANK_CARD", start, groups[-1][1], digits, validate_account(digits)))


# 联系电话：86543210 / 座机 8654-3210 / 宅电 6543210 — a landline as a city's own forms write it, without its area
# code (and an 8-digit Hong Kong or Macau number after 手机): 7–8 digits are a phone only right after a phone label.
_PHONE_LABEL = re.compile(
    f"(?:电话|座机|固话|宅电|手机|联系方式)(?:号码|号)?{_SP}?(?:为|是)?{_SP}?[:：]?{_SP}*\\Z"
)


def _labelled_local(text: str, groups: list[tuple[int, int, str]], found: list[NumberSpan]) -> None:
    """A whole run of 7–8 digits (not 0/1 first) that nothing validated, right after a phone label: a local phone.

    ``联系电话：86543210`` was no personal information to the scanner; service numbers (12345, 95588, 110)
    are shorter and stay unreported.
    """
    from privacy.recognizers.phone import validate_local

    digits = "".join(g[2] for g in groups)
    start = groups[0][0]
    verdict = validate_local(digits) if len(groups) <= 3 else None
    if verdict is None or _PHONE_LABEL.search(text, max(0, start - 12), start) is None:
        return
    found.append(NumberSpan("PHONE_NUMBER", start, groups[-1][1], digits, verdict))


def _spaced_end(groups: list[tuple[int, int, str]], i: int, last: int) -> int:
    """``last``, or the end of the one-digit groups from ``i`` when more than :data:`_MAX_GROUPS` are in a row."""
    k = i
    while k < len(groups) and k - i < _SPACED_MAX and len(groups[k][2]) == 1:
        k += 1
    if k - i < _MAX_GROUPS:
        return last
    if k < len(groups) and k - i < _SPACED_MAX and groups[k][2][1:] == "X" and len(groups[k][2]) == 2:
        k += 1  # … 3 1 6X: the check character typed against the last digit
    return max(last, k)


def _split_glued(groups: list[tuple[int, int, str]], i: int) -> list[tuple[int, int, str]] | None:
    """Group ``i`` cut in two where a mobile number and an ID number were written without a gap.

    ``137055388713402 0219 9605 1830 26`` (a form row flattened: phone, then the
    ID in groups) validates as nothing whole. If the group's first 11 digits are a
    mobile number and the rest of the group with the groups after it is an ID —
    or its first 18 characters are an ID and the rest a mobile number — the group
    is split there. Both halves must validate; only a mobile number (11 digits)
    and an ID (check character, date, region) are tried, so a long order number
    is not cut into two weak numbers.
    """
    start, end, digits = groups[i]
    if len(digits) < 12 or not digits[:-1].isdigit():
        return None
    validate_id, _, validate_phone = _validators()
    head, tail = digits[:11], digits[11:]
    if head[0] == "1" and validate_phone(head) is not None:
        rest = tail + "".join(g[2] for g in groups[i + 1 : i + 1 + _MAX_GROUPS])
        for length in (18, 15):
            if len(rest) >= length and ("X" not in rest[: length - 1]) and _id_at(rest[:length], groups, i, tail):
                return [(start, start + 11, head), (start + 11, end, tail)]
    if len(digits) == 29 and validate_id(digits[:18]) is not None and validate_phone(digits[18:]) is not None:
        return [(start, start + 18, digits[:18]), (start + 18, end, digits[18:])]
    return None


def _id_at(candidate: str, groups: list[tuple[int, int, str]], i: int, tail: str) -> bool:
    """True when ``candidate`` (the tail of group ``i`` and whole groups after it) is a valid ID."""
    validate_id = _validators()[0]
    length = len(tail)
    k = i + 1
    while length < len(candidate) and k < len(groups):
        length += len(groups[k][2])
        k += 1
    return length == len(candidate) and validate_id(candidate) is not None


def _prefix_start(text: str, start: int) -> int | None:
    """Where an international prefix (``+86``, ``0086``, ``(+86)``) ending right before ``start`` begins."""
    prefix = _PREFIX_BEFORE.search(text, max(0, start - 9), start)
    if prefix is None or text[prefix.end():start].strip(" -\u3000"):
        return None
    return prefix.start()


def _landline_abroad(digits: str) -> tuple[NumberKind, Verdict, bool] | None:
    """A landline written for callers abroad (no trunk 0 after +86), validated as its domestic form."""
    if not 9 <= len(digits) <= 11:
        return None
    kind = _classify("0" + digits)
    return kind if kind is not None and kind[0] == "PHONE_NUMBER" and kind[1].key == "pii.why.landline" else None


def _phone_extent(text: str, start: int, end: int, at_run_start: bool, verdict: Verdict) -> tuple[int, int]:
    """Widen a phone span by a ``+86``-style prefix before it and a ``转123`` extension after a landline."""
    if at_run_start:
        prefix = _PREFIX_BEFORE.search(text, max(0, start - 9), start)
        if prefix is not None:
            start = prefix.start()
    if verdict.key == "pii.why.landline":
        extension = _EXTENSION_AFTER.match(text, end)
        if extension is not None:
            end = extension.end()
    return start, end


def fullmatch_many(recognizer: NumberRecognizer, values: Sequence[str]) -> list[Verdict | None]:
    """``[recognizer.fullmatch(v) for v in values]``, with plain digit strings validated in one batch.

    A value that is one plain run of 10–19 ASCII digits (or 17 + ``x``/``X``)
    is one digit group for :func:`number_spans`: its only candidate is the
    whole value, and a phone span cannot widen (nothing before or after it).
    So its verdict is :func:`_classify`'s on the value itself — no run
    scanner, no span objects. Everything else goes through ``fullmatch``.
    """
    from privacy.recognizers._base import NumberRecognizer

    if type(recognizer).fullmatch is not NumberRecognizer.fullmatch:
        return [recognizer.fullmatch(value) for value in values]
    entity = recognizer.ENTITY
    plain = _PLAIN.match
    checked = _checked_ids(values) if entity == "CN_RESIDENT_ID" else {}
    out: list[Verdict | None] = []
    append = out.append
    for index, value in enumerate(values):
        if plain(value) is None:
            append(recognizer.fullmatch(value))
            continue
        if len(value) == 18:
            verdict = checked.get(index, _UNCHECKED)
            if verdict is not _UNCHECKED:
                append(verdict)
                continue
        found = _classify(value.upper() if value[-1] == "x" else value)
        append(found[1] if found is not None and found[0] == entity and not found[2] else None)
    return out


_UNCHECKED = Verdict("")


def _checked_ids(values: Sequence[str]) -> dict[int, Verdict | None]:
    """ID verdicts of the 18-character ASCII values, all check characters verified at once (numpy).

    A wrong check character means no ID (the value may still be a card, but
    not an ID); a right one leaves the date and region to
    :func:`~privacy.recognizers.resident_id.validate_checked_id`.
    """
    import numpy as np

    from privacy.checksums import _ID_CHECK, _ID_WEIGHTS
    from privacy.recognizers.resident_id import validate_checked_id

    index = [i for i, v in enumerate(values) if len(v) == 18 and v.isascii() and v[:17].isdigit()]
    if not index:
        return {}
    raw = np.frombuffer("".join(values[i] for i in index).upper().encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    total = (raw[:, :17].astype(np.int64) - 48) @ np.asarray(_ID_WEIGHTS, dtype=np.int64)
    good = np.frombuffer(_ID_CHECK.encode("ascii"), dtype=np.uint8)[total % 11] == raw[:, 17]
    return {i: validate_checked_id(values[i].upper()) if ok else None
            for i, ok in zip(index, good.tolist(), strict=True)}
