"""Posterior probabilities of LAC's CRF: how likely a character span is one person-name word.

:mod:`privacy.recognizers._lac` decodes the CRF with Viterbi: one best tag path. A
name the model *almost* tagged (宁静 read as an adjective, 岩罕 split in two) is
lost there. Here the same CRF gives, for every span ``[s, e)``, the probability
over all tag paths that it is exactly one ``PER`` word: ``PER-B`` at ``s``,
``PER-I`` up to ``e - 1``, and at ``e`` a tag that starts a new word (or the end).

Forward–backward in scaled form (Rabiner): each step is one matrix product over
all tags, vectorised over a batch of equal-length chunks, and the per-step
normalisers are kept as logarithms, so nothing under- or overflows whatever
the chunk length; ``log Z = Σ log c_t + Σ max_t``. The result is exact up to
floating point (tests compare it with enumerating every path of small random
CRFs), except that the encoder outputs the tag list does not name are left out
when :func:`dropped_mass` bounds their share of all paths' weight below 1e-6.

Only chunks that can hold such a span are computed: if a tag's emission at
``t`` is ``gap`` below the best tag's, then ``P(y_t = tag) ≤ exp(2·range −
gap)`` (swap it for the best tag on any path: the emission gains ``gap``, the
two transitions lose at most ``range`` each, where ``range`` is the transition
matrix's max − min; the swap is one-to-one). A span of two or more characters
at ``t`` needs ``PER-B`` at ``t`` and ``PER-I`` at ``t + 1``, so a chunk where
no such pair lies within ``2·range + log(1/floor)`` of the best cannot hold a
span at or above ``floor`` and is skipped — the same kind of bound
:meth:`LacModel._viterbi` prunes by.
"""

from __future__ import annotations

import math

import numpy as np

_NEGLIGIBLE = 1e-6
__all__ = ["dropped_mass", "gate", "name_odds", "scaled_forward_backward", "span_posteriors", "third_odds"]


def gate(emissions: np.ndarray, *, begin: int, inside: int, transition_range: float, floor: float,
         outside: np.ndarray) -> np.ndarray:
    """Rows of a ``(B, T, n)`` batch where a span of two or more characters lying in ``outside``
    (``(B, T)`` bool: e.g. the positions the best path does not put in a name) could have
    posterior ≥ ``floor`` (bool, shape ``(B,)``).

    Proven bound (module docstring): such a span at ``t`` needs ``y_t = begin`` and
    ``y_{t+1} = inside``, each at most ``exp(2·range − gap)`` likely.
    """
    top = emissions.max(axis=2)
    reach = 2 * transition_range + math.log(1 / floor)
    near = (top - emissions[:, :, begin] <= reach) & outside
    near[:, :-1] &= (top[:, 1:] - emissions[:, 1:, inside] <= reach) & outside[:, 1:]
    near[:, -1] = False
    return near.any(axis=1)


def dropped_mass(emissions: np.ndarray, keep: int, *, transition_range: float) -> float:
    """An upper bound on the share of all paths' weight that uses an output beyond the first ``keep``.

    Swapping such an output for the position's best tag is one-to-one and loses at most
    ``2·range`` in transitions, so paths with output ``y`` at ``t`` weigh at most
    ``exp(E_t(y) − max_t + 2·range)`` of the whole; summed over ``t`` and ``y`` (union bound).
    Computing without those outputs changes any posterior by at most ``δ / (1 − δ)``.
    """
    if keep >= emissions.shape[2]:
        return 0.0
    top = emissions.max(axis=2, keepdims=True)
    return float(np.exp(emissions[:, :, keep:] - top + 2 * transition_range).sum(axis=(1, 2)).max())


def scaled_forward_backward(
    emissions: np.ndarray, *, exp_transitions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scaled forward–backward over a batch of equal-length sequences.

    Parameters
    ----------
    emissions : numpy.ndarray
        ``(B, T, n)`` emission scores (log potentials).
    exp_transitions : numpy.ndarray
        ``(n, n)`` ``exp`` of the transition scores (``[from, to]``).

    Returns
    -------
    tuple
        ``(alpha, beta, scale, potentials, log_z)``: ``alpha`` and ``beta`` ``(B, T, n)`` with
        ``alpha[b, t, y] * beta[b, t, y] = P(y_t = y)``; ``scale`` ``(B, T)`` the per-step
        normalisers; ``potentials`` ``exp(emission − its row max)``; ``log_z`` ``(B,)`` the
        log partition function.
    """
    emissions = np.asarray(emissions)
    dtype = np.float64 if emissions.dtype == np.float64 else np.float32
    batch, length, _ = emissions.shape
    top = emissions.max(axis=2, keepdims=True)
    # Time-major and contiguous: each step reads one (B, n) block.
    potentials = np.exp((emissions - top).astype(dtype).transpose(1, 0, 2).copy())
    forward = exp_transitions.astype(dtype)
    backward = np.ascontiguousarray(forward.T)
    alpha = np.empty_like(potentials)
    scale = np.empty((length, batch), dtype=dtype)
    current = potentials[0]
    for t in range(length):
        if t:
            current = np.matmul(current, forward) * potentials[t]
        total = current.sum(axis=1)
        current = current / total[:, None]
        alpha[t] = current
        scale[t] = total
    beta = np.empty_like(potentials)
    beta[-1] = 1.0
    for t in range(length - 2, -1, -1):
        beta[t] = np.matmul(potentials[t + 1] * beta[t + 1], backward) / scale[t + 1, :, None]
    log_z = np.log(scale.astype(np.float64)).sum(axis=0) + top[:, :, 0].astype(np.float64).sum(axis=1)
    alpha, beta, potentials = (a.transpose(1, 0, 2) for a in (alpha, beta, potentials))
    scale = scale.T
    return alpha, beta, scale, potentials, log_z


def span_posteriors(
    passes: tuple[np.ndarray, ...], *, exp_transitions: np.ndarray, begin: int, inside: int, starts_word: np.ndarray,
    max_length: int,
) -> np.ndarray:
    """``P[b, k, s]``: the probability that ``[s, s + k + 1)`` is exactly one word tagged ``begin, inside…``.

    Parameters
    ----------
    passes : tuple
        What :func:`scaled_forward_backward` returned for the batch.
    exp_transitions : numpy.ndarray
        ``(n, n)`` ``exp`` of the transition scores.
    begin, inside : int
        The tag ids of the word's first character and of the characters after it.
    starts_word : numpy.ndarray
        ``(n,)`` bool: the tags that start a word (every tag but the ``-I`` ones); one of
        them must follow the span, unless it ends the sequence.
    max_length : int
        The longest span considered.

    Returns
    -------
    numpy.ndarray
        ``(B, max_length, T)``; spans running past the end are 0.
    """
    alpha, beta, scale, potentials, _ = passes
    batch, length, _ = potentials.shape
    out = np.zeros((batch, max_length, length))
    # close[:, e, j]: the step into position e from `begin` (j=0) or `inside` (j=1) onto a word start, then the rest.
    close = np.ones((batch, length + 1, 2))
    if length > 1:
        rest = potentials[:, 1:, starts_word] * beta[:, 1:, starts_word] / scale[:, 1:, None]
        close[:, 1:length, :] = rest @ exp_transitions[np.ix_((begin, inside), np.flatnonzero(starts_word))].T
    carry = potentials[:, :, inside] / scale  # (B, T): staying inside the word at t (times its transition)
    run = alpha[:, :, begin].copy()  # (B, T) by start s: probability mass of the prefix so far
    for k in range(max_length):
        span = k + 1
        valid = length - span + 1
        if valid <= 0:
            break
        ends = np.arange(span, span + valid)
        out[:, k, :valid] = run[:, :valid] * close[:, ends, 0 if k == 0 else 1]
        if valid > 1:
            step = exp_transitions[begin if k == 0 else inside, inside]
            run = run[:, : valid - 1] * carry[:, span : span + valid - 1] * step
    return out


def name_odds(
    emissions: np.ndarray, *, paths: np.ndarray, tags: dict[str, tuple[int, int]], exp_transitions: np.ndarray,
    transition_range: float, starts_word: np.ndarray, floor: float, max_length: int, keep: int,
) -> list[dict[tuple[int, int], tuple[float, ...]]]:
    """Per row of a ``(B, T, n)`` batch: ``(start, end) → (P(one PER word), P(one LOC word), P(one ORG word))``
    for the spans of two or more characters whose PER probability is at or above ``floor`` and that
    lie outside the best path's names (spans that reach into one may be missing). Outputs beyond the
    first ``keep`` are left out when :func:`dropped_mass` shows they weigh < 1e-6 of all paths.

    ``tags`` maps ``PER``, ``LOC`` and ``ORG`` to their (begin, inside) tag ids. Rows where
    :func:`gate` finds no position outside a ``PER`` word of ``paths`` (``(B, T)`` tag ids) that
    could start such a span are not computed: they add no name to the path's.
    """
    found: list[dict[tuple[int, int], tuple[float, ...]]] = [{} for _ in range(len(emissions))]
    begin, inside = tags["PER"]
    # A word runs on while tags are -I of any label and takes its first tag's label (p-B PER-I is a p word).
    first = np.where(starts_word[paths], np.arange(paths.shape[1]), 0)
    first = np.take_along_axis(paths, np.maximum.accumulate(first, axis=1), axis=1)
    outside = first != begin
    rows = np.flatnonzero(gate(emissions, begin=begin, inside=inside, transition_range=transition_range,
                               floor=floor, outside=outside))
    if not len(rows):
        return found
    emissions = emissions[rows]
    if dropped_mass(emissions, keep, transition_range=transition_range) <= _NEGLIGIBLE:
        emissions = emissions[:, :, :keep]  # outputs the tag list does not name: no measurable weight
        exp_transitions, starts_word = exp_transitions[:keep, :keep], starts_word[:keep]
    passes = scaled_forward_backward(emissions, exp_transitions=exp_transitions)
    per = span_posteriors(passes, exp_transitions=exp_transitions, begin=begin, inside=inside,
                          starts_word=starts_word, max_length=max_length)
    row, k, start = np.nonzero(per[:, 1:, :] >= floor)  # two characters or more
    k = k + 1
    end = start + k + 1
    others = [_posterior_of(passes, row, start, end, exp_transitions=exp_transitions, begin=tags[label][0],
                            inside=tags[label][1], starts_word=starts_word) for label in ("LOC", "ORG")]
    for j, (r, s, e) in enumerate(zip(row.tolist(), start.tolist(), end.tolist(), strict=True)):
        found[int(rows[r])][(s, e)] = (float(per[r, e - s - 1, s]), float(others[0][j]), float(others[1][j]))
    return found


def third_odds(
    emissions: np.ndarray, *, paths: np.ndarray, texts: list[str], first: frozenset[str], after: frozenset[str],
    tags: dict[str, tuple[int, int]], exp_transitions: np.ndarray, transition_range: float, starts_word: np.ndarray,
    floor: float, keep: int,
) -> list[dict[int, float]]:
    """Per row of a ``(B, T, n)`` batch (the chunks ``texts``): ``start → P([start, start + 3) is one PER
    word)`` for each two-character ``PER`` word of the best path ``paths`` whose first character is in
    ``first`` and that is followed by a character in ``after``, where that probability is at or above ``floor``.

    The best path reads 刘淑|华为 where the name may be 刘淑华: this is the model's own doubt about
    the third character. A position whose ``PER-I`` emission is more than ``2·range + log(1/floor)``
    below its best cannot reach ``floor`` (module docstring) and is not computed; nor is a row
    without such a word (each row costs a forward–backward pass).
    """
    found: list[dict[int, float]] = [{} for _ in range(len(emissions))]
    if paths.shape[1] < 3:
        return found
    begin, inside = tags["PER"]
    two = (paths[:, :-2] == begin) & (paths[:, 1:-1] == inside) & starts_word[paths[:, 2:]]
    row, start = np.nonzero(two)
    chosen = [k for k, (r, s) in enumerate(zip(row.tolist(), start.tolist(), strict=True))
              if texts[r][s] in first and texts[r][s + 2] in after]
    if not chosen:
        return found
    row, start = row[chosen], start[chosen]
    reach = 2 * transition_range + math.log(1 / floor)
    near = emissions[row, start + 2].max(axis=1) - emissions[row, start + 2, inside] <= reach
    row, start = row[near], start[near]
    if not len(row):
        return found
    rows, local = np.unique(row, return_inverse=True)
    emissions = emissions[rows]
    if dropped_mass(emissions, keep, transition_range=transition_range) <= _NEGLIGIBLE:
        emissions = emissions[:, :, :keep]
        exp_transitions, starts_word = exp_transitions[:keep, :keep], starts_word[:keep]
    passes = scaled_forward_backward(emissions, exp_transitions=exp_transitions)
    odds = _posterior_of(passes, local, start, start + 3, exp_transitions=exp_transitions, begin=begin,
                         inside=inside, starts_word=starts_word)
    for r, s, p in zip(row.tolist(), start.tolist(), odds.tolist(), strict=True):
        if p >= floor:
            found[r][s] = float(p)
    return found


def _posterior_of(
    passes: tuple[np.ndarray, ...], row: np.ndarray, start: np.ndarray, end: np.ndarray, *,
    exp_transitions: np.ndarray, begin: int, inside: int, starts_word: np.ndarray,
) -> np.ndarray:
    """P(one word tagged ``begin, inside…`` is exactly ``[start, end)``) for given spans (arrays) of a batch."""
    alpha, beta, scale, potentials, _ = passes
    length = potentials.shape[1]
    value = alpha[row, start, begin].astype(np.float64)
    last = np.full(len(row), begin)
    for offset in range(1, int((end - start).max(initial=1))):
        t = start + offset
        inner = t < end
        step = exp_transitions[last, inside] * potentials[row, np.minimum(t, length - 1), inside] / scale[
            row, np.minimum(t, length - 1)]
        value = np.where(inner, value * step, value)
        last = np.where(inner, inside, last)
    closing = end < length
    at = np.minimum(end, length - 1)
    rest = potentials[row, at][:, starts_word] * beta[row, at][:, starts_word] / scale[row, at][:, None]
    step = (exp_transitions[last][:, starts_word] * rest).sum(axis=1)
    return np.where(closing, value * step, value)
