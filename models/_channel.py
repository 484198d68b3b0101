"""The channel back from the sandbox: what the host accepts from vendor-controlled bytes.

Everything that comes out of a sandboxed run was written by a process that ran vendor
code, so it is hostile input. Predictions come back in a deliberately plain format
(:data:`FORMAT`) that the host can check *before* allocating anything: a small JSON
header (at most :data:`MAX_HEADER` bytes) naming the row count and, per column, a numpy
dtype from a short allow-list (bool, int64, float64, fixed-width text of at most
:data:`MAX_LABEL_CHARS` characters; the size check, not this cap, is what bounds memory: at most the
output cap), followed by the columns' raw bytes. The host refuses
unless the header is well formed, the row count is the one it asked for, and the file
is exactly as long as the header says; only then does it read, with ``numpy.frombuffer``
(never a pickle, never object arrays). Parquet was the format before: a 473-byte
Parquet file decoded to 2 GB (dictionary and run-length encodings, compression), so the
host could be made to exhaust its memory by a file far below the output cap.

The child (``models/_child.py``, self-contained) writes the same format; keep the two in
step. Status JSON and any vendor text that reaches a message go through
:func:`read_status` and :func:`vendor_text` (bounded, nesting-safe, control characters shown
as escapes so a message cannot rewrite a terminal or forge lines).
"""

from __future__ import annotations

import json
import os
import re
import struct
from typing import Any

import numpy as np
import pandas as pd

from models._vendor_text import vendor_text
from sandbox.errors import InputError

__all__ = ["FORMAT", "MAX_HEADER", "MAX_LABEL_CHARS", "read_predictions", "read_status", "vendor_text"]

FORMAT = "sandbox-predictions/1"
MAX_HEADER = 4096
MAX_LABEL_CHARS = 2000
COLUMNS = ("预测", "评分")
_TEXT = re.compile(r"^<U([1-9][0-9]{0,8})$")
_FIXED = {"|b1": np.dtype("?"), "<i8": np.dtype("<i8"), "<f8": np.dtype("<f8")}


def read_status(raw: bytes) -> dict[str, Any]:
    """The child's status JSON, or ``{}`` when it is not a small, shallow JSON object."""
    try:
        data = json.loads(raw.decode("utf-8", "replace") or "null")
    except (ValueError, RecursionError):  # deeply nested JSON raises RecursionError, not ValueError
        return {}
    return data if isinstance(data, dict) else {}


def _bad(label: str, reason: str) -> InputError:
    return InputError("models.child_output_bad", model=label, reason=reason)


def _dtype(name: object, label: str, column: str) -> np.dtype:
    if isinstance(name, str) and name in _FIXED:
        return _FIXED[name]
    match = _TEXT.match(name) if isinstance(name, str) else None
    if match and int(match.group(1)) <= MAX_LABEL_CHARS:
        return np.dtype(name)
    if match:
        raise _bad(label, f"{column}: text longer than {MAX_LABEL_CHARS} characters")
    raise _bad(label, f"{column}: type {vendor_text(name, 40)} not allowed")


def _header(fd: int, size: int, label: str) -> tuple[dict[str, Any], int]:
    if size < 4:
        raise _bad(label, "empty")
    (length,) = struct.unpack("<I", os.pread(fd, 4, 0))
    if not 0 < length <= MAX_HEADER or 4 + length > size:
        raise _bad(label, "header")
    header = read_status(os.pread(fd, length, 4))
    if header.get("format") != FORMAT or not isinstance(header.get("columns"), list):
        raise _bad(label, "header")
    return header, 4 + length


def read_predictions(fd: int, *, rows: int, label: str) -> pd.DataFrame:
    """Read and check the predictions the child wrote to ``fd``: exactly ``rows`` rows of ``预测`` (+ ``评分``).

    Raises
    ------
    InputError
        ``models.child_rows`` (another row count), ``models.child_output_bad`` (anything else:
        header, column names, types, size, text too long, scores not finite).
    """
    size = os.fstat(fd).st_size
    header, offset = _header(fd, size, label)
    got = header.get("rows")
    if not isinstance(got, int) or isinstance(got, bool) or got < 0:
        raise _bad(label, "header")
    if got != rows:
        raise InputError("models.child_rows", model=label, expected=rows, got=got)
    columns = header["columns"]
    names = [c.get("name") if isinstance(c, dict) else None for c in columns]
    if not names or names[0] != COLUMNS[0] or len(names) > 2 or len(set(names)) != len(names) \
            or any(n not in COLUMNS for n in names):
        shown = ", ".join(vendor_text(n, 40) for n in names[:5])
        raise _bad(label, f"columns [{shown}] (expected 预测 and optionally 评分)")
    dtypes = [_dtype(c.get("dtype"), label, c["name"]) for c in columns]
    expected = offset + sum(rows * d.itemsize for d in dtypes)
    if size != expected:
        raise _bad(label, f"size {size} bytes, header says {expected}")
    out = {}
    for name, dtype in zip(names, dtypes, strict=True):
        length = rows * dtype.itemsize
        values = np.frombuffer(os.pread(fd, length, offset), dtype=dtype) if length else np.empty(0, dtype)
        offset += length
        if name == "评分":
            if dtype.kind == "U":
                raise _bad(label, "评分: not a number")
            values = values.astype("float64")
            bad = ~np.isfinite(values) & ~np.isnan(values)
            if bad.any():
                raise _bad(label, f"评分: row {int(bad.argmax()) + 1} is {values[bad.argmax()]}")
        out[name] = values.astype(object) if dtype.kind == "U" else values.copy()
    return pd.DataFrame(out)
