"""The name model's posteriors run with one BLAS thread (main thread); the process's setting comes back after."""

from __future__ import annotations

import threading

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from privacy.recognizers import _lac
from privacy.recognizers._blas import one_blas_thread


def _blas_threads() -> set[int]:
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


def test_one_thread_inside_and_the_previous_setting_after() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        with one_blas_thread():
            assert _blas_threads() == {1}
        assert _blas_threads() == {2}


def test_nested_calls_share_one_limit() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        with one_blas_thread():
            with one_blas_thread():
                assert _blas_threads() == {1}
            assert _blas_threads() == {1}  # the outer call is still inside
        assert _blas_threads() == {2}


def test_another_thread_leaves_the_setting_alone() -> None:
    seen: list[set[int]] = []

    def other() -> None:
        with one_blas_thread():
            seen.append(_blas_threads())

    with threadpool_limits(limits=2, user_api="blas"):
        worker = threading.Thread(target=other)
        worker.start()
        worker.join(timeout=30)
        assert seen == [{2}]
        assert _blas_threads() == {2}


def test_the_model_computes_posteriors_with_one_blas_thread() -> None:
    model = _lac.LacModel()  # its own instance: the posterior step is watched below
    odds = model._odds
    during: list[set[int]] = []

    def watched(emissions: np.ndarray, paths: np.ndarray) -> list:
        during.append(_blas_threads())
        return odds(emissions, paths)

    model._odds = watched  # type: ignore[method-assign]
    with threadpool_limits(limits=2, user_api="blas"):
        model.tag_chunks(["市民王秀英来电反映小区路灯损坏", "户主张强，家庭成员：李梅、张小明"])
        assert _blas_threads() == {2}
    assert during and all(threads == {1} for threads in during)
