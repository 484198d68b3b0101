"""The fast path over the recognizers: one text in, resolved findings out.

Presidio's :class:`AnalyzerEngine` runs the whole spaCy/jieba pipeline on
every text before any recognizer looks at it. Here the same recognizers run
directly: each first checks a cheap prefilter, the validating regexes do the
identifiers, and the name/address recognizers consult jieba's dictionary only
around their candidates. Context words are looked up in a character window
(what "near" means in unsegmented Chinese). Overlaps between entity types are
resolved by score, then by the recognizers' priority order.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from privacy._findings import Finding
from privacy._spaced import collapse, spaced_lines
from privacy.recognizers import ENTITIES, ChineseRecognizer, Hit, PartialNames, default_recognizers
from privacy.recognizers._base import SEPARATOR, resolve_overlaps
from privacy.recognizers._person_latin import ENGLISH_CUE
from privacy.recognizers._spans import Overlaps
from sandbox.errors import InputError
from sandbox.i18n import _current_language, t

__all__ = ["DEFAULT_THRESHOLD", "MAX_TEXT_CHARS", "Detector", "get_detector", "resolve_entities"]

DEFAULT_THRESHOLD = 0.5
_VALIDATED = frozenset({"CN_RESIDENT_ID", "BANK_CARD", "PHONE_NUMBER"})
MAX_TEXT_CHARS = 1_000_000
_LOCK = threading.Lock()
_BATCH_CHARS = 200_000
# Entity types whose recognizers find nothing in a text without a CJK character or an English label or title
# (names: surnames, Chinese labels and the lexical model need a CJK character; Name: Zhou Mingyu, Mr. Zhang
# need their label); tests/privacy/test_scan_batched.py checks this on every test value.
_NEED_CJK = frozenset({"PERSON"})
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


_LINE_END = re.compile("[\n\x00]")
# A single surname (or a compound one) ending a line, one or two Chinese characters starting the next and ending
# there (a cell of a scanned form: 郭⏎建华　电话…).
_CELL_BREAK = re.compile("(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff]{1,2}(?![\u4e00-\u9fff]))")


@functools.cache
def _compound_surnames() -> frozenset[str]:
    from privacy.recognizers._person_rules import surnames

    return frozenset(surnames()[1])


def cell_breaks(text: str) -> list[tuple[int, int]]:
    """``(surname start, break)`` of line breaks right after a surname that starts a cell and ends its line (after
    a boundary or a label: 姓名郭⏎, 户主：徐⏎; not 交给李⏎谢谢), before a one- or two-character rest; or after a
    surname and one character before a one-character rest (孙丽⏎丽（…）)."""
    from privacy.recognizers._person_rules import PREFIX_CONTEXT, surnames

    single = surnames()[0]
    breaks = []
    for match in _CELL_BREAK.finditer(text):
        brk = match.start()
        starts = [brk - 2] if text[brk - 2 : brk] in _compound_surnames() else [brk - 1]
        # 孙丽⏎丽（…: a surname and one character, the name's last character alone on the next line
        if not _CJK.match(text[brk + 2 : brk + 3] or " ") and brk >= 2 and _CJK.match(text[brk - 2]):
            starts.append(brk - 2)
        for surname in starts:
            if text[surname] not in single and text[surname:brk] not in _compound_surnames():
                continue
            if surname == 0 or not _CJK.match(text[surname - 1]) or any(
                    text.endswith(word, 0, surname) for word in PREFIX_CONTEXT):
                breaks.append((surname, brk))
                break
    return breaks


# A line break between two Chinese characters in running text (名字是闫⏎丽娟, 遗失声明：赵⏎海涛遗失…).
_RUNNING_BREAK = re.compile("(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])")


def running_breaks(text: str, *, besides: Iterable[int] = ()) -> list[tuple[int, int]]:
    """``(surname start, break)`` of line breaks in running text right after a surname (or a compound surname, or a
    surname and one character) — a name an OCR'd page or a pasted message broke over two lines — other than the
    breaks in ``besides`` (the cell breaks :func:`cell_breaks` reads already)."""
    from privacy.recognizers._person_rules import surnames

    single = surnames()[0]
    skip = set(besides)
    breaks = []
    for match in _RUNNING_BREAK.finditer(text):
        brk = match.start()
        if brk in skip:
            continue
        if text[brk - 2 : brk] in _compound_surnames():
            breaks.append((brk - 2, brk))
        elif text[brk - 1] in single:
            breaks.append((brk - 1, brk))
        elif brk >= 2 and text[brk - 2] in single and _CJK.match(text[brk - 2]):
            breaks.append((brk - 2, brk))  # 苗秀⏎英
    return breaks


def _texts_without(text: str, breaks: list[int]) -> tuple[str, list[int]]:
    """The texts of a batch that hold ``breaks``, without those characters (joined by the separator, origin -1),
    and for each character left its offset in ``text``.

    Reading the whole batch again for one break cost as much as the first reading (576 µs a sentence on the real-text
    corpus, where a batch of 200,000 characters holds a few such breaks); the other texts cannot change the answer.
    """
    gone = set(breaks)
    ends = {b: text.find(SEPARATOR, b) for b in breaks}
    texts = sorted({(text.rfind(SEPARATOR, 0, b) + 1, len(text) if end < 0 else end) for b, end in ends.items()})
    origin: list[int] = []
    for k, (start, end) in enumerate(texts):
        if k:
            origin.append(-1)
        origin.extend(i for i in range(start, end) if i not in gone)
    return "".join(SEPARATOR if i < 0 else text[i] for i in origin), origin


def resolve_entities(entities: Iterable[str] | None) -> tuple[str, ...]:
    """Validate a user's entity list (None = all)."""
    if entities is None:
        return ENTITIES
    chosen = tuple(dict.fromkeys(e.strip().upper() for e in entities if e.strip()))
    for entity in chosen:
        if entity not in ENTITIES:
            raise InputError("errors.pii_unknown_entity", entity=entity, allowed=", ".join(ENTITIES))
    return chosen or ENTITIES


class Detector:
    """All recognizers, built once; :meth:`hits` scans one text."""

    def __init__(self, *, partial_names: PartialNames = "titled") -> None:
        self.partial_names = partial_names
        self.recognizers: list[ChineseRecognizer] = default_recognizers(partial_names=partial_names)
        self.by_entity = {r.ENTITY: r for r in self.recognizers}
        self.priority = {r.ENTITY: i for i, r in enumerate(self.recognizers)}
        self._explained: dict[tuple[Any, ...], str] = {}

    def hits(self, text: str, entities: tuple[str, ...] = ENTITIES, threshold: float = DEFAULT_THRESHOLD) -> list[Hit]:
        found = self._raw_hits(text, entities, threshold)
        letter_spaced: list[Hit] = []
        for line_start, line_end in spaced_lines(text):
            # OCR-style letter-spaced lines (马 丽 娟, 1 3 9 9 …) are read again without their spaces. A hit of
            # that reading counts only when every character it covers was written apart (马 丽 娟, not 丁当 嗯):
            # it then replaces what the original reading found there (马 丽 read as one-character words).
            collapsed, origin = collapse(text[line_start:line_end])
            for hit in self._raw_hits(collapsed, entities, threshold):
                apart = all(origin[i + 1] > origin[i] + 1 for i in range(hit.start, hit.end - 1))
                if hit.end - hit.start >= 2 and apart:
                    letter_spaced.append(dataclasses.replace(
                        hit, start=line_start + origin[hit.start], end=line_start + origin[hit.end - 1] + 1))
        if letter_spaced:
            spaced = Overlaps((other.start, other.end) for other in letter_spaced)
            found = [hit for hit in found if not spaced.any(hit.start, hit.end)]
            found += letter_spaced
        if "PERSON" in entities and "\n" in text:
            found = self._broken_names(text, found, threshold)
        return self._resolve(found)

    def _broken_names(self, text: str, found: list[Hit], threshold: float) -> list[Hit]:
        """Names an OCR line break split inside a cell (姓名郭⏎建华, 户主：徐⏎丽芳): the two lines are read again
        without the break; a name that starts at the surname and runs over the break replaces what the first
        reading found there (建华 alone)."""
        joined: list[Hit] = []
        cells = cell_breaks(text)
        # in running text only where the first reading found a name right after the break — its given name alone
        # (闫⏎丽娟 gave 丽娟): the break moves to inside that name (交给李⏎谢谢你 stays as it is)
        after_break = {hit.start - 1 for hit in found if hit.entity_type == "PERSON"}
        running = [(at, brk) for at, brk in running_breaks(text, besides=[brk for _, brk in cells]) if brk in after_break]
        if running:
            # one reading of the text with those breaks taken out; a name that starts at a surname before a break and
            # runs over it counts (the span keeps the break): 名字是闫⏎丽娟 gave 丽娟 alone
            view, origin = _texts_without(text, [brk for _, brk in running])
            starts = {surname_at for surname_at, _ in running}
            for hit in self.by_entity["PERSON"].find(view):
                a, b = origin[hit.start], origin[hit.end - 1] + 1
                if hit.score >= threshold and a in starts and b > 0 and "\n" in text[a:b]:
                    joined.append(dataclasses.replace(hit, start=a, end=b))
        for surname_at, brk in cells:
            start = max(text.rfind("\n", 0, brk), text.rfind("\x00", 0, brk)) + 1
            after = _LINE_END.search(text, brk + 1)
            end = after.start() if after else len(text)
            for hit in self.by_entity["PERSON"].find(text[start:brk] + text[brk + 1 : end]):
                if hit.score >= threshold and hit.start == surname_at - start and hit.end > brk - start:
                    joined.append(dataclasses.replace(hit, start=start + hit.start, end=start + hit.end + 1))
        if not joined:
            return found
        kept = [hit for hit in found if hit.entity_type != "PERSON"
                or all(hit.end <= other.start or hit.start >= other.end for other in joined)]
        return kept + joined

    def _raw_hits(self, text: str, entities: tuple[str, ...], threshold: float) -> list[Hit]:
        return [hit for entity in entities for hit in self.by_entity[entity].find(text) if hit.score >= threshold]

    def _resolve(self, hits: list[Hit]) -> list[Hit]:
        # A number that validated (check digit, card range, phone plan) wins over a pattern that
        # merely contains it: 健康路 0512-6571 2208 is a road and a landline, not an address.
        priority = self.priority
        return resolve_overlaps(
            hits, key=lambda h: (h.entity_type not in _VALIDATED, -h.score, not h.context_word,
                                 priority[h.entity_type], -(h.end - h.start))
        )

    def explanation(self, hit: Hit, lang: str | None = None) -> str:
        """The hit's explanation, with its context word, in ``lang``."""
        language = lang or _current_language()
        key = (hit.verdict.key, tuple(hit.verdict.params.values()), hit.context_word, language)
        text = self._explained.get(key)
        if text is None:
            text = hit.verdict.explain(language)
            said = hit.verdict.params.get("context") == hit.context_word  # the verdict speaks of it already
            if hit.context_word and hit.context_word not in text and not said:
                text += t("pii.why.context_suffix", language, word=hit.context_word)
            if len(self._explained) > 100_000:
                self._explained.clear()
            self._explained[key] = text
        return text

    def findings(
        self,
        text: str,
        *,
        entities: tuple[str, ...] = ENTITIES,
        threshold: float = DEFAULT_THRESHOLD,
        row: int | None = None,
        column: str | None = None,
        lang: str | None = None,
    ) -> list[Finding]:
        if len(text) > MAX_TEXT_CHARS:
            raise InputError("errors.pii_text_too_big", file=column or "text", chars=len(text), max=MAX_TEXT_CHARS)
        return [
            Finding(
                entity_type=hit.entity_type, start=hit.start, end=hit.end, score=hit.score,
                text=text[hit.start : hit.end], explanation=self.explanation(hit, lang), row=row, column=column,
            )
            for hit in self.hits(text, entities, threshold)
        ]


    def findings_many(
        self,
        texts: Sequence[str],
        *,
        rows: Sequence[int] | None = None,
        entities: tuple[str, ...] = ENTITIES,
        threshold: float = DEFAULT_THRESHOLD,
        column: str | None = None,
        lang: str | None = None,
        explain: bool = True,
    ) -> list[list[Finding]]:
        """Findings of many texts, scanned in batches joined by a separator no pattern crosses.

        One pass of each recognizer over a batch costs far less than one per text.
        ``explain=False`` leaves explanations empty (callers that only replace spans).
        """
        results: list[list[Finding]] = [[] for _ in texts]
        lang = lang or _current_language()
        for index, text in enumerate(texts):
            if len(text) > MAX_TEXT_CHARS:
                where = f"{column or 'text'}:{(rows[index] if rows is not None else index) + 1}"
                raise InputError("errors.pii_text_too_big", file=where, chars=len(text), max=MAX_TEXT_CHARS)
        # Texts without a CJK character hold a name only after an English label or title (Name: Zhou Mingyu):
        # those are scanned apart from the Chinese ones (the name recognizer reads a text without Chinese
        # characters by its English rules only, so a text's findings do not depend on its batch); the rest
        # without the name recognizer.
        if _NEED_CJK.intersection(entities):
            kinds = [2 if _CJK.search(text) is not None else int(ENGLISH_CUE.search(text) is not None)
                     for text in texts]
            without = tuple(e for e in entities if e not in _NEED_CJK)
            groups = [([i for i, kind in enumerate(kinds) if kind == k], chosen)
                      for k, chosen in ((2, entities), (1, entities), (0, without))]
        else:
            groups = [(list(range(len(texts))), entities)]
        for indices, chosen in groups:
            if not chosen:
                continue
            batch: list[int] = []
            size = 0
            for index in indices:
                batch.append(index)
                size += len(texts[index]) + 1
                if size >= _BATCH_CHARS:
                    self._scan_batch(texts, batch, results, rows, chosen, threshold, column, lang, explain)
                    batch, size = [], 0
            if batch:
                self._scan_batch(texts, batch, results, rows, chosen, threshold, column, lang, explain)
        return results

    def _scan_batch(
        self, texts: Sequence[str], batch: list[int], results: list[list[Finding]], rows: Sequence[int] | None,
        entities: tuple[str, ...], threshold: float, column: str | None, lang: str | None, explain: bool = True,
    ) -> None:
        starts: list[int] = []
        parts: list[str] = []
        position = 0
        for index in batch:
            text = texts[index]
            starts.append(position)
            parts.append(text.replace(SEPARATOR, " ") if SEPARATOR in text else text)
            position += len(text) + 1
        joined = SEPARATOR.join(parts)
        for hit in self.hits(joined, entities, threshold):
            slot = bisect.bisect_right(starts, hit.start) - 1
            offset = starts[slot]
            index = batch[slot]
            text = texts[index]
            start, end = hit.start - offset, hit.end - offset
            if end > len(text):
                continue  # never happens: no pattern matches the separator
            results[index].append(Finding(
                entity_type=hit.entity_type, start=start, end=end, score=hit.score, text=text[start:end],
                explanation=self.explanation(hit, lang) if explain else "",
                row=rows[index] if rows is not None else index,
                column=column,
            ))


@functools.cache
def get_detector(partial_names: PartialNames = "titled") -> Detector:
    """The process-wide detector (recognizers and their tables built once per ``partial_names`` policy).

    ``partial_names``: ``"titled"`` reports 李总/王先生 but not 陈某; ``"all"`` both; ``"none"`` neither.
    The name model behind the person recognizer is loaded once per process on first use.
    """
    with _LOCK:
        return Detector(partial_names=partial_names)
