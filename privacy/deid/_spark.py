"""De-identification on Apache Spark: the pandas engine's plans and per-frame transform, one partition at a time.

Every distinct value of every column is scanned once (:func:`privacy._profile.findings_per_unique`);
what the transform needs from that scan is shipped to it, not recomputed.

1. **Classify** — Spark lists each column's distinct values with their cell
   counts (:func:`privacy._spark_scan.distinct_values`); the driver profiles
   each column on exactly the distinct values the pandas engine samples
   (:func:`privacy._spark_scan.profiles_of`); a ``mapInPandas`` pass over the
   distinct values (each scanned once, thoroughly) computes
   :func:`privacy.deid._classify.column_stats` — weighted by cell counts —
   and lists the values whose findings are replaced span by span (with their
   spans). The driver builds the same :class:`ColumnPlan` as the pandas engine
   (:func:`plan_column`) and refuses unruled personal information before
   anything is written.
2. **Transform** — each partition runs
   :func:`privacy.deid._apply.transform_frame` with the global plans and the
   pseudonym key (read on the driver, shipped in the closure: executors see
   it). A column's per-value spans come from a broadcast of step 1's list
   when it is small (:data:`SHIP_VALUES`); only a column with more such values
   (or an identifier column a policy treats as text) is scanned again in its
   partitions. Whole-column operators that remove every value need no scan.
   Keyed pseudonyms, masks and generalisations are per value, so the rows
   equal the pandas engine's.
3. **Suppress** — rare quasi-identifier combinations are counted with a Spark
   window over the whole table (the rule of :func:`suppress_rare`).
4. **Re-scan** — an independent scan of the output: its distinct values are
   listed, profiled and scanned once each (step 1 on the output); anything
   left refuses the run (the caller's temporary folder is removed).

Addresses split over columns (村社区 | 门牌号, :mod:`privacy._split_address`): the rows at
:func:`~privacy._split_address.sample_positions` — the pandas engine's sample, by position in the
source's order — are collected (:func:`~privacy._spark_scan.rows_at`) and the same pure
:func:`~privacy._split_address.split_address_in_sample` decides, for the input (plans, through
:func:`~privacy.deid._classify.with_split_addresses`) and for the output (re-scan).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from privacy._spark_scan import ORDER, _q, distinct_values, profiles_of, rows_at
from privacy._split_address import sample_positions, split_address_in_sample
from privacy._split_name import split_name_in_sample
from privacy.deid._apply import (
    SUPPRESSED,
    DeidResult,
    identifying_columns,
    plan_operations,
    record_rescan,
    record_suppression,
    transform_frame,
)
from privacy.deid._classify import (
    _REMOVING,
    ColumnPlan,
    attach_profile,
    plan_column,
    refuse_unruled,
    with_split_addresses,
)
from privacy.deid._headers import HEADER_KEY, deidentify_headers, header_counts
from privacy.deid._policy import DeidPolicy

__all__ = ["SHIP_VALUES", "spark_deidentify"]

COUNTS = "__counts__"
# At most this many distinct values with spans to replace are broadcast per column (and 4× in all);
# a column with more is scanned again in each partition instead.
SHIP_VALUES = 200_000
Spans = dict[str, list[tuple[str, int, int]]]


def _value_stats(values: Any, profiles: dict[str, Any], *, spans: bool) -> Any:
    """``mapInPandas`` over distinct values (column, value, first, n): each scanned once, thoroughly.

    Rows: (column, stat, n, value, spans) — :func:`column_stats` of each
    batch's values weighted by their cell counts (``value`` empty); with
    ``spans``, also one ``stat="span"`` row per value holding findings that is
    not wholly one valid value of its column's entity (``spans``: JSON
    ``[[entity, start, end], …]``).
    """
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("column", StringType()), StructField("stat", StringType()),
                         StructField("n", LongType()), StructField("value", StringType()),
                         StructField("spans", StringType())])

    def stats(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import ColumnProfile, findings_per_unique
        from privacy.deid._classify import column_stats
        from sandbox.engines import plain_strings

        for batch in batches:
            rows: list[tuple[Any, ...]] = []
            for name, part in batch.groupby("column", sort=False):
                kind, entity, confidence = profiles[name]
                uniques = part["value"].to_numpy(dtype=object)
                per_unique, validated = findings_per_unique(name, uniques, kind, entity, thorough=True,
                                                            explain=False)
                index = np.arange(len(uniques))
                profile = ColumnProfile(column=name, kind=kind, entity=entity, confidence=confidence,
                                        positions=index, codes=index, uniques=uniques, per_unique=per_unique,
                                        validated=validated, counts=part["n"].to_numpy(dtype=np.int64))
                rows += [(name, stat, int(n), None, None) for stat, n in column_stats(profile).items() if n]
                if spans:
                    rows += [(name, "span", 1, str(uniques[k]),
                              json.dumps([[f.entity_type, f.start, f.end] for f in found], ensure_ascii=False))
                             for k, found in enumerate(per_unique) if found and not validated[k]]
            yield plain_strings(pd.DataFrame(rows, columns=["column", "stat", "n", "value", "spans"]))

    return values.mapInPandas(stats, schema)


def _classify(session: Any, frame: Any, names: list[str], *, spans: bool
              ) -> tuple[dict[str, Any], dict[str, Counter[str]], Any]:
    """Profiles, :func:`column_stats` per column and the (persisted) span rows of ``frame``'s distinct values.

    The caller unpersists the third item (None without ``spans``).
    """
    from pyspark.sql import functions as F  # noqa: N812

    from privacy._profile import ENTITIES

    values = distinct_values(frame, names).persist()
    try:
        profiles, _distinct = profiles_of(session, values, names, ENTITIES)
        scanned = _value_stats(values, profiles, spans=spans).persist()
        stats: dict[str, Counter[str]] = {name: Counter() for name in names}
        for row in (scanned.filter(F.col("stat") != "span").groupBy("column", "stat")
                    .agg(F.sum("n").alias("n")).collect()):
            stats[row["column"]][row["stat"]] = int(row["n"])
    finally:
        values.unpersist()
    if not spans:
        scanned.unpersist()
        return profiles, stats, None
    return profiles, stats, scanned


def _scan(session: Any, frame: Any, names: list[str]) -> dict[str, dict[str, int]]:
    """Column → entity type → findings: every distinct value of every column scanned once (pandas ``rescan_frame``)."""
    _profiles, stats, _none = _classify(session, frame, names, spans=False)
    found = {}
    for name in names:
        before = {k.split(":", 1)[1]: n for k, n in stats[name].items() if k.startswith("before:") and n}
        if before:
            found[name] = before
    return found


def _needs_scan(plan: ColumnPlan) -> bool:
    """Whether the transform needs the column's per-value findings (``ColumnPlan.span_codes`` can be non-empty)."""
    return plan.mode in ("column", "spans") and not plan.whole_cells and \
        not (plan.spec is not None and plan.spec.op in _REMOVING)


def _shippable(plan: ColumnPlan) -> bool:
    """Whether step 1's span rows (findings of values not wholly valid) are exactly ``plan.span_codes``'s values.

    True for a whole-column rule (``span_codes`` = values with findings that
    are not valid) and for any column not profiled as an identifier column
    (no value is valid there); not for an identifier column treated as text.
    """
    return plan.mode == "column" or plan.kind != "identifier" or plan.hinted


def _ship(session: Any, scanned: Any, plans: list[ColumnPlan]) -> Spans | None:
    """The span rows of the columns that can take them (and are small enough), as one broadcast mapping."""
    from pyspark.sql import functions as F  # noqa: N812

    wanted = [p.column for p in plans if _needs_scan(p) and _shippable(p)]
    if not wanted:
        return {}
    spans = scanned.filter((F.col("stat") == "span") & F.col("column").isin(wanted))
    sizes = {r["column"]: int(r["count"]) for r in spans.groupBy("column").count().collect()}
    chosen, total = [], 0
    for column in wanted:
        size = sizes.get(column, 0)
        if size <= SHIP_VALUES and total + size <= 4 * SHIP_VALUES:
            chosen.append(column)
            total += size
    shipped: dict[str, Any] = {column: {} for column in chosen}
    if total:
        for row in spans.filter(F.col("column").isin(chosen)).select("column", "value", "spans").toLocalIterator():
            shipped[row["column"]][row["value"]] = [tuple(x) for x in json.loads(row["spans"])]
    return shipped


def _shipped_profile(batch: pd.DataFrame, plan: ColumnPlan, spans: dict[str, list[tuple[str, int, int]]]) -> Any:
    """The partition's profile of ``plan.column`` with the shipped spans (no scan)."""
    from privacy._findings import Finding
    from privacy._profile import ColumnProfile, _strings

    series = _strings(batch[plan.column].reset_index(drop=True))
    codes, uniques = pd.factorize(series, sort=False)
    uniques = np.asarray(uniques, dtype=object)
    per_unique = []
    for value in uniques:
        found = spans.get(str(value))
        per_unique.append([Finding(e, a, b, 0.0, str(value)[a:b], "", None, plan.column) for e, a, b in found]
                          if found else [])
    return ColumnProfile(column=plan.column, kind=plan.kind, entity=plan.entity, confidence=0.0,
                         positions=series.index.to_numpy(), codes=np.asarray(codes), uniques=uniques,
                         per_unique=per_unique, validated=np.zeros(len(uniques), dtype=bool))


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
               source: str, shipped: Any) -> Any:
    """Every partition through :func:`transform_frame`; one extra row per batch carries its span counts.

    ``shipped``: a broadcast of :func:`_ship`'s mapping (column → value → spans).
    """
    schema = _output_schema(frame, plans)
    changed = [p.column for p in plans if p.mode not in ("keep", "drop")]
    names = [f.name for f in schema.fields if f.name != COUNTS]

    def transform(batches):  # type: ignore[no-untyped-def]
        from privacy._profile import profile_column
        from sandbox.engines import plain_strings

        spans = shipped.value
        for batch in batches:
            batch = batch.reset_index(drop=True)
            local = []
            for p in plans:
                if not _needs_scan(p):
                    local.append(p)
                elif p.column in spans:
                    local.append(attach_profile(p, _shipped_profile(batch, p, spans[p.column])))
                else:
                    local.append(attach_profile(p, profile_column(batch, p.column, thorough=True, file=source,
                                                                  profile=profiles[p.column], explain=False)))
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


def spark_deidentify(*, session: Any, source: str | Path, policy: DeidPolicy, key: bytes, out: str,
                     suppress: bool = True, source_name: str) -> tuple[DeidResult, int, int]:
    """De-identify ``source`` into the Parquet folder ``out`` (a URI in the caller's :func:`~sandbox.engines.spark_output`).

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

    from sandbox.engines import read_source

    frame = read_source(session, source)
    names, headers = deidentify_headers(list(frame.columns), policy, key=key)
    if headers:  # names in the header row: replaced before anything reads them (pandas ``deidentify_frame``)
        frame = frame.toDF(*names)
    frame = frame.withColumn(ORDER, F.monotonically_increasing_id()).persist()
    try:
        profiles, stats, scanned = _classify(session, frame, names, spans=True)
        rows_in = frame.count()
        try:
            plans = [plan_column(name, profiles[name][0], profiles[name][1], stats[name], policy) for name in names]
            sample = rows_at(frame, names, sample_positions(rows_in), gaps=False)
            split = split_address_in_sample(sample)
            plans = with_split_addresses(plans, split, policy, cells={n: int(stats[n]["cells"]) for n in split})
            parts = split_name_in_sample(sample)  # 姓 | 名: as the pandas engine
            plans = with_split_addresses(plans, parts, policy, entity="PERSON",
                                         cells={n: int(stats[n]["cells"]) for n in parts})
            refuse_unruled(plans, policy)
            shipped = session.sparkContext.broadcast(_ship(session, scanned, plans))
        finally:
            scanned.unpersist()
        done = _transform(frame, plans, profiles, policy, key=key, source=source_name, shipped=shipped).persist()
        try:
            counts: Counter[str] = Counter()
            for row in done.filter(F.col(COUNTS).isNotNull()).select(COUNTS).collect():
                counts.update({k: int(v) for k, v in json.loads(row[COUNTS]).items()})
            data = done.filter(F.col(COUNTS).isNull()).drop(COUNTS)
            counts.update(headers)
            result = DeidResult(frame=pd.DataFrame(), operations=plan_operations(plans),
                                text_entities=dict(counts.most_common()), identifying_columns=identifying_columns(plans),
                                headers=headers, columns_in=names)
            out_names = [c for c in data.columns if c != ORDER]
            quasi = [c for c in policy.quasi_identifiers if c in out_names]
            count = 0
            if suppress and quasi:
                data, count = _suppress(data, policy, quasi, rows_in)
                record_suppression(result, policy, quasi, count)
            data = data.persist()
            rows_out = data.count()
            after = _scan(session, data, out_names)
            if left_in_headers := header_counts(out_names):
                after[HEADER_KEY] = left_in_headers
            out_sample = rows_at(data, out_names, sample_positions(rows_out), gaps=rows_out != rows_in)
            for entity, left in (("ADDRESS", split_address_in_sample(out_sample)),
                                 ("PERSON", split_name_in_sample(out_sample))):
                for name, rows in left.items():  # still written across cells (pandas ``rescan_frame``)
                    after.setdefault(name, {})
                    after[name][entity] = after[name].get(entity, 0) + rows
            record_rescan(result, plans, after, policy)
            data.drop(ORDER).write.parquet(out)
            data.unpersist()
        finally:
            done.unpersist()
            shipped.destroy()
    finally:
        frame.unpersist()
    return result, rows_in, rows_out
