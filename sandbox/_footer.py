"""Footer lines under a government export's table: 合计, 制表人/审核人, 注：… (used by :func:`sandbox.tabular.read_table`).

Offices end a roster with a totals row (``合计,,,,12,9420`` or ``合计：13人``),
the signatures (``制表人：王晓燕　审核人：刘建国　联系电话：…``) and notes
(``注：1.本表一式三份…``). Read as data they were counted as people — one more
record in a DP histogram's 其他 cell, in the risk figures' *n* and in the rows
de-identified — and carried the clerk's name and phone into the output. They
are dropped here, only at the end of the table, only while each row starts with
such a word and fills few cells (a totals row may fill numeric columns).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from sandbox._read_notes import ReadNote

__all__ = ["MAX_FOOTER_ROWS", "drop_footer_rows"]

MAX_FOOTER_ROWS = 8
_TOTAL = re.compile(r"(?:合\s*计|总\s*计|小\s*计|共\s*计|累\s*计|总\s*数)(?:[：:（(\d\s]|$|人|户|元)")
_SIGNED = re.compile(
    r"(?:制表|填表|填报|审核|复核|审批|经办|负责|主管|统计|核对|校对|监督|打印|导出|联系|报送|单位|领导|分管|盖章|签字|签名)"
    r"[^\d，,。]{0,6}?[：:]"
    r"|(?:制表人|填表人|填报人|审核人|复核人|经办人|负责人|统计人|联系人|审批人)"
    r"|[（(]?盖\s*章[）)]?$")
_NOTE = re.compile(r"(?:注|说明|备注|附注)\s*[：:]|注\s*[0-9一二三１-９][.、．]")
_NUMBER = re.compile(r"[-+]?[\d,，]*\.?\d+\s*(?:人|户|元|万元)?")


def _footer(values: list[object], width: int) -> bool:
    cells = [unicodedata.normalize("NFKC", v).strip() for v in values if isinstance(v, str) and v.strip()]
    if not cells:
        return True  # a blank line between the table and its footer
    first, rest = cells[0], cells[1:]
    if _TOTAL.match(first):
        return all(_NUMBER.fullmatch(v) or _TOTAL.match(v) for v in rest) or len(cells) <= max(1, width // 2)
    if _SIGNED.match(first) or _NOTE.match(first):
        return len(cells) <= max(1, width // 2)
    return False


def drop_footer_rows(frame: pd.DataFrame, notes: list[ReadNote]) -> pd.DataFrame:
    """``frame`` without the footer lines at its end (at most :data:`MAX_FOOTER_ROWS`); a note says how many.

    A table made of nothing but such lines is returned as it is (the caller's
    checks then speak about it).
    """
    if frame.empty:
        return frame
    width = frame.shape[1]
    tail = frame.iloc[-MAX_FOOTER_ROWS:]
    rows = list(tail.itertuples(index=False, name=None))
    cut = 0
    for values in reversed(rows):
        if not _footer(list(values), width):
            break
        cut += 1
    if cut == 0 or cut >= len(frame):
        return frame
    notes.append(ReadNote(key="read.note.footer_rows", params={"count": cut}))
    return frame.iloc[: len(frame) - cut].reset_index(drop=True)
