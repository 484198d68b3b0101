"""Log one MLflow run from a helper process that starts before the run's numbers exist.

Importing MLflow and opening its store takes seconds — longer than a whole
1M-row audit. A CLI process that has not loaded MLflow yet starts this helper
first (``python -m models.run_logger``); the helper imports
:class:`models.registry.Registry` (the one place that imports mlflow) while
the parent reads and computes, then logs the run in one batch when asked and
answers with the run id. A process that already holds MLflow (the
workbench) logs in-process. Nothing is logged if the parent never asks (bad
input, Ctrl-C): the helper sees its input close and exits.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
from typing import Any

__all__ = ["RunLogger", "start_early", "take_early"]


class RunLogger:
    """Start early; :meth:`log_run` once; :meth:`close` always (or use ``with``)."""

    def __init__(self, *, experiment: str = "") -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._stderr = None
        if "mlflow" in sys.modules:  # already paid for: log in-process
            return
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self._proc = subprocess.Popen([sys.executable, "-m", "models.run_logger", experiment], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._stderr, text=True, encoding="utf-8")

    def log_run(self, *, version_tag: tuple[str, str, str, str] | None = None, **run: Any) -> str:
        """``Registry().log_run(**run)``; then, best effort, ``set_tag(*version_tag)``. Returns the run id."""
        if self._proc is None:
            return _log(run, version_tag)
        request = json.dumps({"run": run, "version_tag": version_tag}, ensure_ascii=False)
        answer, _ = self._proc.communicate(request + "\n")
        self._proc = None
        reply = json.loads(answer) if answer.strip() else {}
        if "run_id" not in reply:
            detail = reply.get("error") or self._helper_stderr()
            raise RuntimeError(f"MLflow run not logged: {detail}")
        return str(reply["run_id"])

    def _helper_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def close(self) -> None:
        """Stop the helper if it was never asked (nothing is logged)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
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


if __name__ == "__main__":
    _serve(sys.argv[1] if len(sys.argv) > 1 else "")
