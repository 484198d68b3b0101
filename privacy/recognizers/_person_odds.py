"""A learned decision over names the model almost read: LAC's posterior spans off its best path.

The CRF's posterior (:mod:`privacy.recognizers._lac_posterior`) gives every span the
probability that it is one person-name word. Spans the best path did not tag
``PER`` but that reach :data:`privacy.recognizers._lac.ODDS_FLOOR` are *candidates*
(宁静 in a roster, 岩罕 split in two by the path, a word that is also a name). Most
are not names — a fragment of a longer word, a place, a verb — so a small logistic
regression decides, from features the recognizer already has:

* the posterior itself (as a logit) and the span's length;
* the surname class: a single surname (and how common: its rank in ``surnames.txt``),
  a compound surname, or none (a given name or nickname alone);
* the given-name characters' ``given_name_llr`` (jieba's names against its text);
* jieba's word-ness: how common the span is as an ordinary word, whether jieba tags it a name;
* what surrounds it: a boundary (punctuation, space, line start) or a Chinese character on
  each side, a list separator, a role word before it (来电人, 户主), a person cue after it
  (先生, 来电, 反映, 的 …);
* how the model's best path cut the text there: the span is one of its words, starts or ends
  one, and that word's class (noun, verb/adjective, place/organisation/time).

No register, no sentence, no list of names: the same features in any text. The
coefficients are fitted on the corpus's **dev split only** by
``python -m benchmarks.name_odds_fit`` and shipped as ``data/name_odds.json``; a test
refits them and checks the file.
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

__all__ = ["FEATURES", "ODDS_SCORE", "NameOdds", "features", "get_name_odds", "odds_candidates", "odds_names"]

# Below every reported rule finding (a rule's span wins where both are), above the unreported ones.
ODDS_SCORE = 0.55

FEATURES = (
    "logit_p", "logit_place", "len3", "len4", "surname", "surname_rank", "compound", "given_llr_mean", "given_llr_min",
    "word_freq", "jieba_name", "jieba_other", "left_open", "right_open", "left_list", "right_list",
    "left_role", "right_cue", "path_word", "path_starts", "path_ends", "path_noun", "path_verb", "path_entity",
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Chinese characters only (东 南 is letter-spaced text, read by its own pass), or a two-character name padded to
# three with an ideographic space as bylines and rosters do (金\u3000鑫).
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+|[\u4e00-\u9fff]\u3000[\u4e00-\u9fff]")
_LIST = frozenset("、，,和与及跟/")
_RIGHT_CUE = re.compile(
    "先生|女士|阿姨|师傅|大爷|大妈|老师|同志|同学|老人|夫妇|一家|家|户|的|说|称|讲|表示|来电|反映|投诉|咨询|要求|"
    "认为|今年|本人|也|又|还|已|在|是|和|与|等|[（(，,、：:]")
_NOUN = frozenset(("n", "nz", "nw", "an", "vn", "s"))
_VERB = frozenset(("v", "vd", "a", "ad", "d", "p", "c", "r", "u", "xc", "m", "q", "f", "w"))
_ENTITY = frozenset(("LOC", "ORG", "TIME", "t"))


@functools.cache
def _surname_rank() -> dict[str, int]:
    from privacy.recognizers._person_rules import surnames

    text = (resources.files("privacy.recognizers") / "data" / "surnames.txt").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    ranks: dict[str, int] = {}
    for ch in _HAN.findall(first):
        ranks.setdefault(ch, len(ranks) + 1)
    single, _ = surnames()
    return {ch: ranks.get(ch, len(ranks) + 1) for ch in single}


@functools.cache
def _roles() -> re.Pattern[str]:
    """A role word (来电人, 户主 …) ending where a candidate starts (searched with ``endpos``); not a weak context
    word (我是, 请联系) nor a population word, which also stands before what its members own (老人|钱财)."""
    from privacy.recognizers._person_rules import _POPULATIONS, PREFIX_CONTEXT
    from privacy.recognizers.person import _WEAK_CONTEXT

    words = sorted((w for w in PREFIX_CONTEXT if len(w) >= 2 and w not in _WEAK_CONTEXT and w not in _POPULATIONS),
                   key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")$")


def odds_candidates(
    text: str, spans: list, words: object, *, allowed: object = None
) -> list[tuple[int, int, tuple[float, ...]]]:
    """``(start, end, odds)`` of the posterior spans off the best path that could be a name; ``odds`` is
    (P(one name word), P(one place word), P(one organisation word)) of the span.

    Two to four characters, none of them overlapping a word the path tagged ``PER`` (or a
    dotted name); cleaned and vetoed like the model's own names (a place, a word for people,
    a brand, an idiom); ``allowed`` (a callable on the value) applies the partial-names policy.
    """
    from privacy.recognizers._lac import JOINED, Span
    from privacy.recognizers._person_edges import person_words
    from privacy.recognizers._person_vetoes import in_idiom
    from privacy.recognizers.person import _NOT_A_NAME, _ROLE_WORDS, _is_place, _not_names

    odds = words.odds  # type: ignore[attr-defined]
    if not odds:
        return []
    taken = {i for s in spans if s.label in ("PER", JOINED) for i in range(s.start, s.end)}
    raw = [Span(a, b, "PER") for a, b in odds if 2 <= b - a <= 4 and taken.isdisjoint(range(a, b))]
    found = []
    for candidate in raw:
        cleaned = person_words(text, [candidate], words)
        if not cleaned:
            continue
        span = cleaned[0]
        value = text[span.start : span.end]
        if len(value) < 2 or _NOT_A_NAME.search(value) or _HAN_ONLY.fullmatch(value) is None:  # not 东 南
            continue
        if allowed is not None and not allowed(value):  # type: ignore[operator]
            continue
        if _is_place(value) or value in _ROLE_WORDS or value in _not_names() or in_idiom(text, span.start, span.end):
            continue
        if _POST.search(value) or _after_address_label(text, span.start):
            continue
        found.append((span.start, span.end, odds[(candidate.start, candidate.end)]))
    return found


# A post, not a name: 楼栋长, 村民组长, 网格员 (three characters or more ending in 长/员).
_POST = re.compile("^[\u4e00-\u9fff]{2,}[长员]$")
_ADDRESS_LABEL = re.compile("(?:住址|地址|住所地|户籍地|所在地|家住|住在|现住|居住在?)[：:]?[ \u3000]?$")


def _after_address_label(text: str, start: int) -> bool:
    """True when an address label ends right before ``start`` (住址：|乌兰布和嘎查): a place follows, not a name."""
    return _ADDRESS_LABEL.search(text, max(0, start - 8), start) is not None


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def features(text: str, start: int, end: int, odds: tuple[float, ...], words: object) -> list[float]:
    """The :data:`FEATURES` of the candidate ``text[start:end]`` with posteriors ``odds`` (name, place, organisation).

    ``words`` is the model's :class:`privacy.recognizers._lac.Words` for ``text``.
    """
    from privacy.recognizers._person_given import given_name_llr
    from privacy.recognizers._person_rules import _jieba_tables, surnames

    tags, freq, _ = _jieba_tables()
    value = text[start:end]
    _, compound = surnames()
    ranks = _surname_rank()
    is_compound = len(value) >= 3 and value[:2] in compound
    rank = ranks.get(value[0]) if not is_compound else 1
    given = value[2:] if is_compound else value[1:] if rank is not None else value
    llrs = [given_name_llr(ch) for ch in given] or [0.0]
    tag = tags.get(value)
    left = text[start - 1] if start else ""
    right = text[end] if end < len(text) else ""
    at = words.at(start)  # type: ignore[attr-defined]
    path_tag = at[1] if at is not None else ""
    return [
        _logit(odds[0]),
        _logit(odds[1] + odds[2]),
        float(len(value) == 3),
        float(len(value) >= 4),
        float(rank is not None),
        -math.log(rank) if rank is not None else 0.0,
        float(is_compound),
        sum(llrs) / len(llrs),
        min(llrs),
        math.log1p(freq.get(value, 0)),  # whatever jieba's tag: 谢谢 and 钱财 are tagged nr
        float(tag is not None and tag.startswith("nr")),
        float(tag is not None and not tag.startswith("nr")),
        float(not left or _HAN.match(left) is None),
        float(not right or _HAN.match(right) is None),
        float(left in _LIST),
        float(right in _LIST),
        float(_roles().search(text, max(0, start - 8), start) is not None),
        float(_RIGHT_CUE.match(text, end) is not None),
        float(at is not None and at[0] == end),
        float(at is not None),
        float(words.ending(end) is not None),  # type: ignore[attr-defined]
        float(path_tag in _NOUN),
        float(path_tag in _VERB),
        float(path_tag in _ENTITY),
    ]


class NameOdds:
    """The shipped logistic regression: standardised :data:`FEATURES` → probability of a name."""

    def __init__(self, *, mean: list[float], scale: list[float], coef: list[float], intercept: float,
                 threshold: float) -> None:
        self.mean, self.scale, self.coef = mean, scale, coef
        self.intercept, self.threshold = intercept, threshold

    def probability(self, values: list[float]) -> float:
        """P(name) for one candidate's feature values."""
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in
                                 zip(self.coef, values, self.mean, self.scale, strict=True))
        return 1 / (1 + math.exp(-z))

    def accepts(self, values: list[float]) -> bool:
        """True when the candidate is taken as a name (probability ≥ the shipped threshold)."""
        return self.probability(values) >= self.threshold


@functools.cache
def get_name_odds() -> NameOdds:
    """The shipped decision (``data/name_odds.json``, written by ``python -m benchmarks.name_odds_fit``)."""
    data = json.loads((resources.files("privacy.recognizers") / "data" / "name_odds.json").read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError("data/name_odds.json was fitted on other features: run python -m benchmarks.name_odds_fit")
    return NameOdds(mean=data["mean"], scale=data["scale"], coef=data["coef"], intercept=data["intercept"],
                    threshold=data["threshold"])


def odds_names(text: str, spans: list, words: object, *, allowed: object = None) -> list:
    """Findings for the :func:`odds_candidates` that the shipped decision takes as names."""
    from privacy.recognizers._base import Hit, Verdict

    decision = get_name_odds()
    found = []
    for start, end, odds in odds_candidates(text, spans, words, allowed=allowed):
        if decision.accepts(features(text, start, end, odds, words)):
            verdict = Verdict("pii.why.person_model_odds", {"odds": round(odds[0], 2)}, ODDS_SCORE)
            found.append(Hit("PERSON", start, end, ODDS_SCORE, verdict))
    return found
