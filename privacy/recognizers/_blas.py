"""One BLAS thread while the name model's posteriors are computed.

The posteriors (:mod:`privacy.recognizers._lac_posterior`) multiply a ``(B, n)`` block by an
``(n, n)`` matrix once per character step: thousands of small products per batch. OpenBLAS
splits each over its threads, and the hand-over costs more than the product — the pass took
2.4 times the CPU with two threads than with one (and more wall time on a busy machine). One
thread also makes the numbers the same on every machine (the threaded split rounded some
posteriors differently in the last bits, depending on the batch size and the number of CPUs).

OpenBLAS takes its thread count from the process's main thread only (a change asked for in
another thread is ignored), so :func:`one_blas_thread` limits it there and does nothing in other
threads (a workbench page's scan keeps the setting it has). Nested calls share one limit; the
outermost puts the previous setting back.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["one_blas_thread"]

_state: dict[str, Any] = {"inside": 0, "limiter": None}


@functools.cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the body with one BLAS thread when called from the main thread (see the module docstring)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _state["inside"] == 0:
        _state["limiter"] = _controller().limit(limits=1, user_api="blas")
    _state["inside"] += 1
    try:
        yield
    finally:
        _state["inside"] -= 1
        if _state["inside"] == 0:
            _state["limiter"].restore_original_limits()
            _state["limiter"] = None
