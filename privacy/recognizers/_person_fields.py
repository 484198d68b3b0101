"""Names in form fields: a person's label and its value (姓名：尼玛, 户主：庞大勇, 复核人：尉建平).

The whole value after a label for a person is a name, whether or not its surname is in our list
and whatever characters it holds (其其格, 庞大勇), unless it is an answer (本人, 不知道, 待定), a word
for people or an office (班主任, 店长). An organisation word before the name (社区|岳敏) and a form of
address after it (向阳|同志) are not part of it.
"""

from __future__ import annotations

import re

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_rules import (
    _NOT_NAME_TAGS,
    PERSON_NOUNS,
    PREFIX_CONTEXT,
    SUFFIX_CONTEXT,
    _jieba_tables,
    jieba_word,
    surnames,
)

__all__ = ["field_values", "not_a_name_value"]

# A form's label and its value: 姓名：尼玛, 户名：汪大海 — the whole value is a name, surname list or not.
_LABELS = ("姓名|户名|持卡人|收款人|户主|联系人|申请人|监护人|委托人|受托人|代理人|经办人|签收人|填表人|"
           "审核人|审批人|调查人|被调查人|报案人|承诺人|收件人|收货人|紧急联系人|家属|见证人|证明人|担保人|介绍人|推荐人|"
           "被监护人|陪同人|领取人|送件人|诉求人|来电人|反映人|投诉人|举报人|当事人|被申请人|乳名|小名|曾用名|学名|别名|"
           "签名|签字")
# A form aligns its labels with spaces between the characters (姓　　名, 户　主, 申 请 人): allowed in any label.
_SPACED_LABELS = "|".join("[ \u3000]*".join(label) for label in sorted(_LABELS.split("|"), key=len, reverse=True))
_LABEL_VALUE = re.compile(
    f"(?:{_SPACED_LABELS})"
    "(?:姓名|签字|签名|签收)?(?:（[^）]{1,6}）)?[：:][ \u3000]{0,3}"
    "(?P<v>[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,8}(?:[·•・][\u4e00-\u9fff]{1,8})+)(?=$|[\x00\\s\u3000，,。；;、（(0-9０-９+])"
)
# Any label naming a person's role in a form (复核人：, 经手人：, 调解员：) and a 2–3 character value.
_ROLE_LABEL = re.compile(
    "(?P<label>[\u4e00-\u9fff]{1,4}[人员])(?:签字|签名|姓名)?(?:[（(][^）)]{1,6}[）)])?[：:][ \u3000]{0,3}"
    "(?P<v>[\u4e00-\u9fff]{2,3})(?=$|[\x00\\s\u3000，,。；;、（(0-9０-９+])")

_ANSWERS = frozenset(("待定", "同上", "暂缺", "空缺", "详见", "见上", "见附件", "略", "空", "同意", "签字", "签名", "本人"))
_ROLE_END = re.compile("[长任人员者方]$")


def not_a_name_value(value: str) -> bool:
    """True for a form field's value that is no name: 本人, 待定, 同上, 店长, 班主任, 负责人 …

    A whole field after a person's label is a name unless jieba knows it as a word that is
    not a noun (本人/r, 待定/v), a word for people (业主, 店长) or a role ending in 长/任/人/员.
    """
    if (value in PERSON_NOUNS or value in PREFIX_CONTEXT or value in SUFFIX_CONTEXT or value in _ANSWERS
            or value[0] in "不没无未" or value.startswith(("我", "姓", "叫"))):
        return True  # 不知道, 没有, 无, 未知: an answer, not a name; 我姓邬 / 我是…: the caller speaking
    tags, freq, _ = _jieba_tables()
    tag = tags.get(value)
    if tag is None or tag == "nr":
        return False
    return tag in _NOT_NAME_TAGS or (_ROLE_END.search(value) is not None and freq.get(value, 0) > 5)


_VALUE_SUFFIX = re.compile(f"(?:{'|'.join(SUFFIX_CONTEXT)})$")


def _trim_value(text: str, start: int, end: int) -> tuple[int, int]:
    """A label's value without a leading organisation word (社区|岳敏) or a trailing form of address (向阳|同志)."""
    if "·" in text[start:end] or "•" in text[start:end] or "・" in text[start:end]:
        return start, end
    suffix = _VALUE_SUFFIX.search(text, start, end)
    single, compound = surnames()
    if suffix is not None and suffix.start() - start >= 2 and text[start : suffix.start()] not in compound:
        end = suffix.start()  # not 司徒|主任: a compound surname with its title is a titled name
    if (end - start >= 4 and text[start : start + 2] not in compound and jieba_word(text[start : start + 2])
            and text[start + 2] in single):
        start += 2
    return start, end


# Surnames that are also prepositions, conjunctions or verbs that come before a person or a noun.
def field_values(text: str, candidate: re.Pattern[str]) -> list[Hit]:
    """Names that are the value of a person's label (``candidate``: the surname pattern, for any …人：label)."""
    hits: list[Hit] = []
    if "：" not in text and ":" not in text:
        return hits
    for match in _LABEL_VALUE.finditer(text):
        start, end = _trim_value(text, *match.span("v"))
        if not_a_name_value(text[start:end]):
            continue
        label = text[match.start() : match.start("v")].rstrip("：: \u3000")
        hits.append(Hit("PERSON", start, end, 0.9, Verdict("pii.why.person_context", {"context": label}, 0.9), label))
    for match in _ROLE_LABEL.finditer(text):
        start, end = match.span("v")
        value = text[start:end]
        if candidate.match(value) is None or not_a_name_value(value):
            continue
        label = match.group("label")
        hits.append(Hit("PERSON", start, end, 0.85, Verdict("pii.why.person_context", {"context": label}, 0.85), label))
    return hits
