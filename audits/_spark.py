"""The fairness audit's rows on Apache Spark: identical rows grouped, then the same pure functions.

Spark reads the source (Parquet/CSV folder or table), joins a predictions
source on its id column, derives ages from 身份证 numbers with
:func:`audits.groups.age_from_id_card` inside ``mapInPandas``, and groups
identical rows — (label, prediction/score, age, district, district code) —
with a count. That small table goes to the driver, where
:func:`audits._inputs.prepare` (with ``weight_column``) and
:func:`audits.engine.compute_audit` run exactly as on the pandas engine: the
same label vocabularies, age bands, districts, counts, bootstrap, verdicts.
Every per-cell count is a sum of the same integers, so the numbers equal the
pandas engine's (float sums to ~1e-12).

Driver memory grows with the number of distinct row keys, not with rows: a
few thousand for labels × predictions × ages × districts; for a continuous
score it is the number of distinct scores (round scores to 3–4 decimals for
100M-row audits).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError

from ._inputs import ID_CANDIDATES, ColumnMap

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["WEIGHT", "grouped_rows"]

WEIGHT = "__rows__"
AGE = "__age__"
ERR_MISSING = "engines.errors.missing_values"
ERR_DUPLICATES = "engines.errors.join_duplicates"
ERR_MISMATCH = "engines.errors.join_mismatch"


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _ages_from_id_cards(frame: DataFrame, *, id_card: str, keep: list[str], as_of: date) -> DataFrame:
    """Replace the 身份证 column by an age (same function as the pandas engine), per partition."""
    from pyspark.sql.types import DoubleType, StructField, StructType

    fields = [f for f in frame.schema.fields if f.name in keep]
    schema = StructType([*fields, StructField(AGE, DoubleType(), True)])

    def ages(batches):  # type: ignore[no-untyped-def]
        from audits.groups import age_from_id_card
        from sandbox.engines import plain_strings

        for batch in batches:
            out = batch[keep].copy()
            out[AGE] = age_from_id_card(batch[id_card], as_of=as_of)
            yield plain_strings(out)

    return frame.select(*[_q(c) for c in dict.fromkeys([*keep, id_card])]).mapInPandas(ages, schema)


def _join(data: DataFrame, preds: DataFrame, *, columns: ColumnMap, data_name: str, pred_name: str) -> DataFrame:
    """Predictions joined on the id column; duplicates and unmatched ids refused (counted by Spark)."""
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)

    key = columns.id or next((c for c in ID_CANDIDATES if c in data.columns and c in preds.columns), None)
    if key is None or key not in data.columns or key not in preds.columns:
        raise InputError("errors.column_missing", file=pred_name if key in data.columns else data_name,
                         column=key or ID_CANDIDATES[0], purpose="id", available=", ".join(preds.columns[:30]))
    wanted = [c for c in (columns.prediction, columns.score) if c and c in preds.columns]
    preds = preds.select(F.trim(F.col(_q(key)).cast("string")).alias("__id__"), *[_q(c) for c in wanted])
    data = data.select(F.trim(F.col(_q(key)).cast("string")).alias("__id__"),
                       *[_q(c) for c in data.columns if c not in wanted and c != key])
    for frame, name in ((data, data_name), (preds, pred_name)):
        dup = frame.groupBy("__id__").count().where("count > 1").agg(F.sum(F.col("count") - 1)).first()[0]
        if dup:
            raise InputError(ERR_DUPLICATES, source=name, column=key, count=int(dup))
    both = data.withColumn("__d__", F.lit(1)).join(preds.withColumn("__p__", F.lit(1)), on="__id__", how="full")
    counts = both.agg(F.sum(F.when(F.col("__p__").isNull(), 1).otherwise(0)),
                      F.sum(F.when(F.col("__d__").isNull(), 1).otherwise(0))).first()
    if counts[0] or counts[1]:
        raise InputError(ERR_MISMATCH, column=key, no_prediction=int(counts[0] or 0), no_data=int(counts[1] or 0))
    return both.drop("__id__", "__d__", "__p__")


def grouped_rows(
    *, session: Any, data: str | Path, predictions: str | Path | None, columns: ColumnMap, as_of: date,
    data_name: str, pred_name: str,
) -> tuple[pd.DataFrame, ColumnMap, dict[str, Any]]:
    """Identical audit rows grouped with their count (:data:`WEIGHT`), ready for ``prepare``.

    Returns the grouped rows, the column map to use on them (an id-card
    audit reads :data:`AGE`) and the age source for the report. Call inside
    :func:`sandbox.engines.spark_job`.
    """
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)

    from sandbox.engines import read_source, require_source_columns, to_pandas

    frame = read_source(session, data)
    if predictions is not None:
        frame = _join(frame, read_source(session, predictions), columns=columns, data_name=data_name,
                      pred_name=pred_name)
    wanted = {"label": columns.label, "prediction": columns.prediction, "score": columns.score,
              "age": columns.age, "id_card": columns.id_card if columns.age is None else None,
              "district": columns.district, "district_code": columns.district_code}
    require_source_columns(frame, wanted, source=data_name)
    keys = list(dict.fromkeys(c for p, c in wanted.items() if c and p != "id_card"))
    age_source: dict[str, Any] = {"column": columns.age}
    used = columns
    if columns.age is None and columns.id_card:
        frame = _ages_from_id_cards(frame, id_card=columns.id_card, keep=keys, as_of=as_of)
        keys.append(AGE)
        used = replace(columns, age=AGE, id_card=None)
        age_source = {"id_card_column": columns.id_card, "as_of": as_of.isoformat()}
    grouped = to_pandas(frame.groupBy(*[F.col(_q(c)) for c in keys]).agg(F.count(F.lit(1)).alias(WEIGHT)))
    grouped[WEIGHT] = grouped[WEIGHT].astype(np.int64)
    for purpose in ("label", "prediction", "score"):
        column = getattr(columns, purpose)
        if column is None:
            continue
        missing = int(grouped.loc[grouped[column].isna(), WEIGHT].sum())
        if missing:
            raise InputError(ERR_MISSING, source=data_name, column=column, count=missing)
    return grouped, used, age_source
