"""Evidence from the other areas, imported lazily, and the ★ checklist pre-fill.

Each area may not have landed yet, or may hold nothing for this model: then the
evidence is ``None`` and the review shows "尚未提供 / not yet provided".
"""

from __future__ import annotations

import importlib
from typing import Any

from sandbox.roles import Actor

__all__ = ["NOT_PROVIDED", "gather_evidence", "model_info", "prefill"]

NOT_PROVIDED = "尚未提供 / not yet provided"
UNKNOWN_AGE_SHARE = 0.2  # C19 is not pre-filled "yes" when this share of the audited rows has no usable age


def _function(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def model_info(*, actor: Actor, name: str, version: str) -> dict[str, Any] | None:
    """The registry's view of a model version (``models.service.show_model``), or None."""
    show = _function("models.service", "show_model")
    if show is None:
        return None
    try:
        return show(actor=actor, name=name, version=version)
    except Exception:  # the registry cannot describe it: evidence not provided
        return None


def gather_evidence(*, model_name: str, model_version: str, trial_id: int) -> dict[str, Any]:
    """Audit and privacy evidence for one trial (``None`` for what is not provided)."""
    audits = None
    audit_fn = _function("audits.evidence", "audit_evidence")
    if audit_fn is not None:
        try:
            audits = list(audit_fn(model_name=model_name, model_version=model_version)) or None
        except Exception:
            audits = None
    privacy = None
    privacy_fn = _function("privacy.evidence", "privacy_evidence")
    if privacy_fn is not None:
        try:
            privacy = privacy_fn(trial_id=trial_id) or None
        except Exception:
            privacy = None
    return {"audits": audits, "privacy": privacy}


def _policy(policy: Any) -> str:
    if isinstance(policy, dict):
        return f"{policy.get('name', '')} v{policy.get('version', '')}"
    return str(policy)


def _scores_note(scores: dict[str, Any] | None) -> str:
    """Threshold, calibration-within-groups verdict and sweep pass ranges of a score audit (audits evidence)."""
    if not scores:
        return ""
    th = scores.get("threshold") or {}
    parts = [f"score {th.get('column')} {th.get('operator')} {th.get('value')} ({th.get('source')})"]
    failing = [f"{c.get('group')} (bin {c.get('bin')}, gap {c.get('value') or 0:.2f})"
               for c in scores.get("calibration_checks") or [] if c.get("verdict") == "fail"]
    parts.append(f"calibration within groups: {scores.get('calibration_verdict')}"
                 + (f" — {', '.join(failing[:4])}" if failing else ""))
    for p in scores.get("pass_ranges") or []:
        spans = ", ".join(f"{r['from_label']}–{r['to_label']}" for r in p.get("ranges") or []) or "none"
        parts.append(f"sweep {p.get('check')} [{p.get('dimension')}] holds at {spans}")
    if scores.get("impossibility"):
        parts.append("base rates differ: calibration and error-rate balance cannot both hold")
    return "; " + "; ".join(parts)


def _sensitive_found(privacy: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for scan in privacy.get("scans") or []:
        flags = scan.get("sensitive_flags") or scan.get("sensitive") or []
        if isinstance(flags, dict):
            flags = [k for k, v in flags.items() if v]
        found += [str(f) for f in flags]
    return sorted(set(found))


def prefill(
    *, evidence: dict[str, Any], tier: dict[str, Any], automated_decision: bool, retention_until: str
) -> dict[str, dict[str, Any]]:
    """The ★ items (C13, C17, C18, C19, C20) answered from evidence."""
    out: dict[str, dict[str, Any]] = {}
    privacy = evidence.get("privacy")
    audits = evidence.get("audits")
    # C13: PIPL art. 55 triggers: sensitive PI, automated decision-making.
    triggers = []
    if automated_decision:
        triggers.append("automated decision-making (art. 55(二))")
    if privacy:
        sens = _sensitive_found(privacy)
        if sens:
            triggers.append("sensitive personal information (art. 55(一)): " + ", ".join(sens))
    if triggers:
        out["C13"] = {"answer": "yes", "explanation": "; ".join(triggers), "evidence": "privacy_evidence / model card"}
    elif privacy:
        out["C13"] = {"answer": "no", "explanation": "no art. 55 trigger found in scans", "evidence": "privacy_evidence"}
    # C17: releases are de-identified; never labelled anonymised without the risk test.
    if privacy and privacy.get("releases"):
        releases = privacy["releases"]
        bad = [r for r in releases if r.get("label") == "匿名化" and not r.get("risk_passed", True)]
        bad += [x for x in privacy.get("scans") or [] if x.get("release_rescan_clean") is False]
        details = ", ".join(f"{r.get('label', '?')} k={r.get('k', '?')} ε={r.get('epsilon', r.get('epsilon_spent', '?'))}"
                            for r in releases)
        out["C17"] = {
            "answer": "no" if bad else "yes",
            "explanation": details,
            "evidence": ", ".join(str(r.get("manifest_sha256", ""))[:12] for r in releases),
        }
    # C18: the expert re-review list.
    out["C18"] = {
        "answer": "yes" if tier["expert_rereview"] else "no",
        "explanation": "; ".join([f"tier {tier['tier']} (score {tier['score']}/{tier['max']})", *tier["reasons"]]),
        "evidence": "risk questionnaire",
    }
    # C19: latest audit verdict.
    if audits:
        latest = audits[0]
        verdict = latest.get("verdict")
        answer = {"pass": "yes", "fail": "no"}.get(verdict)
        scores = _scores_note(latest.get("scores"))
        variants = (latest.get("district_labels") or {}).get("variants") or []
        if variants:  # one place written several ways splits its group: the reviewer should know
            scores += (f"; district labels: {len(variants)} set(s) look like one place written differently, not merged ("
                       + "; ".join(" / ".join(x["label"] for x in v["labels"]) for v in variants[:3]) + ")")
        unknown_age = int((latest.get("unknown") or {}).get("age_rows") or 0)
        n_rows = int(latest.get("n_rows") or 0)
        if unknown_age and n_rows:
            share = unknown_age / n_rows
            scores += f"; {unknown_age} of {n_rows} rows ({share:.1%}) have no usable age (未知, in no age band)"
            if share >= UNKNOWN_AGE_SHARE and answer == "yes":  # a pass over part of the people: the members decide
                answer = None
                scores += "; a fifth or more: the age-band findings speak for the other rows only, not pre-filled yes"
        labels = latest.get("labels") or {}
        if labels.get("partial") and labels.get("rows"):  # a sample's outcomes: is it representative? the members say
            share = labels["labelled"] / labels["rows"]
            scores += (f"; label metrics rest on the {labels['labelled']} of {labels['rows']} rows ({share:.1%}) with a "
                       "label (selection rates on every row)")
            if answer == "yes":
                answer = None
                scores += "; labels for a sample only: not pre-filled yes"
        if answer is not None:
            out["C19"] = {
                "answer": answer,
                "explanation": f"audit {latest.get('audit_id')} verdict {verdict} (policy {_policy(latest.get('policy'))})"
                + scores,
                "evidence": f"mlflow run {latest.get('run_id')}",
            }
        else:
            out["C19"] = {"answer": None, "explanation": f"audit {latest.get('audit_id')} verdict {verdict}"
                          + (": insufficient evidence" if verdict == "insufficient" else "") + scores,
                          "evidence": f"mlflow run {latest.get('run_id')}"}
    # C20: this record and its impact assessment are retained ≥ 3 years.
    out["C20"] = {"answer": "yes", "explanation": f"record retained until {retention_until} (≥3 years)",
                  "evidence": "sign-off record, group K"}
    for value in out.values():
        value["source"] = "evidence"
    return out
