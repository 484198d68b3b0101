"""How big is a Parquet file once decoded? Measured from its footer before anything is decoded.

A Parquet file says little about its decoded size on disk: 300 rows pointing at one 8 MB dictionary
value are < 2 MB on disk and 2.4 GB in memory; 100,000 rows pointing at one 64 MB value (212 KB on
disk) are 6.7 TB. ``DELTA_BYTE_ARRAY`` (each value shares a prefix of the previous one) does the same
without a dictionary. :func:`parquet_footprint` bounds the decoded size cheaply and measures only
where the bound is too loose:

1. the footer alone (no data page read): rows, columns (more than ``MAX_COLUMNS`` refused), nested
   columns refused (a table people upload is flat), every fixed-width column as rows × width and
   every plain text column by its uncompressed size (no expansion is possible there);
2. each row group's dictionaries (the dictionary page and one row: a few ms): a dictionary-encoded
   text column decodes to at most rows × its longest dictionary value (+ its uncompressed size for
   pages that fell back to plain);
3. only when that bound exceeds the limit (``max(2 GiB, 64 × the file)``), the dictionary-encoded
   columns responsible are measured exactly (lengths of the values the rows point at, never the rows
   themselves), stopping as soon as the limit is passed. ``DELTA_BYTE_ARRAY`` columns (rare: Parquet
   v2 writers) are always measured, in batches small enough that none can exceed 64 MB.

A file over the limit is refused (``errors.parquet_expands``, naming the file, the column and what to
do); otherwise the decoded size is the memory guard's frame size (:mod:`sandbox._memory`).
Residual risk, as for any Parquet reader: page headers that contradict the footer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import InputError

__all__ = ["EXPANSION", "Expands", "Footprint", "expand_limit", "parquet_footprint"]

EXPANSION = 64  # a real export decodes to 3–30× its Parquet size (dictionary-encoded 街道/年龄段: ~30×)
MIN_LIMIT = 2 * 1024**3
MAX_FOOTER = 64 * 1024**2
_BATCH_BUDGET = 64 * 1024**2  # DELTA_BYTE_ARRAY measured in batches that cannot exceed this
_FIXED = {"BOOLEAN": 1, "INT32": 8, "INT64": 8, "INT96": 8, "FLOAT": 8, "DOUBLE": 8}  # as pandas holds them
_OFFSET = 4  # an Arrow string's offset per value


class Expands(InputError):
    """``errors.parquet_expands``, with the decoded size reached (bytes) and the column most of it is in."""

    def __init__(self, key: str, /, *, decoded: int, **params: object) -> None:
        super().__init__(key, **params)
        self.decoded = decoded


@dataclass(kw_only=True)
class Footprint:
    """Rows, columns and the decoded size (bytes) of a Parquet file; ``measured`` names the columns read."""

    rows: int
    columns: int
    decoded: int
    bound: int
    measured: list[str] = field(default_factory=list)


def expand_limit(size: int) -> int:
    """The largest decoded size accepted for a file of ``size`` bytes."""
    return max(MIN_LIMIT, EXPANSION * size)


def _footer_length(path: Path) -> int:
    with path.open("rb") as handle:
        handle.seek(-8, 2)
        tail = handle.read(8)
    return int.from_bytes(tail[:4], "little") if tail[4:] == b"PAR1" else -1


def _open(path: Path, name: str) -> Any:
    import pyarrow.parquet as pq

    try:
        if path.stat().st_size < 12 or _footer_length(path) < 0:
            raise ValueError("not a Parquet file")
        if _footer_length(path) > MAX_FOOTER:
            raise InputError("errors.parquet_footer", file=name, size_mb=_footer_length(path) // 2**20,
                             max_mb=MAX_FOOTER // 2**20)
        return pq.ParquetFile(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("errors.file_parse", file=name, reason=type(exc).__name__) from exc


def parquet_footprint(path: str | Path, *, file: str | None = None, limit: int | None = None) -> Footprint:
    """Decoded size of a Parquet file, refusing one that would decode to more than ``limit``.

    Parameters
    ----------
    path : str or Path
        The file.
    file : str, optional
        Name for messages (an upload's original name).
    limit : int, optional
        Default :func:`expand_limit` of the file's size.

    Raises
    ------
    InputError
        ``errors.parquet_expands`` (file, decoded size, the column, what to do), ``errors.parquet_nested``,
        ``errors.too_many_columns``, ``errors.parquet_footer``, ``errors.file_parse``.
    """
    import pyarrow as pa

    from sandbox.tabular import MAX_COLUMNS

    path = Path(path)
    name = file or path.name
    limit = expand_limit(path.stat().st_size) if limit is None else limit
    handle = _open(path, name)
    meta, schema = handle.metadata, handle.schema_arrow
    if len(schema) > MAX_COLUMNS:
        raise InputError("errors.too_many_columns", file=name, count=len(schema), max=MAX_COLUMNS)
    for f in schema:
        if pa.types.is_nested(f.type) or pa.types.is_union(f.type) or isinstance(f.type, pa.ExtensionType):
            raise InputError("errors.parquet_nested", file=name, column=f.name, type=str(f.type)[:60])
    # per (row group, column): exact/plain bytes, and what is left to bound (dictionary, delta)
    fixed = 0
    per_column: dict[str, int] = {}
    dictionary: list[tuple[int, str, int, int]] = []  # row group, column, rows, uncompressed
    delta: list[tuple[int, str, int, int]] = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for j in range(group.num_columns):
            chunk = group.column(j)
            column, rows, physical = chunk.path_in_schema, int(chunk.num_values), chunk.physical_type
            if physical == "BYTE_ARRAY":
                if "DELTA_BYTE_ARRAY" in chunk.encodings:
                    delta.append((g, column, rows, int(chunk.total_uncompressed_size)))
                elif chunk.has_dictionary_page:
                    dictionary.append((g, column, rows, int(chunk.total_uncompressed_size)))
                else:
                    size = int(chunk.total_uncompressed_size) + _OFFSET * rows
                    per_column[column] = per_column.get(column, 0) + size
                    fixed += size
                continue
            width = _FIXED.get(physical) or max(8, int(handle.schema.column(j).length or 0))
            per_column[column] = per_column.get(column, 0) + rows * width
            fixed += rows * width
    _refuse(fixed, limit, name, path, per_column)
    # the footer's own sizes of what is left (the pages' uncompressed bytes) must fit before anything is read
    _refuse(fixed + sum(u for *_, u in (*dictionary, *delta)), limit, name, path, per_column)
    bounds: dict[tuple[int, str], tuple[int, int]] = {}  # (group, column) → (bound, estimate)
    for (g, column, rows, uncompressed), (longest, mean) in zip(dictionary, _reading(name, _dictionary_lengths, path,
                                                                                   dictionary), strict=True):
        bounds[g, column] = (rows * (longest + _OFFSET) + uncompressed, rows * (mean + _OFFSET))
    decoded, measured = fixed, []
    for g, column, _rows, _u in delta:  # rare (Parquet v2 writers); its footer says nothing useful: measured
        size = _reading(name, _measure_delta, path, g, column, limit - decoded + 1)
        decoded += size
        per_column[column] = per_column.get(column, 0) + size
        measured.append(column)
        _refuse(decoded, limit, name, path, per_column)
    total_bound = decoded + sum(b for b, _ in bounds.values())
    if total_bound <= limit:
        return Footprint(rows=meta.num_rows, columns=len(schema), measured=measured, bound=total_bound,
                         decoded=decoded + sum(e for _, e in bounds.values()))
    # measure exactly, largest bounds first, until the limit is passed or the rest fits under its bound
    remaining = dict(bounds)
    for key in sorted(bounds, key=lambda k: -bounds[k][0]):
        if decoded + sum(b for b, _ in remaining.values()) <= limit:
            break
        g, column = key
        size = _reading(name, _measure_dictionary, path, g, column, limit - decoded + 1)
        del remaining[key]
        decoded += size
        per_column[column] = per_column.get(column, 0) + size
        measured.append(column)
        _refuse(decoded, limit, name, path, per_column)
    return Footprint(rows=meta.num_rows, columns=len(schema), measured=measured,
                     bound=decoded + sum(b for b, _ in remaining.values()),
                     decoded=decoded + sum(e for _, e in remaining.values()))


def _reading(name: str, read: Any, *args: Any) -> Any:
    """Run one of the reads below; a damaged page is the file's problem (``errors.file_parse``), not a crash."""
    import pyarrow as pa

    try:
        return read(*args)
    except (pa.ArrowException, OSError, ValueError, MemoryError) as exc:  # ArrowInvalid, ArrowIOError …
        raise InputError("errors.file_parse", file=name, reason=type(exc).__name__) from exc


def _refuse(decoded: int, limit: int, name: str, path: Path, per_column: dict[str, int]) -> None:
    if decoded <= limit:
        return
    column = max(per_column, key=lambda c: per_column[c]) if per_column else "?"
    raise Expands("errors.parquet_expands", decoded=decoded, file=name, size_mb=f"{path.stat().st_size / 2**20:.1f}",
                  decoded_gb=f"{decoded / 2**30:.1f}", limit_gb=f"{limit / 2**30:.1f}", column=column)


def _dictionary_lengths(path: Path, chunks: list[tuple[int, str, int, int]]) -> list[tuple[int, int]]:
    """Longest and mean dictionary value (bytes) of each dictionary-encoded text chunk: its dictionary page and one
    row, per row group (the dictionary comes whole with the first row read as dictionary)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not chunks:
        return []
    columns = sorted({c for _, c, *_ in chunks})
    handle = pq.ParquetFile(path, read_dictionary=columns)
    found: dict[tuple[int, str], tuple[int, int]] = {}
    for g in sorted({g for g, *_ in chunks}):
        wanted = [c for gg, c, *_ in chunks if gg == g]
        batch = next(handle.iter_batches(batch_size=1, row_groups=[g], columns=wanted, use_threads=False), None)
        for column in wanted:
            array = None if batch is None else batch.column(column)
            values = getattr(array, "dictionary", None)
            if values is None or len(values) == 0:
                found[g, column] = (0, 0)
                continue
            lengths = pc.binary_length(values)
            found[g, column] = (int(pc.max(lengths).as_py() or 0), int(pc.mean(lengths).as_py() or 0))
    return [found[g, c] for g, c, *_ in chunks]


def _measure_dictionary(path: Path, group: int, column: str, budget: int) -> int:
    """Bytes the rows of one dictionary-encoded chunk decode to: the lengths of the values they point at."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path, read_dictionary=[column]).read_row_group(group, columns=[column], use_threads=False)
    total = 0
    for chunk in table.column(0).chunks:
        lengths = pc.binary_length(chunk.dictionary).take(chunk.indices)
        total += int(pc.sum(lengths).as_py() or 0) + _OFFSET * len(chunk)
        if total > budget:
            break
    return total


def _measure_delta(path: Path, group: int, column: str, budget: int) -> int:
    """Bytes of a ``DELTA_BYTE_ARRAY`` chunk, decoded in batches that cannot exceed ``_BATCH_BUDGET`` each."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    j = handle.schema_arrow.get_field_index(column)
    uncompressed = handle.metadata.row_group(group).column(j).total_uncompressed_size
    rows = max(1, _BATCH_BUDGET // max(int(uncompressed), 1))
    total = 0
    for batch in handle.iter_batches(batch_size=rows, row_groups=[group], columns=[column], use_threads=False):
        total += batch.nbytes
        if total > budget:
            break
    return total
