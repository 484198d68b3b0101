"""Which version of each registered model the signed records approve now (the ``approved`` alias it must hold).

The alias follows the records and nothing else: the chair's ``approved`` signature on a record whose decision
approves (批准 / 修改后批准) points it at that record's model version (group B: ``model_version``,
``artifact_sha256``); a record whose decision does not approve (修改后再审, 不予批准, 暂停, 终止) removes it.
Replaying the record and signature entries of every chain in the order they were written gives, per
registered model, the version the committee approved and the record that says so — or that none is approved.
A trial transition or a deletion may remove the alias without a record (never set it): an alias that is
absent is never a disagreement here, one that points elsewhere always is.

Read by :mod:`models` (lists, show, the models page, trial transitions) and ``sandbox verify --all`` to check
what MLflow serves as ``@approved`` against what the committee signed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from sandbox.review._rules import APPROVING
from sandbox.review._tables import ReviewEntry
from sandbox.store import session_scope

__all__ = ["alias_verification", "signed_approvals"]


def signed_approvals(names: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Registered model → the approval in force by the signed records.

    Parameters
    ----------
    names : set of str, optional
        Only these registered models (default: every model a record names).

    Returns
    -------
    dict
        ``{name: {"version", "sha256", "record_id", "decision"}}``; ``version`` is None when the newest
        record of that model does not approve (the alias must then be absent). Models no record names are
        not in the answer.
    """
    records: dict[str, tuple[str, str, str, str]] = {}
    out: dict[str, dict[str, Any]] = {}
    with session_scope() as s:
        rows = s.execute(
            select(ReviewEntry.kind, ReviewEntry.record_id, ReviewEntry.payload)
            .where(ReviewEntry.kind.in_(("record", "signature")))
            .order_by(ReviewEntry.created_at, ReviewEntry.id)
        ).all()
    for kind, record_id, raw in rows:
        try:
            payload = json.loads(raw)
        except ValueError:  # verify --all names the record; nothing is approved by it
            continue
        if kind == "record":
            groups = payload.get("groups") or {}
            b, h = groups.get("B") or {}, groups.get("H") or {}
            name, decision = str(b.get("model_name", "")), str(h.get("decision", ""))
            if names is not None and name not in names:
                continue
            records[record_id] = (
                name,
                str(b.get("model_version", "")),
                str(b.get("artifact_sha256", "")),
                decision,
            )
            if decision not in APPROVING:
                out[name] = {"version": None, "sha256": None, "record_id": record_id, "decision": decision}
            continue
        signed = payload.get("signed") or {}
        if signed.get("meaning") != "approved" or record_id not in records:
            continue
        name, version, sha256, decision = records[record_id]
        if decision in APPROVING:
            out[name] = {"version": version, "sha256": sha256, "record_id": record_id, "decision": decision}
    return out


def alias_verification() -> dict[str, Any]:
    """``sandbox verify --all``'s alias part: MLflow's ``@approved``/``@trial`` against the signed records.

    Returns
    -------
    dict
        ``{"ok": True, "aliases_checked": n}`` (models with an alias in MLflow), ``{"ok": True,
        "aliases_unchecked": reason}`` when MLflow could not be read (said, not failed: a restore checks its
        records before the server is up), or the failure of the first disagreement (``review.verify.alias_disagrees``).
    """
    import importlib

    try:
        service = importlib.import_module("models.service")
    except ImportError:
        return {"ok": True, "aliases_unchecked": "models"}
    check = service.alias_check()
    if not check["checked"]:
        return {"ok": True, "aliases_unchecked": check["reason"]}
    if check["problems"]:
        first = check["problems"][0]
        text = service.alias_problem_text(first)
        return {
            "ok": False,
            "record": first["params"].get("record") or first["name"],
            "field": f"@{first['alias']}",
            "reason": text,
            "reason_key": "review.verify.alias_disagrees",
            "params": {"detail": text},
            "alias_problems": check["problems"],
        }
    return {"ok": True, "aliases_checked": len(check["aliases"])}
