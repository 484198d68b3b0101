"""Reading Excel workbooks as people send them (used by :func:`sandbox.tabular.read_table`).

What goes wrong with real workbooks, and what happens here:

* **Several sheets with data** (a 填表说明 sheet, then the roster; one sheet
  per year): reading only the first would scan and de-identify part of the
  file and report success over the rest. Refused, naming the sheets; a
  workbook whose other sheets are empty is read as before.
* **Long numbers typed as numbers**: Excel keeps 15 significant digits, so an
  18-digit 身份证号 or a 16–19-digit bank card typed without a leading ``'``
  is stored with its last digits turned to zeros. Such a value can no longer
  be validated (check digit, Luhn) — the scanner would pass it over and the
  de-identified file would still carry its region, birth date and most of the
  sequence. Refused, naming the column, the first row and what to do.
* Workbooks are read with python-calamine (.xlsx and .xls — BIFF, Excel 97–2003;
  ten times faster than openpyxl on a 100,000-row sheet, the same values); a file called .xls/.xlsx
  that is really a web page or XML (what many government systems export) is
  refused with a message saying to save it as .xlsx or CSV in Excel.
* **Formulas without a saved result** (a workbook written by a program, never saved by Excel/WPS): every
  reader sees those cells as empty, so they could be neither scanned nor kept. Refused, naming the sheet and
  the first cell (:mod:`sandbox._xlsx_formulas`); open the file in Excel/WPS and save it.
* **Merged title rows** above the header are skipped (a note says how many); **two header rows** (a merged
  家庭成员 over 姓名/关系/身份证号) are joined into one (``家庭成员_姓名``) when that names every column once
  (:mod:`sandbox._header_rows`), refused naming the columns otherwise.
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sandbox._header_rows import join_header_rows
from sandbox._read_notes import ReadNote
from sandbox._xlsx_formulas import formulas_without_values
from sandbox.errors import InputError

__all__ = ["LOSSY_DIGITS", "LongNumbers", "read_excel"]

LongNumbers = Literal["refuse", "keep"]
"""What to do with ID/card-like numbers whose digits Excel lost: refuse the file (privacy paths, the
default — they cannot be validated, so they cannot be found or de-identified) or keep them as they are
with a warning (audits and scoring, which never use them as identifiers)."""

# Excel stores numbers as doubles and keeps 15 significant digits: an integer of 16+ digits is not what was typed.
LOSSY_DIGITS = 16
_LOSSY_FROM = 10 ** (LOSSY_DIGITS - 1)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF inside an OLE2 container)
_ZIP = b"PK\x03\x04"  # .xlsx / .xlsm
_HEADER_SCAN_ROWS = 10


def _engine(path: Path, name: str) -> str:
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith((_ZIP, _OLE2)):
        return "calamine"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower()
    if text.startswith((b"<", b"<\x00")):
        raise InputError("errors.excel_not_excel", file=name)
    raise InputError("errors.file_parse", file=name, reason="not an Excel workbook")


def _lossy(value: Any) -> bool:
    """A number Excel cannot have stored as typed: integral and 16+ digits long."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return abs(value) >= _LOSSY_FROM and float(value).is_integer()
    except (OverflowError, ValueError):
        return False


def _as_text(value: Any) -> Any:
    """A cell as ``read_excel(dtype=str)`` would give it (missing stays missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _hidden_sheets(path: Path) -> set[str]:
    """Names of the workbook's hidden (or very hidden) sheets; empty when calamine cannot tell."""
    try:
        from python_calamine import CalamineWorkbook

        return {m.name for m in CalamineWorkbook.from_path(str(path)).sheets_metadata
                if "Visible" != str(m.visible).rsplit(".", 1)[-1]}
    except Exception:  # metadata only sharpens the message; the refusal stands either way
        return set()


def _header_row(raw: pd.DataFrame) -> int:
    """Skip leading merged title rows: rows that fill fewer than half the columns."""
    width = raw.shape[1]
    for i in range(min(len(raw), _HEADER_SCAN_ROWS)):
        if raw.iloc[i].notna().sum() >= max(1, width // 2 + 1) or raw.iloc[i].notna().all():
            return i
    return 0


def _two_header_rows(raw: pd.DataFrame, header_row: int, header: list[str], *,
                     name: str) -> tuple[list[str], int, int]:
    """A header with unnamed columns: joined with the row below it, or with the title-like row above it.

    Returns (names, first header row, last header row) as positions in ``raw``; refuses naming the
    columns when the rows cannot be joined unambiguously (or there is no second header row at all).
    """
    for upper in (header_row, header_row - 1):
        lower = upper + 1
        if upper < 0 or lower >= len(raw):
            continue
        joined = join_header_rows(list(raw.iloc[upper]), list(raw.iloc[lower]))
        if joined is None:
            continue
        if joined.names is None:
            raise InputError("errors.header_two_rows", file=name, rows=f"{int(raw.index[upper]) + 1}–"
                             f"{int(raw.index[lower]) + 1}", columns=", ".join(map(str, joined.unnamed)))
        return joined.names, upper, lower
    missing = [i + 1 for i, h in enumerate(header) if not h]
    raise InputError("errors.header_blank", file=name, columns=", ".join(map(str, missing)))


def read_excel(path: Path, *, name: str, notes: list[ReadNote],
               long_numbers: LongNumbers = "refuse") -> tuple[pd.DataFrame, np.ndarray]:
    """The one sheet with data in ``path``, header detected, every cell as text.

    Returns the frame and, per data row, its row number on the sheet (as Excel
    shows it: title rows and dropped blank rows counted), for messages.

    Raises
    ------
    InputError
        Not really a workbook, unreadable, several sheets with data, a long
        number stored as a number (digits lost), a blank header cell.
    """
    engine = _engine(path, name)
    gaps = formulas_without_values(path)
    if gaps:  # cells every reader sees as empty: not scanned, and lost in any copy written from the frame
        sheet, cell, count = gaps[0]
        raise InputError("errors.excel_formula_no_value", file=name, sheet=sheet, cell=cell, count=count)
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
    except Exception as exc:  # calamine raises many kinds on broken files
        raise InputError("errors.file_parse", file=name, reason=type(exc).__name__) from exc
    filled = {title: frame.dropna(how="all").dropna(axis=1, how="all") for title, frame in sheets.items()}
    filled = {title: frame for title, frame in filled.items() if not frame.empty}
    if not filled:
        raise InputError("errors.file_empty", file=name)
    if len(filled) > 1:
        hidden = [title for title in filled if title in _hidden_sheets(path)]
        if hidden:  # a sheet the steward never saw in Excel/WPS: say which, and how to show it
            raise InputError("errors.excel_hidden_sheets", file=name, count=len(filled),
                             sheets="、".join(map(str, filled)), hidden="、".join(map(str, hidden)))
        raise InputError("errors.excel_sheets", file=name, count=len(filled), sheets="、".join(map(str, filled)))
    (sheet, raw), = filled.items()
    header_row = _header_row(raw)
    header = [str(v).strip() if pd.notna(v) else "" for v in raw.iloc[header_row]]
    titles, last_header = header_row, header_row
    if not all(header):
        header, titles, last_header = _two_header_rows(raw, header_row, header, name=name)
        notes.append(ReadNote(key="read.note.header_joined", params={
            "rows": f"{int(raw.index[titles]) + 1}–{int(raw.index[last_header]) + 1}",
            "columns": "、".join(h for h in header if "_" in h)}))
    if titles:
        notes.insert(0, ReadNote(key="read.note.title_rows", params={"count": titles}))
    body = raw.iloc[last_header + 1 :]
    for j, column in enumerate(header):
        lossy = body.iloc[:, j].map(_lossy).to_numpy(dtype=bool)
        if lossy.any():
            first = int(lossy.argmax())
            # Excel's row number: the rows dropped as blank are not counted back, so name the row by its label.
            row = int(body.index[first]) + 1
            if long_numbers == "refuse":
                raise InputError("errors.excel_lossy_number", file=name, sheet=str(sheet), column=column, row=row,
                                 count=int(lossy.sum()), digits=LOSSY_DIGITS)
            notes.append(ReadNote(key="read.note.lossy_numbers",
                                  params={"column": column, "count": int(lossy.sum()), "digits": LOSSY_DIGITS}))
    frame = body.map(_as_text)
    frame.columns = header
    return frame.reset_index(drop=True), body.index.to_numpy(dtype=np.int64) + 1
