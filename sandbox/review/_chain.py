"""The per-committee hash chain of records and signatures, and the public keys.

Every entry stores ``prev_hash`` (the previous entry's hash, ``0…0`` first)
and ``entry_hash = sha256(canonical({committee, seq, kind, record_id,
prev_hash, payload}))``. Appends happen inside ``session_scope(immediate=True)``
so two processes never take the same ``seq``. Keys over time (create,
re-seal, retire) live in ``_keys``; ``private_key_for`` is re-exported here.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox.review._crypto import GENESIS, canonical, sha256_text
from sandbox.review._keys import private_key_for
from sandbox.review._tables import ReviewEntry, SigningKey

__all__ = [
    "KINDS",
    "append_entry",
    "chain_head",
    "entry_hash",
    "head_of",
    "last_entry",
    "latest_votes",
    "private_key_for",
    "public_keys",
    "record_entries",
    "vote_entries",
]

# record: a version of the sign-off record; signature: a signature of one;
# vote: a member's signed vote (before the record it is counted in);
# condition: a step in the follow-up of one condition of a record;
# membership: a member joined or left the committee (no review, no vendor; migration 0011).
KINDS: tuple[str, ...] = ("record", "signature", "vote", "condition", "membership")


def entry_hash(*, committee: int, seq: int, kind: str, record_id: str, prev_hash: str, payload: dict[str, Any]) -> str:
    return sha256_text(canonical({
        "committee": committee, "seq": seq, "kind": kind, "record_id": record_id,
        "prev_hash": prev_hash, "payload": payload,
    }))


def last_entry(session: Session, committee_id: int) -> ReviewEntry | None:
    return session.scalar(
        select(ReviewEntry).where(ReviewEntry.committee_id == committee_id).order_by(ReviewEntry.seq.desc()).limit(1)
    )


def next_link(session: Session, committee_id: int) -> tuple[int, str]:
    """(seq, prev_hash) for the next entry of the committee's chain."""
    last = last_entry(session, committee_id)
    return (1, GENESIS) if last is None else (last.seq + 1, last.entry_hash)


def append_entry(
    session: Session, *, committee_id: int, seq: int, prev_hash: str, kind: str, record_id: str,
    review_id: int | None, vendor_id: int | None, payload: dict[str, Any],
) -> ReviewEntry:
    """Append one entry (caller holds the immediate transaction and computed the link)."""
    row = ReviewEntry(
        committee_id=committee_id, seq=seq, kind=kind, record_id=record_id, review_id=review_id,
        vendor_id=vendor_id, prev_hash=prev_hash,
        entry_hash=entry_hash(committee=committee_id, seq=seq, kind=kind, record_id=record_id,
                              prev_hash=prev_hash, payload=payload),
        payload=canonical(payload),
    )
    session.add(row)
    session.flush()
    return row


def record_entries(session: Session, record_id: str) -> list[ReviewEntry]:
    """The record entry and its signature entries, in chain order."""
    return list(session.scalars(select(ReviewEntry).where(
        ReviewEntry.record_id == record_id, ReviewEntry.kind.in_(("record", "signature"))).order_by(ReviewEntry.seq)))


def vote_entries(session: Session, record_id: str) -> list[ReviewEntry]:
    """Every signed vote cast for the record ``record_id`` (the version under review), in chain order."""
    return list(session.scalars(select(ReviewEntry).where(
        ReviewEntry.record_id == record_id, ReviewEntry.kind == "vote").order_by(ReviewEntry.seq)))


def latest_votes(session: Session, record_id: str) -> list[dict[str, Any]]:
    """The vote that counts for each voter (their last signed vote), sorted by voter.

    Each is ``{"voter", "choice", "seq", "entry_hash", "fingerprint"}``: what the
    decision record keeps, so the tally can be checked vote by vote.
    """
    latest: dict[str, dict[str, Any]] = {}
    for row in vote_entries(session, record_id):
        payload = payload_of(row)
        statement = payload["vote"]
        latest[statement["voter"]] = {"voter": statement["voter"], "choice": statement["choice"], "seq": row.seq,
                                      "entry_hash": row.entry_hash, "fingerprint": payload["fingerprint"]}
        if "evidence" in statement:  # votes since session 10 carry the evidence they were cast on
            latest[statement["voter"]]["evidence"] = statement["evidence"]
    return [latest[k] for k in sorted(latest)]


def head_of(entry: ReviewEntry, committee_name: str) -> dict[str, Any]:
    """The chain head an entry makes: committee, sequence number and entry hash."""
    return {"committee": entry.committee_id, "committee_name": committee_name, "seq": entry.seq,
            "hash": entry.entry_hash}


def chain_head(session: Session, committee_id: int) -> dict[str, Any]:
    """The committee's chain head now (``seq`` 0 and the genesis hash for an empty chain)."""
    from sandbox.review._tables import Committee

    committee = session.get(Committee, committee_id)
    name = committee.name if committee is not None else str(committee_id)
    last = last_entry(session, committee_id)
    if last is None:
        return {"committee": committee_id, "committee_name": name, "seq": 0, "hash": GENESIS}
    return head_of(last, name)


def payload_of(row: ReviewEntry) -> dict[str, Any]:
    return json.loads(row.payload)


def public_keys(session: Session, usernames: list[str] | None = None) -> dict[str, list[dict[str, str]]]:
    """Registered public keys per user, retired ones included (for exports and verification)."""
    query = select(SigningKey).order_by(SigningKey.id)
    if usernames is not None:
        query = query.where(SigningKey.username.in_(usernames))
    out: dict[str, list[dict[str, str]]] = {}
    for row in session.scalars(query):
        out.setdefault(row.username, []).append({"fingerprint": row.fingerprint, "public_key": row.public_key})
    return out


def entry_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ReviewEntry)) or 0)
