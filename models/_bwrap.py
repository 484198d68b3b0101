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
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from models._seccomp import SeccompUnavailable, seccomp_program

__all__ = ["CHILD", "SandboxProbe", "bwrap_command", "child_env", "probe_sandbox", "python_dirs"]

CHILD = Path(__file__).with_name("_child.py")
SANDBOX_UID = 65534
MODEL_DEST = "/sandbox/model"
MODEL_FILE_DEST = "/sandbox/model.onnx"
CHILD_DEST = "/sandbox/child.py"
_MERGED_USR = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")


@dataclass(frozen=True, kw_only=True)
class SandboxProbe:
    """Whether the sandbox can run here; if not, what is missing (``bwrap``/``prlimit``/``userns``/``seccomp``)."""

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


def _base_args(*, seccomp_fd: int | None, tmp_bytes: int) -> list[str]:
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
    # /proc read-only: started by root, the sandboxed process keeps host uid 0 (without capabilities),
    # and global sysctls and /proc/sysrq-trigger check only the file mode — bwrap covers neither then.
    args += ["--proc", "/proc", "--remount-ro", "/proc", "--dev", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm",
             "--remount-ro", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/tmp", "--chdir", "/tmp"]
    # The runtime after the private /tmp: a checkout (and its venv) under /tmp must not be hidden by it.
    for folder in python_dirs():
        args += ["--ro-bind", folder, folder]
    for name, value in child_env().items():
        args += ["--setenv", name, value]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    return args


def bwrap_command(*, bwrap: str, model: Path, model_dest: str, seccomp_fd: int, info_fd: int, tmp_bytes: int,
                  child_args: list[str]) -> list[str]:
    """The full ``bwrap … python -I /sandbox/child.py …`` command for one run (the model alone at ``model_dest``).

    bwrap writes ``{"child-pid": N}`` (the sandbox's pid 1, as the host sees it) to ``info_fd``.
    """
    args = [bwrap, *_base_args(seccomp_fd=seccomp_fd, tmp_bytes=tmp_bytes), "--info-fd", str(info_fd),
            "--ro-bind", str(model), model_dest, "--ro-bind", str(CHILD), CHILD_DEST, "--remount-ro", "/"]
    return [*args, "--", sys.executable, "-I", "-B", CHILD_DEST, *child_args]


@functools.cache
def probe_sandbox(configured: str = "") -> SandboxProbe:
    """Check (once per process and program) that bubblewrap, user namespaces and the seccomp filter work."""
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
    read, write = os.pipe()
    try:
        os.write(write, program)
        os.close(write)
        command = [bwrap, *_base_args(seccomp_fd=read, tmp_bytes=1 << 20), "--remount-ro", "/", "--",
                   sys.executable, "-I", "-S", "-c", "import os; assert os.getuid() == 65534"]
        done = subprocess.run(command, pass_fds=(read,), capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns", detail=str(exc)[:300])
    finally:
        os.close(read)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = (lines or ["?"])[-1][:300]
        namespaces = any(word in detail for word in ("namespace", "uid map", "Operation not permitted"))
        return SandboxProbe(ok=False, bwrap=bwrap, missing="userns" if namespaces else "runtime", detail=detail)
    return SandboxProbe(ok=True, bwrap=bwrap)
