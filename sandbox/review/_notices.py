"""What a committee member must know before voting on an open review, computed when it is shown.

- **The vendor registered a newer version** after the review opened: the review — its evidence, the record and
  the ``approved`` alias an approval sets — covers the version it was opened for, while the trial (and its
  ``trial`` alias) may have moved on. Named with the versions, when they were registered and their aliases.
- **Audits recorded since the meeting's evidence was gathered** (at opening, or when attendance was last
  recorded): the ★ checklist pre-fills and the record would not show them; recording attendance again brings
  them in.

- **An MLflow alias of the model the signed records do not back** (``models._alias_check``), at any status.

Each notice is ``{"code", "key", "params"}`` (catalog ``reviewer.yaml``); nothing here changes the review.
"""

from __future__ import annotations

from typing import Any

from sandbox.review._evidence import _function
from sandbox.roles import Actor

__all__ = ["review_notices"]


def _newer_versions(actor: Actor, model: dict[str, Any]) -> list[dict[str, Any]]:
    list_models = _function("models.service", "list_models")
    reviewed = str(model.get("version", ""))
    if list_models is None or not reviewed.isdigit():
        return []
    try:
        rows = list_models(actor=actor)
    except Exception:  # the registry cannot list them: nothing to say
        return []
    return sorted(({"version": str(m["version"]), "created_at": str(m.get("created_at", ""))[:10],
                    "aliases": list(m.get("aliases") or [])}
                   for m in rows if m.get("name") == model.get("name") and str(m.get("version", "")).isdigit()
                   and int(m["version"]) > int(reviewed)), key=lambda m: int(m["version"]))


def _new_audits(state: dict[str, Any]) -> list[dict[str, Any]]:
    audit_evidence = _function("audits.evidence", "audit_evidence")
    model = state.get("model") or {}
    if audit_evidence is None:
        return []
    try:
        now = list(audit_evidence(model_name=model.get("name"), model_version=model.get("version")))
    except Exception:
        return []
    known = {a.get("audit_id") for a in ((state.get("evidence") or {}).get("audits") or [])}
    return [{"audit_id": a.get("audit_id"), "verdict": a.get("verdict"), "created_at": str(a.get("created_at", ""))[:16]}
            for a in now if a.get("audit_id") not in known]


def _alias_notices(model: dict[str, Any]) -> list[dict[str, Any]]:
    """MLflow's aliases of the reviewed model that the signed records do not back (at any status: a signed
    approval whose ``@approved`` was moved outside the sandbox is exactly what a decided review must show)."""
    check = _function("models.service", "alias_check")
    if check is None or not model.get("registered") or not model.get("name"):
        return []
    found = check({str(model["name"])})
    return [{"code": f"alias_{p['kind']}", "key": p["key"], "params": p["params"]} for p in found["problems"]]


def _verdict(verdict: Any) -> str:
    from sandbox.i18n import t

    return t(f"audits.verdict.{verdict}")


def review_notices(*, actor: Actor, state: dict[str, Any], status: str) -> list[dict[str, Any]]:
    """Notices for an open review (none once it is decided: the record then speaks, and re-review triggers)."""
    model = state.get("model") or {}
    out: list[dict[str, Any]] = _alias_notices(model)
    if status != "open":
        return out
    newer = _newer_versions(actor, model)
    if newer:
        listed = ", ".join(f"v{m['version']} ({m['created_at']}{', @' + ', @'.join(m['aliases']) if m['aliases'] else ''})"
                           for m in newer)
        out.append({"code": "newer_version", "key": "review.notice.newer_version",
                    "params": {"model": model.get("name", ""), "version": model.get("version", ""), "newer": listed}})
    fresh = _new_audits(state)
    if fresh:
        listed = ", ".join(f"#{a['audit_id']} ({_verdict(a['verdict'])}, {a['created_at']})" for a in fresh)
        out.append({"code": "new_audits", "key": "review.notice.new_audits",
                    "params": {"version": model.get("version", ""), "audits": listed, "count": len(fresh)}})
    return out
