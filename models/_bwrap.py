"""The bubblewrap command line of the model sandbox, and the check that it can run here.

The sandbox sees only: ``/usr`` (and the merged-usr links ``/bin``, ``/lib``,
``/lib64``), the Python runtime and the virtualenv **read-only** (never the
project tree the virtualenv may sit in), the one model file or folder
read-only at ``/sandbox/model``, the child entry module read-only at
``/sandbox/child.py``, a fresh read-only ``/proc``, a minimal ``/dev`` (read-only, with a
size-capped ``/dev/shm``), a size-capped private ``/tmp``; the root itself is
read-only. New user, PID, IPC, UTS, network, mount and cgroup namespaces,
uid/gid 65534 inside, no further user namespaces, all capabilities dropped,
``--die-with-parent``, ``--new-session``, an environment built from nothing
and the seccomp filter of :mod:`models._seccomp`. Nothing of the data home
(databases, ``secrets/``, ``keys/``, ``mlartifacts/``, ``demo/``), no
``/home``, ``/root`` (other than the Python prefix), ``/etc`` or ``/var/run``.

bwrap always runs unprivileged, so the sandbox is never host uid 0: when the
product runs as root, :mod:`models._rootless` stages the bind sources in a
private mount namespace and becomes uid/gid 65534 (no groups) before it
execs bwrap, which then maps 65534 inside to host 65534 in an unprivileged
user namespace (and ``RLIMIT_NPROC`` applies). :func:`probe_sandbox` reads
the sandboxed process's host uid from outside and refuses 0.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import _rootless
from models._seccomp import SeccompUnavailable, seccomp_program

__all__ = ["CHILD", "SANDBOX_UID", "SandboxProbe", "bwrap_command", "child_env", "host_ids", "probe_sandbox",
           "python_dirs", "readable_by_sandbox", "runs_as_root", "sandbox_command"]

CHILD = Path(__file__).with_name("_child.py")
LAUNCHER = Path(_rootless.__file__)
SANDBOX_UID = 65534
MODEL_DEST = "/sandbox/model"
MODEL_FILE_DEST = "/sandbox/model.onnx"
CHILD_DEST = "/sandbox/child.py"
_MERGED_USR = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")


@dataclass(frozen=True, kw_only=True)
class SandboxProbe:
    """Whether the sandbox can run here; if not, what is missing.

    ``missing`` is one of ``bwrap``, ``prlimit``, ``seccomp``, ``userns``, ``runtime`` (the Python
    runtime cannot start in the sandbox) or ``uid`` (the sandbox would be host uid 0).
    """

    ok: bool
    bwrap: str = ""
    missing: str = ""
    detail: str = ""


def python_dirs() -> list[str]:
    """The Python runtime and virtualenv folders to bind read-only (those outside ``/usr``)."""
    dirs = {os.path.realpath(p) for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)}
    return sorted(d for d in dirs if d != "/usr" and not d.startswith("/usr/"))


def child_env() -> dict[str, str]:
    """The child's whole environment (nothing inherited)."""
    return {
        "PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "USER": "nobody", "LOGNAME": "nobody",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "PYTHONHASHSEED": "0", "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1",
        "MLFLOW_ENV_ROOT": "/tmp/mlflow-envs", "XDG_CACHE_HOME": "/tmp/.cache",
    }


def runs_as_root() -> bool:
    """Whether the product runs as root: bwrap is then started as uid 65534 by :mod:`models._rootless`."""
    return os.geteuid() == 0


def readable_by_sandbox(path: str | Path) -> bool:
    """Whether uid/gid 65534 (no other group) may read ``path`` itself (and list it, for a folder).

    Only the path's own mode counts: its parent folders need not be open, they are staged away.
    """
    try:
        info = os.stat(path)
    except OSError:
        return False
    need = 0o5 if stat.S_ISDIR(info.st_mode) else 0o4
    shift = 6 if info.st_uid == SANDBOX_UID else 3 if info.st_gid == SANDBOX_UID else 0
    return (info.st_mode >> shift) & need == need


def _base_args(*, seccomp_fd: int | None, tmp_bytes: int, source: Callable[[str], str]) -> list[str]:
    args = ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", str(SANDBOX_UID),
            "--gid", str(SANDBOX_UID), "--hostname", "sandbox", "--cap-drop", "ALL", "--die-with-parent",
            "--new-session", "--clearenv", "--ro-bind", "/usr", "/usr"]
    for top in _MERGED_USR:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    if os.path.isfile("/etc/ld.so.cache"):
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    # /proc read-only: global sysctls and /proc/sysrq-trigger check only the file mode (and a sandbox
    # started by an older version as root was host uid 0).
    args += ["--proc", "/proc", "--remount-ro", "/proc", "--dev", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm",
             "--remount-ro", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/tmp", "--chdir", "/tmp"]
    # The runtime after the private /tmp: a checkout (and its venv) under /tmp must not be hidden by it.
    for folder in python_dirs():
        args += ["--ro-bind", source(folder), folder]
    for name, value in child_env().items():
        args += ["--setenv", name, value]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    return args


def sandbox_command(*, bwrap: str, binds: list[tuple[Path, str]], seccomp_fd: int | None, tmp_bytes: int,
                    inner: list[str], info_fd: int | None = None) -> list[str]:
    """The command that runs ``inner`` in the sandbox, with ``binds`` (host path, sandbox path) read-only.

    As root this is ``python -I -S _rootless.py SOURCES -- bwrap …``: the runtime and the binds are
    staged in a private mount namespace and bwrap starts as uid/gid 65534, so the sandbox is host
    uid 65534 (not 0). Otherwise it is ``bwrap …`` (the sandbox is the caller's uid).
    """
    sources: list[str] = []

    def source(path: str) -> str:
        if not runs_as_root():
            return path
        sources.append(os.path.abspath(path))
        return _rootless.staged(len(sources) - 1)

    args = [bwrap, *_base_args(seccomp_fd=seccomp_fd, tmp_bytes=tmp_bytes, source=source)]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    for host, dest in binds:
        args += ["--ro-bind", source(str(host)), dest]
    args += ["--remount-ro", "/", "--", *inner]
    if not runs_as_root():
        return args
    return [sys.executable, "-I", "-S", str(LAUNCHER), *sources, "--", *args]


def bwrap_command(*, bwrap: str, model: Path, model_dest: str, seccomp_fd: int, info_fd: int, tmp_bytes: int,
                  child_args: list[str]) -> list[str]:
    """The full command running ``python -I /sandbox/child.py …`` for one run (the model alone at ``model_dest``).

    bwrap writes ``{"child-pid": N}`` (the sandbox's pid 1, as the host sees it) to ``info_fd``.
    """
    return sandbox_command(bwrap=bwrap, binds=[(model, model_dest), (CHILD, CHILD_DEST)], seccomp_fd=seccomp_fd,
                           tmp_bytes=tmp_bytes, info_fd=info_fd,
                           inner=[sys.executable, "-I", "-B", CHILD_DEST, *child_args])


def _userns_problem() -> str:
    """A kernel switch that forbids unprivileged user namespaces (bwrap always runs unprivileged)."""
    for path, name in (("/proc/sys/kernel/unprivileged_userns_clone", "kernel.unprivileged_userns_clone"),
                       ("/proc/sys/user/max_user_namespaces", "user.max_user_namespaces")):
        try:
            value = Path(path).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if value == "0":
            return f"{name} = 0"
    return ""


def _read_info(fd: int, timeout: float) -> dict[str, Any]:
    """bwrap's ``--info-fd`` JSON (``{"child-pid": N, …}``), or ``{}`` if bwrap ended without it."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            break
        data += chunk
        try:
            value = json.loads(data)
        except ValueError:
            continue
        return value if isinstance(value, dict) else {}
    return {}


def host_ids(pid: int) -> tuple[list[int], list[int]]:
    """The real/effective/saved/fs uids and gids of ``pid`` as the host sees them (``/proc/PID/status``)."""
    fields: dict[str, list[int]] = {}
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in {"Uid", "Gid"}:
                fields[key] = [int(v) for v in value.split()]
    return fields.get("Uid", []), fields.get("Gid", [])


def _run_probe(bwrap: str, program: bytes) -> SandboxProbe:
    """Start ``python -c 'assert uid == 65534'`` in the sandbox and check its host uid from outside."""
    seccomp_read, seccomp_write = os.pipe()
    info_read, info_write = os.pipe()
    inner = [sys.executable, "-I", "-S", "-c", "import os, sys; assert os.getuid() == 65534; sys.stdin.read()"]
    try:
        os.write(seccomp_write, program)
        os.close(seccomp_write)
        command = sandbox_command(bwrap=bwrap, binds=[], seccomp_fd=seccomp_read, tmp_bytes=1 << 20,
                                  info_fd=info_write, inner=inner)
        process = subprocess.Popen(command, pass_fds=(seccomp_read, info_write), stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        for fd in (seccomp_read, info_read, info_write):
            os.close(fd)
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns", detail=str(exc)[:300])
    os.close(seccomp_read)
    os.close(info_write)
    try:
        pid = int(_read_info(info_read, 30.0).get("child-pid", 0))
        try:
            uids, _gids = host_ids(pid) if pid > 1 else ([], [])
        except (OSError, ValueError):
            uids = []
        _out, err = process.communicate(b"", timeout=30)
    except (subprocess.SubprocessError, ValueError) as exc:
        process.kill()
        process.wait()
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns", detail=str(exc)[:300])
    finally:
        os.close(info_read)
    if process.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        detail = (lines or ["?"])[-1][:300]
        namespaces = any(word in detail for word in ("namespace", "uid map", "Operation not permitted"))
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns" if namespaces else "runtime", detail=detail)
    if not uids or 0 in uids:
        seen = ",".join(map(str, uids)) or "?"
        return SandboxProbe(ok=False, bwrap=bwrap, missing="uid",
                            detail=f"the sandboxed process would be host uid {seen}, never allowed to be 0")
    return SandboxProbe(ok=True, bwrap=bwrap)


@functools.cache
def probe_sandbox(configured: str = "") -> SandboxProbe:
    """Check (once per process and program) that the sandbox works here and is never host uid 0.

    bubblewrap, ``prlimit``, libseccomp, unprivileged user namespaces, a runtime readable by uid
    65534 (when started as root), and a real run whose host uid is read from outside.
    """
    if configured:
        bwrap = configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else ""
    else:
        bwrap = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else "")
    if not bwrap:
        return SandboxProbe(ok=False, missing="bwrap", detail=f"{configured or 'bwrap'} not found")
    if not shutil.which("prlimit"):
        return SandboxProbe(ok=False, bwrap=bwrap, missing="prlimit", detail="prlimit (util-linux) not found")
    try:
        program = seccomp_program()
    except SeccompUnavailable as exc:
        return SandboxProbe(ok=False, bwrap=bwrap, missing="seccomp", detail=str(exc))
    problem = _userns_problem()
    if problem:
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns", detail=problem)
    if runs_as_root():
        for folder in python_dirs():
            if not readable_by_sandbox(folder):
                mode = stat.S_IMODE(os.stat(folder).st_mode) if os.path.exists(folder) else 0
                return SandboxProbe(ok=False, bwrap=bwrap, missing="runtime",
                                    detail=f"{folder} (mode {mode:o}) is not readable by uid 65534")
    return _run_probe(bwrap, program)
