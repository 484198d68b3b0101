"""LAC's posterior name spans (forward–backward over its CRF) and the learned decision over them."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy.special import logsumexp

from privacy.recognizers._lac_posterior import (
    dropped_mass,
    gate,
    name_odds,
    scaled_forward_backward,
    span_posteriors,
)
from privacy.scanning import scan_text


def _brute_force(emissions: np.ndarray, transitions: np.ndarray, *, begin: int, inside: int,
                 starts_word: np.ndarray, max_length: int) -> tuple[np.ndarray, float]:
    """Span posteriors and log Z of one sequence by enumerating every tag path."""
    length, n_tags = emissions.shape
    weights, spans = [], np.zeros((max_length, length))
    for path in itertools.product(range(n_tags), repeat=length):
        score = emissions[np.arange(length), path].sum() + sum(transitions[path[t - 1], path[t]]
                                                               for t in range(1, length))
        weights.append(score)
        for start in range(length):
            for k in range(max_length):
                end = start + k + 1
                if end <= length and path[start] == begin and all(path[t] == inside for t in range(start + 1, end)) \
                        and (end == length or starts_word[path[end]]):
                    spans[k, start] += math.exp(score)
    log_z = float(logsumexp(weights))
    return spans / math.exp(log_z), log_z


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_backward_equals_enumerating_every_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_tags, length, batch = 4, 6, 3
    emissions = rng.normal(0, 3, (batch, length, n_tags))
    transitions = rng.normal(0, 1, (n_tags, n_tags))
    starts_word = np.array([True, True, False, True])  # tag 2 continues a word
    passes = scaled_forward_backward(emissions, exp_transitions=np.exp(transitions))
    got = span_posteriors(passes, exp_transitions=np.exp(transitions), begin=1, inside=2, starts_word=starts_word,
                          max_length=4)
    alpha, beta = passes[0], passes[1]
    for row in range(batch):
        expected, log_z = _brute_force(emissions[row], transitions, begin=1, inside=2, starts_word=starts_word,
                                       max_length=4)
        assert np.allclose(got[row], expected, atol=1e-12)
        assert passes[4][row] == pytest.approx(log_z, abs=1e-9)
        assert np.allclose((alpha[row] * beta[row]).sum(axis=1), 1.0)  # tag marginals sum to one


def test_no_overflow_on_long_sequences_with_large_scores() -> None:
    rng = np.random.default_rng(5)
    emissions = rng.normal(0, 400, (2, 120, 6))
    passes = scaled_forward_backward(emissions, exp_transitions=np.exp(rng.normal(0, 1, (6, 6))))
    assert all(np.isfinite(a).all() for a in passes)


def test_gate_bound_holds_against_the_exact_posteriors() -> None:
    """P(y_t = tag) ≤ exp(2·range − gap_t): a row the gate skips has no 2+ character span at or above the floor."""
    rng = np.random.default_rng(3)
    n_tags = 5
    emissions = rng.normal(0, 2.5, (400, 7, n_tags))
    emissions[:200, :, 0] -= 5.0  # half the rows: the word's first tag is never near the best
    transitions = rng.normal(0, 0.3, (n_tags, n_tags))
    spread = float(transitions.max() - transitions.min())
    passes = scaled_forward_backward(emissions, exp_transitions=np.exp(transitions))
    marginal = (passes[0] * passes[1])[:, :, 0]
    gap = emissions.max(axis=2) - emissions[:, :, 0]
    assert (marginal <= np.exp(2 * spread - gap) + 1e-12).all()
    floor = 0.05
    outside = rng.random((400, 7)) < 0.8
    kept = gate(emissions, begin=0, inside=1, transition_range=spread, floor=floor, outside=outside)
    assert not kept.all() and kept.any()  # the bound decides something here
    spans = span_posteriors(passes, exp_transitions=np.exp(transitions), begin=0, inside=1,
                            starts_word=np.array([True, False, True, True, True]), max_length=4)
    for row in np.flatnonzero(~kept):
        for k in range(1, 4):
            for start in range(7 - k):
                if outside[row, start : start + k + 1].all():
                    assert spans[row, k, start] < floor


def test_dropping_outputs_costs_at_most_the_bound() -> None:
    rng = np.random.default_rng(8)
    emissions = rng.normal(0, 2.0, (50, 6, 4))
    emissions[:, :, 3] -= rng.uniform(2, 12, (50, 6))
    transitions = rng.normal(0, 0.4, (4, 4))
    spread = float(transitions.max() - transitions.min())
    full = scaled_forward_backward(emissions, exp_transitions=np.exp(transitions))[4]
    kept = scaled_forward_backward(emissions[:, :, :3], exp_transitions=np.exp(transitions[:3, :3]))[4]
    for row in range(50):
        share = 1 - math.exp(kept[row] - full[row])  # the weight of the paths using output 3
        assert 0 <= share <= dropped_mass(emissions[row : row + 1], 3, transition_range=spread) + 1e-12


def _dense_log_space(emissions: np.ndarray, transitions: np.ndarray, begin: int, inside: int,
                     starts_word: np.ndarray, start: int, end: int) -> float:
    """P(one word [start, end)) by the textbook log-space forward–backward (float64, no pruning)."""
    length = len(emissions)
    fwd = np.empty_like(emissions)
    fwd[0] = emissions[0]
    for t in range(1, length):
        fwd[t] = logsumexp(fwd[t - 1][:, None] + transitions, axis=0) + emissions[t]
    bwd = np.zeros_like(emissions)
    for t in range(length - 2, -1, -1):
        bwd[t] = logsumexp(transitions + (emissions[t + 1] + bwd[t + 1])[None, :], axis=1)
    log_z = logsumexp(fwd[-1])
    score = fwd[start, begin]
    last = begin
    for t in range(start + 1, end):
        score += transitions[last, inside] + emissions[t, inside]
        last = inside
    if end < length:
        score += logsumexp(transitions[last, starts_word] + emissions[end, starts_word] + bwd[end, starts_word])
    return float(math.exp(score - log_z))


def test_the_models_name_odds_equal_a_dense_log_space_reference() -> None:
    from privacy.recognizers._lac import ODDS_FLOOR, get_lac

    model = get_lac()
    sentence = "请安然、严正、向前进三名同志于周三到区人社局报到"
    ids = np.array([[model._char_id(ch) for ch in sentence]], dtype=np.int64)
    emissions = model._session.run(None, {"token_ids": ids, "length": np.array([len(sentence)])})[0]
    paths = model._viterbi(model._used_tags(emissions))
    starts_word = np.ones(emissions.shape[2], dtype=bool)
    starts_word[: len(model._inside)] = ~model._inside[: emissions.shape[2]]
    found = name_odds(emissions, paths=paths, tags=model._entity_tags, exp_transitions=model._exp_transitions,
                      transition_range=model._transition_range, starts_word=starts_word, floor=ODDS_FLOOR,
                      max_length=4, keep=model._n_real)[0]
    assert found, "some span off the path has a name probability above the floor"
    transitions = model._transitions.astype(np.float64)
    for (start, end), odds in found.items():
        for label, value in zip(("PER", "LOC", "ORG"), odds, strict=True):
            begin, inside = model._entity_tags[label]
            reference = _dense_log_space(emissions[0].astype(np.float64), transitions, begin, inside, starts_word,
                                         start, end)
            assert value == pytest.approx(reference, abs=1e-5), (sentence[start:end], label)


def test_posterior_spans_of_an_invented_sentence() -> None:
    from privacy.recognizers._lac import get_lac

    text = "来电人岩香、玉罕夫妇反映橡胶收购压价。"
    spans, words = get_lac().analyse(text)
    start = text.index("岩香")
    assert not any(s.label == "PER" and s.start <= start < s.end for s in spans)  # the best path missed it
    assert 0.02 <= words.name_odds(start, start + 2) < 0.5  # … but it was a near thing
    assert words.name_odds(0, 3) == 0.0  # 来电人: far below the floor


def _names(text: str) -> list[str]:
    return [f.text for f in scan_text(text) if f.entity_type == "PERSON"]


def test_names_the_model_almost_read_are_found() -> None:
    # Word-like given names in a notice's list: no rule fires, the best path reads ordinary words.
    assert _names("请安然、严正、向前进三名同志于周三到区人社局报到。") == ["安然", "严正", "向前进"]


@pytest.mark.parametrize("text", [
    "国庆想带孩子去周庄看看水乡。",
    "这把梳子是在谭木匠买的。",
    "爷爷说他年轻时是在骆驼队里赶车的。",
])
def test_places_and_shops_the_model_half_reads_as_names_are_not_names(text: str) -> None:
    assert _names(text) == []


def test_the_decision_takes_the_near_names_and_says_why() -> None:
    from privacy.recognizers._lac import get_lac
    from privacy.recognizers._person_odds import odds_names

    text = "请安然、严正、向前进三名同志于周三到区人社局报到。"
    spans, words = get_lac().analyse(text)
    hits = odds_names(text, spans, words)
    assert [text[h.start : h.end] for h in hits] == ["安然", "严正"]  # the list pass then adds 向前进
    why = hits[0].verdict.explain("en")
    assert why.startswith("nearly tagged as a person's name by the lexical model") and "probability 0." in why


def test_the_shipped_decision_is_the_one_fitted_on_the_dev_split() -> None:
    from benchmarks.name_odds_fit import fit, shipped_path

    shipped = json.loads(shipped_path().read_text(encoding="utf-8"))
    fitted = fit()
    assert fitted["features"] == shipped["features"]
    assert fitted["trained_on"].endswith("split dev")
    for key in ("mean", "scale", "coef"):
        assert np.allclose(fitted[key], shipped[key], atol=2e-3), key
    assert fitted["intercept"] == pytest.approx(shipped["intercept"], abs=2e-3)
    assert fitted["threshold"] == pytest.approx(shipped["threshold"], abs=2e-3)
    assert (fitted["candidates"], fitted["names"]) == (shipped["candidates"], shipped["names"])
