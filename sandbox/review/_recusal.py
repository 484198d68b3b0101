"""A conflict declared while a review is open recuses the member there too (DESIGN §5: a member tied to the vendor
is recused and cannot vote or sign). Before, open reviews kept the recusals they were opened with, so a member who
declared at the meeting — when declarations are made — still voted, and the vote counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from sandbox.activity import log_activity
from sandbox.review._rules import conflict_with
from sandbox.review._tables import Review
from sandbox.roles import Actor

__all__ = ["recuse_in_open_reviews"]


def recuse_in_open_reviews(session: Session, actor: Actor, *, committee_id: int, member: dict[str, Any]) -> list[str]:
    """Mark ``member`` recused in the committee's open reviews of a vendor their interests name (same transaction).

    The ★-free C12 answer the sandbox filled from the recusals is brought up to date; a reviewer's own answer
    stays. Returns the record numbers where the member is now recused.
    """
    out: list[str] = []
    for review in session.scalars(select(Review).where(Review.committee_id == committee_id, Review.status == "open")):
        state = review.state
        entry = (state.get("attendance") or {}).get(member["username"])
        model = state.get("model") or {}
        if entry is None or entry.get("recused"):
            continue
        why = conflict_with(member, model.get("vendor_name", ""), model.get("vendor_uscc", ""))
        if why is None:
            continue
        entry["recused"] = why
        c12 = state["checklist"].get("C12") or {}
        if c12.get("source") == "evidence":
            recused = {u: a["recused"] for u, a in state["attendance"].items() if a.get("recused")}
            c12["explanation"] = "recused: " + "; ".join(f"{u} ({w})" for u, w in recused.items())
        flag_modified(review, "state")
        log_activity(session, actor, "review.recused", review.record_no, member=member["username"], reason=why)
        out.append(review.record_no)
    return out
