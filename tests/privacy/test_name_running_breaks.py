"""A name an OCR'd page or a pasted message broke over two lines in running text (名字是闫⏎丽娟).

The cell rule (``cell_breaks``) reads a break only at a cell's start before a short rest; in running text the first
reading found the given name alone after the break. Every sentence here is invented for this test (not from the
evaluation corpus); before, each gave the given name without its surname.
"""

from __future__ import annotations

import pytest

from privacy._detect import running_breaks
from tests.privacy.person_names import person_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我刚才在群里看到邵\n美玲发的通知，明天停水", ["邵\n美玲"]),
        ("遗失声明：韦\n国栋不慎遗失身份证一张，声明作废", ["韦\n国栋"]),
        ("请汪\n丽华同志于本周五前到社区报到", ["汪\n丽华"]),
        ("他说他叫秦\n海波住在三栋", ["秦\n海波"]),
        ("今收到欧阳\n振华交来押金贰仟元", ["欧阳\n振华"]),
    ],
)
def test_a_name_broken_over_two_lines_in_running_text(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


@pytest.mark.parametrize(
    "text", ["我把钥匙交给李\n谢谢你帮忙", "这个事情要找王\n主任商量", "村里人都说张\n家的孩子有出息"]
)
def test_a_surname_character_at_a_line_end_alone_is_no_name(text: str) -> None:
    assert person_names(text) == []


def test_the_breaks_read_are_after_a_surname_and_not_the_cell_breaks() -> None:
    # 郭⏎ is a cell break (read by cell_breaks), 华⏎来 and 秦⏎海波 are after a surname, 给⏎物业 is not
    text = "姓名：郭\n建华\n来电人称邻居秦\n海波占道，交给\n物业"
    assert running_breaks(text, besides=[4]) == [(6, 7), (14, 15)]


def test_the_second_reading_holds_only_the_texts_with_such_a_break() -> None:
    """Reading the whole batch again for one break cost as much as the first reading (576 µs a sentence)."""
    from privacy._detect import _texts_without

    batch = "无关的一句\x00名字是闫\n丽娟\x00又一句\x00赵\n海涛遗失"
    breaks = [batch.index("\n"), batch.rindex("\n")]
    view, origin = _texts_without(batch, breaks)
    assert view == "名字是闫丽娟\x00赵海涛遗失"
    assert [batch[i] if i >= 0 else "\x00" for i in origin] == list(view)
