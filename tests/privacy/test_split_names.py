"""A name written across two cells (姓 | 名, Surname | Given name) is de-identified as the name it is.

Before, ``王 | 建国`` came out of de-identification as it went in (neither cell alone is a name; 建国 is a
word), while ``欧阳 | 娜娜`` had its given name replaced: the full name went out in two cells.
"""

from __future__ import annotations

import pandas as pd

from privacy._split_name import split_name_columns
from privacy.deid import deidentify_frame, load_policy
from privacy.deid._apply import rescan_frame


def _roster() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "序号": ["1", "2", "3", "4", "5"],
            "姓": ["王", "李", "欧阳", "张", "陈"],
            "名": ["秀英", "建国", "娜娜", "伟", "海燕"],
            "性别": ["女", "男", "女", "男", "女"],
            "Surname": ["WANG", "LI", "OUYANG", "ZHANG", "CHEN"],
            "Given name": ["Xiuying", "Jianguo", "Nana", "Wei", "Haiyan"],
            "等级": ["高", "中", "低", "高", "中"],
            "备注": ["独居", "", "低保", "", "残疾"],
        }
    )


def test_the_parts_of_a_split_name_are_found_by_content_and_headers() -> None:
    assert set(split_name_columns(_roster())) == {"姓", "名", "Surname", "Given name"}


def test_a_roster_with_split_names_keeps_none_of_them(people_home) -> None:  # type: ignore[no-untyped-def]
    frame = _roster()
    result = deidentify_frame(frame, load_policy("default"))
    out = result.frame
    for column in ("姓", "名", "Surname", "Given name"):
        assert not set(frame[column]) & set(out[column]), column
    assert list(out["性别"]) == list(frame["性别"]) and list(out["等级"]) == list(frame["等级"])
    assert result.pii_after == {} and result.pii_before["PERSON"] >= 20
    assert rescan_frame(frame)["名"]["PERSON"] >= 5  # the source, re-scanned, reports the split name


def test_columns_beside_each_other_that_are_no_name() -> None:
    frame = pd.DataFrame(
        {
            "方向": ["东", "西", "南", "北", "东"],
            "等级": ["高", "中", "低", "高", "低"],
            "姓名": ["王秀英", "李建国", "张伟", "陈海燕", "刘洋"],
            "性别": ["女", "男", "男", "女", "男"],
            "Code": ["AN", "HE", "MA", "YU", "GU"],
            "Name": ["Anhui", "Hebei", "Macau", "Yunnan", "Guangxi"],
        }
    )
    assert split_name_columns(frame) == {}
