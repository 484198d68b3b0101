"""What every Chinese recognizer shares: boundaries, context, explanations.

A recognizer is a Presidio :class:`PatternRecognizer` whose patterns find
candidates and whose :meth:`ChineseRecognizer.check` validates one candidate
and says why (a catalog key plus parameters, rendered in the user's language).

Two ways in, same answers:

* Through Presidio's :class:`AnalyzerEngine` (``analyze`` with NLP artifacts):
  the scores are the recognizer's own and Presidio's lemma context enhancer
  raises them when a context word (身份证号, 电话, 住址 …) is near.
* Through :mod:`privacy.scanning` (``find`` without NLP artifacts): the same
  context words are looked up in a character window before and after the
  match, which is what "near" means in unsegmented Chinese text.

Regexes never use a word boundary (it does not fire between Chinese
characters and digits); use :data:`NOT_ALNUM_BEFORE` / :data:`NOT_ALNUM_AFTER`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from presidio_analyzer import AnalysisExplanation, Pattern, PatternRecognizer, RecognizerResult

from sandbox.i18n import t

__all__ = [
    "CONTEXT_BOOST",
    "NOT_ALNUM_AFTER",
    "NOT_ALNUM_BEFORE",
    "WIDTH_FOLD",
    "ChineseRecognizer",
    "Hit",
    "NumberRecognizer",
    "Term",
    "Verdict",
]

# Joins texts scanned in one batch; every pattern treats it as a boundary and never matches it.
SEPARATOR = "\x00"
NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
NOT_DIGIT_BEFORE = r"(?<![0-9])"
NOT_DIGIT_AFTER = r"(?![0-9])"
# Full-width letters, digits and the marks of ASCII identifiers (＠．＿－＋), as a Chinese input method types them
# (``ｚｈａｎｇｗｅｉ＠１６３．ｃｏｍ``, ``护照Ｅ１２３４５６７８``): one ASCII character each, so offsets stay those of the text.
_WIDE = "".join(map(chr, [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)])) + "＠．＿－＋"
WIDTH_FOLD = str.maketrans(_WIDE, "".join(chr(ord(c) - 0xFEE0) for c in _WIDE))

# Presidio's defaults (LemmaContextAwareEnhancer): +0.35, at least 0.4 with context.
CONTEXT_BOOST = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4


class Term(str):
    """A parameter value that is itself a catalog key (translated when explained)."""

    __slots__ = ()


def _render(value: Any, lang: str | None) -> Any:
    if isinstance(value, Term):
        return t(value, lang)
    if isinstance(value, tuple) and value and isinstance(value[0], Term):
        return t("pii.why.list_separator", lang).join(t(v, lang) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validated candidate: why (catalog key + parameters) and its score.

    ``score=None`` keeps the score of the pattern that matched.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    score: float | None = None

    def explain(self, lang: str | None = None) -> str:
        return t(self.key, lang, **{name: _render(value, lang) for name, value in self.params.items()})


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of one recognizer in one text (offsets into that text)."""

    entity_type: str
    start: int
    end: int
    score: float
    verdict: Verdict
    context_word: str = ""


class ChineseRecognizer(PatternRecognizer):
    """Base of the sandbox's recognizers.

    Subclasses set :attr:`ENTITY`, :attr:`PATTERNS` (name, regex, score),
    :attr:`CONTEXT` and implement :meth:`check`. A pattern may capture the
    value in a group named ``v``; otherwise the whole match is the value.
    """

    ENTITY: ClassVar[str] = ""
    PATTERNS: ClassVar[Sequence[tuple[str, str, float]]] = ()
    CONTEXT: ClassVar[Sequence[str]] = ()
    NEGATIVE_CONTEXT: ClassVar[Sequence[str]] = ()
    WINDOW_BEFORE: ClassVar[int] = 10
    WINDOW_AFTER: ClassVar[int] = 4
    # A cheap test a text must pass before the patterns run (None: always run).
    PREFILTER: ClassVar[str | None] = None
    # True when the recognizer weighs context itself (names, addresses): Presidio must not add more.
    OWN_CONTEXT: ClassVar[bool] = False
    # Identifiers written in ASCII: the patterns read the text with full-width forms folded (:data:`WIDTH_FOLD`,
    # one character for one, so spans are the text's own); ``check`` receives the folded value.
    FOLD: ClassVar[dict[int, int] | None] = None

    def __init__(self) -> None:
        specs = self.pattern_specs()
        patterns = [Pattern(name=name, regex=regex, score=score) for name, regex, score in specs]
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            supported_language="zh",
            patterns=patterns,
            context=list(self.CONTEXT),
        )
        self._compiled = [(name, re.compile(regex), score) for name, regex, score in specs]
        self._prefilter = re.compile(self.PREFILTER) if self.PREFILTER else None
        self._folds = re.compile("[" + re.escape("".join(map(chr, self.FOLD))) + "]") if self.FOLD else None

    def folded(self, text: str) -> str:
        """``text`` as the patterns read it: full-width forms folded when :attr:`FOLD` is set (same length)."""
        if self._folds is None or self._folds.search(text) is None:
            return text
        return text.translate(self.FOLD)

    def pattern_specs(self) -> Sequence[tuple[str, str, float]]:
        """(name, regex, score) of the candidate patterns (default: :attr:`PATTERNS`)."""
        return self.PATTERNS

    # -- validation -------------------------------------------------------
    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        """Validate one candidate; None if it is not this entity.

        ``text``/``start``/``end`` locate the candidate for checks that need
        its surroundings. Subclasses override this.
        """
        raise NotImplementedError

    def validate_result(self, pattern_text: str) -> bool | None:
        """Presidio's hook: True when :meth:`check` accepts the candidate."""
        return self.check(pattern_text) is not None

    def explain(self, value: str, lang: str | None = None) -> str:
        """Why ``value`` is (or is not) this entity, in ``lang``."""
        verdict = self.check(value)
        if verdict is None:
            return t("pii.why.invalid", lang, entity=self.ENTITY)
        return verdict.explain(lang)

    def bare(self, value: str) -> Verdict | None:
        """The verdict for a whole cell under a header naming this entity, when its label is the header.

        Identifiers reported only after a label (微信号, QQ) are this entity in such a column
        without one; the others say None here (their :meth:`fullmatch` decides).
        """
        return None

    def fullmatch(self, value: str) -> Verdict | None:
        """The verdict if the whole of ``value`` is one such entity (column profiling)."""
        value = self.folded(value.strip())
        if not value:
            return None
        for _name, regex, _score in self._compiled:
            match = regex.fullmatch(value)
            if match is not None:
                start, end = match.span("v") if "v" in regex.groupindex else match.span()
                if start == 0 and end == len(value):
                    return self.check(value, value, 0, len(value))
        return None

    # -- context ----------------------------------------------------------
    def context_word(self, text: str, start: int, end: int) -> str:
        """A context word near ``text[start:end]`` ("" if none)."""
        before = window_before(text, start, self.WINDOW_BEFORE)
        after = text[end : end + self.WINDOW_AFTER].split(SEPARATOR, 1)[0]
        for word in self.CONTEXT:
            if word in before or word in after:
                return word
        return ""

    def negative_context(self, text: str, start: int) -> str:
        before = window_before(text, start, self.WINDOW_BEFORE)
        for word in self.NEGATIVE_CONTEXT:
            if word in before:
                return word
        return ""

    # -- finding ----------------------------------------------------------
    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        """Every validated candidate in ``text``, overlaps within this recognizer removed."""
        text = self.folded(text)
        if self._prefilter is not None and self._prefilter.search(text) is None:
            return []
        hits: list[Hit] = []
        for _name, regex, base in self._compiled:
            has_group = "v" in regex.groupindex
            for match in regex.finditer(text):
                start, end = match.span("v") if has_group else match.span()
                if start == end:
                    continue
                verdict = self.check(text[start:end], text, start, end)
                if verdict is None:
                    continue
                score = base if verdict.score is None else min(verdict.score, 1.0)
                word = ""
                if use_context:
                    word = self.context_word(text, start, end)
                    if word:
                        score = max(min(1.0, score + CONTEXT_BOOST), MIN_SCORE_WITH_CONTEXT)
                    elif self.NEGATIVE_CONTEXT and self.negative_context(text, start):
                        continue
                hits.append(Hit(self.ENTITY, start, end, score, verdict, word))
        return _drop_overlaps(hits)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: Any = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio entry point. With NLP artifacts, Presidio's enhancer applies context."""
        if entities and self.ENTITY not in entities:
            return []
        results = []
        for hit in self.find(text, use_context=nlp_artifacts is None):
            explanation = AnalysisExplanation(
                recognizer=self.name,
                original_score=hit.score,
                pattern_name=self.ENTITY,
                validation_result=True,
                textual_explanation=hit.verdict.explain(),
            )
            results.append(
                RecognizerResult(
                    entity_type=self.ENTITY,
                    start=hit.start,
                    end=hit.end,
                    score=hit.score,
                    analysis_explanation=explanation,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: self.OWN_CONTEXT or nlp_artifacts is None,
                    },
                )
            )
        return results


class NumberRecognizer(ChineseRecognizer):
    """A recognizer whose candidates come from the shared number scanner (:mod:`._numbers`).

    Every digit run is normalised and cut into identifiers once per text; each
    subclass keeps the spans of its own :attr:`ENTITY` and weighs context.
    """

    PREFILTER = "[0-9０-９]|[零〇洞幺一二两三四五六七拐八九勾]{3}"

    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        from privacy.recognizers._numbers import number_spans

        if self._prefilter is not None and self._prefilter.search(text) is None:
            return []
        hits: list[Hit] = []
        for span in number_spans(text):
            if span.kind != self.ENTITY:
                continue
            score = span.verdict.score if span.verdict.score is not None else 0.5
            word = self.context_word(text, span.start, span.end) if use_context or span.needs_context else ""
            if span.needs_context and not word:
                continue
            if word and use_context:
                score = max(min(1.0, score + CONTEXT_BOOST), MIN_SCORE_WITH_CONTEXT)
            elif use_context and self.NEGATIVE_CONTEXT and self.negative_context(text, span.start):
                continue
            hits.append(Hit(self.ENTITY, span.start, span.end, score, span.verdict, word))
        return hits

    def fullmatch(self, value: str) -> Verdict | None:
        from privacy.recognizers._numbers import number_spans

        value = value.strip()
        if not value or self._prefilter is None or self._prefilter.search(value) is None:
            return None
        spans = number_spans(value)
        if len(spans) == 1 and spans[0].kind == self.ENTITY and spans[0].start == 0 and spans[0].end == len(value):
            return None if spans[0].needs_context else spans[0].verdict
        return None


def han_class_without(stop: str) -> str:
    """A regex class of the CJK block minus ``stop`` (faster than a lookahead per character)."""
    ranges: list[str] = []
    low = 0x4E00
    for code in sorted({ord(ch) for ch in stop if 0x4E00 <= ord(ch) <= 0x9FFF}):
        if code > low:
            ranges.append(f"\\u{low:04x}-\\u{code - 1:04x}" if code - 1 > low else f"\\u{low:04x}")
        low = code + 1
    ranges.append(f"\\u{low:04x}-\\u9fff")
    return "[" + "".join(ranges) + "]"


def window_before(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, not reaching back past a batch separator."""
    before = text[max(0, start - width) : start]
    cut = before.rfind(SEPARATOR)
    return before[cut + 1 :] if cut >= 0 else before


def resolve_overlaps(hits: list[Hit], *, key: Callable[[Hit], Any]) -> list[Hit]:
    """Non-overlapping hits in text order; where hits overlap, the best by ``key`` wins.

    Hits are grouped into clusters of transitively overlapping spans, so the cost
    stays linear for long texts with many separate findings.
    """
    if len(hits) < 2:
        return hits
    hits = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    cluster: list[Hit] = []
    cluster_end = -1
    for hit in [*hits, None]:
        if hit is not None and hit.start < cluster_end:
            cluster.append(hit)
            cluster_end = max(cluster_end, hit.end)
            continue
        if len(cluster) == 1:
            kept.append(cluster[0])
        elif cluster:
            chosen: list[Hit] = []
            for candidate in sorted(cluster, key=key):
                if all(candidate.end <= k.start or candidate.start >= k.end for k in chosen):
                    chosen.append(candidate)
            kept.extend(sorted(chosen, key=lambda h: h.start))
        if hit is not None:
            cluster, cluster_end = [hit], hit.end
    return kept


def _drop_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the best of overlapping hits of one recognizer (higher score, then longer)."""
    return resolve_overlaps(hits, key=lambda h: (-h.score, -(h.end - h.start), h.start))
