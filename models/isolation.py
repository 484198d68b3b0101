"""Run untrusted vendor models in a child process, never in the workbench or CLI.

:func:`predict_isolated` writes the input as Parquet into a scratch folder,
starts ``python -m models._child`` in a new session with that folder as its
working directory, a stripped environment (no proxies, no sandbox secrets),
no network (a fresh network namespace where ``unshare`` allows it), and
resource limits (address space, CPU seconds) that the child applies to itself
before loading anything. A wall-clock timeout kills the whole process group.
Predictions come back as Parquet — data, never pickles.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sandbox.errors import InputError
from sandbox.settings import get_settings

__all__ = ["Limits", "network_isolation_available", "predict_isolated"]

_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Resource limits of one child run."""

    timeout_s: float = 300.0
    memory_mb: int = 4096
    cpu_seconds: int = 600


@functools.cache
def network_isolation_available() -> bool:
    """Whether ``unshare --map-current-user --net`` works here (user namespaces allowed)."""
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    try:
        done = subprocess.run([unshare, "--map-current-user", "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _child_env(scratch: Path) -> dict[str, str]:
    keep = {"PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    dead = "http://127.0.0.1:9"
    env.update({
        "HOME": str(scratch), "TMPDIR": str(scratch), "PYTHONPATH": str(_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead,
        "NO_PROXY": "", "no_proxy": "",
    })
    return env


def predict_isolated(model_dir: Path, frame: pd.DataFrame, *, limits: Limits | None = None,
                     model_label: str = "") -> pd.DataFrame:
    """Predict ``frame`` with the MLflow model in ``model_dir`` inside the isolated child.

    Returns
    -------
    DataFrame
        ``预测`` (and ``评分`` for a binary classifier with probabilities), one row per input row.

    Raises
    ------
    InputError
        ``models.child_failed`` (load or predict raised), ``models.child_timeout``,
        ``models.child_memory``, ``models.child_cpu``, ``models.child_crashed``.
    """
    limits = limits or Limits()
    label = model_label or model_dir.name
    work = get_settings().work_dir
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="isolated-", dir=work))
    try:
        frame.to_parquet(scratch / "input.parquet", index=False)
        # -I: ignore PYTHONPATH, user site and the cwd; the bootstrap puts only this project first.
        bootstrap = (f"import sys; sys.path.insert(0, {str(_ROOT)!r}); import runpy; "
                     "runpy.run_module('models._child', run_name='__main__')")
        command = [
            sys.executable, "-I", "-c", bootstrap,
            "--model", str(Path(model_dir).resolve()), "--input", "input.parquet",
            "--output", "output.parquet", "--status", "status.json",
            "--memory-mb", str(limits.memory_mb), "--cpu-seconds", str(limits.cpu_seconds),
        ]
        if network_isolation_available():
            command = [shutil.which("unshare") or "unshare", "--map-current-user", "--net", *command]
        process = subprocess.Popen(
            command, cwd=scratch, env=_child_env(scratch), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise InputError("models.child_timeout", model=label, seconds=int(limits.timeout_s)) from None
        return _result(scratch, process.returncode, stderr.decode("utf-8", "replace"), label, limits, len(frame))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _result(scratch: Path, code: int, stderr: str, label: str, limits: Limits, rows: int) -> pd.DataFrame:
    status_file = scratch / "status.json"
    status = json.loads(status_file.read_text(encoding="utf-8")) if status_file.exists() else None
    if status and status.get("ok"):
        out = pd.read_parquet(scratch / "output.parquet")
        if len(out) != rows:
            raise InputError("models.child_rows", model=label, expected=rows, got=len(out))
        return out
    if status and status.get("error") == "MemoryError":
        raise InputError("models.child_memory", model=label, mb=limits.memory_mb)
    if status:
        raise InputError("models.child_failed", model=label, stage=status.get("stage", "?"),
                         reason=status.get("message", ""))
    if code in (-signal.SIGXCPU, -signal.SIGKILL) and "MemoryError" not in stderr:
        raise InputError("models.child_cpu", model=label, seconds=limits.cpu_seconds)
    tail = " | ".join(line for line in stderr.strip().splitlines()[-3:])[:500]
    if "MemoryError" in stderr or "std::bad_alloc" in stderr:
        raise InputError("models.child_memory", model=label, mb=limits.memory_mb)
    raise InputError("models.child_crashed", model=label, code=code, reason=tail or "-")
