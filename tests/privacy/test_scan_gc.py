"""Free-text scans pause the cyclic garbage collector: they make no reference cycles, so its passes only cost time."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from privacy.scanning import scan_text, scan_texts
from sandbox.errors import InputError

_TEMPLATES = (
    "市民王秀英来电反映，其家住杭州市临安区锦城街道衣锦街{n}号{b}幢，联系电话138{n:08d}。",
    "本报讯（记者沈东军）{n}日，户主张强领取救助金{b}00元，卡号6222021234567890128。",
    "网格员李梅走访独居老人陈阿土，身份证号330106195508123427，车牌浙A{n:05d}。",
)


def _texts(count: int) -> list[str]:
    return [_TEMPLATES[k % 3].format(n=k * 7919 % 99991, b=k % 30 + 1) for k in range(count)]


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the collector's passes while the test runs."""
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def test_a_text_scan_runs_without_collector_passes(collections: list[int]) -> None:
    texts = _texts(600)
    gc.collect()
    collections.clear()
    assert gc.isenabled()
    found = scan_texts(texts)
    # At most the young-generation pass the scan's allocations trigger once the collector is back (the old code
    # collected about 90 times, gen 2 included).
    assert collections in ([], [0])
    assert gc.isenabled()
    assert {f.entity_type for f in found} >= {"PERSON", "PHONE_NUMBER", "BANK_CARD", "CN_RESIDENT_ID"}
    gc.collect()
    collections.clear()
    scan_text("\n".join(texts[:200]))
    assert collections in ([], [0]) and gc.isenabled()


def test_the_collector_is_left_as_it_was_also_after_an_error() -> None:
    gc.disable()
    try:
        scan_texts(_texts(3))
        assert not gc.isenabled()  # a caller that paused it itself keeps it paused
    finally:
        gc.enable()
    with pytest.raises(InputError):
        scan_texts(["市民王秀英来电", "字" * 1_000_001])
    assert gc.isenabled()


def test_a_scan_leaves_no_cyclic_garbage() -> None:
    """Why pausing is safe: everything a scan builds is freed by reference counting alone."""
    texts = _texts(300)
    scan_texts(texts[:5])  # model and tables loaded before counting
    gc.collect()
    gc.disable()
    try:
        scan_texts(texts)
        scan_text("\n".join(texts[:100]))
        assert gc.collect() == 0
    finally:
        gc.enable()
