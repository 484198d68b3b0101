"""Recording a finished audit: tool versions, model attribution, the MLflow run, then one transaction.

Split out of :mod:`audits.service` (which holds the entry points); nothing here checks permissions.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

from sandbox.roles import Actor

__all__ = ["EXPERIMENT", "finish", "jsonable", "recorder_for", "tool_versions"]

EXPERIMENT = "fairness-audits"
TOOLS = ("algorithm-governance-sandbox", "fairlearn", "numpy", "pandas", "scikit-learn", "mlflow")


def tool_versions() -> dict[str, str]:
    out = {}
    for name in TOOLS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out


@contextlib.contextmanager
def recorder_for(*, record: bool, recorder: Any) -> Iterator[Any]:
    """The MLflow helper for one audit: None for a dry run, the caller's (the caller closes it), or one
    started here — first thing, so MLflow loads in its process while the audit runs — and closed here."""
    if not record or recorder is not None:
        yield recorder if record else None
        return
    from models.run_logger import RunLogger  # imports no mlflow: a helper process does, meanwhile

    own = RunLogger(experiment=EXPERIMENT)
    try:
        yield own
    finally:
        own.close()


def finish(actor: Actor, result: dict[str, Any], *, model_info: dict[str, Any] | None, policy: Any,
           data_label: str, record: bool, say: Callable[[float, str], None], recorder: Any = None) -> dict[str, Any]:
    """Model attribution, versions, and (unless a dry run) the record."""
    result["model"] = None if model_info is None else {
        "name": model_info["name"], "version": str(model_info["version"]), "model_name": model_info.get("model_name"),
        "vendor": model_info.get("vendor"), "vendor_id": model_info.get("vendor_id"),
        "trial_id": model_info.get("trial_id")}
    result.setdefault("isolation", None)  # "weak" (development only) when the audit scored the model unsandboxed
    result["tool_versions"] = tool_versions()
    result["policy_full"] = policy.as_dict()
    result["audit_id"] = result["run_id"] = None
    if record:
        say(0.95, "record")
        from models.run_logger import RunLogger

        with recorder or RunLogger() as logger:
            _record(actor, result, data_label, logger)
    say(1.0, "done")
    return result


def _record(actor: Actor, result: dict[str, Any], data_label: str, recorder: Any) -> None:
    """The MLflow run (handed to ``recorder`` first, so it is logged while the rows are built), then one
    transaction: the audit with the run id, its checks, the activity entry."""
    from sandbox.activity import log_activity
    from sandbox.store import session_scope

    from ._tables import Audit, AuditCheck
    from .report import render_html

    uid = uuid.uuid4().hex
    model = result["model"] or {}
    report = jsonable(result)
    _submit_run(result, uid, render_html(result), report, recorder)
    audit = Audit(
        uid=uid, vendor_id=model.get("vendor_id"), model_name=model.get("name"),
        model_card_name=model.get("model_name"),
        model_version=model.get("version"), trial_id=model.get("trial_id"),
        source="predictions" if result["predictions_sha256"] else "model", data_file=data_label[:255],
        dataset_sha256=result["dataset_sha256"], predictions_sha256=result["predictions_sha256"],
        policy_name=result["policy"]["name"], policy_version=result["policy"]["version"],
        service_domain=result["domain"], verdict=result["verdict"], n_rows=result["n_rows"],
        n_pass=result["summary"]["pass"], n_fail=result["summary"]["fail"],
        n_insufficient=result["summary"]["insufficient"], created_by=actor.username,
        tool_versions=result["tool_versions"], report=report,
    )
    checks = [
        AuditCheck(check=row["check"], dimension=row["dimension"],
                   group_label=row["group"][:255], reference=row["reference"][:255], n=row["n"],
                   value=row["value"], disparity=row["disparity"], ci_low=row["ci_low"],
                   ci_high=row["ci_high"], threshold=row["threshold"],
                   p_adjusted=row["p_fail_adjusted"], verdict=row["verdict"], reason=row["reason"],
                   n_needed=row["n_needed"])
        for row in result["checks"]
    ]
    run_id = recorder.result()  # nothing is written to the database unless the run was logged
    with session_scope() as session:
        audit.run_id = run_id
        session.add(audit)
        session.flush()
        for check in checks:
            check.audit_id = audit.id
        session.add_all(checks)
        log_activity(session, actor, "audit.run", f"audit:{audit.id}", verdict=result["verdict"],
                     model=f"{model.get('name')}/{model.get('version')}" if model else None,
                     policy=result["policy"]["label"])
        result["audit_id"] = audit.id
    result["run_id"] = run_id


def _submit_run(result: dict[str, Any], uid: str, html: str, report: dict[str, Any], recorder: Any) -> None:
    model = result["model"] or {}
    metrics = {f"overall_{k}": v for k, v in result["overall"].items()
               if v is not None and k.isascii() and "[" not in k}  # per-class names are not valid MLflow keys
    metrics.update({f"checks_{k}": v for k, v in result["summary"].items()})
    tags = {"sandbox.audit_uid": uid, "sandbox.verdict": result["verdict"],
            "sandbox.policy": result["policy"]["label"], "sandbox.dataset_sha256": result["dataset_sha256"]}
    if model:
        tags.update({"sandbox.model_name": model["name"], "sandbox.model_version": model["version"]})
    version_tag = (model["name"], model["version"], "sandbox.last_audit_run", "") if model else None
    recorder.submit(
        experiment=EXPERIMENT, run_name=f"audit {model.get('name', 'predictions')}/{model.get('version', '')}",
        params={"policy": result["policy"]["name"], "policy_version": result["policy"]["version"],
                "dataset_sha256": result["dataset_sha256"], "correction": result["correction"]["method"],
                "replicates": result["bootstrap"]["replicates"], "seed": result["bootstrap"]["seed"],
                "domain": result["domain"] or "", "model": f"{model.get('name', '')}/{model.get('version', '')}"},
        metrics=metrics, tags=tags, version_tag=version_tag,
        texts={"audit_report.json": json.dumps(report, ensure_ascii=False, indent=1),
               "audit_report.html": html},
    )


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=lambda v: v.item() if hasattr(v, "item") else str(v)))
