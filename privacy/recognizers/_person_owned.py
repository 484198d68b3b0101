"""A name as the owner of a person's records: ``尤明亮的电话``, ``游建英的户籍信息``, ``石家宝的银行卡``.

What follows 的 here belongs to a person only (a phone, a household registration, an ID card, a bank account,
a pension), so the three characters before it, starting with a surname, are a full name — even when the
given name is an ordinary word (明亮, 建设). Not a dictionary word (单位的电话, 全市的户籍: two characters anyway),
a place (石家庄的地址) or an organisation (区民政局的账户).
"""

from __future__ import annotations

import re

from privacy.recognizers._base import Hit, Verdict

__all__ = ["owner_names"]

_OWNED = ("电话|手机号码|手机号|手机|联系方式|户籍|户口|身份证号码|身份证号|身份证|银行卡|银行账户|账户|账号|社保卡|社保|医保卡|"
          "医保|低保金|低保|养老金|退休金|工资|病历|档案|驾驶证|驾照|护照")
_CANDIDATE = re.compile(f"(?=([\u4e00-\u9fff]{{3}})的(?:{_OWNED}))")
_NOT_GIVEN = frozenset("一二三四五六七八九十两那这哪此其该某每各本")
_ACT_TAGS = frozenset(("v", "d", "r", "p", "c", "u", "m", "q", "b"))
_PLACE_OR_ORG_END = re.compile("[省市区县镇乡村街路道局委会所站院校队部处办厂店社馆组行庄堂坊园城网台报科司]$")


def owner_names(text: str) -> list[Hit]:
    """Surname + two characters right before 的 and a person's record (see the module docstring)."""
    if "的" not in text:
        return []
    from privacy.recognizers._person_rules import PERSON_NOUNS, _jieba_tables, jieba_word, surnames

    single, compound = surnames()
    tags, freq, _ = _jieba_tables()
    found = []
    for match in _CANDIDATE.finditer(text):
        value = match.group(1)
        start = match.start()
        if value[0] not in single and value[:2] not in compound:
            continue
        if jieba_word(value, min_freq=1) or value in PERSON_NOUNS or _PLACE_OR_ORG_END.search(value) or (
                jieba_word(value[:2], min_freq=2000) and value[:2] not in compound):
            continue  # a word (老年人), a place or an office (区民政局), or a very common word first (全国兴)
        given = value[2:] if value[:2] in compound else value[1:]
        if any(c in _NOT_GIVEN for c in given) or (
                tags.get(given, "n") in _ACT_TAGS and freq.get(given, 0) >= 100):
            continue  # 那一栏, 原|公示: a numeral or pronoun, or a verb, after a surname-like character
        if start and freq.get(text[start - 1 : start + 1], 0) > 50:
            continue  # the surname ends the word before it
        verdict = Verdict("pii.why.person_context", {"context": "的" + text[start + 4 : start + 6]}, 0.9)
        found.append(Hit("PERSON", start, start + 3, 0.9, verdict, "的"))
    return found
