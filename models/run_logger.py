"""Log one MLflow run from a helper process that starts before the run's numbers exist.

Importing MLflow and opening its store takes seconds — longer than a whole
1M-row audit. A CLI process that has not loaded MLflow yet starts this helper
first (``python -m models.run_logger``); the helper imports
:class:`models.registry.Registry` (the one place that imports mlflow) while
the parent reads and computes, then logs the run in one batch when asked and
answers with the run id. A process that already holds MLflow (the
workbench) logs in-process. Nothing is logged if the parent never asks (bad
input, Ctrl-C): the helper sees its input close and exits.

The helper is on the critical path of ``sandbox audit run``, so it imports
with the cyclic garbage collector off (a quarter of MLflow's import time is
collections that find nothing; the process lives for one run) and leaves with
``os._exit`` once its answer is flushed (the run is committed by then; tearing
down ~2,300 modules would only delay the parent). The parent hands its
request over with :meth:`RunLogger.submit` (a writer thread, so a request
larger than the pipe buffer never blocks it while the helper is still
importing) and collects the run id with :meth:`RunLogger.result`, so it can
prepare its own database rows meanwhile.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import threading
from typing import Any

__all__ = ["RunLogger", "start_early", "take_early"]


class RunLogger:
    """Start early; :meth:`submit` then :meth:`result` (or :meth:`log_run`) once; :meth:`close` always."""

    def __init__(self, *, experiment: str = "") -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._answered: subprocess.Popen[str] | None = None  # reaped in close(): its exit is not waited for
        self._stderr = None
        self._writer: threading.Thread | None = None
        self._local: tuple[dict[str, Any], Any] | None = None
        if "mlflow" in sys.modules:  # already paid for: log in-process
            return
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        # -P: the caller's working directory is not put on sys.path (a ``models/`` folder there must not
        # stand in for this package)
        self._proc = subprocess.Popen([sys.executable, "-P", "-m", "models.run_logger", experiment],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                      encoding="utf-8")

    def submit(self, *, version_tag: tuple[str, str, str, str] | None = None, **run: Any) -> None:
        """Hand the run over (``Registry().log_run(**run)``, then best effort ``set_tag(*version_tag)``); no wait."""
        if self._proc is None:
            self._local = (run, version_tag)
            return
        request = json.dumps({"run": run, "version_tag": version_tag}, ensure_ascii=False) + "\n"
        stdin = self._proc.stdin
        assert stdin is not None

        def write() -> None:
            try:
                stdin.write(request)
                stdin.close()
            except (BrokenPipeError, OSError, ValueError):  # the helper died: result() says why
                pass

        self._writer = threading.Thread(target=write, name="run-logger-request", daemon=True)
        self._writer.start()

    def result(self) -> str:
        """The run id of the submitted run (waits for the helper); raises if it was not logged."""
        if self._proc is None:
            if self._local is None:
                raise RuntimeError("MLflow run not logged: nothing submitted")
            run, version_tag = self._local
            self._local = None
            return _log(run, version_tag)
        proc, self._proc = self._proc, None
        assert proc.stdout is not None
        answer = proc.stdout.readline()
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        proc.stdout.close()
        self._answered = proc
        reply = json.loads(answer) if answer.strip() else {}
        if "run_id" not in reply:
            proc.wait()  # its error output is complete
            detail = reply.get("error") or self._helper_stderr()
            raise RuntimeError(f"MLflow run not logged: {detail}")
        return str(reply["run_id"])

    def log_run(self, *, version_tag: tuple[str, str, str, str] | None = None, **run: Any) -> str:
        """:meth:`submit` and :meth:`result` in one call. Returns the run id."""
        self.submit(version_tag=version_tag, **run)
        return self.result()

    def _helper_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def close(self) -> None:
        """Stop the helper if it was never asked or never answered (nothing is logged)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except (BrokenPipeError, OSError):
                        pass
            self._proc = None
        if self._answered is not None:
            self._answered.wait()
            self._answered = None
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        self._local = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> RunLogger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


_early: dict[str, RunLogger] = {}


def start_early(*, experiment: str) -> None:
    """Start the helper now (process start of ``sandbox audit run``); :func:`take_early` hands it over."""
    if experiment not in _early:
        logger = RunLogger(experiment=experiment)
        _early[experiment] = logger
        atexit.register(logger.close)  # never asked (a usage error, --help …): stopped, nothing logged


def take_early(*, experiment: str) -> RunLogger:
    """The helper started by :func:`start_early`, or a new one."""
    return _early.pop(experiment, None) or RunLogger(experiment=experiment)


def _log(run: dict[str, Any], version_tag: Any) -> str:
    from models.registry import Registry

    registry = Registry()
    run_id = registry.log_run(**run)
    if version_tag:
        try:
            registry.set_tag(*version_tag[:3], version_tag[3] or run_id)
        except Exception:  # the version's tag is a convenience; the run is what counts
            pass
    return run_id


def _serve(experiment: str) -> None:
    from models.registry import Registry

    registry = Registry()  # import mlflow and open the store now, while the parent computes
    if experiment:
        registry.client.get_experiment_by_name(experiment)  # read-only: warms the store's connection
    line = sys.stdin.readline()
    if not line.strip():
        return
    request = json.loads(line)
    try:
        reply = {"run_id": _log(request["run"], request.get("version_tag"))}
    except Exception as exc:
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


def _main() -> None:
    import gc
    import os

    gc.disable()  # one run, then exit: collections during MLflow's import find nothing worth the time
    _serve(sys.argv[1] if len(sys.argv) > 1 else "")
    sys.stderr.flush()
    os._exit(0)  # the answer is flushed and the run committed; skip tearing down ~2,300 modules


if __name__ == "__main__":
    _main()
