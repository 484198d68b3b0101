"""Audit evidence for the ethics review (contract in DEVELOPING.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox.store import session_scope

from ._tables import Audit

__all__ = ["audit_evidence", "score_evidence"]

CHECK_FIELDS = ("check", "dimension", "group", "reference", "n", "value", "disparity", "ci_low", "ci_high",
                "threshold", "verdict", "reason", "n_needed", "p_fail_adjusted", "p_pass_adjusted", "unknown")


def audit_evidence(*, model_name: str, model_version: str) -> list[dict[str, Any]]:
    """Every recorded audit of one model version, newest first.

    ``model_name`` is the registered name (or the model card's name).

    Returns
    -------
    list of dict
        ``audit_id``, ``run_id``, ``created_at``, ``policy`` (``{"name",
        "version"}``), ``dataset_sha256``, ``verdict`` (pass/fail/insufficient),
        ``checks`` (per-group verdicts with intervals and the n needed),
        ``heatmap`` (age band × district values of the headline metric),
        ``tool_versions``; also ``summary``, ``correction``, ``bootstrap`` and
        ``scores`` (None when no score was audited): ``threshold`` (value,
        operator, source, decisions), ``calibration_verdict`` (worst of the
        ``calibration_checks``), ``calibration_checks`` (failing/insufficient
        rows first), ``pass_ranges`` (per check and dimension: thresholds at
        which every sizeable group complies, and whether the chosen one does),
        ``impossibility`` (base rates differ: calibration and error-rate
        balance cannot both hold) and ``base_rates``; ``district_labels`` (``column``, ``merged``:
        labels merged on request with rows and by whom, ``variants``: likely one place written
        several ways, left as separate groups — None for audits recorded before it existed); ``n_rows`` and
        ``unknown`` (``age_rows``, ``district_rows``: rows in the 未知 groups); ``labels`` (partial labels: ``labelled``
        of ``rows``; None when every row had a label).
    """
    named = (Audit.model_name == model_name) | (Audit.model_card_name == model_name)
    query = (select(Audit).where(named, Audit.model_version == str(model_version))
             .order_by(Audit.created_at.desc(), Audit.id.desc()))
    with session_scope() as session:
        rows = list(session.scalars(query))
        return [
            {
                "audit_id": row.id,
                "run_id": row.run_id,
                "created_at": row.created_at.isoformat(timespec="seconds"),
                "policy": {"name": row.policy_name, "version": row.policy_version},
                "dataset_sha256": row.dataset_sha256,
                # a black-box audit's figures come from the vendor's predictions file: bound by its hash too
                "predictions_sha256": row.report.get("predictions_sha256"),
                "verdict": row.verdict,
                "checks": [{k: c.get(k) for k in CHECK_FIELDS} for c in row.report.get("checks", [])],
                "heatmap": row.report.get("heatmap", {}),
                "tool_versions": row.tool_versions,
                "summary": row.report.get("summary", {}),
                "correction": row.report.get("correction", {}),
                "bootstrap": row.report.get("bootstrap", {}),
                "scores": score_evidence(row.report),
                "district_labels": row.report.get("district_labels"),
                # rows with no usable age / district (the 未知 groups), of n_rows
                "n_rows": row.report.get("n_rows"),
                "unknown": row.report.get("unknown"),
                # labels for a sample only (partial labels): column, labelled, rows — None when every row had one
                "labels": row.report.get("labels"),
            }
            for row in rows
        ]


def score_evidence(report: dict[str, Any]) -> dict[str, Any] | None:
    """The score part of one audit report for the review (None when no score was audited)."""
    section = report.get("score")
    if not section:
        return None
    spec = section["spec"]
    order = {"fail": 0, "insufficient": 1, "pass": 2}
    rows = sorted((c for c in report.get("checks", []) if c.get("metric") == "calibration_gap"),
                  key=lambda c: order.get(c.get("verdict"), 3))
    verdicts = {c["verdict"] for c in rows}
    worst = next((v for v in ("fail", "insufficient", "pass") if v in verdicts), None)
    return {
        "threshold": {"column": spec["column"], "value": spec["threshold_label"], "operator": spec["operator"],
                      "source": spec["source"], "decisions": spec["decisions"], "kind": spec["kind"]},
        "calibration_verdict": worst,
        "calibration_checks": [{k: c.get(k) for k in (*CHECK_FIELDS, "bin", "bins_compared")} for c in rows],
        "pass_ranges": [{"check": p["check"], "dimension": p["dimension"], "ranges": p["ranges"],
                         "at_chosen": p["at_chosen"]} for p in section["sweep"]["pass_ranges"]],
        "impossibility": section["impossibility"],
        "base_rates": section["base_rates"],
    }
