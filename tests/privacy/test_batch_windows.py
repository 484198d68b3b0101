"""Look-backs of the name passes read a few characters before a name, never the whole batch before it.

A batch joins hundreds of texts; a ``$``-anchored search from the batch's start costs the whole prefix
per candidate (``latin_names`` spent ~5 ms a call). The windows must still see the longest cue: a
sentence gives the same findings alone and as the last text of a long batch.
"""

from __future__ import annotations

import pytest

from privacy.recognizers._person_forms import latin_names
from privacy.scanning import scan_text, scan_texts

_FILL = ["刘明在社区办理了低保手续，工作人员核对了材料。"] * 300


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        (
            "Sam和阿雅一起来办的手续。",
            ["Sam", "阿雅"],
        ),  # a Latin name before 和 and a found name (_LATIN_BEFORE)
        ("感谢Mike帮忙联系。", ["Mike"]),  # a greeting right before a Western name (_LATIN_GREETED)
        ("二十四岁的苏明轩大学毕业后回乡创业。", ["苏明轩"]),  # an age before a name the model ran into 大学
        ("24岁的韩国留学生来了。", []),  # an age before a place the model read (aged_names: the LOC words)
    ],
)
def test_a_sentence_finds_the_same_names_alone_and_at_the_end_of_a_batch(
    sentence: str, names: list[str]
) -> None:
    alone = [(f.entity_type, f.start, f.end) for f in scan_text(sentence)]
    batched = [(f.entity_type, f.start, f.end) for f in scan_texts([*_FILL, sentence]) if f.row == len(_FILL)]
    assert batched == alone
    assert [sentence[a:b] for kind, a, b in alone if kind == "PERSON"] == names


def test_the_longest_greeting_is_seen_anywhere_in_a_batch() -> None:
    # Thanks + a comma (7 characters) is the longest cue _LATIN_GREETED reads before a Western name.
    text = "说Thanks，Mike"
    prefix = "".join(_FILL)
    alone = [(h.start, h.end) for h in latin_names(text)]
    batched = [(h.start - len(prefix), h.end - len(prefix)) for h in latin_names(prefix + text)]
    assert alone == batched == [(8, 12)]
