"""Committee membership over time: members join and leave; each change is an entry of the record chain.

A change is a chain entry of kind ``membership`` (migration 0011; no review,
no vendor) whose payload holds who joined or left, why, by whom, when, the
whole roster before and after (:data:`ROSTER_FIELDS`; declared interests are
not part of it — they change on their own, see ``declare_interest``) and
``prev``, the entry hash of the committee's previous change. Being in the
chain, a change is covered by the chain heads published after it, by backups
and by ``verify --all``; its position orders it among votes, records and
signatures, so each of those is checked against the roster **at the moment it
entered the chain** (:mod:`sandbox.review._membership_walk`), and the
``committee_members`` table against the last roster. A record stores, in
``K.membership``, the number and entry hash of the last change before it, and a
JSON export carries the committee's changes, so ``sandbox verify export.json``
replays them offline. Changes made before 0011 (activity-log entries) were
appended to the chain by the migration, each applied at the head it named.

Rules: a change keeps the committee valid (≥7 members, 科技/伦理/法律, at most
one chair); a joining member's account exists, is active and has the role
reviewer or chair (the chair seat: chair); a reason is required. Reviews
already open keep the roster they were opened with (like recusals): a new
member takes part from the next review on; a member present at an open
review's meeting cannot leave until attendance is recorded again without them
or the review is decided.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.activity import log_activity
from sandbox.errors import ConflictError, InputError, NotFoundError, RuleViolation
from sandbox.review._chain import append_entry, head_of, latest_votes, next_link, payload_of
from sandbox.review._committee import check_member_fields, get_committee, new_member
from sandbox.review._crypto import GENESIS
from sandbox.review._membership_walk import change_of
from sandbox.review._rules import check_committee
from sandbox.review._tables import CommitteeMember, Review, ReviewEntry
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["ACTION", "KIND", "ROSTER_FIELDS", "add_member", "membership_changes", "membership_entries",
           "membership_ref", "remove_member", "roster"]

ACTION = "review.membership"
KIND = "membership"
ROSTER_FIELDS: tuple[str, ...] = ("username", "name", "category", "sex", "affiliation", "is_chair", "voting")


def _row(m: CommitteeMember) -> dict[str, Any]:
    return {k: getattr(m, k) for k in ROSTER_FIELDS}


def roster(session: Session, committee_id: int) -> list[dict[str, Any]]:
    """The committee's members now, as a membership entry stores them (sorted by username)."""
    rows = session.scalars(select(CommitteeMember).where(CommitteeMember.committee_id == committee_id))
    return sorted((_row(m) for m in rows), key=lambda m: m["username"])


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InputError("committee.change_reason_required")
    return reason


def membership_entries(session: Session, committee_id: int) -> list[ReviewEntry]:
    """The committee's membership entries, in chain order."""
    return list(session.scalars(select(ReviewEntry).where(ReviewEntry.committee_id == committee_id,
                                                          ReviewEntry.kind == KIND).order_by(ReviewEntry.seq)))


def membership_ref(session: Session, committee_id: int) -> dict[str, Any]:
    """What a record stores in ``K.membership``: how many changes came before it and the last one's entry hash."""
    entries = membership_entries(session, committee_id)
    return {"changes": len(entries), "hash": entries[-1].entry_hash if entries else GENESIS}


def _record(s: Session, actor: Actor | None, committee_id: int, committee_name: str, *, change: str,
            username: str, reason: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    ref = membership_ref(s, committee_id)
    number = ref["changes"] + 1
    payload = {"membership": {"number": number, "change": change, "username": username, "reason": reason,
                              "by": actor.username if actor is not None else "system",
                              "at": datetime.now(UTC).isoformat(timespec="seconds"), "before": before, "after": after},
               "prev": ref["hash"]}
    seq, prev_hash = next_link(s, committee_id)
    entry = append_entry(s, committee_id=committee_id, seq=seq, prev_hash=prev_hash, kind=KIND,
                         record_id=f"{KIND}-{number}", review_id=None, vendor_id=None, payload=payload)
    log_activity(s, actor, ACTION, committee_name, committee=committee_id, change=change, username=username,
                 number=number, seq=seq, entry_hash=entry.entry_hash)
    return {"committee": committee_name, "username": username, "change": change, "members": len(after),
            "number": number, "hash": entry.entry_hash, "seq": seq, "head": head_of(entry, committee_name)}


def add_member(*, actor: Actor | None, member: dict[str, Any], reason: str,
               committee: str | None = None) -> dict[str, Any]:
    """A new member joins (``member``: username, category, sex, affiliation, name, is_chair, voting).

    Raises
    ------
    InputError
        Bad category or sex, empty reason, account inactive or of the wrong role, already a member,
        a second chair.
    NotFoundError
        No such account or committee.
    """
    if actor is not None:
        authorize(actor, "committee.manage")
    reason = _reason(reason)
    check_member_fields(member)
    with session_scope(immediate=True) as s:
        found = get_committee(s, committee)
        before = roster(s, found.id)
        if any(m["username"] == member.get("username") for m in before):
            raise ConflictError("committee.already_member", username=member.get("username"), committee=found.name)
        chair = next((m["username"] for m in before if m["is_chair"]), None)
        if member.get("is_chair") and chair is not None:
            raise InputError("committee.two_chairs", usernames=f"{chair}、{member['username']}")
        row = new_member(s, found.id, member)
        s.add(row)
        s.flush()
        after = roster(s, found.id)
        check_committee(after)
        return _record(s, actor, found.id, found.name, change="joined", username=row.username, reason=reason,
                       before=before, after=after)


def remove_member(*, actor: Actor | None, username: str, reason: str, committee: str | None = None) -> dict[str, Any]:
    """A member leaves; refused when the committee would no longer be valid or the member sits in an open meeting.

    Raises
    ------
    RuleViolation
        Fewer than 7 members or a required category missing afterwards; the member is marked present
        at, or has voted in, a review still open (``committee.member_in_open_review``: a signed vote
        is always counted, so it must not outlive the voter's seat).
    """
    if actor is not None:
        authorize(actor, "committee.manage")
    reason = _reason(reason)
    with session_scope(immediate=True) as s:
        found = get_committee(s, committee)
        before = roster(s, found.id)
        row = s.scalar(select(CommitteeMember).where(CommitteeMember.committee_id == found.id,
                                                     CommitteeMember.username == username))
        if row is None:
            raise NotFoundError("review.not_member", usernames=username)
        after = [m for m in before if m["username"] != username]
        check_committee(after)
        for review in s.scalars(select(Review).where(Review.committee_id == found.id, Review.status == "open")):
            voters = {v["voter"] for v in latest_votes(s, f"{review.record_no}-v{review.version}")}
            if (review.state.get("attendance") or {}).get(username, {}).get("present") or username in voters:
                raise RuleViolation("committee.member_in_open_review", username=username, record=review.record_no)
        s.delete(row)
        s.flush()
        return _record(s, actor, found.id, found.name, change="left", username=username, reason=reason,
                       before=before, after=after)


def membership_changes(session: Session, committee_id: int) -> list[dict[str, Any]]:
    """Every join and leave of the committee, oldest first (number, change, username, reason, by, at, seq).

    ``seq`` is the change's place in the record chain; ``chain_seq`` the place it holds from (a change carried
    over by migration 0011: the chain head it was made at).
    """
    out = []
    for row in membership_entries(session, committee_id):
        payload = payload_of(row)
        change = change_of(payload)
        anchor = (payload.get("carried") or {}).get("chain_seq", row.seq)
        out.append({**{k: change.get(k) for k in ("number", "change", "username", "reason", "by", "at")},
                    "seq": row.seq, "chain_seq": anchor, "hash": row.entry_hash})
    return out
