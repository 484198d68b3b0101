"""Names written across two cells: 姓 | 名, Surname | Given name.

Systems that export people (人社, 户籍, school rosters, English-language forms) often keep the surname and the
given name in columns of their own. No cell alone is a name (``王``; ``建国`` is a word), so a per-column scan
found nothing in the surname column and only some given names: de-identification wrote ``王 | 建国`` back —
the whole name, in two cells. Here two adjacent columns are a name's parts when the left one holds surnames
in most sampled rows, the right one short given names, and the two cells read together (``王建国``) are a whole
name to the detector in most of those rows; in pinyin (``WANG | Xiuying``, which alone in a cell gives the model no
cue) the headers must say surname and given name. Both columns are then
PERSON columns: de-identification applies the policy's PERSON rule to every cell of each, and the re-scan reads
the pairs again. Both engines read the same sampled rows (:func:`privacy._split_address.sample_positions`).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["split_name_columns", "split_name_in_sample"]

MIN_SHARE = 0.6  # of the sampled rows with both cells filled, read together as one whole name
_HAN_GIVEN = re.compile(r"[\u4e00-\u9fff]{1,2}")
_SURNAME_HEADER = re.compile(r"(?i)surname|family|last\s*name|姓")
_GIVEN_HEADER = re.compile(r"(?i)given|first\s*name|forename|名")
_LATIN_GIVEN = re.compile(r"[A-Za-z][a-z]*(?:[- ]?[A-Za-z][a-z]*)?|[A-Z]+(?:[- ][A-Z]+)?")


def split_name_columns(frame: pd.DataFrame) -> dict[str, int]:
    """:func:`split_name_in_sample` of the rows :func:`~privacy._split_address.sample_positions` picks."""
    from privacy._split_address import sample_positions

    return split_name_in_sample(frame.iloc[sample_positions(len(frame))])


def split_name_in_sample(sample: pd.DataFrame) -> dict[str, int]:
    """Columns holding one part of a name written across two adjacent cells: column → sampled rows read as names."""
    found: dict[str, int] = {}
    columns = [str(c) for c in sample.columns]
    cells = [sample.iloc[:, i].astype("string").str.strip().fillna("").tolist() for i in range(len(columns))]
    for left in range(len(columns) - 1):
        pairs = [(a, b) for a, b in zip(cells[left], cells[left + 1], strict=True) if a and b]
        if len(pairs) < 3:
            continue
        joined = _joined(pairs)
        if joined is not None:
            names = _whole_names(joined)
        elif (
            _latin_parts(pairs)
            and _SURNAME_HEADER.search(columns[left])
            and _GIVEN_HEADER.search(columns[left + 1])
        ):
            names = len(
                pairs
            )  # pinyin alone in a cell has no cue for the model: the headers say what the cells are
        else:
            continue
        if names >= MIN_SHARE * len(pairs):
            for column in (columns[left], columns[left + 1]):
                found[column] = max(found.get(column, 0), names)
    return found


def _joined(pairs: list[tuple[str, str]]) -> list[str] | None:
    """The pairs read as one name each (王|建国 → 王建国), or None when the left column holds no Chinese surnames."""
    from privacy.recognizers._person_rules import surnames

    single, compound = surnames()
    han = sum(1 for a, b in pairs if (a in single or a in compound) and _HAN_GIVEN.fullmatch(b))
    if han >= 0.8 * len(pairs):
        return [a + b for a, b in pairs]
    return None


def _latin_parts(pairs: list[tuple[str, str]]) -> bool:
    """Most pairs are a pinyin surname and a Latin given name (WANG | Xiuying)."""
    from privacy.recognizers._person_forms import PINYIN_SURNAMES

    return sum(
        1 for a, b in pairs if a.lower() in PINYIN_SURNAMES and _LATIN_GIVEN.fullmatch(b)
    ) >= 0.8 * len(pairs)


def _whole_names(texts: list[str]) -> int:
    """How many of ``texts`` the detector reads as one whole person name."""
    from privacy.scanning import scan_texts

    whole = {
        f.row
        for f in scan_texts(texts, entities=["PERSON"])
        if f.start == 0 and f.end == len(texts[int(f.row or 0)])
    }
    return len(whole)
