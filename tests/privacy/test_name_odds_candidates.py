"""What the learned name decision is asked about (issue 14's operating point): candidates and features."""

from __future__ import annotations

import pytest

from privacy.scanning import scan_text


def _analysed(text: str) -> tuple[list, object]:
    from privacy.recognizers._lac import get_lac

    return get_lac().analyse(text)


def _candidates(text: str) -> list[str]:
    from privacy.recognizers._person_odds import odds_candidates

    spans, words = _analysed(text)
    return [text[a:b] for a, b, _ in odds_candidates(text, spans, words)]


def _feature(text: str, value: str, name: str) -> float:
    from privacy.recognizers._person_odds import FEATURES, features

    start = text.index(value)
    _, words = _analysed(text)
    return features(text, start, start + len(value), (0.01, 0.0, 0.0), words)[FEATURES.index(name)]


def test_a_name_the_model_gave_one_chance_in_a_hundred_is_asked_about_and_found():
    text = "来电人是孩子的钢琴老师温雅，反映培训机构退费难。"
    _, words = _analysed(text)
    start = text.index("温雅")
    assert 0.005 <= words.name_odds(start, start + 2) < 0.02  # below the floor of before: never a candidate
    assert [f.text for f in scan_text(text) if f.entity_type == "PERSON"] == ["温雅"]


@pytest.mark.parametrize(
    ("text", "not_asked"),
    [
        ("东 南 西 北 四个方向都有出口。", "东 南"),  # letter-spaced text is read by its own pass
        ("楼栋长名单：1栋訾国平，2栋益秀兰，3栋麻建民。", "楼栋长"),  # a post
        ("住址：乌兰布和嘎查", "乌兰布"),  # a place after an address label
    ],
)
def test_spaced_words_posts_and_places_after_an_address_label_are_not_candidates(text: str, not_asked: str):
    assert not_asked not in _candidates(text)


def test_a_two_character_name_padded_with_an_ideographic_space_is_still_asked_about():
    text = "本报讯（全媒体记者 方晓云 通讯员 俞杭 金\u3000鑫）昨日，全省首个服务中心揭牌。"
    assert "金\u3000鑫" in [f.text for f in scan_text(text) if f.entity_type == "PERSON"]


def test_a_population_word_before_a_thing_is_no_role_word():
    assert _feature("诈骗团伙专门骗取独居老人钱财", "钱财", "left_role") == 0.0  # what old people own
    assert _feature("我是二班的家长", "二班", "left_role") == 0.0  # a weak context word
    assert _feature("来电人温雅反映退费难", "温雅", "left_role") == 1.0


def test_a_common_word_counts_as_common_whatever_jiebas_tag():
    assert _feature("谢谢丽珍！", "谢谢", "word_freq") > 6  # jieba tags 谢谢 nr; it is said a thousand times
