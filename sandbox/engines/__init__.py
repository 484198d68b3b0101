"""Engines for the data-heavy operations: pandas in-process (default) or Apache Spark.

Core-level: imports no domain package. The domain packages keep their pure
functions (the same for both engines); their ``_spark.py`` modules use this
package to get a session (:func:`spark_session`), read a large source
(:func:`read_source`) and run observed, cancellable jobs (:func:`spark_job`).
PySpark is imported only when a Spark engine is really used.
"""

from __future__ import annotations

from typing import Literal

from sandbox.errors import InputError

from ._background import background_status, start_background
from ._jobs import JobCancelled, JobFailed, Progress, cancel_job, running_jobs, spark_job, stderr_progress
from ._output import OutputFolder, is_output_uri, output_uri, spark_output
from ._session import plain_strings, quiet_pandas_warning, spark_session, stop_spark, to_pandas
from ._sizing import size_spark_job
from ._sources import is_table_name, read_source, require_source_columns, source_fingerprint, source_label

__all__ = [
    "EngineName",
    "JobCancelled",
    "JobFailed",
    "OutputFolder",
    "Progress",
    "background_status",
    "cancel_job",
    "is_output_uri",
    "is_table_name",
    "large_sources",
    "output_uri",
    "plain_strings",
    "quiet_pandas_warning",
    "read_source",
    "require_source_columns",
    "resolve_engine",
    "running_jobs",
    "size_spark_job",
    "source_fingerprint",
    "source_label",
    "spark_job",
    "spark_output",
    "spark_session",
    "start_background",
    "stderr_progress",
    "stop_spark",
    "to_pandas",
]

EngineName = Literal["pandas", "spark"]
ERR_ENGINE = "engines.errors.unknown_engine"


def resolve_engine(engine: str | None) -> EngineName:
    """``engine`` if given, else the ``SANDBOX_ENGINE`` setting; refuses anything but pandas/spark."""
    from sandbox.settings import get_settings

    name = (engine or get_settings().engine).strip().lower()
    if name not in ("pandas", "spark"):
        raise InputError(ERR_ENGINE, engine=name)
    return name  # type: ignore[return-value]


def large_sources(*, actor: object) -> dict[str, str]:
    """The registered large sources (``SANDBOX_LARGE_SOURCES``): name → path or table name."""
    from sandbox.roles import authorize
    from sandbox.settings import get_settings

    authorize(actor, "engines.large")  # type: ignore[arg-type]
    return dict(get_settings().large_sources)
