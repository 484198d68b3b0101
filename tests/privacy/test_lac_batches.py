"""How the name model's encoder is fed: slices of a batch give the numbers one run gives (only speed differs)."""

from __future__ import annotations

import numpy as np

from privacy.recognizers import _lac

_TEXTS = (
    "市民王秀英来电反映小区路灯损坏，请尽快处理。",
    "本报讯（记者王吉瑛）近日，沈东军认为补贴标准太低。",
    "阿卜杜拉·买买提在乌鲁木齐市天山区人民路12号开店。",
    "户主张强，家庭成员：李梅、张小明，联系电话见附表。",
)


def _ids(model: _lac.LacModel, chunks: list[str]) -> np.ndarray:
    return np.array([[model._char_id(ch) for ch in chunk] for chunk in chunks], dtype=np.int64)


def test_sliced_runs_give_the_emissions_of_one_run_per_row() -> None:
    model = _lac.get_lac()
    length = 20
    chunks = [(text * 3)[k : k + length] for k in range(10) for text in _TEXTS]  # 40 rows of 20 characters
    ids = _ids(model, chunks)
    assert max(_lac._RUN_MIN_ROWS, _lac._RUN_CHARS // length) < len(chunks)  # more than one slice
    sliced = model._encode(ids)
    whole = model._session.run(None, {"token_ids": ids, "length": np.full(len(ids), length, dtype=np.int64)})[
        0
    ]
    assert sliced.shape == whole.shape
    assert np.array_equal(sliced, whole)
    for row in (0, 17, 39):  # and what the encoder gives for that sentence alone
        alone = model._session.run(None, {"token_ids": ids[row : row + 1], "length": np.array([length])})[0]
        assert np.array_equal(sliced[row], alone[0])


def test_a_batch_smaller_than_a_slice_is_one_run() -> None:
    model = _lac.get_lac()
    ids = _ids(model, [_TEXTS[0][:12], _TEXTS[1][:12]])
    alone = [
        model._session.run(None, {"token_ids": ids[k : k + 1], "length": np.array([12])})[0][0]
        for k in (0, 1)
    ]
    encoded = model._encode(ids)
    assert encoded.shape[:2] == (2, 12)
    assert all(np.array_equal(encoded[k], alone[k]) for k in (0, 1))


def test_token_ids_are_the_ids_of_each_character() -> None:
    model = _lac.LacModel()  # a fresh table: every character below is seen for the first time
    assert max(model._vocab.values()) < _lac._UNSEEN  # every id fits the uint16 table
    chunks = ["王𠮷来电１２３ＡＢ", "路\x00灯Ωé😀ⅫX9", "王𠮷来电１２３ＡＢ"]  # astral, full-width, unknown
    expected = np.array([[model._char_id(ch) for ch in chunk] for chunk in chunks], dtype=np.int64)
    assert np.array_equal(model._token_ids(chunks), expected)
    assert np.array_equal(model._token_ids(chunks), expected)  # now from the table
    assert model._token_ids(["１"])[0, 0] == model._token_ids(["1"])[0, 0]  # full-width read as half-width
    escaped = "王\udc80英"  # a byte that did not decode, kept as a lone surrogate (errors="surrogateescape")
    assert model._token_ids([escaped]).tolist() == [[model._char_id(ch) for ch in escaped]]


def _words_one_chunk(model: _lac.LacModel, chunk: str, tags: np.ndarray) -> tuple[list, tuple]:
    """The reference: one chunk's words, entity words and ·-joined names (the code before batching)."""
    starts = np.flatnonzero(~model._inside_arr[tags])
    if not len(starts) or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    first = tags[starts]
    ends = np.append(starts[1:], len(chunk))
    labels, pos = model._label_arr[first], model._pos_arr[first]
    spans = [
        _lac.Span(int(starts[k]), int(ends[k]), str(labels[k]), str(pos[k]))
        for k in np.flatnonzero(labels != "")
    ]
    if "·" in chunk:
        spans += _lac._joined(chunk, starts.tolist())
    return spans, (starts, ends, pos)


def test_words_of_a_batch_are_the_words_of_each_chunk() -> None:
    model = _lac.get_lac()
    length = 24
    chunks = [(text * 2)[k : k + length] for k in range(0, 12, 3) for text in _TEXTS]
    paths = model._viterbi(model._used_tags(model._encode(model._token_ids(chunks))))
    inside = np.flatnonzero(model._inside_arr[: paths.max() + 1])
    paths[1, 0] = inside[0]  # a chunk that starts with an -I tag still starts a word there
    batched = model._words_of(chunks, paths)
    assert any(spans for spans, _ in batched) and any("·" in chunk for chunk in chunks)
    for row, chunk in enumerate(chunks):
        spans, (starts, ends, pos) = batched[row]
        ref_spans, (ref_starts, ref_ends, ref_pos) = _words_one_chunk(model, chunk, paths[row])
        assert spans == ref_spans
        assert starts.tolist() == ref_starts.tolist() and ends.tolist() == ref_ends.tolist()
        assert pos.tolist() == ref_pos.tolist()
