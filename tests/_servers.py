"""Real servers for tests, started on 127.0.0.1 and stopped by process group."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["free_port", "mlflow_server", "postgres_server", "stop_group", "stop_postgres", "wait_for_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, *, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def stop_group(process: subprocess.Popen[bytes], *, grace: float = 30.0) -> None:
    """Stop a server started with ``start_new_session=True``: SIGTERM to its process group, SIGKILL after ``grace``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: run `make install` (Debian package postgresql)")


class _Cluster:
    """This process's throw-away PostgreSQL cluster: started by the first :func:`postgres_server`, stopped by
    :func:`stop_postgres` (``pytest_sessionfinish`` in tests/conftest.py)."""

    process: subprocess.Popen[bytes] | None = None
    root: Path | None = None
    url = ""
    databases = 0


def _start_cluster() -> str:
    bin_dir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="sandbox-pg-"))
    data = root / "data"
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "sandbox",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            *prefix,
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(root),
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _Cluster.process, _Cluster.root = process, root
    wait_for_port(port, process=process)
    time.sleep(0.5)
    _Cluster.url = f"postgresql+psycopg://sandbox@127.0.0.1:{port}/postgres"
    return _Cluster.url


def stop_postgres() -> None:
    """Stop this process's cluster, if one was started (a fast shutdown: open connections are closed)."""
    process, root = _Cluster.process, _Cluster.root
    _Cluster.process, _Cluster.root, _Cluster.url = None, None, ""
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        stop_group(process)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A new, empty database on a real PostgreSQL server on 127.0.0.1; yields its SQLAlchemy URL (psycopg 3).

    One cluster per test process (initdb and a server start cost seconds each), started on first use; every
    call gets a database of its own (``CREATE DATABASE``), so tests share nothing but the server. To make
    more databases, replace the URL's last part (the database name) and create them on the same server.
    """
    if _Cluster.process is None or _Cluster.process.poll() is not None:
        stop_postgres()
        _start_cluster()
    _Cluster.databases += 1
    name = f"test_{_Cluster.databases}"
    from sqlalchemy import create_engine, text

    engine = create_engine(_Cluster.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    yield _Cluster.url.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def mlflow_server(root: Path, *, backend: str, artifacts: Path) -> Iterator[str]:
    """``mlflow server`` on 127.0.0.1 configured only through the documented variables; yields its URL.

    ``backend`` and ``artifacts`` go in ``MLFLOW_BACKEND_STORE_URI`` and
    ``MLFLOW_ARTIFACTS_DESTINATION``, as in the README's deployment recipe.
    """
    import sys
    import urllib.request

    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MLFLOW_BACKEND_STORE_URI": backend,
        "MLFLOW_ARTIFACTS_DESTINATION": str(artifacts),
    }
    env.pop("MLFLOW_TRACKING_URI", None)
    root.mkdir(parents=True, exist_ok=True)
    log = (root / f"mlflow-{port}.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, timeout=180, process=process)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        stop_group(process)
        log.close()
