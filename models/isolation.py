"""Run untrusted vendor code (MLflow models, ONNX graphs) only inside the bubblewrap sandbox.

:func:`predict_isolated`, :func:`onnx_inputs_isolated` and
:func:`predict_onnx_isolated` start ``models/_child.py`` under bubblewrap
(:mod:`models._bwrap`: namespaces, uid 65534 — host uid 65534 too when the product
runs as root (:mod:`models._rootless`) — read-only runtime, the one
model read-only, no data home, no project tree, seccomp). Limits come from
:class:`sandbox.settings.ModelSandboxPolicy`: address space, CPU seconds,
file size (= the output cap) and open files are set by ``prlimit`` before
``bwrap`` starts; the child sets its process limit itself before any vendor
code (``RLIMIT_NPROC`` counts per user namespace); a wall-clock timeout
kills the whole process group. Input goes in as Parquet and predictions come back
through descriptors in a plain format the host checks before it reads
(:mod:`models._channel`) — data, never pickles.

**Fail closed**: without bubblewrap, user namespaces or libseccomp nothing
runs (``models.sandbox_unavailable``), unless the development-only
``SANDBOX_ALLOW_WEAK_ISOLATION=1`` allows the old child (network namespace
only); every result then carries ``isolation="weak"``.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from models import _bwrap
from models._channel import MAX_LABEL_CHARS, read_predictions, read_status, vendor_text
from models._seccomp import seccomp_program
from sandbox.errors import ConfigError, InputError
from sandbox.settings import get_settings

__all__ = [
    "IsolationMode",
    "Limits",
    "isolation_mode",
    "network_isolation_available",
    "onnx_inputs_isolated",
    "open_copy_to_sandbox",
    "predict_isolated",
    "predict_onnx_isolated",
    "sandbox_report",
]

IsolationMode = Literal["bwrap", "weak"]
_NPROC = 64
_NOFILE = 256
_STAGES = {"load", "predict", "write"}
_INSTALL = {"bwrap": "make install  /  apt-get install bubblewrap",
            "userns": "sysctl kernel.unprivileged_userns_clone=1 (user.max_user_namespaces > 0)",
            "seccomp": "make install  /  apt-get install libseccomp2",
            "prlimit": "apt-get install util-linux",
            "runtime": "make install (the Python runtime and venv must be readable by uid 65534)",
            "uid": "install bubblewrap from the distribution (not setuid) and keep user namespaces enabled"}


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Resource limits of one sandboxed run (:meth:`from_settings`: the configured policy)."""

    timeout_s: float = 300.0
    memory_mb: int = 4096
    cpu_seconds: int = 600
    output_mb: int = 256

    @classmethod
    def from_settings(cls, **changes: Any) -> Limits:
        policy = get_settings().model_sandbox
        values = {"timeout_s": float(policy.wall_seconds), "memory_mb": policy.memory_mb,
                  "cpu_seconds": policy.cpu_seconds, "output_mb": policy.output_mb}
        return cls(**{**values, **changes})


@functools.cache
def network_isolation_available() -> bool:
    """Whether ``unshare --map-current-user --net`` works here (the weak child's only barrier)."""
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    try:
        done = subprocess.run([unshare, "--map-current-user", "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _probe() -> _bwrap.SandboxProbe:
    return _bwrap.probe_sandbox(get_settings().model_sandbox.bwrap)


def isolation_mode() -> IsolationMode:
    """``"bwrap"`` when the sandbox works here, ``"weak"`` only if the development setting allows it.

    Raises
    ------
    ConfigError
        ``models.sandbox_unavailable`` naming what is missing and how to install it.
    """
    probe = _probe()
    if probe.ok:
        return "bwrap"
    if get_settings().model_sandbox.allow_weak_isolation:
        return "weak"
    raise ConfigError("models.sandbox_unavailable", missing=probe.missing, detail=probe.detail or "-",
                      install=_INSTALL.get(probe.missing, "make install"))


def sandbox_report() -> dict[str, Any]:
    """What the model page shows: mode (or what is missing) and the limits in force."""
    probe = _probe()
    policy = get_settings().model_sandbox
    mode = "bwrap" if probe.ok else ("weak" if policy.allow_weak_isolation else "unavailable")
    return {"mode": mode, "missing": probe.missing, "detail": probe.detail, "memory_mb": policy.memory_mb,
            "cpu_seconds": policy.cpu_seconds, "wall_seconds": policy.wall_seconds, "output_mb": policy.output_mb,
            "processes": _NPROC, "open_files": _NOFILE}


def open_copy_to_sandbox(root: Path) -> Path:
    """Let the sandbox user (uid 65534) read a model copy the product made itself; returns ``root``.

    Only for copies in the product's private work folders (the submission's scratch copy, a version
    downloaded for scoring): their parent folders stay private (0700) and are never bound, so this
    widens nothing a host user could reach. A vendor's or user's own files are never changed. Does
    nothing unless the product runs as root (otherwise the sandbox is the files' owner).
    """
    if not _bwrap.runs_as_root():
        return root
    paths = [Path(root)]
    if Path(root).is_dir():
        for folder, dirs, files in os.walk(root, followlinks=False):
            paths += [Path(folder) / name for name in (*dirs, *files)]
    for path in paths:
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode):
            path.chmod(stat.S_IMODE(info.st_mode) | 0o555)
        elif stat.S_ISREG(info.st_mode):
            path.chmod(stat.S_IMODE(info.st_mode) | 0o444)
    return root


def _prlimit(limits: Limits) -> list[str]:
    prlimit = shutil.which("prlimit") or "prlimit"
    output = limits.output_mb * 1024 * 1024
    return [prlimit, f"--as={limits.memory_mb * 1024 * 1024}", f"--cpu={limits.cpu_seconds}",
            f"--fsize={output}", f"--nofile={_NOFILE}", "--core=0", "--"]


def _weak_command(model: Path, target: str, child_args: list[str]) -> list[str]:
    command = [sys.executable, "-I", "-B", str(_bwrap.CHILD), *child_args]
    command[command.index(target)] = str(model)
    if network_isolation_available():
        command = [shutil.which("unshare") or "unshare", "--map-current-user", "--net", *command]
    return command


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)  # inherited only by the run it is passed to
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_fd(fd: int, limit: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, limit)


def _run(task: str, model: Path, *, frame: pd.DataFrame | None, limits: Limits, label: str,
         features: list[str] | None = None) -> tuple[dict[str, Any], pd.DataFrame | None, IsolationMode]:
    """One sandboxed run. Input, output, status and log travel in memory files (``memfd``): the child
    gets no host path at all, and ``RLIMIT_FSIZE`` caps what it can write into them."""
    mode = isolation_mode()
    if mode == "bwrap" and _bwrap.runs_as_root() and not _bwrap.readable_by_sandbox(model):
        shown = stat.S_IMODE(os.stat(model).st_mode) if os.path.exists(model) else 0
        raise InputError("models.sandbox_unreadable", model=label, path=str(model), mode=f"{shown:o}")
    cap = limits.output_mb * 1024 * 1024
    fds: list[int] = []
    scratch: Path | None = None
    try:
        buffer = io.BytesIO()
        if frame is not None:
            frame.to_parquet(buffer, index=False)
        out_fd, status_fd, in_fd, log_fd = (_memfd("output"), _memfd("status"), _memfd("input", buffer.getvalue()),
                                            _memfd("log"))
        fds += [out_fd, status_fd, in_fd, log_fd]
        target = _bwrap.MODEL_DEST if Path(model).is_dir() else _bwrap.MODEL_FILE_DEST
        child_args = [task, "--model", target, "--features", json.dumps(features or [], ensure_ascii=False),
                      "--nproc", str(_NPROC), "--fds", f"{out_fd},{status_fd},{in_fd}"]
        if mode == "bwrap":
            seccomp_fd, info_fd = _memfd("seccomp", seccomp_program()), _memfd("info")
            fds += [seccomp_fd, info_fd]
            command = _bwrap.bwrap_command(bwrap=_probe().bwrap, model=Path(model), model_dest=target,
                                           seccomp_fd=seccomp_fd, info_fd=info_fd, tmp_bytes=cap,
                                           child_args=child_args)
            env, cwd = {"PATH": "/usr/bin:/bin"}, "/"
        else:
            work = get_settings().work_dir
            work.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix="isolated-", dir=work))
            command = _weak_command(Path(model).resolve(), target, child_args)
            env, cwd = {**_bwrap.child_env(), "HOME": str(scratch), "TMPDIR": str(scratch)}, str(scratch)
        code = _spawn([*_prlimit(limits), *command], cwd, env, fds, log_fd, limits, label,
                      info_fd=fds[-1] if mode == "bwrap" else None)
        status = read_status(_read_fd(status_fd, 65_536))
        if status.get("ok") is True and task != "onnx-inputs":
            if os.fstat(out_fd).st_size > cap:
                raise InputError("models.child_output_too_big", model=label, mb=limits.output_mb)
            return status, read_predictions(out_fd, rows=len(frame) if frame is not None else 0, label=label), mode
        if status.get("ok") is True:
            return status, None, mode
        os.lseek(log_fd, max(0, os.fstat(log_fd).st_size - 4096), os.SEEK_SET)
        log = os.read(log_fd, 4096).decode("utf-8", "replace")
        _raise_failure(status, code, log, label, limits)
        raise AssertionError("unreachable")  # pragma: no cover
    finally:
        for fd in fds:
            os.close(fd)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _spawn(command: list[str], cwd: str, env: dict[str, str], fds: list[int], log_fd: int, limits: Limits,
           label: str, *, info_fd: int | None) -> int:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd,
                               start_new_session=True, pass_fds=tuple(fds))
    try:
        return process.wait(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        _kill_sandbox(info_fd)  # pid 1 of the sandbox's pid namespace: the kernel kills every process in it
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise InputError("models.child_timeout", model=label, seconds=int(limits.timeout_s)) from None


def _kill_sandbox(info_fd: int | None) -> None:
    if info_fd is None:
        return
    try:
        pid = int(json.loads(_read_fd(info_fd, 4096) or b"{}").get("child-pid", 0))
    except (ValueError, AttributeError, OSError):
        return
    if pid <= 1:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for _ in range(100):  # until the kernel has torn the namespace down (it is not our child to wait for)
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                if handle.read().split(b") ", 1)[-1][:1] in {b"Z", b"X"}:
                    return
        except OSError:
            return
        time.sleep(0.05)


def _signal_of(code: int) -> int | None:
    if code < 0:
        return -code
    if code > 128:
        return code - 128
    return None


_MISSING_MODULE = re.compile(r"No module named '([A-Za-z0-9_.]{1,80})'")
# What a vendor's model can use inside the sandbox (the venv is bound read-only; nothing is installed there).
_LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "onnxruntime", "mlflow", "cloudpickle")


@functools.cache
def sandbox_libraries() -> str:
    """``scikit-learn 1.7.2, numpy 2.3.4, …``: the libraries a model can import inside the sandbox."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def _version_hint(exc: InputError, model_dir: Path, label: str) -> None:
    """Raise ``models.library_version`` instead of ``exc`` when the model failed and was saved with another
    scikit-learn (a pickle from another release may not load or predict: the likely reason, named)."""
    if exc.key != "models.child_failed":
        return
    from importlib.metadata import version

    from models.intake import saved_sklearn_version

    saved, here = saved_sklearn_version(model_dir), version("scikit-learn")
    if saved is not None and saved.split(".")[:2] != here.split(".")[:2]:
        raise InputError("models.library_version", model=label, saved=saved, here=here,
                         stage=exc.params.get("stage", "?"), reason=exc.params.get("reason", "")) from exc


def _raise_failure(status: dict[str, Any], code: int, tail_text: str, label: str, limits: Limits) -> None:
    params = status.get("params") if isinstance(status.get("params"), dict) else {}
    text = {vendor_text(k, 40): vendor_text(v, 300) for k, v in params.items()}
    known = {"onnx_bad": ("models.onnx_bad", ("reason",)), "onnx_failed": ("models.onnx_failed", ("reason",)),
             "onnx_width": ("models.onnx_width", ("expected", "got"))}
    if status.get("code") in known:
        key, names = known[status["code"]]
        raise InputError(key, file=label, **{n: text.get(n, "?") for n in names})
    if status.get("code") == "label_too_long":
        raise InputError("models.child_output_bad", model=label,
                         reason=f"预测: text of {text.get('chars', '?')} characters (max {MAX_LABEL_CHARS})")
    if status.get("code") == "column_missing":
        raise InputError("errors.column_missing", file=label, column=text.get("column", "?"), purpose="onnx",
                         available=text.get("available", ""))
    stage = status.get("stage") if status.get("stage") in _STAGES else "?"
    if status.get("error") == "MemoryError":
        raise InputError("models.child_memory", model=label, mb=limits.memory_mb)
    if status.get("error") == "EFBIG" or "File too large" in tail_text:
        raise InputError("models.child_output_too_big", model=label, mb=limits.output_mb)
    if stage == "load" and status.get("error") in ("ModuleNotFoundError", "ImportError"):
        missing = _MISSING_MODULE.search(str(status.get("message") or ""))
        if missing is not None:
            raise InputError("models.library_missing", model=label, module=vendor_text(missing.group(1), 80),
                             available=sandbox_libraries())
    if status:
        raise InputError("models.child_failed", model=label, stage=stage,
                         reason=vendor_text(status.get("message") or status.get("code") or "", 500))
    sig = _signal_of(code)
    if sig == signal.SIGXFSZ:
        raise InputError("models.child_output_too_big", model=label, mb=limits.output_mb)
    if "MemoryError" in tail_text or "bad_alloc" in tail_text:
        raise InputError("models.child_memory", model=label, mb=limits.memory_mb)
    if sig in (signal.SIGXCPU, signal.SIGKILL):
        raise InputError("models.child_cpu", model=label, seconds=limits.cpu_seconds)
    tail = vendor_text(" | ".join(tail_text.strip().splitlines()[-3:]), 500)
    raise InputError("models.child_crashed", model=label, code=code, reason=tail or "-")


def _checked_predictions(out: pd.DataFrame, rows: int, label: str) -> pd.DataFrame:
    if len(out) != rows:
        raise InputError("models.child_rows", model=label, expected=rows, got=len(out))
    if "预测" not in out.columns:
        raise InputError("models.child_failed", model=label, stage="write", reason="no 预测 column")
    kept = out[[c for c in ("预测", "评分") if c in out.columns]].copy()
    if "评分" in kept.columns:
        kept["评分"] = pd.to_numeric(kept["评分"], errors="coerce").astype("float64")
    return kept


def predict_isolated(model_dir: Path, frame: pd.DataFrame, *, limits: Limits | None = None,
                     model_label: str = "") -> pd.DataFrame:
    """Predict ``frame`` with the MLflow model in ``model_dir`` inside the sandbox.

    Returns
    -------
    DataFrame
        ``预测`` (and ``评分`` for a binary classifier with probabilities), one row per input row;
        ``attrs["isolation"]`` is ``"bwrap"`` or (development only) ``"weak"``.

    Raises
    ------
    InputError
        ``models.child_failed`` (load or predict raised), ``models.child_timeout``,
        ``models.child_memory``, ``models.child_cpu``, ``models.child_output_too_big``,
        ``models.child_crashed``, ``models.child_rows``.
    ConfigError
        ``models.sandbox_unavailable``.
    """
    label = model_label or Path(model_dir).name
    limits = limits or Limits.from_settings()
    try:
        _status, out, mode = _run("predict", Path(model_dir), frame=frame, limits=limits, label=label)
    except InputError as exc:
        _version_hint(exc, Path(model_dir), label)
        raise
    result = _checked_predictions(out, len(frame), label)  # type: ignore[arg-type]
    result.attrs["isolation"] = mode
    return result


def onnx_inputs_isolated(path: Path, *, display_name: str | None = None,
                         limits: Limits | None = None) -> list[dict[str, Any]]:
    """Inputs of an ONNX model, read by onnxruntime inside the sandbox: ``[{"name", "type", "shape"}]``."""
    label = display_name or Path(path).name
    status, _out, _mode = _run("onnx-inputs", Path(path), frame=None, limits=limits or Limits.from_settings(),
                               label=label)
    inputs = status.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise InputError("models.onnx_bad", file=label, reason="no inputs")
    clean = []
    for item in inputs[:1000]:
        if not isinstance(item, dict):
            raise InputError("models.onnx_bad", file=label, reason="inputs")
        shape = item.get("shape") if isinstance(item.get("shape"), list) else []
        clean.append({"name": str(item.get("name", ""))[:200], "type": str(item.get("type", ""))[:100],
                      "shape": [d if isinstance(d, int) and not isinstance(d, bool) else None for d in shape[:32]]})
    return clean


def predict_onnx_isolated(path: Path, frame: pd.DataFrame, *, feature_columns: list[str], display_name: str = "",
                          limits: Limits | None = None) -> pd.DataFrame:
    """``预测`` (first output) and ``评分`` (positive-class probability) from an ONNX model, in the sandbox."""
    label = display_name or Path(path).name
    _status, out, mode = _run("onnx-predict", Path(path), frame=frame, limits=limits or Limits.from_settings(),
                              label=label, features=feature_columns)
    result = _checked_predictions(out, len(frame), label)  # type: ignore[arg-type]
    result.attrs["isolation"] = mode
    return result
