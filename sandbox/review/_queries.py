"""Read side: lists and details of reviews and records, filtered per role."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from sandbox.clock import local_today
from sandbox.errors import NotFoundError
from sandbox.review._chain import latest_votes, payload_of
from sandbox.review._committee import committee_members
from sandbox.review._notices import review_notices
from sandbox.review._service import load_review, votes_of
from sandbox.review._tables import Review, ReviewEntry
from sandbox.review._vote_evidence import current_evidence, evidence_changes, stale_votes
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import Trial, Vendor

__all__ = ["find_review", "list_records", "list_reviews", "re_review_triggers", "reviewable_trials", "reviews_due",
           "show_review"]


def list_reviews(*, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    """Reviews visible to ``actor`` (a vendor: its own models only), newest first."""
    authorize(actor, "review.view")
    with session_scope() as s:
        query = select(Review).order_by(Review.id.desc())
        if actor.role == "vendor":
            query = query.where(Review.vendor_id == actor.vendor_id)
        if status:
            query = query.where(Review.status == status)
        return [
            {"review_id": r.id, "record_no": r.record_no, "version": r.version, "trial_id": r.trial_id,
             "model": f"{r.model_name}/{r.model_version}", "vendor": r.state["model"]["vendor_name"],
             "domain": r.state["model"]["service_domain"], "status": r.status, "tier": r.state["risk"]["tier"],
             "decision": (r.state.get("decision") or {}).get("decision"), "record_id": r.state.get("record_id")}
            for r in s.scalars(query)
        ]


def show_review(*, actor: Actor, review_id: int) -> dict[str, Any]:
    """Everything about one review: state, members, votes, records, signatures and ``notices`` (open reviews: a
    newer model version registered, audits recorded since the evidence was gathered — :mod:`._notices`)."""
    authorize(actor, "review.view")
    with session_scope() as s:
        review = load_review(s, actor, review_id, "review.view")
        members = committee_members(s, review.committee_id)
        entries = s.scalars(select(ReviewEntry).where(ReviewEntry.review_id == review.id).order_by(ReviewEntry.seq))
        records: dict[str, dict[str, Any]] = {}
        for e in entries:
            p = payload_of(e)
            if e.kind == "record":
                records[e.record_id] = {"record_id": e.record_id, "record_hash": p["record_hash"],
                                        "decision": p["groups"]["H"]["decision"], "signatures": [],
                                        "seq": e.seq, "entry_hash": e.entry_hash}
            elif e.kind == "signature" and e.record_id in records:
                records[e.record_id]["signatures"].append({**p["signed"], "fingerprint": p["fingerprint"]})
        votes = votes_of(s, review) if actor.role != "vendor" else {}
        counted = latest_votes(s, f"{review.record_no}-v{review.version}") if review.status == "open" else []
        state, status, trial_id = review.state, review.status, review.trial_id
        data = {
            "review_id": review.id, "record_no": review.record_no, "version": review.version,
            "supersedes": review.supersedes, "review_type": review.review_type, "procedure": review.procedure,
            "status": review.status, "trial_id": review.trial_id, "vendor_id": review.vendor_id,
            "state": review.state, "members": members, "votes": votes, "records": list(records.values()),
        }
    # newer versions registered / audits recorded since the evidence was gathered (open reviews only)
    data["notices"] = review_notices(actor=actor, state=state, status=status)
    if counted and actor.role != "vendor":  # votes cast on other evidence than there is now count only when re-cast
        now = current_evidence(actor=actor, state=state, trial_id=trial_id)
        stale = stale_votes(counted, now)
        data["stale_votes"] = [v["voter"] for v in stale]
        if stale:
            data["notices"].append({"code": "votes_stale", "key": "review.notice.votes_stale", "params": {
                "count": len(stale), "voters": "; ".join(
                    f"{v['voter']} ({evidence_changes(v.get('evidence'), now)})" for v in stale)}})
    return data


def find_review(*, actor: Actor, record_id: str) -> int:
    """The review id a record id belongs to."""
    authorize(actor, "review.view")
    with session_scope() as s:
        row = s.scalar(select(ReviewEntry).where(ReviewEntry.record_id == record_id, ReviewEntry.kind == "record"))
        if row is None:
            raise NotFoundError("review.record_not_found", record=record_id)
        authorize(actor, "review.view", owner_vendor_id=row.vendor_id)
        return row.review_id


def list_records(*, actor: Actor, decision: str | None = None, vendor: str | None = None) -> list[dict[str, Any]]:
    """Every record version in the chains (a vendor sees its own), with its signatures."""
    authorize(actor, "records.verify")
    with session_scope() as s:
        query = select(ReviewEntry).order_by(ReviewEntry.committee_id, ReviewEntry.seq)
        if actor.role == "vendor":
            query = query.where(ReviewEntry.vendor_id == actor.vendor_id)
        out: dict[str, dict[str, Any]] = {}
        for e in s.scalars(query):
            p = payload_of(e)
            if e.kind == "record":
                g = p["groups"]
                out[e.record_id] = {
                    "record_id": e.record_id, "review_id": e.review_id, "seq": e.seq,
                    "model": f"{g['B']['model_name']}/{g['B']['model_version']}", "vendor": g["B"]["vendor_name"],
                    "decision": g["H"]["decision"], "tier": g["F"]["risk_tier"], "date": g["A"]["dates"]["decision"],
                    "next_review": g["I"]["next_review"], "supersedes": g["A"]["supersedes"],
                    "record_hash": p["record_hash"], "signatures": [],
                }
            elif e.kind == "signature" and e.record_id in out:
                out[e.record_id]["signatures"].append(f"{p['signed']['signer']}:{p['signed']['meaning']}")
    rows = list(out.values())
    if decision:
        rows = [r for r in rows if r["decision"] == decision]
    if vendor:
        rows = [r for r in rows if vendor in r["vendor"]]
    return rows


def reviews_due(*, actor: Actor, today: date | None = None) -> list[dict[str, Any]]:
    """Records whose follow-up date has come (re-review trigger)."""
    today = today or local_today()
    return [r for r in list_records(actor=actor) if r["next_review"] <= today.isoformat()]


def reviewable_trials(*, actor: Actor) -> list[dict[str, Any]]:
    """Trials the chair can open a review for (no review under way for them)."""
    authorize(actor, "review.open")
    with session_scope() as s:
        busy = set(s.scalars(select(Review.trial_id).where(Review.status == "open")))
        vendors = {v.id: v.name for v in s.scalars(select(Vendor))}
        return [
            {"trial_id": t.id, "model": f"{t.model_name}/{t.model_version}", "domain": t.service_domain,
             "vendor": vendors.get(t.vendor_id, ""), "status": t.status}
            for t in s.scalars(select(Trial).where(Trial.deleted.is_(False)).order_by(Trial.id)) if t.id not in busy
        ]


def re_review_triggers(*, actor: Actor, record_id: str, today: date | None = None) -> list[dict[str, Any]]:
    """Why a decided record needs a new review: follow-up date, new model version, fairness drift.

    Each entry has ``trigger`` and ``detail`` (plain English, for logs and JSON) and
    ``key`` + ``params`` (the catalog message in the user's language).
    """
    from sandbox.review._evidence import _function

    review_id = find_review(actor=actor, record_id=record_id)
    with session_scope() as s:
        row = s.scalar(select(ReviewEntry).where(ReviewEntry.record_id == record_id, ReviewEntry.kind == "record"))
        groups = payload_of(row)["groups"]
        review = s.get(Review, review_id)
        name, version = review.model_name, groups["B"]["model_version"]
    decided, out = groups["A"]["dates"]["decision"], []
    if groups["I"]["next_review"] <= (today or local_today()).isoformat():
        out.append({"trigger": "follow-up due", "detail": groups["I"]["next_review"],
                    "key": "review.trigger.follow_up_due", "params": {"date": groups["I"]["next_review"]}})
    list_models = _function("models.service", "list_models")
    if list_models is not None:
        newer = [m["version"] for m in list_models(actor=actor) if m["name"] == name and str(m["version"]) != str(version)
                 and str(m["version"]).isdigit() and str(version).isdigit() and int(m["version"]) > int(version)]
        if newer:
            out.append({"trigger": "new model version", "detail": ", ".join(map(str, newer)),
                        "key": "review.trigger.new_version", "params": {"versions": ", ".join(map(str, newer))}})
    audit_evidence = _function("audits.evidence", "audit_evidence")
    if audit_evidence is not None:
        # audits of the decision day were before the committee (the record keeps the date only)
        drift = [a for a in audit_evidence(model_name=name, model_version=version)
                 if a.get("verdict") == "fail" and str(a.get("created_at", ""))[:10] > decided[:10]]
        if drift:
            out.append({"trigger": "fairness drift", "detail": f"audit {drift[0]['audit_id']} failed after {decided}",
                        "key": "review.trigger.fairness_drift",
                        "params": {"audit": drift[0]["audit_id"], "date": decided}})
    return out
