"""Conditions and follow-up: each condition's status, due date and append-only history.

The conditions of a decision are frozen in its record (``H.conditions``: id,
text, owner, due, mandatory). What happens to them afterwards is a history of
``condition`` entries in the committee's chain (append-only, hash-linked):
the vendor submits evidence, the chair accepts or rejects it; a rejection
sends the condition back to open. A condition is **overdue** while open past
its due date. An approval whose mandatory condition is overdue past the grace
period (``SANDBOX_CONDITION_GRACE_DAYS``) is **flagged for suspension**: the
chair decides (a follow-up review, 暂停); nothing moves the alias by itself.

Only the newest record of each trial is followed (a follow-up review's record
carries the conditions on).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from sandbox.activity import log_activity
from sandbox.clock import local_today
from sandbox.errors import InputError, NotFoundError, RuleViolation
from sandbox.review._chain import append_entry, head_of, next_link, payload_of
from sandbox.review._committee import committee_members
from sandbox.review._condition_history import AFTER, Status, status_of
from sandbox.review._rules import APPROVING
from sandbox.review._tables import Committee, Review, ReviewEntry
from sandbox.roles import Actor, authorize
from sandbox.settings import get_settings
from sandbox.store import session_scope

__all__ = ["accept_condition", "due_list", "list_conditions", "reject_condition", "submit_condition_evidence"]

FOLLOWED = (*APPROVING, "暂停")  # decisions whose follow-up review is scheduled
MAX_EVIDENCE = 4000
MAX_LINK = 500


def _today() -> date:
    return local_today()


def _tracked(s: Any, actor: Actor | None) -> list[tuple[ReviewEntry, dict[str, Any]]]:
    """The newest record of every trial (a vendor: its own), with its payload."""
    query = select(ReviewEntry).where(ReviewEntry.kind == "record").order_by(ReviewEntry.id)
    if actor is not None and actor.role == "vendor":
        query = query.where(ReviewEntry.vendor_id == actor.vendor_id)
    newest: dict[int, tuple[ReviewEntry, dict[str, Any]]] = {}
    for row in s.scalars(query):
        payload = payload_of(row)
        newest[int(payload["groups"]["A"]["trial_id"])] = (row, payload)
    return list(newest.values())


def _steps(s: Any, record_ids: list[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if not record_ids:
        return out
    rows = s.scalars(select(ReviewEntry).where(ReviewEntry.kind == "condition", ReviewEntry.record_id.in_(record_ids))
                     .order_by(ReviewEntry.seq))
    for row in rows:
        step = payload_of(row)["condition"]
        out.setdefault((row.record_id, step["id"]), []).append({**step, "seq": row.seq, "entry_hash": row.entry_hash})
    return out


def _condition_rows(s: Any, actor: Actor | None, today: date) -> list[dict[str, Any]]:
    grace = get_settings().condition_grace_days
    tracked = _tracked(s, actor)
    history = _steps(s, [row.record_id for row, _ in tracked])
    out = []
    for row, payload in tracked:
        g = payload["groups"]
        for cond in g["H"].get("conditions") or []:
            steps = history.get((row.record_id, cond["id"]), [])
            state = status_of(cond, steps, today)
            status, overdue, mandatory = state["status"], state["overdue"], state["mandatory"]
            due = date.fromisoformat(cond["due"])
            out.append({
                "condition": f"{row.record_id}/{cond['id']}", "record_id": row.record_id, "id": cond["id"],
                "review_id": row.review_id, "trial_id": g["A"]["trial_id"], "vendor_id": row.vendor_id,
                "model": f"{g['B']['model_name']}/{g['B']['model_version']}", "vendor": g["B"]["vendor_name"],
                "decision": g["H"]["decision"], "text": cond["text"], "owner": cond["owner"], "due": cond["due"],
                "mandatory": mandatory, "status": status, "overdue": overdue,
                "days_overdue": state["days_overdue"],
                "suspension_flag": overdue and mandatory and g["H"]["decision"] in APPROVING
                and today > due + timedelta(days=grace),
                "last_note": next((x.get("note", "") for x in reversed(steps) if x["action"] == "rejected"), "")
                if status == "open" else "",
                "history": steps,
            })
    return out


def list_conditions(*, actor: Actor | None, record_id: str | None = None, today: date | None = None) -> list[dict[str, Any]]:
    """Every followed condition visible to ``actor`` (None: the system), with status and history."""
    if actor is not None:
        authorize(actor, "review.view")
    with session_scope() as s:
        rows = _condition_rows(s, actor, today or _today())
    return [r for r in rows if record_id is None or r["record_id"] == record_id]


def _parse(condition: str) -> tuple[str, str]:
    record_id, sep, cid = condition.strip().rpartition("/")
    if not sep or not record_id or not cid:
        raise InputError("review.condition_bad_id", value=condition[:80])
    return record_id, cid


def _step(*, actor: Actor, condition: str, action: str, need: Status, evidence: str = "", link: str = "",
          note: str = "") -> dict[str, Any]:
    record_id, cid = _parse(condition)
    with session_scope(immediate=True) as s:
        rec = s.scalar(select(ReviewEntry).where(ReviewEntry.record_id == record_id, ReviewEntry.kind == "record"))
        if rec is None:
            raise NotFoundError("review.record_not_found", record=record_id)
        authorize(actor, "review.view", owner_vendor_id=rec.vendor_id)
        if action == "submitted":
            authorize(actor, "review.condition_submit", owner_vendor_id=rec.vendor_id)
        else:
            authorize(actor, "review.condition_decide")
            chair = next((m for m in committee_members(s, rec.committee_id) if m["username"] == actor.username), None)
            if chair is None or not chair["is_chair"]:
                raise RuleViolation("review.condition_not_chair", username=actor.username)
        rows = {r["condition"]: r for r in _condition_rows(s, None, _today())}
        trial = payload_of(rec)["groups"]["A"]["trial_id"]
        followed = sorted({r["record_id"] for r in rows.values() if r["trial_id"] == trial})
        if followed and record_id not in followed:
            raise RuleViolation("review.condition_superseded", condition=condition, current=followed[0])
        current = rows.get(f"{record_id}/{cid}")
        if current is None:
            raise NotFoundError("review.condition_not_found", condition=condition,
                                known=", ".join(r["condition"] for r in rows.values() if r["record_id"] == record_id)
                                or "-")
        if current["status"] != need:
            raise RuleViolation(f"review.condition_not_{need}", condition=condition, status=current["status"])
        step = {"id": cid, "action": action, "by": actor.username, "name": actor.display_name, "role": actor.role,
                "at": datetime.now(UTC).isoformat(timespec="seconds"), "evidence": evidence, "link": link, "note": note}
        seq, prev = next_link(s, rec.committee_id)
        entry = append_entry(s, committee_id=rec.committee_id, seq=seq, prev_hash=prev, kind="condition",
                             record_id=record_id, review_id=rec.review_id, vendor_id=rec.vendor_id,
                             payload={"condition": step})
        log_activity(s, actor, f"review.condition_{action}", f"{record_id}/{cid}", note=note[:200])
        return {"condition": f"{record_id}/{cid}", "action": action, "status": AFTER[action],
                "head": head_of(entry, s.get(Committee, rec.committee_id).name)}


def submit_condition_evidence(*, actor: Actor, condition: str, evidence: str, link: str = "") -> dict[str, Any]:
    """The vendor submits evidence that an open condition is met (text, optional link to a file).

    ``condition`` is ``RECORD_ID/CONDITION_ID``, e.g. ``ER-01-0001-v1/K1``.
    """
    authorize(actor, "review.condition_submit")
    evidence, link = evidence.strip(), link.strip()
    if not evidence:
        raise InputError("review.condition_evidence_required")
    if len(evidence) > MAX_EVIDENCE:
        raise InputError("review.condition_evidence_too_long", length=len(evidence), maximum=MAX_EVIDENCE)
    # a scheme other than http(s) — javascript:, data:, file:, vbscript: — is no file link (no "://" needed)
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", link)
    if link and (len(link) > MAX_LINK or re.search(r"[\s\x00-\x1f]", link)
                 or (scheme and not link.lower().startswith(("http://", "https://")))):
        raise InputError("review.condition_bad_link", value=link[:80])
    return _step(actor=actor, condition=condition, action="submitted", need="open", evidence=evidence, link=link)


def accept_condition(*, actor: Actor, condition: str, note: str = "") -> dict[str, Any]:
    """The chair accepts the submitted evidence: the condition is met."""
    authorize(actor, "review.condition_decide")
    return _step(actor=actor, condition=condition, action="accepted", need="submitted", note=note.strip())


def reject_condition(*, actor: Actor, condition: str, note: str) -> dict[str, Any]:
    """The chair rejects the submitted evidence (saying why): the condition is open again."""
    authorize(actor, "review.condition_decide")
    if not note.strip():
        raise InputError("review.condition_note_required")
    return _step(actor=actor, condition=condition, action="rejected", need="submitted", note=note.strip())


def due_list(*, actor: Actor | None, today: date | None = None) -> dict[str, Any]:
    """What is due: overdue conditions, evidence awaiting the chair, follow-up reviews, suspension flags.

    ``overdue`` is true when a condition is overdue or a follow-up review's
    date has passed (``sandbox review due`` exits 3 then, for a scheduled job).
    """
    if actor is not None:
        authorize(actor, "review.view")
    today = today or _today()
    with session_scope() as s:
        conditions = _condition_rows(s, actor, today)
        open_trials = set(s.scalars(select(Review.trial_id).where(Review.status == "open")))
        followups = []
        for row, payload in _tracked(s, actor):
            g = payload["groups"]
            if g["H"]["decision"] not in FOLLOWED or g["I"]["next_review"] > today.isoformat():
                continue
            followups.append({"record_id": row.record_id, "review_id": row.review_id, "trial_id": g["A"]["trial_id"],
                              "model": f"{g['B']['model_name']}/{g['B']['model_version']}",
                              "vendor": g["B"]["vendor_name"], "next_review": g["I"]["next_review"],
                              "overdue": g["I"]["next_review"] < today.isoformat(),
                              "review_open": g["A"]["trial_id"] in open_trials})
    slim = [{k: v for k, v in c.items() if k != "history"} for c in conditions]
    overdue = [c for c in slim if c["overdue"]]
    return {
        "today": today.isoformat(), "grace_days": get_settings().condition_grace_days,
        "overdue_conditions": overdue,
        "awaiting_decision": [c for c in slim if c["status"] == "submitted"],
        "followups_due": followups,
        "suspension_flags": [c for c in overdue if c["suspension_flag"]],
        "overdue": bool(overdue) or any(f["overdue"] for f in followups),
    }
