"""Spark's memory and shuffle partitions sized from the machine and the input — or refused before the job.

Spark's defaults (a 1 GB driver heap; the sandbox's 4 local shuffle partitions) did not hold a 10M-row
de-identification: the JVM died "Java heap space" after minutes (session 7: 10M rows ran with 8 GB and 64
partitions). Now, on a local master:

* the driver heap is half of the memory free when the JVM starts (1–16 GB), unless
  ``SANDBOX_SPARK_CONF`` sets ``spark.driver.memory``;
* before a de-identification or a scan, the input's decoded size gives the heap it needs; a heap too small is
  refused *before anything runs or is written*, naming the settings to use (or a cluster, when this machine
  does not have that memory); the shuffle partitions follow the input (one per ~32 MB decoded), unless set.

The driver collects every distinct value of the table for the column profiles (``collectToPython``): live heap
measured with GC logs on the 1M-row province export (177 MB decoded, 4 partitions): at most 687 MiB after a
collection on a 1 GB heap. ``HEAP_BASE + HEAP_PER_BYTE × decoded`` (791 MiB there) keeps ~15 % above that, and
agrees with 10M rows (1.77 GB decoded: 6.0 GiB estimated; 1 GB died, 8 GB ran).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sandbox.errors import InputError
from sandbox.settings import get_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["HEAP_BASE", "HEAP_PER_BYTE", "default_driver_memory", "heap_needed", "size_spark_job", "source_bytes"]

GIB = 1 << 30
HEAP_BASE = 200 << 20
HEAP_PER_BYTE = 3.5
PARTITION_BYTES = 32 << 20
MAX_AUTO_HEAP_GIB = 16
_CSV_FRAME = 1.7  # as the pandas guard (sandbox._memory): text cells take ~1.7× a UTF-8 CSV
_GB18030 = 1.15


def default_driver_memory() -> str | None:
    """Half the memory free now, in whole GiB (1–16), for a local master's JVM; None when unknown."""
    from sandbox._memory import available_bytes

    free = available_bytes()
    if free is None:
        return None
    return f"{max(1, min(MAX_AUTO_HEAP_GIB, free // 2 // GIB))}g"


def source_bytes(source: str | Path) -> int | None:
    """The decoded size of a local Parquet/CSV source (file or folder); None for a table or a remote URI."""
    from sandbox._parquet import parquet_footprint

    from ._sources import URI, _data_files, _kind, is_table_name

    text = str(source)
    if is_table_name(text) or (URI.match(text) and not text.startswith("file:")):
        return None
    kind = _kind(text)
    total = 0
    for file in _data_files(Path(text.removeprefix("file://"))):
        if kind == "parquet":
            total += parquet_footprint(file, file=file.name).decoded
        else:
            with file.open("rb") as handle:
                head = handle.read(4096)
            try:
                head.decode("utf-8")
                factor = _CSV_FRAME
            except UnicodeDecodeError:  # a multi-byte character cut at 4096 is still UTF-8: near enough
                factor = _CSV_FRAME * _GB18030
            total += int(file.stat().st_size * factor)
    return total


def heap_needed(decoded: int) -> int:
    """Driver heap (bytes) a de-identification or scan of a table of ``decoded`` bytes needs on a local master."""
    return int(HEAP_BASE + HEAP_PER_BYTE * decoded)


def _gib(n: float) -> str:
    return f"{n / GIB:.1f}"


def size_spark_job(session: SparkSession, source: str | Path, *, work: Literal["deid", "scan"]) -> None:
    """Set the shuffle partitions for ``source`` and refuse a heap too small for it (``engines.errors.heap_*``).

    Only local masters are checked (a cluster's executors hold the data; its driver is sized by its operator).
    Called after the session started and before any output exists.
    """
    from sandbox._memory import available_bytes

    from ._session import _state

    decoded = source_bytes(source)
    if decoded is None:
        return
    conf = get_settings().spark_conf
    partitions = max(4, min(512, math.ceil(decoded / PARTITION_BYTES)))
    if "spark.sql.shuffle.partitions" not in conf:
        session.conf.set("spark.sql.shuffle.partitions", str(partitions))
    master = str(_state.get("master") or "")
    if not master.startswith("local"):
        return
    heap = int(session.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory())
    need = heap_needed(decoded)
    if need <= heap:
        return
    memory = f"{math.ceil(need / GIB)}g"
    params = {"source": Path(str(source)).name, "decoded": _gib(decoded), "need": _gib(need), "heap": _gib(heap),
              "memory": memory, "partitions": partitions, "work": work}
    free = available_bytes()
    if free is not None and need > free:
        raise InputError("engines.errors.heap_beyond_machine", free=_gib(free), **params)
    raise InputError("engines.errors.heap_too_small", **params)
