"""Output folders of Spark jobs: a local/shared-mount path or a Hadoop URI, written atomically.

Spark's executors write the result files, so the output must be a folder
they all see: a shared mount (``/mnt/share/…``, taken as ``file://``) or a
Hadoop file system URI (``hdfs://``, ``s3a://``, ``file://`` and the other
schemes in :data:`SCHEMES`). :func:`spark_output` gives the job a temporary
sibling ``<out>._tmp-<host>-<pid>-<random>`` (those of this host's dead processes — a SIGKILL — are deleted
first); the driver renames it onto ``<out>`` through
the JVM's Hadoop ``FileSystem`` only when the whole block succeeded (job,
re-scan, checks). On any failure the temporary folder is deleted and nothing
is at ``<out>``. An existing ``<out>`` is refused before anything runs.

On HDFS and local disks the rename is atomic; on object stores (``s3a``,
``gs``, ``abfs``, ``oss``, ``cosn``, ``obs``) a folder rename is a copy, so
``<out>`` fills while the rename runs (it still only starts after every check
passed).
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["ERR_OUT_EXISTS", "ERR_OUT_FS", "ERR_OUT_SCHEME", "SCHEMES", "OutputFolder", "is_output_uri",
           "output_uri", "spark_output"]

ERR_OUT_EXISTS = "engines.errors.out_exists"
ERR_OUT_SCHEME = "engines.errors.out_scheme"
ERR_OUT_FS = "engines.errors.out_fs"
SCHEMES = ("file", "hdfs", "viewfs", "s3a", "abfs", "abfss", "gs", "oss", "cosn", "obs")
_URI = re.compile(r"^([a-z][a-z0-9+.-]*):/", re.IGNORECASE)


def is_output_uri(out: str | Path) -> bool:
    """``out`` names a scheme (``hdfs://…``, ``file:/…``) rather than a plain path."""
    return isinstance(out, str) and bool(_URI.match(out)) and not Path(out).exists()


def output_uri(out: str | Path) -> str:
    """The fully qualified location Spark writes to: a plain path becomes ``file://<absolute path>``.

    Plain paths are qualified so that a cluster whose default file system is
    HDFS still writes them to the shared mount the user named.

    Raises
    ------
    InputError
        ``engines.errors.out_scheme`` for a scheme Hadoop does not write (``http://`` …).
    """
    text = str(out).strip()
    if not is_output_uri(text):
        return "file://" + str(Path(text).expanduser().absolute())
    scheme = _URI.match(text).group(1).lower()  # type: ignore[union-attr]
    if scheme not in SCHEMES:
        raise InputError(ERR_OUT_SCHEME, out=text, scheme=scheme, schemes=", ".join(f"{s}://" for s in SCHEMES))
    return text.rstrip("/")


@dataclass(frozen=True)
class OutputFolder:
    """The temporary folder a Spark job fills (``uri``) and the folder it becomes (``final``)."""

    session: Any
    uri: str
    final: str

    def child(self, name: str) -> str:
        """The URI of ``name`` inside the temporary folder (what Spark writes to)."""
        return f"{self.uri}/{name}"

    def _path(self, uri: str) -> Any:
        return self.session._jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, uri: str) -> Any:
        return self._path(uri).getFileSystem(self.session._jsc.hadoopConfiguration())

    def exists(self, name: str) -> bool:
        """Whether ``name`` exists in the folder."""
        uri = self.child(name)
        return bool(self._fs(uri).exists(self._path(uri)))

    def move(self, name: str, to: str) -> None:
        """Rename ``name`` to ``to`` inside the folder."""
        source, target = self.child(name), self.child(to)
        if not self._fs(source).rename(self._path(source), self._path(target)):
            raise InputError(ERR_OUT_FS, out=self.final, reason=f"rename {name} → {to}")

    def mkdir(self, name: str) -> None:
        """Create the (empty) folder ``name``."""
        uri = self.child(name)
        self._fs(uri).mkdirs(self._path(uri))

    def delete(self, name: str) -> None:
        """Remove ``name`` (recursively)."""
        uri = self.child(name)
        self._fs(uri).delete(self._path(uri), True)

    def write_text(self, name: str, text: str) -> None:
        """Write a small UTF-8 text file (a report) into the folder."""
        uri = self.child(name)
        if uri.startswith("file:"):  # the driver's own disk: no Hadoop checksum file beside it
            Path(self._path(uri).toUri().getPath()).write_text(text, encoding="utf-8")
            return
        stream = self._fs(uri).create(self._path(uri), False)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()


@contextmanager
def spark_output(session: SparkSession, out: str | Path) -> Iterator[OutputFolder]:
    """A temporary sibling folder ``<out>._tmp-<host>-<pid>-<random>``, renamed onto ``out`` when the block succeeds.

    Raises
    ------
    InputError
        ``engines.errors.out_exists`` when ``out`` exists (before anything
        runs, and again just before the rename); ``engines.errors.out_scheme``
        for an unknown scheme; ``engines.errors.out_fs`` when the file system
        cannot be reached or refuses the rename (``reason`` says why).
    """
    final = output_uri(out)
    jvm = session._jvm
    conf = session._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(final)
    mark = f"{final}._tmp-{_HOST}-"
    tmp_uri = f"{mark}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    tmp = jvm.org.apache.hadoop.fs.Path(tmp_uri)
    try:
        fs = target.getFileSystem(conf)
        _sweep_dead(jvm, fs, mark)
        if fs.exists(target):
            raise InputError(ERR_OUT_EXISTS, path=str(out))
        if not fs.mkdirs(tmp):
            raise InputError(ERR_OUT_FS, out=str(out), reason=f"mkdirs {tmp_uri}")
    except InputError:
        raise
    except Exception as exc:  # py4j: the JVM's reason (no connector for the scheme, host unknown …)
        raise InputError(ERR_OUT_FS, out=str(out), reason=_reason(exc)) from exc
    try:
        yield OutputFolder(session=session, uri=tmp_uri, final=str(out))
        if fs.exists(target):
            raise InputError(ERR_OUT_EXISTS, path=str(out))
        if not fs.rename(tmp, target):
            raise InputError(ERR_OUT_FS, out=str(out), reason=f"rename {tmp_uri} → {final}")
    finally:
        try:
            if fs.exists(tmp):
                fs.delete(tmp, True)
        except Exception:  # pragma: no cover - the file system went away; the error above says why
            pass


# This machine's name in a temporary's name: a sweep touches only temporaries of this machine's dead processes.
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def _sweep_dead(jvm: Any, fs: Any, mark: str) -> None:
    """Delete ``<out>._tmp-<this host>-<pid>-*`` folders whose process is gone.

    SIGKILL (the OOM killer, ``kill -9``) skips the clean-up below: the half-written temporary stayed beside
    the output for good. A run in progress (its process alive) and other machines' runs keep theirs.
    """
    from sandbox.files import process_alive

    for status in fs.globStatus(jvm.org.apache.hadoop.fs.Path(mark + "*")) or []:
        pid = status.getPath().getName().rpartition(mark.rpartition("/")[2])[2].partition("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            fs.delete(status.getPath(), True)


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "java_exception", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]
