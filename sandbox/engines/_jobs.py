"""Spark jobs the sandbox runs: a job group each, stage progress, cancellation, clear failures.

:func:`spark_job` wraps the driver code of one operation. Every Spark job it
starts belongs to one job group, so that

* a watcher thread turns the status tracker's stage counts into
  ``progress(fraction, stage)`` calls (the CLI prints them on stderr, the page
  draws a progress bar);
* :func:`cancel_job` (a page's cancel button) or Ctrl-C in the CLI cancels
  exactly that group — the executors stop their tasks (``interruptOnCancel``);
* a Spark failure becomes :class:`JobFailed` / :class:`JobCancelled` with a
  zh/en message, and nothing after the failed job runs (no ledger entry, no
  database row).
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.errors import RuleViolation, SandboxError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "ERR_CANCELLED",
    "ERR_JOB_FAILED",
    "ERR_OUT_OF_MEMORY",
    "STOP_REQUESTED",
    "JobCancelled",
    "JobFailed",
    "Progress",
    "cancel_job",
    "out_of_memory",
    "request_stop",
    "running_jobs",
    "spark_job",
    "stderr_progress",
]

Progress = Callable[[float, str], None]
ERR_CANCELLED = "engines.errors.cancelled"
ERR_JOB_FAILED = "engines.errors.job_failed"
ERR_OUT_OF_MEMORY = "engines.errors.out_of_memory"
POLL_SECONDS = 0.5
STOP_REQUESTED = threading.Event()
"""Set by the CLI's SIGTERM handler (:func:`request_stop`): a failure after it is the stop, not the job's fault."""


def request_stop() -> None:
    """The process was told to stop (SIGTERM): a Spark job failing from now on is reported as cancelled."""
    STOP_REQUESTED.set()


class JobCancelled(RuleViolation):
    """The Spark job was cancelled (Ctrl-C or the page's cancel button); nothing was recorded."""

    exit_code = 130


class JobFailed(RuleViolation):
    """A Spark job failed; nothing was recorded."""


@dataclass
class _Job:
    group: str
    description: str
    fraction: float = 0.0
    stage: str = ""
    cancelled: bool = False


_jobs: dict[str, _Job] = {}
_jobs_lock = threading.Lock()


def running_jobs() -> list[dict[str, Any]]:
    """The sandbox's Spark jobs running in this process: group, description, progress."""
    with _jobs_lock:
        return [{"group": j.group, "description": j.description, "fraction": j.fraction, "stage": j.stage}
                for j in _jobs.values()]


def cancel_job(group: str) -> bool:
    """Cancel every Spark job of ``group``; False when no such job is running here."""
    from ._session import _state

    with _jobs_lock:
        job = _jobs.get(group)
        if job is None:
            return False
        job.cancelled = True
    session = _state["session"]
    if session is not None:
        session.sparkContext.cancelJobGroup(group)
    return True


def _progress_of(tracker: Any, group: str) -> tuple[float, str] | None:
    total = done = 0
    label = ""
    for job_id in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job_id)
        if info is None:
            continue
        for stage_id in info.stageIds:
            stage = tracker.getStageInfo(stage_id)
            if stage is None:
                continue
            total += stage.numTasks
            done += stage.numCompletedTasks
            if stage.numActiveTasks:
                label = f"stage {stage_id}: {stage.numCompletedTasks}/{stage.numTasks}"
    if total == 0:
        return None
    return done / total, label or f"tasks {done}/{total}"


def _watch(session: SparkSession, job: _Job, progress: Progress, stop: threading.Event) -> None:
    tracker = session.sparkContext.statusTracker()
    last: tuple[float, str] | None = None
    while not stop.wait(POLL_SECONDS):
        try:
            now = _progress_of(tracker, job.group)
        except Exception:  # the context is stopping
            return
        if now is not None and now != last:
            job.fraction, job.stage = now
            progress(*now)
            last = now


def out_of_memory(text: str) -> bool:
    """Whether a Spark failure's text is the JVM running out of memory."""
    return "OutOfMemoryError" in text or "Java heap space" in text or "GC overhead limit exceeded" in text


_STOP_EXITS = (143, 130, -15, -2)  # the JVM's exit after SIGTERM/SIGINT (its shutdown hooks ran), or killed by them


def _stopped_from_outside(wait: float = 5.0) -> bool:
    """Whether this process's JVM has exited because of SIGTERM or SIGINT (not an OutOfMemoryError, not SIGKILL)."""
    try:
        from pyspark import SparkContext

        process = getattr(SparkContext._gateway, "proc", None)
        if process is None:
            return False
        code = process.poll()
        if code is None:  # the connection broke: give its shutdown hooks a moment to finish
            try:
                code = process.wait(timeout=wait)
            except Exception:
                return False
        return code in _STOP_EXITS
    except Exception:
        return False


def _jvm_alive(session: SparkSession) -> bool:
    """Whether the driver's JVM still answers (an OutOfMemoryError in local mode ends it)."""
    try:
        return not session.sparkContext._jsc.sc().isStopped()
    except Exception:
        return False


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    errors = [line.strip() for line in text.splitlines()
              if re.match(r"^\s*[A-Za-z_.]*(Error|Exception|Exit)\b.*?:", line) and "Traceback" not in line
              and "thrown from the Python worker" not in line]
    if errors:
        return errors[-1][:400]
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "File ", "Traceback", "JVM stacktrace")):
            return line[:400]
    return type(exc).__name__


@contextmanager
def spark_job(session: SparkSession, *, description: str, progress: Progress | None = None,
              group: str | None = None) -> Iterator[str]:
    """Run the enclosed Spark actions as one cancellable, observed job group.

    Parameters
    ----------
    session : SparkSession
        From :func:`~sandbox.engines.spark_session`.
    description : str
        Shown in Spark's own status pages.
    progress : callable, optional
        ``progress(fraction, stage)`` from a watcher thread.
    group : str, optional
        Job group id (default: a new one); give one to cancel it from elsewhere.

    Raises
    ------
    JobCancelled
        The group was cancelled (Ctrl-C, :func:`cancel_job`).
    JobFailed
        Any other Spark failure, with its first line.
    """
    group = group or f"sandbox-{uuid.uuid4().hex[:12]}"
    job = _Job(group=group, description=description)
    sc = session.sparkContext
    sc.setJobGroup(group, description, interruptOnCancel=True)
    with _jobs_lock:
        _jobs[group] = job
    stop = threading.Event()
    watcher = None
    if progress is not None:
        watcher = threading.Thread(target=_watch, args=(session, job, progress, stop), daemon=True,
                                   name=f"spark-progress-{group}")
        watcher.start()
    try:
        yield group
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):  # a SIGTERM to the process group ended the JVM too
            sc.cancelJobGroup(group)
        raise JobCancelled(ERR_CANCELLED, job=description) from None
    except SandboxError:
        raise
    except Exception as exc:
        if job.cancelled or STOP_REQUESTED.is_set() or _stopped_from_outside() or "cancel" in str(exc).lower():
            # `timeout`/systemd sent SIGTERM to the whole process group: the JVM died of it, and the dead connection
            # looked like "out of memory or exited" (STOP_REQUESTED: Python's handler ran first; otherwise the
            # JVM's own exit status says SIGTERM/SIGINT)
            raise JobCancelled(ERR_CANCELLED, job=description) from None
        if out_of_memory(str(exc)) or not _jvm_alive(session):
            # A 10M-row de-identification on the default 1 GB heap: the JVM (driver and, locally, the executors)
            # died with "Java heap space" and the Python side saw only "error calling o164.collectToPython".
            raise JobFailed(ERR_OUT_OF_MEMORY, job=description, reason=_reason(exc)) from exc
        raise JobFailed(ERR_JOB_FAILED, job=description, reason=_reason(exc)) from exc
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(timeout=2)
        with _jobs_lock:
            _jobs.pop(group, None)
        try:
            sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
            sc.setLocalProperty("spark.job.description", None)  # type: ignore[arg-type]
        except Exception:  # a JVM that died in the job: its error above says so, not a Py4J trace from here
            pass


def stderr_progress(prefix: str = "spark") -> Progress:
    """A progress printer for the CLI: one overwritten line on stderr (a tty) or a line per 10 %."""
    state = {"decile": -1, "t": 0.0}
    tty = sys.stderr.isatty()

    def show(fraction: float, stage: str) -> None:
        if tty:
            sys.stderr.write(f"\r[{prefix}] {fraction:4.0%} {stage:<40}")
            if fraction >= 1:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        decile = int(fraction * 10)
        if decile != state["decile"]:
            state["decile"] = decile
            sys.stderr.write(f"[{prefix}] {fraction:4.0%} {stage}\n")
            sys.stderr.flush()
        state["t"] = time.monotonic()

    return show
