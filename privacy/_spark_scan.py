"""The personal-information scan on Apache Spark: one profile per column, partitions scanned in ``mapInPandas``.

1. **Profile** — every partition lists its non-empty cell values (as
   :func:`privacy._profile._strings` sees them) with their first row; Spark
   counts each column's distinct values and fetches exactly the sample the
   pandas engine would profile (:func:`privacy._profile._sample` positions in
   order of first appearance). The driver runs :func:`privacy._profile._profile`
   on it: one decision (identifier / free text / none, entity) per column.
2. **Scan** — each partition runs :func:`privacy._profile.scan_frame` with those
   profiles, the same recognizers and name model (loaded once per executor
   Python process: Spark reuses its Python workers and the detector is cached).
3. **Write** — findings as Parquet (row key, column, span, type, score, masked
   value; never the raw value), a per-column summary back to the driver.

Row order: a column's sample follows Spark's row ids, which equal the file
order for a single file; findings carry the row key (the id column, or
Spark's row id when the table has none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from privacy._profile import SAMPLE_SIZE, ColumnSummary, _profile, _sample, name_hint

if TYPE_CHECKING:
    from sandbox.engines import OutputFolder

__all__ = ["FINDING_COLUMNS", "distinct_values", "profiles_of", "rows_at", "spark_scan"]

ORDER = "__order__"
KEY = "__key__"
ID_CANDIDATES = ("编号", "id", "ID", "工单编号", "序号", "record_id")
FINDING_COLUMNS = ("row_key", "column", "start", "end", "entity_type", "score", "masked")


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def distinct_values(frame: Any, names: list[str]) -> Any:
    """(column, value, first row id, cells) for every distinct non-empty value of every column."""
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("column", StringType()), StructField("value", StringType()),
                         StructField("first", LongType()), StructField("n", LongType())])

    def uniques(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import _strings
        from sandbox.engines import plain_strings

        for batch in batches:
            order = batch[ORDER].to_numpy(dtype=np.int64)
            parts = []
            for name in names:
                series = _strings(batch[name].reset_index(drop=True))
                if not len(series):
                    continue
                codes, values = pd.factorize(series, sort=False)
                first = np.full(len(values), np.iinfo(np.int64).max, dtype=np.int64)
                np.minimum.at(first, codes, order[series.index.to_numpy()])
                parts.append(pd.DataFrame({"column": name, "value": [str(v) for v in values], "first": first,
                                           "n": np.bincount(codes, minlength=len(values)).astype(np.int64)}))
            if parts:
                yield plain_strings(pd.concat(parts, ignore_index=True))

    return (frame.select(ORDER, *[_q(n) for n in names]).mapInPandas(uniques, schema)
            .groupBy("column", "value").agg(F.min("first").alias("first"), F.sum("n").alias("n")))


def _profiles(session: Any, frame: Any, names: list[str], entities: tuple[str, ...]
              ) -> tuple[dict[str, tuple[Any, str | None, float]], dict[str, int]]:
    values = distinct_values(frame, names).persist()
    try:
        return profiles_of(session, values, names, entities)
    finally:
        values.unpersist()


def profiles_of(session: Any, values: Any, names: list[str], entities: tuple[str, ...]
                ) -> tuple[dict[str, tuple[Any, str | None, float]], dict[str, int]]:
    """Each column's profile decision from its distinct ``values`` (:func:`distinct_values`; persist it first).

    Returns the decisions and each column's number of distinct values.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    from sandbox.engines import to_pandas

    counts = {r["column"]: int(r["count"]) for r in values.groupBy("column").count().collect()}
    wanted = []
    for name, n in counts.items():
        positions = np.arange(n) if n <= SAMPLE_SIZE else _sample(np.arange(n))
        wanted += [(name, int(p) + 1) for p in positions]
    ranked = values.withColumn("rank", F.row_number().over(Window.partitionBy("column").orderBy("first", "value")))
    picks = session.createDataFrame(wanted or [("", 0)], "column string, rank int")
    sample = to_pandas(ranked.join(F.broadcast(picks), ["column", "rank"]).select("column", "value", "rank"))
    profiles: dict[str, tuple[Any, str | None, float]] = {}
    for name in names:
        chosen = sample[sample["column"] == name].sort_values("rank")["value"].to_numpy(dtype=object)
        n = counts.get(name, 0)
        profiles[name] = _profile(name, chosen, entities, n_distinct=n) if n else ("none", None, 1.0)
    return profiles, counts


def rows_at(frame: Any, names: list[str], positions: np.ndarray, *, gaps: bool) -> pd.DataFrame:
    """The rows of ``frame`` at ``positions`` in its ``ORDER`` (the source's row order), as pandas.

    ``ORDER`` is ``monotonically_increasing_id``: partition in the upper bits, the row within it in the lower
    33. Without ``gaps`` (every row since numbering is there) a position is computed from the rows per
    partition; with ``gaps`` (rows suppressed) each row's rank within its partition is counted.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    from sandbox.engines import to_pandas

    if not len(positions):
        return pd.DataFrame(columns=names)
    part = F.shiftright(F.col(ORDER), 33)
    sizes = sorted((int(r["p"]), int(r["n"])) for r in frame.groupBy(part.alias("p")).agg(F.count(F.lit(1)).alias("n"))
                   .collect())
    offsets = np.cumsum([0, *(n for _, n in sizes)])
    wanted: dict[int, list[int]] = {}
    for position in positions:
        i = int(np.searchsorted(offsets, position, side="right")) - 1
        wanted.setdefault(sizes[i][0], []).append(int(position - offsets[i]))
    if not gaps:
        picked = frame.filter(F.col(ORDER).isin([(p << 33) + r for p, ranks in wanted.items() for r in ranks]))
    else:
        ranked = frame.withColumn("__part__", part).withColumn(
            "__rank__", F.row_number().over(Window.partitionBy("__part__").orderBy(ORDER)) - 1)
        condition = None
        for p, ranks in wanted.items():
            one = (F.col("__part__") == p) & F.col("__rank__").isin(ranks)
            condition = one if condition is None else condition | one
        picked = ranked.filter(condition)
    rows = to_pandas(picked.select(ORDER, *[_q(n) for n in names])).sort_values(ORDER)
    return rows[names].reset_index(drop=True)


def _scan_partitions(frame: Any, names: list[str], profiles: dict[str, Any], *, entities: tuple[str, ...],
                     threshold: float, source: str, split: dict[str, int]) -> Any:
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    schema = StructType([
        StructField("record", StringType()), StructField("row_key", StringType()), StructField("column", StringType()),
        StructField("start", LongType()), StructField("end", LongType()), StructField("entity_type", StringType()),
        StructField("score", DoubleType()), StructField("masked", StringType()), StructField("cells", LongType()),
        StructField("hit_cells", LongType()), StructField("entity_counts", StringType()),
    ])

    def scan(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import scan_frame
        from sandbox.engines import plain_strings

        for batch in batches:
            batch = batch.reset_index(drop=True)
            # The findings Parquet has no explanation column: none is rendered.
            result = scan_frame(batch, columns=names, entities=entities, threshold=threshold, profiles=profiles,
                                file=source, explain=False)
            if split:  # an address over 村社区 | 门牌号, decided on the driver from the pandas engine's sample rows
                from privacy._split_address import add_split_addresses

                add_split_addresses(batch[names], result.columns, result.findings, split=split)
            keys = batch[KEY].astype(str).to_numpy()
            rows = [("finding", keys[f.row], f.column, f.start, f.end, f.entity_type, float(f.score), f.masked,
                     None, None, None) for f in result.findings]
            rows += [("summary", None, c.column, None, None, None, None, None, c.cells, c.hit_cells,
                      json.dumps(c.entity_types, ensure_ascii=False)) for c in result.columns]
            yield plain_strings(pd.DataFrame(rows, columns=[f.name for f in schema.fields]))

    return frame.select(KEY, *[_q(n) for n in names]).mapInPandas(scan, schema)


def spark_scan(*, session: Any, source: str | Path, out: OutputFolder, columns: list[str] | None = None,
               key: str | None = None, entities: tuple[str, ...], threshold: float, source_name: str
               ) -> tuple[int, list[ColumnSummary], int]:
    """Scan ``source``; findings Parquet under ``out/findings``. Returns (rows, column summaries, findings).

    Call inside :func:`sandbox.engines.spark_job`; ``out`` is a fresh folder
    (the caller's :func:`sandbox.engines.spark_output`: local path or Hadoop URI).
    """
    from pyspark.sql import functions as F  # noqa: N812

    from sandbox.engines import read_source, require_source_columns, to_pandas

    frame = read_source(session, source)
    names = list(columns or frame.columns)
    require_source_columns(frame, {f"--column {c}": c for c in names}, source=source_name)
    key = key or next((c for c in ID_CANDIDATES if c in frame.columns), None)
    frame = frame.withColumn(ORDER, F.monotonically_increasing_id())
    frame = frame.withColumn(KEY, F.col(_q(key)).cast("string") if key else F.col(ORDER).cast("string"))
    frame = frame.persist()
    try:
        profiles, distinct = _profiles(session, frame, names, entities)
        rows = frame.count()
        split: dict[str, int] = {}
        if columns is None and "ADDRESS" in entities:  # as the pandas engine: whole tables only
            from privacy._split_address import sample_positions, split_address_in_sample

            split = split_address_in_sample(rows_at(frame, names, sample_positions(rows), gaps=False))
        (_scan_partitions(frame, names, profiles, entities=entities, threshold=threshold, source=source_name,
                          split=split)
         .write.partitionBy("record").parquet(out.child("_staging")))
    finally:
        frame.unpersist()
    found = out.exists("_staging/record=finding")
    out.move("_staging/record=finding", "findings") if found else out.mkdir("findings")
    summary = to_pandas(session.read.parquet(out.child("_staging/record=summary"))) \
        if out.exists("_staging/record=summary") else None
    out.delete("_staging")
    n_findings = int(to_pandas(session.read.parquet(out.child("findings")).select(F.count(F.lit(1)))).iloc[0, 0]) \
        if found else 0
    return rows, _summaries(names, profiles, distinct, summary, split=split), n_findings


def _summaries(names: list[str], profiles: dict[str, Any], distinct: dict[str, int],
               parts: pd.DataFrame | None, *, split: dict[str, int] | None = None) -> list[ColumnSummary]:
    out = []
    for name in names:
        mine = parts[parts["column"] == name] if parts is not None else pd.DataFrame()
        cells = int(mine["cells"].sum()) if len(mine) else 0
        hits = int(mine["hit_cells"].sum()) if len(mine) else 0
        counts: dict[str, int] = {}
        for text in (mine["entity_counts"] if len(mine) else []):
            for entity, n in json.loads(text).items():
                counts[entity] = counts.get(entity, 0) + int(n)
        ordered = dict(sorted(counts.items(), key=lambda item: -item[1]))
        kind, entity, confidence = profiles[name]
        if name in (split or {}):  # as add_split_addresses makes it on the pandas engine
            kind, entity, confidence = "identifier", "ADDRESS", confidence if kind == "identifier" else 0.7
        out.append(ColumnSummary(
            column=name, kind=kind, entity_type=entity or (next(iter(ordered)) if ordered else None),
            entity_types=ordered, cells=cells, distinct=distinct.get(name, 0), hit_cells=hits,
            share=round(hits / cells, 4) if cells else 0.0, confidence=round(confidence, 3), name_hint=name_hint(name),
        ))
    return out
