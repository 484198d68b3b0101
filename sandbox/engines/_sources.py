"""Large sources for the Spark engine: a Parquet/CSV file or folder, or a table name.

A path (local, or a URI such as ``hdfs://…``/``s3a://…``) is read by its files'
suffix: Parquet, or CSV with a header row (UTF-8; every value read as text so
that the same cleaning functions as the pandas engine decide what a value
means). A dotted identifier (``db.table``) that is not a path is read with
``spark.table`` (a Hive table when ``spark.sql.catalogImplementation=hive``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["ERR_SOURCE_EMPTY", "ERR_SOURCE_MISSING", "ERR_SOURCE_TYPE", "ERR_TABLE_MISSING", "is_table_name",
           "read_source", "require_source_columns", "source_fingerprint", "source_label"]

ERR_SOURCE_MISSING = "engines.errors.source_missing"
ERR_SOURCE_TYPE = "engines.errors.source_type"
ERR_SOURCE_EMPTY = "engines.errors.source_empty"
ERR_TABLE_MISSING = "engines.errors.table_missing"
ERR_COLUMN_MISSING = "errors.column_missing"
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")
URI = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
KINDS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv"}


def is_table_name(source: str) -> bool:
    """``db.table`` style identifiers that are not an existing path."""
    return bool(TABLE_NAME.match(source)) and not Path(source).exists()


def _data_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))


def _kind(source: str) -> str:
    if URI.match(source) and not source.startswith("file:"):
        suffix = Path(source.rstrip("/")).suffix.lower()
        return KINDS.get(suffix, "parquet")
    path = Path(source.removeprefix("file://"))
    if not path.exists():
        raise InputError(ERR_SOURCE_MISSING, source=source)
    files = _data_files(path)
    kinds = {KINDS.get(p.suffix.lower()) for p in files}
    if not files:
        raise InputError(ERR_SOURCE_EMPTY, source=source)
    if len(kinds) != 1 or None in kinds:
        found = ", ".join(sorted({p.suffix or p.name for p in files})[:6])
        raise InputError(ERR_SOURCE_TYPE, source=source, found=found)
    return kinds.pop()  # type: ignore[return-value]


def read_source(session: SparkSession, source: str | Path) -> DataFrame:
    """A Spark DataFrame over ``source`` (path or table name), columns named as in the file."""
    text = str(source)
    if is_table_name(text):
        try:
            return session.table(text)
        except Exception as exc:
            raise InputError(ERR_TABLE_MISSING, table=text) from exc
    kind = _kind(text)
    reader = session.read
    if kind == "csv":
        frame = (reader.option("header", "true").option("inferSchema", "false").option("encoding", "UTF-8")
                 .option("multiLine", "true").option("escape", '"').csv(text))
        renamed = [c.lstrip("\ufeff").strip() for c in frame.columns]
        if renamed != frame.columns:
            frame = frame.toDF(*renamed)
        return frame
    return reader.parquet(text)


def require_source_columns(frame: DataFrame, wanted: dict[str, str | None], *, source: str) -> None:
    """Every named column exists (``wanted``: purpose → column name)."""
    present = set(frame.columns)
    for purpose, column in wanted.items():
        if column is not None and column not in present:
            raise InputError(ERR_COLUMN_MISSING, file=source, column=column, purpose=purpose,
                             available=", ".join(frame.columns[:30]))


def source_label(source: str | Path) -> str:
    """How a source is named in reports: a folder's/file's name, or the table name."""
    text = str(source)
    return text if is_table_name(text) or URI.match(text) else Path(text).name


def source_fingerprint(source: str | Path) -> str:
    """SHA-256 over a path's data files (relative name + content), or over ``table:<name>``.

    A table has no file to hash here; its fingerprint names it (and says so by
    the ``table:`` prefix in what is hashed).
    """
    text = str(source)
    digest = hashlib.sha256()
    if is_table_name(text) or URI.match(text):
        digest.update(f"table:{text}".encode())
        return digest.hexdigest()
    root = Path(text)
    for file in _data_files(root):
        digest.update(str(file.relative_to(root) if root.is_dir() else file.name).encode() + b"\0")
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()
