"""Will a table fit in this process's memory? Refuse before reading, not after the kernel's OOM killer.

A province's export (10M rows, 1 GB of CSV) read whole by pandas and de-identified
needs many times its size in memory. When that is more than the machine has free,
the kernel kills the process (SIGKILL: no message, no clean-up, possibly another
user's process first). So the pandas engine estimates the peak before it reads
and refuses with a message naming the file, the estimate, what is free and the
Spark engine, which streams the table instead.

The estimate is ``base + per_byte[work] × table bytes``: table bytes are what the
table takes as a pandas frame (Arrow strings), from the file's size (CSV: UTF-8
bytes × 1.7; GBK files are counted 1.15×) or a Parquet file's footer and dictionaries (:mod:`sandbox._parquet`);
``per_byte`` is the measured peak per byte of each service (``benchmarks/bench_scale.py``
checks estimate ≥ peak). What is free: ``MemAvailable`` of
``/proc/meminfo``, lowered by a cgroup memory limit or an address-space limit.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Literal

from sandbox.errors import InputError

__all__ = ["Work", "available_bytes", "estimate_bytes", "require_memory"]

Work = Literal["read", "audit", "scan", "deid", "release"]
"""What will be done with the table once read (each keeps different copies of it)."""

# Peak resident memory per byte of the table as a pandas frame, measured (scale helper, session 7, 低保 exports of
# 1M–10M rows; the frame is 1.7× a UTF-8 CSV): reading a CSV peaks at 2.2× the frame (its bytes + parser buffers;
# GBK 2.8×: the decoded text and its UTF-8 copy),
# the audit at 2.4× (10M rows: 4.05 GB), the DP histogram at 1.4×, the scan at 4.2× (1M rows, 2.9M findings kept
# as objects), de-identification at 8.4× (1M: 2.18 GB, 2M: 3.75 GB — a copy of the table, per-value findings,
# the output and its re-scan). The factors below keep ~20–40 % above those.
# The DP release's base grew in session 8: before ε is reserved its group keys are scanned for personal
# information (privacy._public_keys), which loads the PII detector and the name model (+~190 MB resident).
# Measured in session 9 (bench_scale, Parquet, keys from data): 2,000 rows peak 569 MB, 0.1M rows 641 MB —
# with a 500 MB base the guard's estimate was 0.88× / 0.86× the peak; 700 MB gives 1.23× / 1.17×.
PER_BYTE: dict[Work, float] = {"read": 3.0, "audit": 3.5, "scan": 6.0, "deid": 10.0, "release": 3.0}
BASE_BYTES: dict[Work, int] = {"read": 300 << 20, "audit": 500 << 20, "scan": 900 << 20, "deid": 900 << 20,
                               "release": 700 << 20}
# A frame of Arrow strings holds ~1.7× a CSV's UTF-8 bytes (offsets, validity, int64 lengths per cell).
_CSV_FRAME = 1.7
_GBK_TO_UTF8 = 1.15  # Chinese: 2 bytes in GBK, 3 in UTF-8; digits and commas the same
_EXCEL_FRAME = 12.0  # .xlsx is zipped XML, read into Python objects


def _parquet_bytes(path: Path) -> int | None:
    """The frame's size from the file's footer and dictionaries (:func:`sandbox._parquet.parquet_footprint`:
    never by decoding rows — the first rows of a crafted file can be gigabytes)."""
    from sandbox._parquet import parquet_footprint

    try:
        return parquet_footprint(path).decoded
    except InputError:  # refused: read_table checks the file first and says why
        return None


def estimate_bytes(path: Path, *, kind: str, work: Work, encoding_hint: bytes = b"",
                   frame_bytes: int | None = None) -> int:
    """Estimated peak resident memory (bytes) of ``work`` on the table in ``path`` with the pandas engine.

    ``frame_bytes``: the table's size as a frame when the caller measured it already (a Parquet footprint).
    """
    size = path.stat().st_size
    if frame_bytes is not None:
        frame = frame_bytes
    elif kind == "parquet":
        frame = _parquet_bytes(path) or size * 3
    elif kind == "excel":
        frame = size * _EXCEL_FRAME
    else:
        utf8 = size
        if encoding_hint and not _is_utf8(encoding_hint):
            utf8 = size * _GBK_TO_UTF8
        frame = utf8 * _CSV_FRAME
    return int(BASE_BYTES[work] + PER_BYTE[work] * frame)


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the sample's end
    return True


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_bytes() -> int | None:
    """Memory this process may still take: MemAvailable, lowered by cgroup / RLIMIT_AS limits (None: unknown)."""
    free: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                free = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        return None
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:
            free = min(free, limit - usage) if free is not None else limit - usage
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and free is not None:
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[0])
            free = min(free, soft - pages * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError):
            pass
    return None if free is None else max(free, 0)


def _resident_bytes() -> int:
    """This process's resident memory now (0 when unknown)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def require_memory(path: Path, *, kind: str, work: Work, file: str, head: bytes = b"",
                   frame_bytes: int | None = None) -> None:
    """Refuse (``errors.not_enough_memory``) a table whose ``work`` would not fit in the memory free now.

    Raises
    ------
    InputError
        Naming the file, its size, the estimate, what is free and the Spark engine.
    """
    free = available_bytes()
    if free is None:
        return
    # The base is the whole process's peak without the table (libraries, the name model): what of it is resident
    # already (a workbench or a long CLI run has loaded them) is not needed again, only the rest and the table.
    need = estimate_bytes(path, kind=kind, work=work, encoding_hint=head, frame_bytes=frame_bytes) \
        - min(_resident_bytes(), BASE_BYTES[work])
    if need > free:
        raise InputError("errors.not_enough_memory", file=file, size_mb=path.stat().st_size // 2**20,
                         need_gb=f"{need / 2**30:.1f}", free_gb=f"{free / 2**30:.1f}")
