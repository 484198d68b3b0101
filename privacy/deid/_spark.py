"""De-identification on Apache Spark: the pandas engine's plans and per-frame transform, one partition at a time.

1. **Classify** — each column's decision (identifier / free text / none,
   entity) comes from the Spark scan's profile over the whole table, on exactly
   the distinct values the pandas engine samples
   (:func:`privacy._spark_scan._profiles`); a ``mapInPandas`` pass computes
   :func:`privacy.deid._classify.column_stats` per partition (every distinct
   value validated or scanned, as ``thorough``) and Spark sums them. The
   driver builds the same :class:`ColumnPlan` as the pandas engine
   (:func:`plan_column`) and refuses unruled personal information before
   anything is written.
2. **Transform** — each partition profiles its own cells with the global
   decision and runs :func:`privacy.deid._apply.transform_frame` with the
   global plans and the pseudonym key (read on the driver, shipped in the
   closure: executors see it). Keyed pseudonyms, masks and generalisations
   are per value, so the rows equal the pandas engine's.
3. **Suppress** — rare quasi-identifier combinations are counted with a Spark
   window over the whole table (the rule of :func:`suppress_rare`).
4. **Re-scan** — the output is profiled and scanned the same way; anything
   left refuses the run (the caller's temporary folder is removed).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from privacy._spark_scan import ORDER, _profiles, _q
from privacy.deid._apply import (
    SUPPRESSED,
    DeidResult,
    identifying_columns,
    plan_operations,
    record_rescan,
    record_suppression,
    transform_frame,
)
from privacy.deid._classify import ColumnPlan, attach_profile, plan_column, refuse_unruled
from privacy.deid._policy import DeidPolicy

__all__ = ["spark_deidentify"]

COUNTS = "__counts__"


def _stats(frame: Any, names: list[str], profiles: dict[str, Any], *, source: str) -> dict[str, Counter[str]]:
    """Column → :func:`column_stats` summed over all partitions (every distinct value scanned)."""
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("column", StringType()), StructField("stat", StringType()),
                         StructField("n", LongType())])

    def stats(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import profile_column
        from privacy.deid._classify import column_stats

        for batch in batches:
            batch = batch.reset_index(drop=True)
            rows = []
            for name in names:
                profile = profile_column(batch, name, thorough=True, file=source, profile=profiles[name])
                rows += [(name, stat, int(n)) for stat, n in column_stats(profile).items() if n]
            yield pd.DataFrame(rows, columns=["column", "stat", "n"])

    summed = (frame.select(*[_q(n) for n in names]).mapInPandas(stats, schema)
              .groupBy("column", "stat").agg(F.sum("n").alias("n")).collect())
    out: dict[str, Counter[str]] = {name: Counter() for name in names}
    for row in summed:
        out[row["column"]][row["stat"]] = int(row["n"])
    return out


def _scan(session: Any, frame: Any, names: list[str], *, source: str) -> dict[str, dict[str, int]]:
    """Column → entity type → findings, every distinct value of every column (the pandas ``rescan_frame``)."""
    from privacy._profile import ENTITIES

    profiles, _distinct = _profiles(session, frame, names, ENTITIES)
    stats = _stats(frame, names, profiles, source=source)
    found = {}
    for name in names:
        before = {k.split(":", 1)[1]: n for k, n in stats[name].items() if k.startswith("before:") and n}
        if before:
            found[name] = before
    return found


def _output_schema(frame: Any, plans: list[ColumnPlan]) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    by_name = {p.column: p for p in plans}
    fields = []
    for field in frame.schema.fields:
        plan = by_name.get(field.name)
        if plan is not None and plan.mode == "drop":
            continue
        changed = plan is not None and plan.mode != "keep"
        # Nullable: each batch's counts row has no values (the row order id included).
        fields.append(StructField(field.name, StringType() if changed else field.dataType, True))
    return StructType([*fields, StructField(COUNTS, StringType(), True)])


def _transform(frame: Any, plans: list[ColumnPlan], profiles: dict[str, Any], policy: DeidPolicy, *, key: bytes,
               source: str) -> Any:
    """Every partition through :func:`transform_frame`; one extra row per batch carries its span counts."""
    schema = _output_schema(frame, plans)
    changed = [p.column for p in plans if p.mode not in ("keep", "drop")]
    names = [f.name for f in schema.fields if f.name != COUNTS]

    def transform(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import profile_column
        from sandbox.engines import plain_strings

        for batch in batches:
            batch = batch.reset_index(drop=True)
            local = [attach_profile(p, profile_column(batch, p.column, thorough=True, file=source,
                                                      profile=profiles[p.column]))
                     if p.mode not in ("keep", "drop") else p for p in plans]
            counter: Counter[str] = Counter()
            out = transform_frame(batch, local, policy, key=key, counter=counter)
            for column in changed:
                values = out[column].astype(object)
                out[column] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                               for v in values]
            out = out[names]
            out[COUNTS] = None
            yield plain_strings(out)
            tail = {name: [None] for name in names}
            yield pd.DataFrame({**tail, COUNTS: [json.dumps(dict(counter), ensure_ascii=False)]}, dtype=object)

    return frame.mapInPandas(transform, schema)


def _suppress(frame: Any, policy: DeidPolicy, quasi: list[str], rows: int) -> tuple[Any, int]:
    """:func:`privacy.deid.suppress_rare` over the whole table with a Spark window."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    k = policy.risk.k
    if not quasi or k <= 1 or rows == 0:
        return frame, 0
    sized = frame.withColumn("__size__", F.count(F.lit(1)).over(Window.partitionBy(*[_q(c) for c in quasi])))
    count = sized.filter(F.col("__size__") < k).count()
    if count == 0 or count > policy.risk.max_suppression * rows:
        return frame, 0
    if policy.risk.suppression == "rows":
        return sized.filter(F.col("__size__") >= k).drop("__size__"), count
    for column in quasi:
        sized = sized.withColumn(column, F.when(F.col("__size__") < k, F.lit(SUPPRESSED))
                                 .otherwise(F.col(_q(column)).cast("string")))
    return sized.drop("__size__"), count


def spark_deidentify(*, session: Any, source: str | Path, policy: DeidPolicy, key: bytes, out: Path,
                     suppress: bool = True, source_name: str) -> tuple[DeidResult, int, int]:
    """De-identify ``source`` into the Parquet folder ``out`` (fresh; the caller's atomic folder).

    Returns the result (``frame`` is empty: the rows are in ``out``) and the
    numbers of input and output rows. Call inside :func:`sandbox.engines.spark_job`.

    Raises
    ------
    RuleViolation
        ``privacy.err.no_rule`` / ``privacy.err.keep_pii`` before any row is
        transformed; ``privacy.err.pii_remains`` after the re-scan (``out``
        must then be discarded — :func:`sandbox.files.atomic_dir` does).
    """
    from pyspark.sql import functions as F  # noqa: N812

    from privacy._profile import ENTITIES
    from sandbox.engines import read_source

    frame = read_source(session, source)
    names = list(frame.columns)
    frame = frame.withColumn(ORDER, F.monotonically_increasing_id()).persist()
    try:
        profiles, _distinct = _profiles(session, frame, names, ENTITIES)
        stats = _stats(frame, names, profiles, source=source_name)
        plans = [plan_column(name, profiles[name][0], profiles[name][1], stats[name], policy) for name in names]
        refuse_unruled(plans, policy)
        rows_in = frame.count()
        done = _transform(frame, plans, profiles, policy, key=key, source=source_name).persist()
        try:
            counts: Counter[str] = Counter()
            for row in done.filter(F.col(COUNTS).isNotNull()).select(COUNTS).collect():
                counts.update({k: int(v) for k, v in json.loads(row[COUNTS]).items()})
            data = done.filter(F.col(COUNTS).isNull()).drop(COUNTS)
            result = DeidResult(frame=pd.DataFrame(), operations=plan_operations(plans),
                                text_entities=dict(counts.most_common()), identifying_columns=identifying_columns(plans))
            out_names = [c for c in data.columns if c != ORDER]
            quasi = [c for c in policy.quasi_identifiers if c in out_names]
            if suppress and quasi:
                data, count = _suppress(data, policy, quasi, rows_in)
                record_suppression(result, policy, quasi, count)
            data = data.persist()
            record_rescan(result, plans, _scan(session, data, out_names, source=source_name), policy)
            rows_out = data.count()
            data.drop(ORDER).write.parquet(str(out))
            data.unpersist()
        finally:
            done.unpersist()
    finally:
        frame.unpersist()
    return result, rows_in, rows_out
