"""The evidence a vote is cast on, bound to the vote (session 10, guard).

A member votes on what the review shows: the model version and its artifact sha256, the versions the vendor has
registered, the fairness audits recorded for that version (id, MLflow run, dataset sha256, verdict) and the
privacy releases of the trial (manifest sha256). That evidence, read from the areas when the vote is cast, is
summarised (``parts``) and digested (``digest`` = sha256 of its canonical JSON); both go into the signed vote
statement (``evidence``). When the evidence changes after a vote — an audit recorded or re-run with other
predictions, a newer version registered, a release made — the vote is *stale*: ``decide`` refuses while a vote
it would count is stale (the member re-votes on what is there now), and the record lists each counted vote's
digest beside the decision's own (``H.evidence_digest``), which verification checks. Records made before this
(no ``H.evidence_digest``) verify as before.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.review._crypto import canonical
from sandbox.review._evidence import _function
from sandbox.roles import Actor

__all__ = ["current_evidence", "evidence_changes", "stale_votes"]


def current_evidence(*, actor: Actor, state: dict[str, Any], trial_id: int) -> dict[str, Any]:
    """``{"digest", "parts"}`` of the evidence a member sees for this review now."""
    model = state.get("model") or {}
    name, version = str(model.get("name", "")), str(model.get("version", ""))
    parts: dict[str, Any] = {
        "model": {"name": name, "version": version, "sha256": model.get("sha256") or ""},
        "versions": [],
        "audits": [],
        "releases": [],
    }
    show = _function("models.service", "show_model")
    if show is not None and model.get("registered"):
        try:
            shown = show(actor=actor, name=name, version=version)
            parts["model"]["sha256"] = shown.get("sha256") or parts["model"]["sha256"]
            parts["versions"] = [str(v) for v in shown.get("versions") or []]
        except Exception:  # the registry cannot describe it: the state's view stands
            pass
    audits = _function("audits.evidence", "audit_evidence")
    if audits is not None:
        try:
            found = audits(model_name=name, model_version=version)
        except Exception:
            found = []
        parts["audits"] = sorted(
            (
                [
                    str(a.get("audit_id")),
                    str(a.get("run_id") or ""),
                    str(a.get("dataset_sha256") or ""),
                    str(a.get("verdict") or ""),
                ]
                for a in found or []
            ),
            key=lambda a: a[0],
        )
    privacy = _function("privacy.evidence", "privacy_evidence")
    if privacy is not None:
        try:
            releases = (privacy(trial_id=trial_id) or {}).get("releases") or []
        except Exception:
            releases = []
        parts["releases"] = sorted(str(r.get("manifest_sha256") or r.get("id")) for r in releases)
    return {"digest": hashlib.sha256(canonical(parts).encode("utf-8")).hexdigest(), "parts": parts}


def evidence_changes(before: dict[str, Any] | None, now: dict[str, Any]) -> str:
    """What changed between the evidence a vote was cast on and now, in the user's language (ids, versions)."""
    from sandbox.i18n import t

    if not before:
        return t("review.evidence.not_recorded")
    old, new = before.get("parts") or {}, now["parts"]
    said: list[str] = []
    fresh = [a for a in new["audits"] if a not in (old.get("audits") or [])]
    if fresh:
        said.append(t("review.evidence.audits_new", ids=", ".join(f"#{a[0]}" for a in fresh)))
    removed = sorted({a[0] for a in old.get("audits") or []} - {a[0] for a in new["audits"]})
    if removed:
        said.append(t("review.evidence.audits_gone", ids=", ".join(f"#{a}" for a in removed)))
    versions = [v for v in new["versions"] if v not in (old.get("versions") or [])]
    if versions:
        said.append(t("review.evidence.versions_new", versions=", ".join(f"v{v}" for v in versions)))
    if (old.get("model") or {}).get("sha256") != new["model"]["sha256"]:
        said.append(t("review.evidence.artifact_changed"))
    if sorted(old.get("releases") or []) != new["releases"]:
        said.append(t("review.evidence.releases_changed"))
    return t("review.evidence.separator").join(said) or t("review.evidence.other")


def stale_votes(votes: list[dict[str, Any]], now: dict[str, Any]) -> list[dict[str, Any]]:
    """The votes (``latest_votes`` entries) not cast on the evidence ``now`` (a vote without evidence is stale)."""
    return [v for v in votes if (v.get("evidence") or {}).get("digest") != now["digest"]]
