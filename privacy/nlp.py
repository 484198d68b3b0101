"""The offline Chinese NLP engine for Presidio: ``spacy.blank("zh")`` + jieba.

Presidio's default :class:`~presidio_analyzer.AnalyzerEngine` loads (and tries to
download) an English spaCy model. The sandbox never downloads anything at run
time, so the engine is built here from a blank Chinese pipeline whose tokenizer
is the jieba segmenter. A blank pipeline has no lemmatizer, and Presidio's
context enhancer compares lemmas, so a one-line component copies each token's
text into its lemma; context words such as 身份证号, 电话, 住址, 开户行 then
raise scores as Presidio intends.

:func:`get_analyzer` builds the :class:`AnalyzerEngine` once per process.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["LANGUAGE", "ChineseNlpEngine", "get_analyzer", "get_nlp_engine", "quiet_jieba"]

LANGUAGE = "zh"
_LOCK = threading.Lock()


def quiet_jieba() -> None:
    """Silence jieba's start-up chatter on stderr and load its dictionary once.

    jieba caches its dictionary as ``<tmp>/jieba.cache`` and loads that file
    whenever it exists, whoever wrote it: another local account could plant a
    dictionary that splits names differently (PII missed). The cache lives in a
    folder only this account can write (``sandbox.files.private_cache_dir``).
    """
    import jieba

    from sandbox.files import private_cache_dir

    jieba.setLogLevel(logging.WARNING)
    if jieba.dt.tmp_dir is None and not jieba.dt.initialized:
        jieba.dt.tmp_dir = str(private_cache_dir("jieba"))
    jieba.initialize()


@Language.component("sandbox_text_lemma")
def _text_as_lemma(doc: Doc) -> Doc:
    """Give every token its own text as lemma (a blank pipeline has none)."""
    for token in doc:
        token.lemma_ = token.text
    return doc


class ChineseNlpEngine(SpacyNlpEngine):
    """A Presidio NLP engine over ``spacy.blank("zh")`` with the jieba segmenter.

    It never loads a packaged model, so it works without network access. It
    produces no named entities of its own; the recognizers in
    :mod:`privacy.recognizers` do the detecting.
    """

    engine_name = "spacy_blank_zh"

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank:zh"}])

    def load(self) -> None:
        """Build the blank pipeline (no download, no packaged model)."""
        quiet_jieba()
        nlp = spacy.blank(LANGUAGE, config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        nlp.add_pipe("sandbox_text_lemma")
        self.nlp = {LANGUAGE: nlp}


@functools.cache
def get_nlp_engine() -> ChineseNlpEngine:
    """The process-wide Chinese NLP engine (loaded on first use)."""
    with _LOCK:
        engine = ChineseNlpEngine()
        engine.load()
        return engine


def _registry() -> RecognizerRegistry:
    from privacy.recognizers import default_recognizers

    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in default_recognizers():
        registry.add_recognizer(recognizer)
    return registry


@functools.cache
def get_analyzer() -> AnalyzerEngine:
    """The process-wide Presidio analyzer for Chinese, built once, offline.

    Usage::

        get_analyzer().analyze(text, language="zh")
    """
    engine = get_nlp_engine()
    with _LOCK:
        return AnalyzerEngine(
            nlp_engine=engine,
            registry=_registry(),
            supported_languages=[LANGUAGE],
        )


def analyzer_info() -> dict[str, Any]:
    """What the analyzer is made of (shown in reports)."""
    analyzer = get_analyzer()
    return {
        "nlp_engine": ChineseNlpEngine.engine_name,
        "recognizers": sorted(r.name for r in analyzer.registry.recognizers),
    }
