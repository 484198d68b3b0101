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
