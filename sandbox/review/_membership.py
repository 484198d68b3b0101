"""Committee membership over time: members join and leave; each change is recorded, hash-linked and anchored.

A change is an entry of the append-only activity log (action
``review.membership``; the database refuses UPDATE and DELETE there) whose
details hold who joined or left, why, by whom, when, the whole roster before
and after (:data:`ROSTER_FIELDS`; declared interests are not part of it — they
change on their own, see ``declare_interest``), the hash of the committee's
previous change (``prev``) and the committee's record-chain head at that
moment (``chain_seq``, ``chain_hash``), then ``hash`` over all of it. The
anchor orders changes among votes, records and signatures, so
``verify_all`` checks each of those against the roster **at the moment it
entered the chain**, and the ``committee_members`` table against the last
roster. (Changes are not entries of the record chain itself: that needs
nullable ``review_entries.review_id``/``vendor_id``, a schema change, and
the migration slots are closed; see DEVELOPING.)

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
from sandbox.review._chain import last_entry, latest_votes
from sandbox.review._committee import check_member_fields, get_committee, new_member
from sandbox.review._crypto import GENESIS, canonical, sha256_text
from sandbox.review._rules import check_committee
from sandbox.review._tables import CommitteeMember, Review
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import ActivityLog

__all__ = ["ACTION", "ROSTER_FIELDS", "MembershipWalk", "add_member", "membership_changes", "remove_member",
           "roster"]

ACTION = "review.membership"
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


def _changes(session: Session, committee_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(ActivityLog).where(ActivityLog.action == ACTION).order_by(ActivityLog.id))
    return [dict(r.details) for r in rows if (r.details or {}).get("committee") == committee_id]


def _record(s: Session, actor: Actor | None, committee_id: int, committee_name: str, *, change: str,
            username: str, reason: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    earlier = _changes(s, committee_id)
    anchor = last_entry(s, committee_id)
    details = {"committee": committee_id, "change": change, "username": username, "reason": reason,
               "by": actor.username if actor is not None else "system",
               "at": datetime.now(UTC).isoformat(timespec="seconds"), "before": before, "after": after,
               "chain_seq": anchor.seq if anchor is not None else 0,
               "chain_hash": anchor.entry_hash if anchor is not None else GENESIS,
               "prev": earlier[-1]["hash"] if earlier else GENESIS}
    details["hash"] = sha256_text(canonical(details))
    log_activity(s, actor, ACTION, committee_name, **details)
    return {"committee": committee_name, "username": username, "change": change, "members": len(after),
            "number": len(earlier) + 1, "hash": details["hash"]}


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
    """Every join and leave of the committee, oldest first (number, change, username, reason, by, at, chain_seq)."""
    return [{"number": i, **{k: c.get(k) for k in ("change", "username", "reason", "by", "at", "chain_seq")}}
            for i, c in enumerate(_changes(session, committee_id), 1)]


def change_problem(change: dict[str, Any], prev: str, chain: dict[int, str]) -> str | None:
    """Why a stored change is not genuine: its hash, its link to the previous change, its chain anchor."""
    body = {k: v for k, v in change.items() if k != "hash"}
    if change.get("hash") != sha256_text(canonical(body)):
        return "the change was edited (hash mismatch)"
    if change.get("prev") != prev:
        return "a change before it is missing or was replaced"
    seq = change.get("chain_seq")
    if not isinstance(seq, int) or chain.get(seq, GENESIS if seq == 0 else None) != change.get("chain_hash"):
        return f"anchored at record-chain entry {seq!r}, which the chain does not hold"
    return None


class Roster:
    """The roster a chain walk is at: starts at the first change's ``before`` (or the table, if never changed)."""

    def __init__(self, first_before: list[dict[str, Any]] | None, table: list[dict[str, Any]]) -> None:
        self.members = {m["username"]: m for m in (first_before if first_before is not None else table)}
        self.table = table

    def change(self, payload: dict[str, Any]) -> str | None:
        """Apply one membership entry; the problem when it does not follow from the roster before it."""
        before, after = payload.get("before"), payload.get("after")
        if not isinstance(before, list) or not isinstance(after, list):
            return "membership entry without its rosters"
        if {m.get("username"): m for m in before} != self.members:
            return "the roster before this change is not the one the chain reached"
        names = {m.get("username") for m in after}
        who, change = payload.get("username"), payload.get("change")
        expected = (set(self.members) | {who}) if change == "joined" else (set(self.members) - {who})
        if change not in ("joined", "left") or names != expected:
            return f"{change!r} of {who!r} does not turn the roster before into the roster after"
        self.members = {m["username"]: m for m in after}
        return None


def membership_problem(kind: str, payload: dict[str, Any], roster_now: Roster) -> tuple[str, str] | None:
    """(field, reason) when a vote, record or signature names someone who was not a member at that point."""
    members = roster_now.members
    if kind == "vote":
        voter = (payload.get("vote") or {}).get("voter")
        if voter not in members:
            return f"H.votes[{voter}]", f"{voter} was not a member of the committee when the vote was cast"
    elif kind == "record":
        for m in (payload.get("groups") or {}).get("G", {}).get("members_present") or []:
            held = members.get(m.get("username"))
            if held is None:
                return f"G.members_present[{m.get('username')}]", "not a member of the committee at the decision"
            if (held["category"], held["sex"]) != (m.get("category"), m.get("sex")):
                return f"G.members_present[{m.get('username')}]", "category or sex differs from the roster then"
    elif kind == "signature":
        signed = payload.get("signed") or {}
        signer, meaning = signed.get("signer"), signed.get("meaning")
        if meaning == "approved" and not (members.get(signer) or {}).get("is_chair"):
            return f"J.signatures[{signer}]", f"{signer} was not the committee's chair when signing"
        if meaning == "reviewed" and signed.get("role") in ("reviewer", "chair") and signer not in members:
            return f"J.signatures[{signer}]", f"{signer} was not a member of the committee when signing"
    return None


class MembershipWalk:
    """Replays each committee's membership changes alongside its record chain (for ``verify_all``).

    ``advance(committee, seq)`` applies the changes made before chain entry
    ``seq``; ``check`` tests one entry against the roster reached; ``finish``
    applies the rest and compares with the ``committee_members`` table. Each
    returns ``(field, reason)`` for the first problem, else None.
    """

    def __init__(self, session: Session, committees: list[int], chain: dict[int, dict[int, str]]) -> None:
        self.chain = chain
        self.changes = {cid: _changes(session, cid) for cid in committees}
        self.tables = {cid: roster(session, cid) for cid in committees}
        self.rosters = {cid: Roster(self.changes[cid][0].get("before") if self.changes[cid] else None,
                                    self.tables[cid]) for cid in committees}
        self.done = dict.fromkeys(committees, 0)
        self.prev = dict.fromkeys(committees, GENESIS)

    def advance(self, committee: int, seq: int | None = None) -> tuple[str, str] | None:
        changes = self.changes.get(committee, [])
        while self.done[committee] < len(changes):
            change = changes[self.done[committee]]
            if seq is not None and isinstance(change.get("chain_seq"), int) and change["chain_seq"] >= seq:
                return None
            problem = (change_problem(change, self.prev[committee], self.chain.get(committee, {}))
                       or self.rosters[committee].change(change))
            if problem is not None:
                return f"membership[{self.done[committee] + 1}:{change.get('username')}]", problem
            self.prev[committee] = change["hash"]
            self.done[committee] += 1
        return None

    def check(self, committee: int, kind: str, payload: dict[str, Any]) -> tuple[str, str] | None:
        return membership_problem(kind, payload, self.rosters[committee])

    def finish(self) -> tuple[int, str, str] | None:
        for committee, walked in self.rosters.items():
            if (problem := self.advance(committee)) is not None:
                return committee, *problem
            if walked.members != {m["username"]: m for m in self.tables[committee]}:
                return committee, "committee_members", "the members table differs from the last recorded change"
        return None
