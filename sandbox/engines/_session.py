"""One SparkSession per process, started on demand with the sandbox's settings.

Checks before Spark is even imported: Java must be installed (``java`` on
``PATH`` or ``JAVA_HOME``), and a ``spark://`` master must accept a TCP
connection within :data:`CONNECT_TIMEOUT` seconds — otherwise a clear zh/en
:class:`~sandbox.errors.ConfigError`, never a Java stack trace or a hang.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import sys
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import ConfigError
from sandbox.settings import get_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "CONNECT_TIMEOUT",
    "ERR_JAVA_MISSING",
    "ERR_JVM_GONE",
    "ERR_MASTER_UNREACHABLE",
    "ERR_SPARK_START",
    "plain_strings",
    "quiet_pandas_warning",
    "spark_session",
    "stop_spark",
    "to_pandas",
]

CONNECT_TIMEOUT = 3.0
ERR_JAVA_MISSING = "engines.errors.java_missing"
ERR_MASTER_UNREACHABLE = "engines.errors.master_unreachable"
ERR_SPARK_START = "engines.errors.spark_start"
ERR_JVM_GONE = "engines.errors.jvm_gone"
PANDAS_WARNING = "PySpark does not yet fully support pandas"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")

_lock = threading.Lock()
_state: dict[str, Any] = {"session": None, "master": None}


def quiet_pandas_warning() -> None:
    """PySpark 4.x warns about pandas 3 on each pandas conversion; the sandbox tests both together."""
    warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)


class _InterruptedPy4j(logging.Filter):
    """Drop Py4J's own reports of the stop it was interrupted by (SIGTERM, Ctrl-C).

    A job stopped by SIGTERM or Ctrl-C printed ~35 lines of Py4J tracebacks ("KeyboardInterrupt while
    sending command", "Exception occurred while shutting down connection") before the one line that
    matters ("Spark job … was cancelled; nothing was recorded"). Any other Py4J record passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "py4j" not in record.name and f"{os.sep}py4j{os.sep}" not in record.pathname:
            return True
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, KeyboardInterrupt):
                return False
            error = error.__context__
        return "KeyboardInterrupt" not in record.getMessage()


def quiet_interrupted_py4j() -> None:
    """Install :class:`_InterruptedPy4j` on the root logger and Py4J's (once; idempotent)."""
    for name in ("", "py4j", "py4j.clientserver", "py4j.java_gateway"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _InterruptedPy4j) for f in logger.filters):
            logger.addFilter(_InterruptedPy4j())


def _java() -> str:
    home = os.environ.get("JAVA_HOME", "").strip()
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise ConfigError(ERR_JAVA_MISSING)
    return found


def _check_master(master: str) -> None:
    """A standalone master (``spark://h1:p1,h2:p2``) must accept a connection quickly."""
    if not master.startswith("spark://"):
        return
    problems = []
    for hostport in master.removeprefix("spark://").split(","):
        host, _, port = hostport.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=CONNECT_TIMEOUT):
                return
        except (OSError, ValueError) as exc:
            problems.append(f"{hostport}: {getattr(exc, 'strerror', None) or exc}")
    raise ConfigError(ERR_MASTER_UNREACHABLE, master=master, reason="; ".join(problems),
                      seconds=f"{CONNECT_TIMEOUT:g}")


def _config(master: str) -> dict[str, str]:
    settings = get_settings()
    local = master.startswith("local")
    conf = {
        "spark.app.name": "algorithm-governance-sandbox",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.warehouse.dir": str(settings.home / "spark-warehouse"),
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG}",
        "spark.network.timeout": "120s",
        "spark.python.worker.reuse": "true",
        "spark.executorEnv.PYSPARK_PYTHON": sys.executable,
        # CSV charsets beyond UTF-8/16/32 and Latin-1 (GB18030 ⊃ GBK: government exports); Spark 4 refuses them otherwise.
        "spark.sql.legacy.javaCharsets": "true",
    }
    if local:
        conf.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                     "spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "4"})
        from ._sizing import default_driver_memory

        heap = default_driver_memory()  # Spark's 1 GB did not hold a 10M-row de-identification
        if heap and "spark.driver.memory" not in settings.spark_conf:
            conf["spark.driver.memory"] = heap
    conf.update(settings.spark_conf)
    return conf


def spark_session(*, master: str | None = None) -> SparkSession:
    """The process's SparkSession (created on first use, reused afterwards).

    Parameters
    ----------
    master : str, optional
        Spark master URL; default ``SANDBOX_SPARK_MASTER`` (``local[*]``).

    Raises
    ------
    ConfigError
        ``engines.errors.java_missing`` without Java,
        ``engines.errors.master_unreachable`` when a ``spark://`` master does
        not answer, ``engines.errors.spark_start`` when Spark fails to start.
    """
    master = master or get_settings().spark_master
    with _lock:
        session = _state["session"]
        if session is not None and _state["master"] == master:
            try:
                stopped = session.sparkContext._jsc.sc().isStopped()
            except Exception:  # the JVM is gone (killed, or out of memory): PySpark keeps its dead gateway
                _state.update(session=None, master=None)
                session = None
                _forget_dead_jvm()
                stopped = True
            if not stopped:
                return session
        _java()
        _check_master(master)
        if session is not None:
            _stop_locked()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        quiet_pandas_warning()
        quiet_interrupted_py4j()
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(master)
        for key, value in _config(master).items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
            alive = session.sparkContext._jsc.sc().isStopped() is False
        except Exception as exc:  # the JVM's reason, first line only
            if _jvm_dead():
                _forget_dead_jvm()
                raise ConfigError(ERR_JVM_GONE, master=master) from exc
            raise ConfigError(ERR_SPARK_START, master=master, reason=str(exc).strip().splitlines()[0][:300]) from exc
        if not alive:
            raise ConfigError(ERR_JVM_GONE, master=master)
        session.sparkContext.setLogLevel("ERROR")
        _state.update(session=session, master=master)
        return session


def _jvm_dead() -> bool:
    """Whether PySpark holds a gateway whose Java process has exited."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    process = getattr(gateway, "proc", None)
    return gateway is not None and process is not None and process.poll() is not None


def _forget_dead_jvm() -> None:
    """Drop PySpark's handles on a Java process that has exited, so that the next session starts a new one.

    PySpark keeps the gateway in class attributes for the life of the process: after an OutOfMemoryError, the
    OOM killer or a SIGTERM to the process group had ended the JVM, every later session in that process (a
    workbench serving many people) failed until someone restarted it. Only a gateway whose process has
    exited is dropped.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if not _jvm_dead():
        return
    with SparkContext._lock:
        gateway = SparkContext._gateway
        SparkContext._active_spark_context = None
        SparkContext._gateway = None
        SparkContext._jvm = None
    SparkSession._instantiatedSession = None
    SparkSession._activeSession = None
    try:  # the Python side of the old gateway (its callback server, sockets); the JVM is already gone
        gateway.shutdown()  # type: ignore[union-attr]
    except Exception:
        pass


def _stop_locked() -> None:
    session = _state["session"]
    _state.update(session=None, master=None)
    if session is not None:
        try:
            session.stop()
        except Exception:  # pragma: no cover - stopping a broken JVM
            pass


def stop_spark() -> None:
    """Stop the process's SparkSession, if one was started."""
    with _lock:
        _stop_locked()


atexit.register(stop_spark)


def to_pandas(frame: Any) -> Any:
    """``frame.toPandas()`` without PySpark 4.3's pandas-3 notices (its own ``copy=`` keyword use)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        return frame.toPandas()


def plain_strings(frame: Any) -> Any:
    """A pandas frame for ``mapInPandas`` to return: pandas 3 text columns as plain objects.

    PySpark 4.3 cannot yet convert pandas 3's Arrow-backed ``str`` columns
    (``Cannot convert ChunkedArray to Array``); object columns of ``str`` work.
    """
    for column in frame.columns:
        if frame[column].dtype == "str" or str(frame[column].dtype).startswith("string"):
            frame[column] = frame[column].astype(object)
    return frame
