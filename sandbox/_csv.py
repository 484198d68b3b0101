"""CSV as government exports write it (split out of :mod:`sandbox.tabular`, which every upload goes through).

Encodings (UTF-8 with or without BOM, GBK/GB18030, Excel's UTF-16 "Unicode 文本"), delimiters, title
lines above the header, more values than header names, IDs Excel shortened to ``3.30112E+17``; pandas
gets UTF-8 **bytes**, never a ``str`` (see :func:`read_csv`).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from sandbox._excel import LongNumbers
from sandbox._header_rows import join_header_rows
from sandbox._read_notes import ReadNote
from sandbox.errors import InputError

if TYPE_CHECKING:
    from sandbox.tabular import TableInfo

__all__ = ["ENCODINGS", "CsvRows", "decode_text", "encodings_for", "read_csv", "sniff_delimiter"]

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")


def encodings_for(head: bytes) -> tuple[str, ...]:
    """The encodings a text file may be in, by its first bytes: UTF-16 after its BOM, else :data:`ENCODINGS`."""
    return ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ENCODINGS


def decode_text(data: bytes, *, file: str) -> tuple[str, str]:
    """Decode bytes: UTF-16 when it starts with its BOM (Excel's "Unicode 文本"), else UTF-8 (with/without BOM), then GB18030 (⊃ GBK)."""
    candidates = encodings_for(data)
    if candidates is ENCODINGS and b"\x00" in data[:8192]:
        raise InputError("errors.file_binary", file=file)
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            last = exc
    newline = "\n".encode("utf-16-le") if candidates is not ENCODINGS else b"\n"
    line = data[: last.start].count(newline) + 1
    raise InputError("errors.file_encoding", file=file, tried=", ".join(candidates), line=line)


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample among ``, \\t ; |`` (``,`` when unsure).

    When :class:`csv.Sniffer` cannot decide — title lines above the header
    hold no delimiter, a footer holds fewer — the delimiter that splits the
    most lines into the same number (≥ 2) of fields wins: a tab-separated
    export with a title line was read as one column of whole lines, and the
    de-identification then took it for free text (names, dates of birth and
    passport numbers came out unmasked).
    """
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        pass
    lines = [line for line in sample.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_lines = ",", 0
    for delimiter in ",\t;|":
        try:
            widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        same = max((count for width, count in widths.items() if width > 1), default=0)
        if same > best_lines:
            best, best_lines = delimiter, same
    return best


_SNIFF_LINES = 200


_TITLE_SCAN_LINES = 10


def _title_lines(sample: str, delimiter: str) -> int:
    """Leading title lines above the header: what a workbook's merged title rows become in a CSV.

    A title line holds one value (two when the table is at least four wide:
    ``填报单位：…,,填报日期：…``) where the widest of the first lines holds
    more; the header is the first line that is not such a line.
    """
    try:
        rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), _TITLE_SCAN_LINES + 1))
    except csv.Error:
        return 0
    if len(rows) < 2:
        return 0
    width = max(len(row) for row in rows)
    most = 1 if width < 4 else 2
    if width <= most:
        return 0
    for i, row in enumerate(rows[:_TITLE_SCAN_LINES]):
        if sum(1 for value in row if value.strip()) > most:
            return i
    return 0


def read_csv(data: bytes, info: TableInfo, name: str, long_numbers: LongNumbers) -> tuple[pd.DataFrame, CsvRows]:
    """A CSV's bytes as a frame of strings and the map from a data row to the row a spreadsheet shows
    (the caller checks the frame with it); ``info`` gets the encoding, delimiter and warnings."""
    text, encoding = decode_text(data, file=name)
    info.encoding = {"gb18030": "gbk/gb18030", "utf-16": "utf-16"}.get(
        encoding, "utf-8-bom" if data.startswith(_BOM) else "utf-8")
    if not text or text.isspace():  # not text.strip(): that copies a whole province's file
        raise InputError("errors.file_empty", file=name)
    boms = 0  # byte order marks left after the codec's one (a file saved twice); text.lstrip() would copy it all
    while text.startswith("\ufeff", boms):
        boms += 1
    sample = text[boms : boms + 65536]
    delimiter = sniff_delimiter(sample)
    titles = _title_lines(sample, delimiter)
    if titles:
        info.notes.append(ReadNote(key="read.note.title_rows", params={"count": titles}))
        rest = sample.split("\n", titles)[-1]
        delimiter = sniff_delimiter(rest)
    info.delimiter = delimiter
    # pandas gets UTF-8 bytes, never a str: it turns a StringIO back into bytes with an overflow buffer that it
    # copies on every read — quadratic for Chinese text (10M rows, 1 GB: > 16 min and not done; now ~1 min).
    if encoding == "utf-8-sig":
        payload, start = data, len(_BOM) * (boms + 1) if data.startswith(_BOM) else 0
    else:
        payload, start = text[boms:].encode("utf-8"), 0
    del text, sample
    buffer = io.BytesIO(payload)  # shares the bytes, no copy
    buffer.seek(start)
    try:
        frame = pd.read_csv(
            buffer, sep=delimiter, dtype=str, keep_default_na=False, skiprows=titles, encoding="utf-8",
            na_values=["", "NA", "N/A", "NaN", "nan", "NULL", "null"],  # as the workbook reader; 无/空 are answers (备注, 残疾类型)
            engine="c",  # the python engine took 2× the time and 2.5× the memory (2.4M rows: 18 s, 2.4 GB vs 9 s, 0.95 GB)
        )
    except pd.errors.ParserError as exc:
        raise InputError("errors.file_parse", file=name, reason=str(exc).strip()) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("errors.file_empty", file=name) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # More values than header names: pandas would quietly make the first values an index (lost on output).
        raise InputError("errors.csv_more_fields", file=name, line=titles + 2, header=len(frame.columns),
                         fields=len(frame.columns) + frame.index.nlevels)
    empty = [c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()]
    if empty:  # trailing delimiters / empty spreadsheet columns, as the Excel reader drops them
        frame = frame.drop(columns=empty)
    extra = 0
    if any(str(c).startswith("Unnamed:") for c in frame.columns):  # two header rows (a merged 家庭成员 over 姓名 …)?
        frame, titles, extra = _two_header_rows(frame, payload[start:start + 65536], delimiter, titles, info, name)
    row_of = CsvRows(payload, start, delimiter, titles, extra)
    _refuse_shortened_numbers(frame, name, info.notes if long_numbers == "keep" else None, row_of=row_of)
    return frame, row_of


_BOM = b"\xef\xbb\xbf"


class CsvRows:
    """The row a spreadsheet shows for a data row of a CSV: title lines, the header and blank lines counted.

    Computed only for a message (pandas skips blank lines and a quoted cell may
    span lines, so the data row's index alone is not the row the user sees).
    ``payload[start:]`` is the file as UTF-8 without its byte order mark.
    """

    def __init__(self, payload: bytes, start: int, delimiter: str, titles: int, extra: int = 0) -> None:
        self._payload, self._start, self._delimiter, self._titles = payload, start, delimiter, titles
        self._extra = extra  # a second header row below the header

    def __call__(self, row: int) -> int:
        limit = csv.field_size_limit()
        csv.field_size_limit(2**31 - 1)  # the cell being reported may be a giant one
        try:
            stream = io.BytesIO(self._payload)
            stream.seek(self._start)
            records = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""), delimiter=self._delimiter)
            data = -1 - self._extra  # the header is the first non-blank record after the title lines
            for number, record in enumerate(records, start=1):
                if number <= self._titles or (not any(value.strip() for value in record) and len(record) <= 1):
                    continue
                if data == row:
                    return number
                data += 1
        except csv.Error:
            pass
        finally:
            csv.field_size_limit(limit)
        return row + self._titles + self._extra + 2


def _two_header_rows(frame: pd.DataFrame, head: bytes, delimiter: str, titles: int, info: TableInfo,
                     name: str) -> tuple[pd.DataFrame, int, int]:
    """A header with unnamed columns joined with the row below it, or with the last title line above it.

    Returns the frame with its joined header, the title lines left and how many data rows were header
    (0 or 1); refuses (``errors.header_two_rows``/``errors.header_blank``) naming the columns otherwise.
    """
    header = ["" if str(c).startswith("Unnamed:") else str(c) for c in frame.columns]
    width = len(header)
    if len(frame):
        joined = join_header_rows(header, list(frame.iloc[0]))
        if joined is not None and joined.names is not None:
            frame = frame.iloc[1:].reset_index(drop=True)
            frame.columns = joined.names
            _note_joined(info, f"{titles + 1}–{titles + 2}", joined.names)
            return frame, titles, 1
        if joined is not None:
            raise InputError("errors.header_two_rows", file=name, rows=f"{titles + 1}–{titles + 2}",
                             columns=", ".join(map(str, joined.unnamed)))
    if titles:  # the group row had too few cells for a header and was skipped as a title line
        text = head.decode("utf-8", errors="ignore")
        lines = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), titles))
        above = (lines[-1] + [""] * width)[:width] if len(lines) == titles else None
        joined = join_header_rows(above, header) if above is not None and len(lines[-1]) <= width else None
        if joined is not None and joined.names is not None:
            frame.columns = joined.names
            info.notes[:] = [n for n in info.notes if n.key != "read.note.title_rows"]
            if titles > 1:
                info.notes.append(ReadNote(key="read.note.title_rows", params={"count": titles - 1}))
            _note_joined(info, f"{titles}–{titles + 1}", joined.names)
            return frame, titles - 1, 0
        if joined is not None:
            raise InputError("errors.header_two_rows", file=name, rows=f"{titles}–{titles + 1}",
                             columns=", ".join(map(str, joined.unnamed)))
    blank = [str(i + 1) for i, c in enumerate(header) if not c]
    raise InputError("errors.header_blank", file=name, columns=", ".join(blank))


def _note_joined(info: TableInfo, rows: str, names: list[str]) -> None:
    info.notes.append(ReadNote(key="read.note.header_joined",
                               params={"rows": rows, "columns": "、".join(n for n in names if "_" in n)}))


# ``3.30112E+17``: what Excel writes into a CSV for a long number it holds as a number (an ID, a card).
_SHORTENED = re.compile(r"\s*[1-9](?:\.\d+)?[Ee]\+?(?:1[5-9]|[2-9]\d)\s*")
_SHORTENED_HEAD = 10_000


def _refuse_shortened_numbers(frame: pd.DataFrame, name: str, notes: list[ReadNote] | None, *,
                              row_of: Callable[[int], int]) -> None:
    """Refuse a CSV column of IDs/cards that Excel shortened to ``3.30112E+17`` (the digits are gone).

    A column holds them throughout, so each column's first values are checked
    and the whole column only when they hold one (a 2.4M-row file pays ~0.1 s).
    ``row_of``: the row the user sees for a data row (title lines and the header counted).
    """
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series):
            continue
        head = series.iloc[:_SHORTENED_HEAD].dropna().astype(str)
        if not head.str.fullmatch(_SHORTENED).any():
            continue
        hits = series.fillna("").astype(str).str.fullmatch(_SHORTENED).to_numpy(dtype=bool)
        if notes is not None:  # long_numbers="keep": kept as written, said
            notes.append(ReadNote(key="read.note.scientific_numbers", params={"column": str(column),
                                                                          "count": int(hits.sum())}))
            continue
        raise InputError("errors.csv_shortened_number", file=name, column=str(column), row=row_of(int(hits.argmax())),
                         count=int(hits.sum()))
