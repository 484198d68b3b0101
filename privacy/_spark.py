"""Privacy operations on Apache Spark: the same pure functions, fed by Spark.

* DP histogram: Spark groups the records by the ``by`` columns (plus their
  ``<column>代码`` code columns and any ``where`` columns) with a count; the
  driver runs :func:`privacy.dp.dp_histogram` on those grouped rows
  (``weight_column``) — the same public keys, ledger reservation, noise and
  post-processing. The Spark job finishes *before* the ledger is touched, so
  a failed or cancelled job spends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["WEIGHT", "grouped_records"]

WEIGHT = "__rows__"


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def grouped_records(*, session: Any, source: str | Path, columns: list[str], source_name: str) -> pd.DataFrame:
    """Distinct combinations of ``columns`` with their record count (:data:`WEIGHT`).

    Code columns ``<column>代码`` present in the source are kept (small-cell
    merging needs them). Call inside :func:`sandbox.engines.spark_job`.
    """
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)

    from sandbox.engines import read_source, require_source_columns, to_pandas

    frame = read_source(session, source)
    require_source_columns(frame, {c: c for c in columns}, source=source_name)
    keys = list(dict.fromkeys([*columns, *(f"{c}代码" for c in columns if f"{c}代码" in frame.columns)]))
    grouped = to_pandas(frame.groupBy(*[F.col(_q(c)) for c in keys]).agg(F.count(F.lit(1)).alias(WEIGHT)))
    grouped[WEIGHT] = grouped[WEIGHT].astype(np.int64)
    return grouped
