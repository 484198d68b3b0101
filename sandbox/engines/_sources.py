"""Large sources for the Spark engine: a Parquet/CSV file or folder, or a table name.

A path (local, or a URI such as ``hdfs://…``/``s3a://…``) is read by its files'
suffix: Parquet, or CSV with a header row (every value read as text so that
the same cleaning functions as the pandas engine decide what a value means).
A local CSV's encoding is checked over every byte before Spark reads it —
UTF-8 (with or without BOM), GB18030 (⊃ GBK, what government systems export)
or UTF-16 with its BOM — and its delimiter sniffed like the pandas engine's:
Spark itself would read GBK as UTF-8 without a word, turning every name into
U+FFFD (a scan then finds no names and the de-identification "succeeds").
Files in one folder must agree; a file in no such encoding is refused naming
it and the line. Remote URIs are read as UTF-8 with ``,`` (stated in the docs). A dotted identifier (``db.table``) that is not a path is read with
``spark.table`` (a Hive table when ``spark.sql.catalogImplementation=hive``).
"""

from __future__ import annotations

import codecs
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


_CHUNK = 8 << 20
_SPARK_CHARSETS = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}


def _file_encoding(path: Path) -> tuple[str, str]:
    """(Python codec, first 64 KB decoded) of a local CSV, every byte checked; else an InputError naming the line."""
    from sandbox.tabular import encodings_for

    with path.open("rb") as handle:
        candidates = encodings_for(handle.read(4))
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        sample, lines, failed = "", 1, False
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    failed, lines = True, lines + chunk[: exc.start].count(b"\n")
                    break
                lines += chunk.count(b"\n")
                if len(sample) < 65536:
                    sample += text[: 65536 - len(sample)]
            else:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    failed = True
        if not failed:
            return encoding, sample
    raise InputError("errors.file_encoding", file=path.name, tried=", ".join(candidates), line=lines)


def _csv_options(source: str) -> dict[str, str]:
    """Spark CSV options for ``source``: encoding and delimiter of its local files (they must agree)."""
    from sandbox.tabular import sniff_delimiter

    if URI.match(source) and not source.startswith("file:"):
        return {"encoding": "UTF-8", "sep": ","}
    found: dict[tuple[str, str], str] = {}
    for file in _data_files(Path(source.removeprefix("file://"))):
        encoding, sample = _file_encoding(file)
        found.setdefault((_SPARK_CHARSETS[encoding], sniff_delimiter(sample)), file.name)
    if len(found) != 1:
        described = "; ".join(f"{name}: {enc} {sep!r}" for (enc, sep), name in found.items())
        raise InputError("engines.errors.source_mixed", source=source, found=described)
    ((encoding, sep),) = found
    return {"encoding": encoding, "sep": sep}


def read_source(session: SparkSession, source: str | Path) -> DataFrame:
    """A Spark DataFrame over ``source`` (path or table name), columns named as in the file."""
    text = str(source)
    if is_table_name(text):
        try:
            return session.table(text)
        except Exception as exc:
            raise InputError(ERR_TABLE_MISSING, table=text) from exc
    kind = _kind(text)
    if kind == "parquet" and (not URI.match(text) or text.startswith("file:")):
        from sandbox._parquet import parquet_footprint

        for file in _data_files(Path(text.removeprefix("file://"))):  # each local part measured from its footer:
            parquet_footprint(file, file=file.name)  # a < 2 MB part that decodes to terabytes would stall the job
    reader = session.read
    if kind == "csv":
        options = _csv_options(text)
        frame = (reader.option("header", "true").option("inferSchema", "false").options(**options)
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
