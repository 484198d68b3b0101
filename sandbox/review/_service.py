"""Review service: open, attendance and quorum, checklist, decide, amend (votes: ``_votes``).

Every rule lives here (and in :mod:`sandbox.review._rules`); pages and CLI
only call these functions. Signing and the registry link are in
:mod:`sandbox.review._signing`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from sandbox.activity import log_activity
from sandbox.clock import local_date
from sandbox.errors import InputError, NotFoundError, RuleViolation
from sandbox.review._chain import append_entry, head_of, latest_votes, next_link
from sandbox.review._committee import committee_members, get_committee
from sandbox.review._evidence import gather_evidence, model_info, prefill
from sandbox.review._membership import membership_ref
from sandbox.review._record import build_record
from sandbox.review._rules import (
    APPROVING,
    CHECKLIST,
    DECISIONS,
    FOLLOWUP_DECISIONS,
    PROCEDURES,
    REVIEW_TYPES,
    check_majority,
    check_quorum,
    conflict_with,
    retention_until,
    risk_tier,
)
from sandbox.review._tables import Committee, Review
from sandbox.review._vote_evidence import current_evidence, evidence_changes, stale_votes
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import Trial, Vendor

__all__ = ["amend_review", "decide", "open_review", "record_attendance", "update_details", "votes_of"]

DETAIL_FIELDS = (
    "purpose", "necessity", "system_role", "human_decides", "deploying_body", "duration", "frequency",
    "affected_groups", "data_sources", "legal_basis", "pi_categories", "isolation_and_deletion", "mitigations",
    "control_plan", "emergency_plan", "human_oversight", "complaint_route", "fallback", "logging_plan",
    "materials", "discussion", "vendor_coi_statement",
)
PUBLIC_VALUE = ("public_value", "legitimacy", "capacity")
PIA = ("pia_id", "pia_date", "purpose_lawful", "impact", "safeguards")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def load_review(s: Session, actor: Actor, review_id: int, action: str) -> Review:
    review = s.get(Review, review_id)
    if review is None:
        raise NotFoundError("review.not_found", review=review_id)
    authorize(actor, action, owner_vendor_id=review.vendor_id)
    return review


def _editable(review: Review) -> None:
    if review.status != "open":
        key = "review.rule_record_signed" if review.status == "signed" else "review.rule_record_frozen"
        raise RuleViolation(key, review=review.id, record=f"{review.record_no}-v{review.version}")


def _save(review: Review) -> None:
    flag_modified(review, "state")


def _member(members: list[dict[str, Any]], username: str) -> dict[str, Any] | None:
    return next((m for m in members if m["username"] == username), None)


def open_review(
    *, actor: Actor, trial_id: int, committee: int | str | None = None, review_type: str = "initial",
    procedure: str = "general", questionnaire: dict[str, Any] | None = None, details: dict[str, Any] | None = None,
    application_date: date | None = None, previous_record: str | None = None,
) -> dict[str, Any]:
    """Open a review of a trial: model facts, risk tier, recusals, ★ pre-filled checklist."""
    authorize(actor, "review.open")
    if review_type not in REVIEW_TYPES:
        raise InputError("review.bad_choice", field="review_type", value=review_type, choices=", ".join(REVIEW_TYPES))
    if procedure not in PROCEDURES:
        raise InputError("review.bad_choice", field="procedure", value=procedure, choices=", ".join(PROCEDURES))
    with session_scope() as s:
        trial = s.get(Trial, trial_id)
        if trial is None or trial.deleted:
            raise NotFoundError("review.no_trial", trial=trial_id)
        vendor = s.get(Vendor, trial.vendor_id)
        name, version, domain, vid = trial.model_name, trial.model_version, trial.service_domain, trial.vendor_id
        vendor_name, vendor_uscc = vendor.name, vendor.uscc
    info = model_info(actor=actor, name=name, version=version) or {}
    card = info.get("card") or None
    from privacy.checksums import is_valid_uscc

    model = {
        "name": name, "version": version, "service_domain": domain, "vendor_name": vendor_name,
        "vendor_uscc": vendor_uscc, "uscc_valid": bool(is_valid_uscc(vendor_uscc)), "sha256": info.get("sha256"),
        "card": card, "algorithm_type": (card or {}).get("algorithm_type"),
        "filing_number": (card or {}).get("filing_number"), "mlflow_url": info.get("mlflow_url"),
        "safety_officer": ((card or {}).get("contact") or {}).get("name"),
        "automated_decision": bool((card or {}).get("automated_decision", domain in ("社会救助", "养老"))),
        "registered": bool(info),
    }
    answers = dict(questionnaire or {})
    tier = {**risk_tier(answers, service_domain=domain, automated_decision=model["automated_decision"]),
            "answers": answers}
    evidence = gather_evidence(model_name=name, model_version=version, trial_id=trial_id)
    applied = application_date or local_date(_now())
    checklist = {k: {"answer": None, "explanation": "", "evidence": "", "source": "reviewer"} for k in CHECKLIST}
    for item, value in prefill(evidence=evidence, tier=tier, automated_decision=model["automated_decision"],
                               retention_until=retention_until(local_date(_now())).isoformat()).items():
        checklist[item] = {**value, "prefill": dict(value)}
    carried: list[dict[str, Any]] = []
    if review_type != "initial":
        previous_record, carried = _previous(trial_id, previous_record)
    with session_scope(immediate=True) as s:
        comm = get_committee(s, committee)
        members = committee_members(s, comm.id)
        recusals = {m["username"]: why for m in members if (why := conflict_with(m, vendor_name, vendor_uscc))}
        count = len(list(s.scalars(select(Review.id).where(Review.committee_id == comm.id)))) + 1
        state = {
            "dates": {"application": applied.isoformat(), "acceptance": local_date(_now()).isoformat(), "meeting": None},
            "model": model, "risk": tier, "evidence": evidence, "checklist": checklist,
            "attendance": {m["username"]: {"present": False, "recused": recusals.get(m["username"])} for m in members},
            "details": {k: v for k, v in (details or {}).items() if k in DETAIL_FIELDS},
            "public_value": {}, "pia": {}, "advisers": [], "quorum": None, "decision": None,
            "previous_record": previous_record, "carried_conditions": carried,
            "expert_rereview": {"required": tier["expert_rereview"], "result": None},
        }
        review = Review(
            committee_id=comm.id, trial_id=trial_id, vendor_id=vid, model_name=name, model_version=version,
            record_no=f"ER-{comm.id:02d}-{count:04d}", version=1, supersedes=None, review_type=review_type,
            procedure=procedure, status="open", state=state, created_by=actor.username,
        )
        s.add(review)
        s.flush()
        log_activity(s, actor, "review.open", review.record_no, trial_id=trial_id, tier=tier["tier"])
        return {"review_id": review.id, "record_no": review.record_no, "tier": tier["tier"],
                "recusals": recusals, "expert_rereview": tier["expert_rereview"]}


def _previous(trial_id: int, record_id: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    """The latest record of this trial (or ``record_id``) and its conditions, for a follow-up."""
    import json

    from sandbox.review._tables import ReviewEntry

    with session_scope() as s:
        query = (select(ReviewEntry).join(Review, Review.id == ReviewEntry.review_id)
                 .where(Review.trial_id == trial_id, ReviewEntry.kind == "record"))
        if record_id:
            query = query.where(ReviewEntry.record_id == record_id)
        row = s.scalar(query.order_by(ReviewEntry.id.desc()).limit(1))
        if row is None:
            if record_id:
                raise NotFoundError("review.record_not_found", record=record_id)
            return None, []
        record, conditions = row.record_id, json.loads(row.payload)["groups"]["H"]["conditions"]
    from sandbox.review._followup import list_conditions

    met = {c["id"] for c in list_conditions(actor=None, record_id=record) if c["status"] == "accepted"}
    return record, [c for c in conditions if c["id"] not in met]  # accepted conditions are not carried on


def _refresh_prefill(review: Review, evidence: dict[str, Any]) -> None:
    state = review.state
    state["evidence"] = evidence
    fresh = prefill(evidence=evidence, tier=state["risk"], automated_decision=state["model"]["automated_decision"],
                    retention_until=retention_until(local_date(_now())).isoformat())
    for item, value in fresh.items():
        if state["checklist"][item].get("source", "reviewer") in ("evidence", "reviewer") and \
                state["checklist"][item].get("by") is None:
            state["checklist"][item] = {**value, "prefill": dict(value)}


def record_attendance(*, actor: Actor, review_id: int, present: list[str], advisers: list[str] | None = None,
                      meeting_date: date | None = None) -> dict[str, Any]:
    """Record who is present; refuses a meeting that is not quorate.

    The meeting starts from the evidence as it is now: audit and privacy
    evidence is gathered again and ★ items nobody has answered yet follow it.
    """
    authorize(actor, "review.open")
    with session_scope() as s:
        found = load_review(s, actor, review_id, "review.open")
        name, version, trial_id = found.model_name, found.model_version, found.trial_id
    evidence = gather_evidence(model_name=name, model_version=version, trial_id=trial_id)
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.open")
        _editable(review)
        _refresh_prefill(review, evidence)
        att = review.state["attendance"]  # the roster the review was opened with, less members who left
        members = [m for m in committee_members(s, review.committee_id) if m["username"] in att]
        unknown = [u for u in present if _member(members, u) is None]
        if unknown:
            raise InputError("review.not_member", usernames=", ".join(unknown))
        voting = [m for m in members if m["username"] in present and m["voting"] and not att[m["username"]]["recused"]]
        check_quorum(voting)
        voted = sorted(votes_of(s, review).keys() - set(present))
        if voted:  # a signed vote is always counted: its voter cannot be recorded absent afterwards
            raise RuleViolation("review.rule_voted_absent", usernames=", ".join(voted), review=review.record_no)
        for username, entry in att.items():
            entry["present"] = username in present
        review.state["advisers"] = list(advisers or [])
        review.state["dates"]["meeting"] = (meeting_date or local_date(_now())).isoformat()
        review.state["quorum"] = {"voting_present": len(voting), "categories": sorted({m["category"] for m in voting}),
                                  "quorate": True}
        # C12 follows from the recusals the sandbox applied.
        recused = {u: a["recused"] for u, a in att.items() if a["recused"]}
        c12 = review.state["checklist"]["C12"]
        if c12["source"] != "override" and c12["answer"] is None:
            c12.update(answer="yes", explanation="recused: " + ("; ".join(f"{u} ({w})" for u, w in recused.items())
                                                                 if recused else "none"), source="evidence")
        _save(review)
        log_activity(s, actor, "review.attendance", review.record_no, present=len(present), voting=len(voting))
        return {"review_id": review.id, **review.state["quorum"], "recused": recused}


def update_details(*, actor: Actor, review_id: int, section: str, values: dict[str, Any]) -> dict[str, Any]:
    """Fill ``details`` (groups C/D/F text), ``public_value`` (Moore) or ``pia`` (PIPL art. 55/56)."""
    authorize(actor, "review.answer")
    allowed = {"details": DETAIL_FIELDS, "public_value": PUBLIC_VALUE, "pia": PIA}.get(section)
    if allowed is None:
        raise InputError("review.bad_choice", field="section", value=section, choices="details, public_value, pia")
    bad = [k for k in values if k not in allowed]
    if bad:
        raise InputError("review.bad_choice", field=section, value=", ".join(bad), choices=", ".join(allowed))
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.answer")
        _editable(review)
        review.state.setdefault(section, {}).update({k: v for k, v in values.items() if v not in (None, "")})
        _save(review)
        log_activity(s, actor, f"review.{section}", review.record_no, fields=sorted(values))
        return dict(review.state[section])


def votes_of(s: Session, review: Review) -> dict[str, str]:
    """Each voter's counting vote (their last signed vote entry) for the review's current version."""
    return {v["voter"]: v["choice"] for v in latest_votes(s, f"{review.record_no}-v{review.version}")}


def decide(
    *, actor: Actor, review_id: int, decision: str, reasons: str = "", conditions: list[dict[str, Any]] | None = None,
    scope: dict[str, Any] | None = None, appeal_route: str = "", expert_rereview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record the decision: quorum, ⅔ rule, expert re-review; freeze the record into the chain."""
    authorize(actor, "review.decide")
    if not decision:
        raise InputError("review.decision_required")
    conditions = [dict(c) for c in (conditions or [])]
    for i, c in enumerate(conditions, 1):
        missing = [k for k in ("text", "owner", "due") if not c.get(k)]
        if missing:
            raise InputError("review.bad_condition", index=i, missing=", ".join(missing))
        c["id"] = c.get("id") or f"K{i}"
        c["evidence"] = c.get("evidence") or ""
        c["status"] = c.get("status") or "open"
        c["mandatory"] = bool(c.get("mandatory", True))
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.decide")
        _editable(review)
        state = review.state
        allowed = DECISIONS + (FOLLOWUP_DECISIONS if review.review_type == "follow-up" else ())
        if decision not in allowed:
            raise RuleViolation("review.rule_decision_choice", decision=decision, choices=", ".join(allowed))
        att = state["attendance"]
        members = [m for m in committee_members(s, review.committee_id) if m["username"] in att]
        voting = [m for m in members if att[m["username"]]["present"] and m["voting"] and not att[m["username"]]["recused"]]
        if state.get("quorum") is None:
            raise RuleViolation("review.rule_no_quorum", review=review.id)
        check_quorum(voting)
        # a member recused after voting (a conflict declared at the meeting): the signed vote stays in the chain
        # but is not counted, nor listed among the record's counted votes
        signed = [v for v in latest_votes(s, f"{review.record_no}-v{review.version}")
                  if not (att.get(v["voter"]) or {}).get("recused")]
        # a vote counts only on the evidence there is now (a new audit, version or release since: vote again)
        evidence = current_evidence(actor=actor, state=state, trial_id=review.trial_id)
        stale = stale_votes(signed, evidence)
        if stale:
            raise RuleViolation("review.rule_votes_stale", review=review.id, count=len(stale), voters="; ".join(
                f"{v['voter']} ({evidence_changes(v.get('evidence'), evidence)})" for v in stale))
        signed = [{**{k: v[k] for k in v if k != "evidence"}, "evidence": v["evidence"]["digest"]} for v in signed]
        votes = {v["voter"]: v["choice"] for v in signed}
        counts = check_majority(decision, votes, len(voting))
        if decision == "修改后批准" and not conditions:
            raise RuleViolation("review.rule_conditions_required")
        if expert_rereview:
            state["expert_rereview"] = {**state["expert_rereview"], **expert_rereview}
        if decision in APPROVING:
            unanswered = [k for k, v in state["checklist"].items() if v.get("answer") is None]
            if unanswered:
                raise RuleViolation("review.rule_checklist_incomplete", items=", ".join(unanswered))
            rr = state["expert_rereview"]
            if rr.get("required") and rr.get("result") != "同意":
                raise RuleViolation("review.rule_expert_rereview", tier=state["risk"]["tier"])
        now = _now()
        state["decision"] = {"decision": decision, "reasons": reasons, "conditions": conditions,
                             "scope": scope or {"model_version": review.model_version}, "appeal_route": appeal_route}
        committee = s.get(Committee, review.committee_id)
        seq, prev = next_link(s, review.committee_id)
        doc = build_record(
            review={"record_no": review.record_no, "version": review.version, "supersedes": review.supersedes,
                    "review_type": review.review_type, "procedure": review.procedure, "trial_id": review.trial_id},
            state=state, committee=committee.name, members=members, votes=votes, signed_votes=signed, counts=counts,
            decided_at=now, seq=seq, prev_hash=prev, membership=membership_ref(s, review.committee_id),
            evidence_digest=evidence["digest"],
        )
        record_id = doc["header"]["record_id"]
        entry = append_entry(s, committee_id=review.committee_id, seq=seq, prev_hash=prev, kind="record",
                             record_id=record_id, review_id=review.id, vendor_id=review.vendor_id, payload=doc)
        head = head_of(entry, committee.name)
        review.status = "decided"
        state["record_id"] = record_id
        _save(review)
        log_activity(s, actor, "review.decide", record_id, decision=decision, **counts)
        alias = None
        if decision not in APPROVING:  # reject / revise / suspend / terminate: no approved version
            from sandbox.review._signing import sync_alias

            alias = sync_alias(model=state["model"], approve=False, session=s)
    return {"record_id": record_id, "decision": decision, "counts": counts, "record_hash": doc["record_hash"],
            "alias": alias, "head": head}


def amend_review(*, actor: Actor, review_id: int, reason: str) -> dict[str, Any]:
    """Start a new version of a decided record; the old one stays, superseded."""
    authorize(actor, "review.open")
    if not reason.strip():
        raise InputError("review.reason_required")
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.open")
        if review.status == "open":
            raise RuleViolation("review.rule_not_decided", review=review.id)
        old = f"{review.record_no}-v{review.version}"
        review.supersedes, review.version, review.status = old, review.version + 1, "open"
        review.review_type = "amendment"
        review.state["decision"] = None
        review.state["amendment_reason"] = reason
        _save(review)
        log_activity(s, actor, "review.amend", old, reason=reason)
        return {"review_id": review.id, "supersedes": old, "version": review.version}
