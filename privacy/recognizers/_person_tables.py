"""The columns of a table flattened into lines: which hold names, which hold remarks.

A name list exported from a spreadsheet keeps its columns as cells split by tabs, wide spaces or bars
(｜, |: a sign-in sheet typed or recognised as text), or single spaces when a header row names a person column. A column headed 姓名 (户主, 申请人,
any role ending in 人) holds names; a column headed 备注/金额/类别 … never does; any other column of
two or more rows is read like a list (:mod:`privacy.recognizers._person_lists`).
"""

from __future__ import annotations

import re

__all__ = ["NAME_HEADER", "ONE_SPACE", "headed_table", "table_columns"]

_SHORT = re.compile(r"[\u4e00-\u9fff]{2,5}")
_CELL_SEP = re.compile("\t|\u3000+| {2,}| ?[｜|] ?")  # a tab, wide spaces, or a bar (姓名｜单位｜电话)
# A column of people: 姓名 (学生姓名 …), or a role ending in 人 (申请人, 被征收人, 承租人 — not 人数).
NAME_HEADER = re.compile(
    "(?:学生|申请人|户主|联系人|家长|患者|监护人|领取人|救助对象|考生)?(?:姓名|名字)|户主|"
    "[\u4e00-\u9fff]{1,4}人(?:姓名)?|救助对象"
)
ONE_SPACE = re.compile(" ")
# Headers of columns that hold remarks, categories, amounts or statuses, never names (备注: 单亲, 学生).
_OTHER_HEADER = re.compile(
    "[\u4e00-\u9fff]{0,4}(?:备注|说明|类别|类型|状态|结果|原因|事由|情况|关系|性别|民族|职务|职业|岗位|单位|部门|"
    "金额|标准|方式|学历|专业|科目|成绩|等级|意见|用途|项目|地址|住址|时间|日期|来源)"
)


def headed_table(text: str) -> bool:
    """A cheap test: can ``text`` hold a table whose header names a column of people (姓名⇥…, 申请人｜…)?

    Such a column is read even where no name was found in the text at all: the model may read every cell of it
    as an organisation (``巫春花⇥`` — a tab is unknown to it) or as a word (尚好, 齐全).
    """
    return "\n" in text and any(c in text for c in "\t\u3000｜|") and NAME_HEADER.search(text) is not None


def table_columns(
    text: str, *, cell_sep: re.Pattern[str] = _CELL_SEP
) -> tuple[list[tuple[list[tuple[int, int]], bool]], set[tuple[int, int]]]:
    """The columns of a table flattened into lines (cells split by tabs or wide spaces), and the cells
    of columns headed by a remark, category or amount (备注, 金额: never names).

    A column whose header cell is 姓名 (户主, 申请人 …) is a trusted run of names; any other
    column of two or more rows with the same number of cells is a run like a list.
    """
    rows: list[list[tuple[int, int]]] = []
    position = 0
    for line in text.split("\n"):
        cells = []
        start = position
        for match in cell_sep.finditer(line):
            cells.append((start, position + match.start()))
            start = position + match.end()
        cells.append((start, position + len(line)))
        rows.append(cells if len(cells) >= 2 else [])
        position += len(line) + 1
    runs: list[tuple[list[tuple[int, int]], bool]] = []
    other: set[tuple[int, int]] = set()
    k = 0
    while k < len(rows):
        width = len(rows[k])
        j = k
        while j < len(rows) and width and len(rows[j]) == width:
            j += 1
        if j - k >= 2:
            header = [text[a:b].strip() for a, b in rows[k]]
            named = {c for c, cell in enumerate(header) if NAME_HEADER.fullmatch(cell)}
            body = rows[k + 1 : j] if named else rows[k:j]
            for column in range(width):
                if _OTHER_HEADER.fullmatch(header[column]):
                    other.update(row[column] for row in rows[k + 1 : j])  # 备注: 单亲, 学生 are not names
                    continue
                items = [row[column] for row in body if _SHORT.fullmatch(text, *row[column])]
                if len(items) >= (1 if column in named else 2):
                    runs.append((items if len(items) >= 2 else items * 2, column in named))
        k = max(j, k + 1)
    return runs, other
