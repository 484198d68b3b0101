"""One SparkSession on local[2] for the whole test run, and small shared tables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

MASTER = "local[2]"


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The process's SparkSession (``sandbox.engines.spark_session``), started once and stopped at the end."""
    from sandbox.engines import spark_session, stop_spark
    from sandbox.settings import reset_settings_cache

    previous = {k: os.environ.get(k) for k in ("SANDBOX_SPARK_MASTER", "SANDBOX_HOME")}
    os.environ["SANDBOX_SPARK_MASTER"] = MASTER
    os.environ["SANDBOX_HOME"] = str(tmp_path_factory.mktemp("spark-home"))
    reset_settings_cache()
    session = spark_session()
    if previous["SANDBOX_HOME"] is not None:
        os.environ["SANDBOX_HOME"] = previous["SANDBOX_HOME"]
    reset_settings_cache()
    yield session
    stop_spark()
    if previous["SANDBOX_SPARK_MASTER"] is None:
        os.environ.pop("SANDBOX_SPARK_MASTER", None)


@pytest.fixture
def audit_source(home: Path, spark: object) -> tuple[Path, Path]:
    """The audits' synthetic table (planted disparity, 身份证 numbers, district codes) as CSV and a Parquet folder."""
    import numpy as np

    from tests.audits.conftest import synthetic

    frame = synthetic(n=6000, seed=11)
    rng = np.random.default_rng(3)
    codes = {"西湖街道": "330106001", "北山街道": "330106002", "灵隐街道": "330106003",
             "留下镇": "330106100", "三墩镇": "330106101"}
    frame["街道镇代码"] = frame["街道镇"].map(codes)
    frame.loc[rng.choice(len(frame), 40, replace=False), "年龄"] = -1  # unknown ages stay in the audit
    csv = home.parent / "audit.csv"
    frame.to_csv(csv, index=False, encoding="utf-8-sig")
    folder = home.parent / "audit_parquet"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 2000)):
        frame.iloc[start:start + 2000].to_parquet(folder / f"part-{i}.parquet", index=False)
    return csv, folder


def _demo_user(name: str):  # type: ignore[no-untyped-def]
    from sandbox.demo.people import DEMO_PASSWORD, seed_people
    from sandbox.users import authenticate

    seed_people()
    return authenticate(name, DEMO_PASSWORD)


@pytest.fixture
def reviewer(home: Path):  # type: ignore[no-untyped-def]
    return _demo_user("reviewer")


@pytest.fixture
def steward(home: Path):  # type: ignore[no-untyped-def]
    return _demo_user("steward")
