"""Names written with rare characters (生僻字: CJK Extension A/B and later) are names too."""

from __future__ import annotations

import pandas as pd
import pytest

from privacy.recognizers._rare_han import stand_in
from privacy.scanning import scan_table, scan_text


@pytest.mark.parametrize(("text", "name"), [
    ("请联系王𠮷13857123344", "王𠮷"),          # Extension B
    ("用户王𠮷的账号被冻结", "王𠮷"),
    ("户主：陈𬱖，女，65岁", "陈𬱖"),            # Extension E
    ("申请人刘䶮反映补贴未到账", "刘䶮"),        # Extension A
    ("经核验，张𡒄的养老金账户为", "张𡒄"),
    ("本报讯（记者赵䶮）近日", "赵䶮"),
])
def test_a_name_with_a_rare_character_is_found_with_its_own_span(text: str, name: str) -> None:
    found = [f for f in scan_text(text) if f.entity_type == "PERSON"]
    assert [f.text for f in found] == [name]
    assert text[found[0].start : found[0].end] == name


@pytest.mark.parametrize("text", ["𠮷祥小区门口积水", "䢺溪村村委会通知"])
def test_a_rare_character_alone_makes_no_name(text: str) -> None:
    assert [f for f in scan_text(text) if f.entity_type == "PERSON"] == []


def test_a_column_of_names_with_rare_characters_is_a_name_column() -> None:
    frame = pd.DataFrame({"户主": ["王𠮷", "陈𬱖", "刘䶮", "张𡒄", "李䶮", "周𬭎"] * 3})
    scan = scan_table(frame)
    column = scan.columns[0]
    assert column.kind == "identifier" and column.entity_type == "PERSON" and column.hit_cells == 18


def test_the_stand_in_text_keeps_every_position() -> None:
    text = "王𠮷、刘䶮和陈𬱖"
    assert len(stand_in(text)) == len(text) and stand_in(text)[0] == "王" and stand_in("普通") == "普通"
