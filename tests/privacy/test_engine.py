"""The Presidio engine for Chinese: offline, built once, context words raise scores."""

from __future__ import annotations

import socket

import pytest
import spacy

from privacy.nlp import ChineseNlpEngine, get_analyzer, get_nlp_engine
from privacy.recognizers import ENTITIES


def test_engine_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the NLP engine tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(spacy.cli, "download", no_network)
    engine = ChineseNlpEngine()
    engine.load()
    nlp = engine.nlp["zh"]
    assert nlp.lang == "zh" and nlp.pipe_names == ["sandbox_text_lemma"]
    artifacts = engine.process_text("联系电话13812345678", "zh")
    assert "电话" in "".join(artifacts.lemmas)


def test_analyzer_built_once_with_every_recognizer() -> None:
    analyzer = get_analyzer()
    assert analyzer is get_analyzer() and analyzer.nlp_engine is get_nlp_engine()
    assert set(analyzer.get_supported_entities(language="zh")) == set(ENTITIES)


def test_context_words_raise_scores_through_presidio() -> None:
    analyzer = get_analyzer()
    bare = analyzer.analyze("型号E12345678的配件", language="zh", entities=["PASSPORT"])
    near = analyzer.analyze("旅客护照号码E12345678的登记", language="zh", entities=["PASSPORT"])
    assert bare and near
    assert near[0].score > bare[0].score + 0.3


def test_analyzer_finds_validated_identifiers() -> None:
    results = get_analyzer().analyze("身份证号11010519491231002X，手机13812345678", language="zh",
                                     return_decision_process=True)
    found = {r.entity_type: r for r in results if r.score >= 0.5}
    assert set(found) == {"CN_RESIDENT_ID", "PHONE_NUMBER"}
    assert found["CN_RESIDENT_ID"].analysis_explanation.textual_explanation.startswith("地区码有效（北京市）")
    assert get_analyzer().analyze("身份证号11010519491231002", language="zh", entities=["CN_RESIDENT_ID"]) == []


def test_recognizer_validate_and_explain() -> None:
    from privacy.recognizers import ResidentIdRecognizer

    recognizer = ResidentIdRecognizer()
    assert recognizer.validate_result("11010519491231002X") is True
    assert recognizer.validate_result("110105194912310021") is False
    assert recognizer.explain("11010519491231002X", "en").startswith("valid region code (北京市)")
    assert recognizer.explain("110105194912310021", "en") == "not a valid CN_RESIDENT_ID"
