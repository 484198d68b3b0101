"""Freeze a review into a sign-off record: field groups A–K (SIGNOFF_RECORD.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sandbox.clock import local_date
from sandbox.review._crypto import clean, field_hashes, record_hash
from sandbox.review._evidence import NOT_PROVIDED
from sandbox.review._rules import APPROVING, follow_up_date, retention_until

__all__ = ["FORMAT", "FORMATS", "GROUP_TITLES", "build_record"]

FORMAT = "sandbox-signoff-record/2"
# /1: records before votes were signed chain entries (no ``H.signed_votes``); they still verify.
FORMATS: tuple[str, ...] = ("sandbox-signoff-record/1", FORMAT)
GROUP_TITLES: dict[str, tuple[str, str]] = {
    "A": ("标识", "Identification"),
    "B": ("模型与供应商", "Model and vendor"),
    "C": ("预期用途与受影响人群", "Intended use and affected people"),
    "D": ("数据与个人信息保护", "Data and privacy"),
    "E": ("公平性证据", "Fairness evidence"),
    "F": ("风险与缓解措施", "Risks and mitigations"),
    "G": ("审查过程", "Review process"),
    "H": ("决定与条件", "Decision and conditions"),
    "I": ("跟踪审查", "Follow-up"),
    "J": ("签名", "Signatures"),
    "K": ("完整性与保存", "Integrity and retention"),
}


def _or_np(value: Any) -> Any:
    return NOT_PROVIDED if value in (None, "", [], {}) else value


def _audit_summary(audits: list[dict[str, Any]] | None) -> dict[str, Any]:
    if not audits:
        return {k: NOT_PROVIDED for k in ("policy", "results", "heatmap", "verdicts", "audit_runs")}
    latest = audits[0]
    return {
        "policy": latest.get("policy"),
        "results": latest.get("checks"),
        "heatmap": _or_np(latest.get("heatmap")),
        "verdicts": [{"audit_id": a.get("audit_id"), "verdict": a.get("verdict"), "created_at": a.get("created_at")}
                     for a in audits],
        "audit_runs": [{"run_id": a.get("run_id"), "dataset_sha256": a.get("dataset_sha256"),
                        **({"predictions_sha256": a["predictions_sha256"]} if a.get("predictions_sha256") else {}),
                        "tool_versions": a.get("tool_versions")} for a in audits],
        # district labels merged on request / likely variants left unmerged (only when there are any)
        **({"district_labels": labels} if (labels := latest.get("district_labels") or {}).get("merged")
           or labels.get("variants") else {}),
    }


def build_record(
    *, review: dict[str, Any], state: dict[str, Any], committee: str, members: list[dict[str, Any]],
    votes: dict[str, str], signed_votes: list[dict[str, Any]], counts: dict[str, int], decided_at: datetime, seq: int, prev_hash: str,
    membership: dict[str, Any] | None = None, evidence_digest: str | None = None,
) -> dict[str, Any]:
    """The record document: header, groups A–K, per-field hashes and the record hash."""
    record_id = f"{review['record_no']}-v{review['version']}"
    m = state["model"]
    d = state.get("details", {})
    ev = state.get("evidence", {})
    tier = state["risk"]
    dec = state["decision"]
    today: date = local_date(decided_at)
    applied = date.fromisoformat(state["dates"]["application"])
    keep_until = retention_until(today).isoformat()
    attendance = state.get("attendance", {})
    present = [u for u, a in attendance.items() if a.get("present")]
    recused = {u: a["recused"] for u, a in attendance.items() if a.get("recused")}
    privacy = ev.get("privacy") or {}
    approving = dec["decision"] in APPROVING
    signers = [{"role": "chair", "meaning": "approved"}, {"role": "member", "meaning": "reviewed"},
               {"role": "steward", "meaning": "reviewed"}]
    if dec.get("conditions"):
        signers.append({"role": "vendor", "meaning": "acknowledged"})
    groups: dict[str, dict[str, Any]] = {
        "A": {
            "record_id": record_id, "version": review["version"], "supersedes": review["supersedes"],
            "review_type": review["review_type"], "procedure": review["procedure"], "committee": committee,
            "previous_record": state.get("previous_record"),
            "dates": {**state["dates"], "decision": today.isoformat()},
            "days_to_decision": (today - applied).days, "within_30_days": (today - applied).days <= 30,
            "trial_id": review["trial_id"],
        },
        "B": {
            "vendor_name": m["vendor_name"], "vendor_uscc": m["vendor_uscc"], "uscc_valid": m["uscc_valid"],
            "safety_officer": _or_np(m.get("safety_officer")), "model_name": m["name"], "model_version": m["version"],
            "artifact_sha256": _or_np(m.get("sha256")), "algorithm_class": _or_np(m.get("algorithm_type")),
            "filing_number": m.get("filing_number") or "未备案 / not filed", "model_card": _or_np(m.get("card")),
            "vendor_coi_statement": _or_np(d.get("vendor_coi_statement")),
        },
        "C": {
            "purpose": _or_np(d.get("purpose") or (m.get("card") or {}).get("intended_use")),
            "necessity": _or_np(d.get("necessity")), "public_value": _or_np(state.get("public_value")),
            "system_role": _or_np(d.get("system_role")), "human_decides": _or_np(d.get("human_decides")),
            "deploying_body": _or_np(d.get("deploying_body")), "duration": _or_np(d.get("duration")),
            "frequency": _or_np(d.get("frequency")), "affected_groups": _or_np(d.get("affected_groups")),
            "out_of_scope_uses": _or_np((m.get("card") or {}).get("out_of_scope_uses")),
            "expert_rereview_list": tier["expert_rereview"],
        },
        "D": {
            "data_sources": _or_np(d.get("data_sources")), "legal_basis": _or_np(d.get("legal_basis")),
            "pi_categories": _or_np(d.get("pi_categories") or (m.get("card") or {}).get("personal_information_sources")),
            "scans": _or_np(privacy.get("scans")),
            "art55_triggers": state["checklist"].get("C13", {}).get("explanation") or NOT_PROVIDED,
            "art56_findings": _or_np(state.get("pia")),
            "retention_until": keep_until,
            "releases": _or_np(privacy.get("releases")), "budget": _or_np(privacy.get("budget")),
            "isolation_and_deletion": _or_np(d.get("isolation_and_deletion")),
        },
        "E": {"sensitive_features": _or_np((m.get("card") or {}).get("sensitive_attributes")),
              "mitigations": _or_np(d.get("mitigations")), **_audit_summary(ev.get("audits"))},
        "F": {
            "risk_tier": tier["tier"], "risk_score": {k: tier[k] for k in ("raw", "mitigation", "score", "max")},
            "tier_reasons": tier["reasons"], "questionnaire": tier.get("answers", {}),
            **{k: _or_np(d.get(k)) for k in ("control_plan", "emergency_plan", "human_oversight",
                                             "complaint_route", "fallback", "logging_plan")},
        },
        "G": {
            "members_present": [{"username": x["username"], "name": x["name"], "category": x["category"],
                                 "sex": x["sex"], "voting": x["username"] not in recused}
                                for x in members if x["username"] in present],
            "quorum": state.get("quorum"),
            "conflicts": [{"username": x["username"], "interests": x["interests"], "affiliation": x["affiliation"]}
                          for x in members if x["interests"]],
            "recusals": recused, "advisers": state.get("advisers", []),
            "materials": _or_np(d.get("materials")), "checklist": state["checklist"],
            "discussion": _or_np(d.get("discussion")),
        },
        "H": {
            "decision": dec["decision"], "votes": votes, "signed_votes": signed_votes,
            "counts": {**counts, "recused": len(recused)}, "two_thirds_met": True,
            "reasons": dec.get("reasons", ""), "conditions": dec.get("conditions", []),
            "approved_scope": dec.get("scope") if approving else None,
            "expert_rereview": state.get("expert_rereview"), "appeal_route": dec.get("appeal_route", ""),
            # the evidence the decision was taken on; each counted vote names the evidence it was cast on
            **({"evidence_digest": evidence_digest} if evidence_digest else {}),
        },
        "I": {
            "next_review": follow_up_date(today, tier["tier"]).isoformat(),
            "triggers": ["new model version", "data drift", "incident", "fairness drift beyond policy threshold"],
        },
        "J": {"signers_required": signers},
        "K": {"prev_hash": prev_hash, "chain_seq": seq, "retention_until": keep_until,
              "retention_basis": "PIPL art. 56 (≥3 years); logs ≥6 months; archive policy",
              # the committee's membership changes before this record: how many, the last one's entry hash
              "membership": membership},
    }
    groups = clean(groups)
    header = {"format": FORMAT, "record_id": record_id, "committee": committee, "created_at": decided_at.isoformat()}
    hashes = field_hashes(groups)
    return {"header": header, "groups": groups, "field_hashes": hashes, "record_hash": record_hash(header, hashes)}
