"""Reading the tables people actually upload.

Government exports arrive as CSV in UTF-8, UTF-8 with BOM, GBK, GB18030 or
Excel's UTF-16 "Unicode 文本", with odd delimiters, as Excel workbooks (.xlsx,
.xls; see :mod:`sandbox._excel` for what is refused there), or as Parquet/JSONL.
:func:`read_table` reads them all or raises an :class:`InputError` naming the
file, the row/column and what to do. Every upload path in the product calls it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sandbox._csv import ENCODINGS, decode_text, encodings_for, read_csv, sniff_delimiter
from sandbox._excel import LongNumbers, read_excel
from sandbox._footer import drop_footer_rows
from sandbox._memory import Work, require_memory
from sandbox._parquet import parquet_footprint
from sandbox._read_notes import ReadNote
from sandbox.errors import InputError

__all__ = [
    "ENCODINGS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "ReadNote",
    "TableInfo",
    "decode_text",
    "encodings_for",
    "parse_ages",
    "read_table",
    "require_columns",
    "sniff_delimiter",
]

MAX_FILE_BYTES = 2 * 1024**3
MAX_COLUMNS = 2_000
MAX_CELL_CHARS = 1_000_000
WPS_SUFFIXES = (".et", ".ett")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".jsonl", ".json")

Kind = Literal["csv", "excel", "parquet", "jsonl"]
_AGE = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:周岁|岁|yrs?|years?)?", re.IGNORECASE)


_HAN_AGE = re.compile(r"([一二两三四五六七八九十百零〇]{1,5})\s*(?:周岁|岁)?")
_HAN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def _han_number(text: str) -> float:
    """七十二 → 72, 一百零五 → 105, 十八 → 18, 八十 → 80 (up to 百); NaN if it is not such a number."""
    value, rest = 0, text
    if "百" in rest:
        head, rest = rest.split("百", 1)
        value += 100 * _HAN_DIGITS.get(head or "一", -1000)
        rest = rest.lstrip("零〇")
    if "十" in rest:
        head, rest = rest.split("十", 1)
        value += 10 * _HAN_DIGITS.get(head or "一", -1000)
    if len(rest) > 1 or "百" in rest or "十" in rest:
        return np.nan
    value += _HAN_DIGITS.get(rest, -1000) if rest else 0
    return float(value) if 0 <= value and text not in ("零", "〇") else np.nan


def _age(text: str) -> float:
    text = unicodedata.normalize("NFKC", text).strip()
    match = _AGE.fullmatch(text)
    if match:
        return float(match.group(1))
    match = _HAN_AGE.fullmatch(text)
    return _han_number(match.group(1)) if match else np.nan


def parse_ages(values: pd.Series) -> np.ndarray:
    """Ages as exports write them — ``70``, ``70.0``, ``70岁``, ``70 周岁``, ``７０岁``, ``七十二岁`` — as floats; else NaN.

    Numbers are taken as they are; text is parsed once per distinct value.
    Callers decide what NaN and out-of-range ages mean (the unknown group).
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.array([*(float(u) if isinstance(u, (int, float, np.number)) and not isinstance(u, bool)
                         else _age(str(u)) for u in uniques), np.nan])
    return parsed[codes]  # -1 (missing) → the NaN at the end


@dataclass(kw_only=True)
class TableInfo:
    """How a file was read (shown to the user, recorded in manifests).

    ``notes``: what the reader did besides reading (title/footer rows, joined header rows, lost digits),
    catalog keys rendered by :attr:`warnings` in the user's language.
    """

    path: str
    kind: Kind
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """:attr:`notes` in the user's language."""
        return [note.text() for note in self.notes]

    def note_dicts(self) -> list[dict[str, object]]:
        """:attr:`notes` for a report or manifest (key, params, zh, en)."""
        return [note.as_dict() for note in self.notes]


def _kind(path: Path) -> Kind:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        return "excel"
    if suffix == ".parquet":
        return "parquet"
    if suffix in {".jsonl", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".tsv", ".txt", ""}:
        return "csv"
    if suffix in WPS_SUFFIXES:  # WPS 表格's own format: no reader in the lock; saying how beats "unsupported"
        raise InputError("errors.wps_table", file=path.name, suffix=suffix)
    raise InputError("errors.file_type", file=path.name, suffix=suffix, allowed=" ".join(TABLE_SUFFIXES))


def _read_jsonl(data: bytes, name: str) -> tuple[pd.DataFrame, list[int]]:
    text, _ = decode_text(data, file=name)
    if not text.strip():
        raise InputError("errors.file_empty", file=name)
    rows, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError("errors.jsonl_line", file=name, line=number, reason=exc.msg) from exc
        except RecursionError:  # a line of 100,000 × "[" escaped as a traceback
            raise InputError("errors.jsonl_line", file=name, line=number, reason="nested too deeply") from None
        rows.append(value if isinstance(value, dict) else {"text": value})
        lines.append(number)
    return pd.DataFrame(rows), lines


def read_table(path: str | Path, *, display_name: str | None = None,
               long_numbers: LongNumbers = "refuse", work: Work = "read") -> tuple[pd.DataFrame, TableInfo]:
    """Read a CSV/Excel/Parquet/JSONL table as strings where text, with checks.

    Parameters
    ----------
    path : str or Path
        The file.
    display_name : str, optional
        Name to use in messages (an upload's original file name).
    long_numbers : {"refuse", "keep"}
        IDs/cards whose digits Excel lost (``3.30112E+17`` in a CSV, a 16+
        digit number cell in a workbook): refuse the file (default: every
        privacy path and scoring — they can be neither validated nor
        de-identified) or keep them as written with a warning (audits).
    work : {"read", "audit", "scan", "deid", "release"}
        What the caller will do with the table: a file whose estimated peak
        memory for that work exceeds what is free is refused before it is
        read (``errors.not_enough_memory``, pointing to the Spark engine)
        instead of the kernel killing the process half-way.

    Returns
    -------
    (DataFrame, TableInfo)

    Raises
    ------
    InputError
        Missing, empty, binary, badly encoded or unparsable file; blank or
        duplicate headers; too many columns; a giant cell; not enough memory.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.exists() or not path.is_file():
        raise InputError("errors.file_missing", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InputError("errors.file_empty", file=name)
    if size > MAX_FILE_BYTES:
        raise InputError("errors.file_too_big", file=name, size_mb=size // 2**20, max_mb=MAX_FILE_BYTES // 2**20)
    kind = _kind(path)
    with path.open("rb") as handle:
        head = handle.read(65536)
    # a Parquet file is measured from its footer first: < 2 MB on disk can decode to gigabytes
    frame_bytes = parquet_footprint(path, file=name).decoded if kind == "parquet" else None
    require_memory(path, kind=kind, work=work, file=name, head=head, frame_bytes=frame_bytes)
    info = TableInfo(path=name, kind=kind)
    if kind == "excel":
        frame, sheet_rows = read_excel(path, name=name, notes=info.notes, long_numbers=long_numbers)
        _check_frame(frame, name, lambda row: int(sheet_rows[row]))
    elif kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise InputError("errors.file_parse", file=name, reason=type(exc).__name__) from exc
        _check_frame(frame, name, lambda row: row + 1)  # no header line: the n-th record
    elif kind == "jsonl":
        frame, lines = _read_jsonl(path.read_bytes(), name)
        _check_frame(frame, name, lambda row: lines[row])
    else:
        frame, row_of = read_csv(path.read_bytes(), info, name, long_numbers)
        _check_frame(frame, name, row_of)
    if kind in ("csv", "excel"):  # 合计 / 制表人：… / 注：… under the table are no records
        frame = drop_footer_rows(frame, info.notes)
    info.rows = len(frame)
    info.columns = [str(c) for c in frame.columns]
    return frame, info


def _check_frame(frame: pd.DataFrame, name: str, row_of: Callable[[int], int]) -> None:
    """Headers usable, rows present, no giant cell; ``row_of`` maps a data row to the row the user sees."""
    columns = [str(c).strip() for c in frame.columns]
    if len(columns) > MAX_COLUMNS:
        raise InputError("errors.too_many_columns", file=name, count=len(columns), max=MAX_COLUMNS)
    blank = [str(i + 1) for i, c in enumerate(columns) if not c or c.startswith("Unnamed:")]
    if blank:
        raise InputError("errors.header_blank", file=name, columns=", ".join(blank))
    seen: set[str] = set()
    for column in columns:
        if column in seen or (column.rsplit(".", 1)[0] in seen and column.rsplit(".", 1)[-1].isdigit()):
            raise InputError("errors.header_duplicate", file=name, column=column)
        seen.add(column)
    frame.columns = columns
    if frame.empty:
        raise InputError("errors.file_no_rows", file=name)
    for column in columns:
        series = frame[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            try:  # vectorised (arrow/object string kernels); ~50× faster than a Python lambda per cell
                lengths = series.str.len().fillna(0).to_numpy(dtype="int64")
            except AttributeError:  # object column without strings
                lengths = series.map(lambda v: len(v) if isinstance(v, str) else 0).to_numpy()
            if len(lengths) and int(lengths.max()) > MAX_CELL_CHARS:
                row = int(lengths.argmax())
                raise InputError(
                    "errors.cell_too_big", file=name, row=row_of(row), column=column,
                    chars=int(lengths[row]), max=MAX_CELL_CHARS,
                )


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None], *, file: str) -> None:
    """Check that every mapped column exists; name the close misses.

    ``columns`` maps a purpose (``"label"``) to the column the user named.
    """
    available = [str(c) for c in frame.columns]
    for purpose, column in columns.items():
        if column is None:
            continue
        if column not in available:
            raise InputError(
                "errors.column_missing", file=file, column=column, purpose=purpose,
                available=", ".join(available[:30]),
            )
