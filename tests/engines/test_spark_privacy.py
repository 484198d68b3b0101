"""DP histogram on Spark: the same exact counts (hence, with one seed, the same table); a failed job spends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.ledger import budget_status
from privacy.release import release_histogram
from sandbox.engines import JobFailed
from sandbox.errors import RuleViolation

pytestmark = pytest.mark.spark


def test_spark_histogram_equals_pandas_and_charges_once_each(audit_source, steward) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from privacy._spark import grouped_records
    from privacy.dp import _cells, _exact_counts
    from privacy.ledger import BudgetLedger
    from sandbox.engines import spark_session
    from sandbox.tabular import read_table

    csv, folder = audit_source
    by = ["街道镇", "年龄"]
    args = dict(actor=steward, by=by, epsilon=0.5, keys_from_data=True, random_state=42)
    pandas = release_histogram(**args, source=csv, dataset="spark-a", engine="pandas")
    with pytest.raises(RuleViolation) as refused:  # the same people under another name, found on Spark too
        release_histogram(**args, source=folder, dataset="spark-b", engine="spark")
    assert refused.value.key == "privacy.err.population_charged_elsewhere" and refused.value.params["other"] == "spark-a"
    spark = release_histogram(**args, source=folder, dataset="spark-b", engine="spark",
                              population_reason="the same table on both engines, compared")
    assert spark["engine"] == "spark"
    assert spark["table"].table.equals(pandas["table"].table)  # same exact counts + same seed → same release
    assert spark["epsilon_remaining"] == pandas["epsilon_remaining"]
    # the exact counts themselves (before any noise), independently of the release path
    policy = BudgetLedger(actor=steward, dataset="x").policy
    frame = read_table(csv)[0]
    codes, domains, _ = _cells(frame, by, policy, None, True)
    grouped = grouped_records(session=spark_session(), source=folder, columns=by, source_name="f")
    g_codes, g_domains, _ = _cells(grouped, by, policy, None, True)
    assert g_domains == domains
    exact = _exact_counts(codes, domains)
    assert np.array_equal(_exact_counts(g_codes, g_domains, grouped["__rows__"].to_numpy()), exact)
    assert exact.sum() == len(frame) == 6000
    # both engines fingerprint the same people the same way (same columns, same sketches)
    from privacy._population import population_fingerprint, population_from_spark
    from sandbox.engines import read_source

    on_pandas = population_fingerprint(frame)["columns"]
    on_spark = population_from_spark(read_source(spark_session(), folder))["columns"]
    assert on_pandas and [c["column"] for c in on_spark] == [c["column"] for c in on_pandas]
    assert [c["sketch"] for c in on_spark] == [c["sketch"] for c in on_pandas]


def test_failed_spark_job_spends_nothing(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sqlalchemy import func, select

    from privacy._tables import Release
    from sandbox.store import session_scope

    broken = home.parent / "broken"
    broken.mkdir()
    # A Parquet file whose footer is sound (the upload's size check passes) but whose data pages are damaged:
    # the Spark job itself fails half-way.
    part = broken / "part-0.parquet"
    pq.write_table(pa.table({"街道镇": [f"街道{i % 7}" for i in range(20_000)]}), part, use_dictionary=False,
                   compression="snappy")
    data = bytearray(part.read_bytes())
    data[8:4008] = bytes(range(256)) * 15 + bytes(160)
    part.write_bytes(bytes(data))
    with pytest.raises(JobFailed) as caught:
        release_histogram(actor=steward, source=broken, by=["街道镇"], epsilon=1.0, dataset="broken",
                          keys_from_data=True, engine="spark")
    assert caught.value.key == "engines.errors.job_failed"
    assert "broken" in caught.value.render("en")
    status = budget_status(actor=steward, dataset="broken", missing_ok=True)
    assert status["exists"] is False and status["epsilon_spent"] == 0
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Release)) == 0
