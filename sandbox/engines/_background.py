"""Spark jobs started from the workbench: run in a background thread, polled by the page, cancellable.

A page must not block its script run on a long Spark job (a rerun would
abandon the job, still running, and the cancel button could never be drawn).
:func:`start_background` runs ``work(group, progress)`` in a thread under a
known job group; the page polls :func:`background_status` (a progress bar)
and may call :func:`~sandbox.engines.cancel_job` with the group.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import SandboxError

from ._jobs import ERR_JOB_FAILED, JobFailed, Progress

__all__ = ["background_status", "start_background"]

KEEP = 20  # finished jobs remembered per process


@dataclass
class _Background:
    group: str
    description: str
    fraction: float = 0.0
    stage: str = ""
    done: bool = False
    result: Any = None
    error: SandboxError | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


_state: dict[str, _Background] = {}
_lock = threading.Lock()


def start_background(work: Callable[[str, Progress], Any], *, description: str) -> str:
    """Run ``work(group, progress)`` in a thread; return the job group to poll or cancel."""
    group = f"sandbox-{uuid.uuid4().hex[:12]}"
    job = _Background(group=group, description=description)

    def progress(fraction: float, stage: str) -> None:
        job.fraction, job.stage = fraction, stage

    def run() -> None:
        try:
            job.result = work(group, progress)
            job.fraction = 1.0
        except SandboxError as exc:
            job.error = exc
        except Exception as exc:  # never lose a failure in a thread
            job.error = JobFailed(ERR_JOB_FAILED, job=description, reason=str(exc)[:400])
        finally:
            job.done = True

    job.thread = threading.Thread(target=run, name=f"spark-{group}", daemon=True)
    with _lock:
        finished = [g for g, j in _state.items() if j.done]
        for old in finished[: max(0, len(finished) - KEEP)]:
            _state.pop(old, None)
        _state[group] = job
    job.thread.start()
    return group


def background_status(group: str) -> dict[str, Any] | None:
    """``{description, fraction, stage, done, result, error}`` of a started job, or None."""
    with _lock:
        job = _state.get(group)
    if job is None:
        return None
    return {"group": job.group, "description": job.description, "fraction": job.fraction, "stage": job.stage,
            "done": job.done, "result": job.result, "error": job.error}
