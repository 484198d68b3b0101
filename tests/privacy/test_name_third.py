"""A two-character name the model read one character short: 聘任刘淑|华为… (华为 is a word it knows well).

The model's own posterior gives the three-character reading a real chance; the name grows when it does and the
character is typical of given names. Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import numpy as np
import pytest

from privacy.recognizers._lac import ODDS_FLOOR, get_lac
from privacy.recognizers._lac_posterior import third_odds
from privacy.recognizers._person_glue import cut_short, third_chars
from tests.privacy.person_names import person_names
from tests.privacy.test_name_odds import _dense_log_space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("经研究，决定聘任王建华为区人民政府法律顾问。", ["王建华"]),
        ("经研究，同意郑玉华为村务监督委员会委员。", ["郑玉华"]),
        ("网格员何丽娟秀地完成了任务。", ["何丽娟"]),
        ("胡国庆祝大家节日快乐。", ["胡国庆"]),
    ],
)
def test_a_name_the_model_cut_short_is_whole(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小亓你在不在", ["小亓"]),  # the model doubts 你 too (0.4), but no surname starts 小亓
        ("已经跟雷敏核实过了，她家确实是独居老人", ["雷敏"]),  # 核 is no given name's character
        ("通讯员田甜摄", ["田甜"]),
        ("小夏刚才说白天没空", ["小夏"]),
        ("江海寄来的李子到了", ["江海"]),
        ("推荐钱淑华为优秀共产党员候选人。", ["钱淑华"]),  # read whole already
    ],
)
def test_a_two_character_name_keeps_its_end(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


def test_the_third_reading_is_the_crf_posterior() -> None:
    model = get_lac()
    text = "经研究，同意郑玉华为村务监督委员会委员"
    _, words = model.analyse(text, third=third_chars())
    start = text.index("郑玉华")
    assert 0.01 <= words.third[start] < 0.5
    assert model.analyse(text)[1].third == {}  # only asked for

    ids = np.array([[model._char_id(ch) for ch in text]], dtype=np.int64)
    emissions = model._session.run(None, {"token_ids": ids, "length": np.array([len(text)])})[0]
    paths = model._viterbi(model._used_tags(emissions))
    starts_word = np.ones(emissions.shape[2], dtype=bool)
    starts_word[: len(model._inside)] = ~model._inside[: emissions.shape[2]]
    found = third_odds(
        emissions,
        paths=paths,
        texts=[text],
        first=third_chars()[0],
        after=third_chars()[1],
        tags=model._entity_tags,
        exp_transitions=model._exp_transitions,
        transition_range=model._transition_range,
        starts_word=starts_word,
        floor=ODDS_FLOOR,
        keep=model._n_real,
    )[0]
    begin, inside = model._entity_tags["PER"]
    reference = _dense_log_space(
        emissions[0].astype(np.float64),
        model._transitions.astype(np.float64),
        begin,
        inside,
        starts_word,
        start,
        start + 3,
    )
    assert found[start] == pytest.approx(reference, abs=1e-5)


def test_a_held_character_is_not_taken() -> None:
    from privacy.recognizers._base import Hit, Verdict

    text = "同意郑玉华为委员"
    why = Verdict("pii.why.person_model", {}, 0.8)
    two = Hit("PERSON", 2, 4, 0.8, why)
    assert [(h.start, h.end) for h in cut_short(text, [two], {2: 0.2})] == [(2, 5)]
    assert [(h.start, h.end) for h in cut_short(text, [two], {2: 0.001})] == [(2, 4)]
    held = Hit("PERSON", 4, 6, 0.8, why)
    assert [(h.start, h.end) for h in cut_short(text, [two, held], {2: 0.2})] == [(2, 4), (4, 6)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("她说父亲鲁海生病了三年，鲁海生现在的低保也被取消了。", ["鲁海生", "鲁海生"]),
        ("蒋立春节前回不来了，蒋立春说火车票没抢到", ["蒋立春", "蒋立春"]),
    ],
)
def test_a_name_said_in_full_elsewhere_is_whole(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


def test_a_shorter_name_of_another_person_stays() -> None:
    from privacy.recognizers._base import SEPARATOR, Hit, Verdict
    from privacy.recognizers._person_glue import said_in_full

    why = Verdict("pii.why.person_model", {}, 0.8)
    text = "王芳说王芳华不在家"
    hits = [Hit("PERSON", 0, 2, 0.8, why), Hit("PERSON", 3, 6, 0.8, why)]
    assert [(h.start, h.end) for h in said_in_full(text, hits)] == [(0, 2), (3, 6)]  # 王芳说: no 王芳华 there
    text = f"周海生病了{SEPARATOR}周海生现在的低保"
    hits = [Hit("PERSON", 0, 2, 0.8, why), Hit("PERSON", 6, 9, 0.8, why)]
    assert [(h.start, h.end) for h in said_in_full(text, hits)] == [
        (0, 2),
        (6, 9),
    ]  # another text of the batch
    assert [(h.start, h.end) for h in said_in_full(text.replace(SEPARATOR, "，"), hits)] == [(0, 3), (6, 9)]
