"""Formula cells an .xlsx holds without a saved result (used by :mod:`sandbox._excel`).

A workbook written by a program (a system export, a script with openpyxl) rather than saved
by Excel/WPS can hold formulas (``=A2&B2`` building 姓名 from 姓 and 名) with no saved value.
Every reader, calamine included, sees such a cell as empty: it cannot be scanned, and a
de-identified copy would silently lose it. Refused before reading, naming the sheet, the first
cell and how many (open the file in Excel/WPS and save it: the results are stored then).

The sheets' XML is streamed (1 MB chunks) and only searched for ``<f`` — most exports hold
no formula at all.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

__all__ = ["FormulaGap", "formulas_without_values"]

_CHUNK = 1 << 20
_OVERLAP = 4096
# One cell whose formula has no value: <c r="C2"><f>A2&amp;B2</f></c>, <f .../> shared formulas, an empty <v/>.
_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class FormulaGap(tuple[str, str, int]):
    """``(sheet name, first cell, count)`` of formula cells without a saved value on one sheet."""

    __slots__ = ()


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part (``xl/worksheets/sheet1.xml``) → the sheet's name as Excel shows it."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    names = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        names[part] = sheet.get("name", part)
    return names


def formulas_without_values(path: Path) -> list[FormulaGap]:
    """Per sheet with any, the formula cells of an .xlsx that have no saved result (empty for other files)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []
    gaps: list[FormulaGap] = []
    with archive:
        names = _sheet_names(archive)
        for part in sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            first, count = "", 0
            with archive.open(part) as stream:
                rest = b""
                while True:
                    chunk = stream.read(_CHUNK)
                    data = rest + chunk
                    if not data:
                        break
                    # matches starting in the last _OVERLAP bytes wait for the next chunk (a cell may be cut there)
                    limit = len(data) - _OVERLAP if chunk else len(data)
                    if limit <= 0:
                        rest = data
                        continue
                    if b"<f" in data:
                        for match in _CELL.finditer(data, 0, len(data)):
                            if match.start() >= limit:
                                break
                            count += 1
                            first = first or match.group(1).decode()
                    rest = data[limit:]
                    if not chunk:
                        break
            if count:
                gaps.append(FormulaGap((names.get(part, part), first, count)))
    return gaps
