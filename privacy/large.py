"""Services for large sources on Apache Spark (``--engine spark``): scan and de-identify.

A large source is a Parquet/CSV file or folder or a table name
(:func:`sandbox.engines.read_source`). Results are folders — a local or
shared-mount path, or a Hadoop URI (``hdfs://``, ``s3a://``, ``file://`` …) —
written under a temporary sibling name and renamed when complete
(:func:`sandbox.engines.spark_output`): a failed, refused or cancelled Spark
job leaves nothing behind and records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sandbox.errors import InputError
from sandbox.roles import Actor, authorize

__all__ = ["deidentify_large", "deidentify_registered", "scan_large", "scan_registered"]

Progress = Callable[[float, str], None]


def scan_large(*, actor: Actor, source: str | Path, out: str | Path, columns: Iterable[str] | None = None,
               entities: Iterable[str] | None = None, key: str | None = None, progress: Progress | None = None,
               job_group: str | None = None) -> dict[str, Any]:
    """Scan a large source on Spark; findings Parquet in ``out/findings``, summary in ``out/summary.json``.

    Same recognizers, name model and column profiles as
    :func:`privacy.scanning.scan_file` (:mod:`privacy._spark_scan`). Returns
    the summary: ``rows``, ``has_pii``, ``entity_types``, ``columns`` (one
    summary each), ``findings`` (how many) and ``findings_path``.
    """
    from privacy._detect import DEFAULT_THRESHOLD, resolve_entities
    from privacy._spark_scan import spark_scan
    from privacy.scanning import scan_headers
    from sandbox.activity import log_activity
    from sandbox.engines import size_spark_job, source_label, spark_job, spark_output, spark_session
    from sandbox.store import session_scope

    authorize(actor, "privacy.scan")
    name = source_label(source)
    _refuse_existing(out)
    session = spark_session()
    size_spark_job(session, source, work="scan")  # a heap too small is refused before anything is written
    with spark_output(session, out) as folder, spark_job(session, description=f"PII scan {name}",
                                                         progress=progress, group=job_group):
        rows, summaries, n_findings = spark_scan(session=session, source=source, out=folder,
                                                 columns=list(columns) if columns else None, key=key,
                                                 entities=resolve_entities(entities), threshold=DEFAULT_THRESHOLD,
                                                 source_name=name)
        counts: dict[str, int] = {}
        headers = [f for found in scan_headers([s.column for s in summaries], entities=entities).values()
                   for f in found]  # names in the header row (pandas ``scan_file`` lists them first)
        for summary in summaries:
            for entity, n in summary.entity_types.items():
                counts[entity] = counts.get(entity, 0) + n
        for finding in headers:
            counts[finding.entity_type] = counts.get(finding.entity_type, 0) + 1
        report = {"file": name, "kind": "table", "engine": "spark", "rows": rows,
                  "has_pii": n_findings > 0 or bool(headers),
                  "entity_types": dict(sorted(counts.items(), key=lambda item: -item[1])),
                  "columns": [s.to_dict() for s in summaries], "findings": n_findings,
                  "headers": [f.to_dict() for f in headers], "findings_path": _inside(out, "findings")}
        folder.write_text("summary.json", json.dumps(report, ensure_ascii=False, indent=2))
    with session_scope() as db:
        log_activity(db, actor, "privacy.scan", name, rows=rows, findings=n_findings, engine="spark",
                     entity_types=report["entity_types"], pii_columns=[s.column for s in summaries if s.has_pii])
    return report


def deidentify_large(*, actor: Actor, source: str | Path, out: str | Path, policy: Any = "default",
                     project: str = "default", suppress: bool = True, progress: Progress | None = None,
                     job_group: str | None = None) -> dict[str, Any]:
    """De-identify a large source on Spark: ``out/<name>.deid.parquet/`` plus the report ``out/<name>.deid.json``.

    The same classification, plans, operators, keyed pseudonyms (the project's
    key, read here and shipped to the executors), rare-combination suppression
    and re-scan as :func:`privacy.deid.deidentify_file`
    (:mod:`privacy.deid._spark`); the report has the same fields plus
    ``engine``. A refusal (no rule, ``keep`` over personal information,
    personal information left) or a failed job leaves no ``out`` folder.
    """
    from privacy.deid._operators import pseudonym_key
    from privacy.deid._policy import load_policy
    from privacy.deid._service import LABEL, LABEL_EN
    from privacy.deid._spark import spark_deidentify
    from sandbox.activity import log_activity
    from sandbox.engines import (
        size_spark_job,
        source_fingerprint,
        source_label,
        spark_job,
        spark_output,
        spark_session,
    )
    from sandbox.store import session_scope

    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    name = source_label(source)
    _refuse_existing(out)
    key = pseudonym_key(project)
    base = name.rstrip("/").rsplit("/", 1)[-1]  # a URI's last segment; a table name stays whole
    stem = Path(base).stem if Path(base).suffix.lower() in (".parquet", ".pq", ".csv", ".txt") else base
    data_name = f"{stem}.deid.parquet"
    session = spark_session()
    size_spark_job(session, source, work="deid")  # a heap too small is refused before anything is written
    with spark_output(session, out) as folder, spark_job(session, description=f"de-identify {name}",
                                                         progress=progress, group=job_group):
        result, rows_in, rows_out = spark_deidentify(session=session, source=source, policy=rules, key=key,
                                                     out=folder.child(data_name), suppress=suppress,
                                                     source_name=name)
        report: dict[str, Any] = {
            "source": name, "source_sha256": source_fingerprint(source), "engine": "spark", "rows_in": rows_in,
            "rows_out": rows_out, "policy": rules.ref, "label": LABEL, "label_en": LABEL_EN,
            "operations": result.operations, "text_entities": result.text_entities, "headers": result.headers,
            "suppressed_rows": result.suppressed_rows, "suppressed_cells": result.suppressed_cells,
            "identifying_columns": result.identifying_columns, "columns": result.columns,
            "pii_before": result.pii_before, "pii_after": result.pii_after,
            "rescan": {"rows_scanned": rows_out, "clean": not result.pii_after},
            "output": _inside(out, data_name),
        }
        folder.write_text(f"{stem}.deid.json", json.dumps(report, ensure_ascii=False, indent=2))
    with session_scope() as db:
        log_activity(db, actor, "privacy.deid", name, policy=rules.ref, rows=rows_out, engine="spark",
                     pii_before=result.pii_before, pii_after=result.pii_after)
    return report


def _refuse_existing(out: str | Path) -> None:
    """Before Spark starts: an unknown scheme or an existing local folder (a URI is checked on its file system)."""
    from sandbox.engines import is_output_uri, output_uri

    output_uri(out)
    if not is_output_uri(out) and Path(out).exists():
        raise InputError("engines.errors.out_exists", path=str(out))


def _inside(out: str | Path, name: str) -> str:
    """``name`` inside the output folder, as the user wrote the folder (a path or a URI)."""
    return f"{str(out).rstrip('/')}/{name}"


def _registered(actor: Actor, name: str) -> str:
    """The path or table of the registered large source ``name`` (``SANDBOX_LARGE_SOURCES``)."""
    from sandbox.engines import large_sources

    sources = large_sources(actor=actor)
    if name not in sources:
        raise InputError("large.errors.unknown_source", name=name, known=", ".join(sources) or "—")
    return sources[name]


def _default_out(name: str, operation: str) -> str:
    """``<data home>/large-outputs/<name>-<operation>-<UTC time>``: a new folder for a page's result."""
    import re
    from datetime import UTC, datetime

    from sandbox.settings import get_settings

    slug = re.sub(r"[^\w.-]+", "_", name).strip("._") or "source"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(get_settings().home / "large-outputs" / f"{slug}-{operation}-{stamp}")


def _masked_examples(report: dict[str, Any], out: str | Path, *, per_column: int = 3) -> dict[str, list[str]]:
    """Up to ``per_column`` distinct **masked** values per column with findings (read back from the findings)."""
    from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)

    from sandbox.engines import output_uri, spark_session

    columns = [c["column"] for c in report["columns"] if c["hit_cells"]][:30]
    if not columns or not report["findings"]:
        return {}
    found = spark_session().read.parquet(f"{output_uri(out)}/findings").select("column", "masked")
    examples: dict[str, list[str]] = {}
    for column in columns:  # the first findings of each column (Spark stops reading once it has them)
        rows = found.filter(F.col("column") == column).select("masked").limit(100).collect()
        examples[column] = sorted(dict.fromkeys(str(r["masked"]) for r in rows))[:per_column]
    return examples


def scan_registered(*, actor: Actor, name: str, out: str | None = None, columns: Iterable[str] | None = None,
                    progress: Progress | None = None, job_group: str | None = None) -> dict[str, Any]:
    """The workbench's scan of a registered large source: :func:`scan_large` plus masked examples.

    ``out`` (a new folder path or Hadoop URI) defaults to a new folder under
    ``<data home>/large-outputs``. The result is :func:`scan_large`'s report
    with ``examples`` (column → a few masked values; never a raw value) and
    ``out``.
    """
    from sandbox.engines import spark_job, spark_session

    authorize(actor, "privacy.scan")
    source = _registered(actor, name)
    target = out.strip() if out and out.strip() else _default_out(name, "scan")
    report = scan_large(actor=actor, source=source, out=target, columns=columns, progress=progress,
                        job_group=job_group)
    with spark_job(spark_session(), description=f"PII scan {name}: examples", progress=progress, group=job_group):
        examples = _masked_examples(report, target)
    return {**report, "operation": "scan", "source_name": name, "out": target, "examples": examples}


def deidentify_registered(*, actor: Actor, name: str, policy: str = "default", out: str | None = None,
                          project: str = "default", progress: Progress | None = None,
                          job_group: str | None = None) -> dict[str, Any]:
    """The workbench's de-identification of a registered large source (:func:`deidentify_large`).

    ``out`` defaults to a new folder under ``<data home>/large-outputs``.
    Returns the report (per-column before/after re-scan counts, ``output``,
    ``label`` 去标识化) with ``operation`` and ``out``.
    """
    authorize(actor, "privacy.deid")
    source = _registered(actor, name)
    target = out.strip() if out and out.strip() else _default_out(name, "deid")
    report = deidentify_large(actor=actor, source=source, out=target, policy=policy, project=project,
                              progress=progress, job_group=job_group)
    return {**report, "operation": "deid", "source_name": name, "out": target}
