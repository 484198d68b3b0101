"""A person's other name said as such: 小名“狗剩”, 外号叫“二柱子”, 乳名：狗蛋, 一口一个“大个子”.

Registers of people's own text (hotline notes, 拆迁/低保 lists, IOUs, local news) give the name a person is
called by beside the real one: ``陈庆丰（小名“狗剩”）``, ``今借到刘霞（小名霞子）现金…``, ``村里人一口一个“二柱子”``.
Such a name identifies the person as well as the real one, but it is an ordinary word or a made-up one the model
has no reason to read as a name. The cue says it is one: after 小名/乳名/外号/绰号/诨名/别名 (perhaps 叫/是/为 and a
colon), or after 一口一个/都叫他/管她叫 with the name in quotes, two or three Chinese characters that end at a
closing quote or bracket, a comma or a full stop are the name. An online handle (昵称, 网名, 群名片) is no such
name and is not read here.
"""

from __future__ import annotations

import re

from privacy.recognizers._base import Hit, Verdict

__all__ = ["alias_names"]

# A name one is called by: the cue, perhaps 叫/是/为 and a colon, then the name (quoted or not).
_NAMED = "小名|乳名|外号|绰号|诨名|别名|人送外号"
_CALLED = "一口一个|都叫[他她]|都管[他她]叫|管[他她]叫|都喊[他她]|喊[他她]"
_ALIAS = re.compile(
    f'(?P<cue>{_NAMED})(?:叫做?|是|为)?[：:]?[ \u3000]?(?P<q>[“"「『‘])?(?P<name>[\u4e00-\u9fff]{{2,3}}?)'
    f'(?(q)[”"」』’]|(?=[）)，,。；;、\u3000 \n]|$))'
    f'|(?P<cue2>{_CALLED})(?:做|为)?[“"「『‘](?P<name2>[\u4e00-\u9fff]{{2,3}}?)[”"」』’]'
)
# Never in such a name: function words, pronouns, question words (小名叫什么, 外号是他的).
_NOT_IN = frozenset("的了是在我你他她它们这那有没不也都就又还或等说什么怎啥谁哪")


def _said_of(word: str) -> bool:
    """An unquoted word that says something of the names rather than being one (外号很多, 小名不好听)."""
    from privacy.recognizers._person_rules import _jieba_tables

    tags, freq, _ = _jieba_tables()
    return word[0] in _DEGREE or (tags.get(word, "n")[:1] in _SAYING_TAGS and freq.get(word, 0) >= 100)


_DEGREE = frozenset("很太挺好不没多少真")
_SAYING_TAGS = frozenset("admrcpuvz")


def alias_names(text: str) -> list[Hit]:
    """Names a person is called by, after a cue that says so (see the module docstring)."""
    if not any(
        cue in text for cue in ("小名", "乳名", "外号", "绰号", "诨名", "别名", "一口一个", "叫", "喊")
    ):
        return []
    hits = []
    for match in _ALIAS.finditer(text):
        group = "name" if match.group("name") else "name2"
        name = match.group(group)
        if any(c in _NOT_IN for c in name) or (
            match.group("q") is None and group == "name" and _said_of(name)
        ):
            continue
        cue = match.group("cue") or match.group("cue2")
        verdict = Verdict("pii.why.person_alias", {"context": cue}, 0.85)
        hits.append(Hit("PERSON", match.start(group), match.end(group), 0.85, verdict, cue))
    return hits
