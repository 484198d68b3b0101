"""Votes as signed chain entries.

A member's vote is an Ed25519 signature (the member's own key, unlocked by the
password asked again) over ``{record_id, review_id, voter, name, choice,
voted_at, key}``, appended to the committee's chain as a ``vote`` entry before
the record it is counted in. A member may change their vote while the review
is open: a new entry, and the last one counts. The decision record lists the
entries it counted (``H.signed_votes``), so its tally can be checked member by
member, offline, from the JSON export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.activity import log_activity
from sandbox.errors import InputError, RuleViolation
from sandbox.review._chain import append_entry, head_of, next_link, private_key_for
from sandbox.review._crypto import sign
from sandbox.review._rules import DECISIONS, FOLLOWUP_DECISIONS
from sandbox.review._service import _editable, load_review
from sandbox.review._tables import Committee
from sandbox.review._vote_evidence import current_evidence
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import User

__all__ = ["account_disabled", "vote"]


def account_disabled(session: Session, username: str) -> bool:
    """Whether the account is disabled (``users.active`` false): it may no longer vote or sign."""
    user = session.scalar(select(User).where(User.username == username))
    return user is None or not bool(getattr(user, "active", True))


def vote(*, actor: Actor, review_id: int, choice: str, password: str) -> dict[str, Any]:
    """A voting member present and not recused signs a vote for a decision (or abstains).

    Parameters
    ----------
    actor : Actor
        The member voting.
    review_id : int
        The review under way.
    choice : str
        One of the decisions (暂停/终止 only at a follow-up) or ``"abstain"``.
    password : str
        The member's password, asked again: it unlocks the member's signing key.

    Returns
    -------
    dict
        ``review_id``, ``username``, ``choice``, ``fingerprint``, ``entry_hash``
        and ``head`` (the committee's chain head after this vote).

    Raises
    ------
    RuleViolation
        No quorum yet, not a member, recused, not present, account disabled.
    PermissionDenied
        Wrong password (the signing key stays locked).
    """
    authorize(actor, "review.vote")
    if not choice:
        raise InputError("review.vote_required")
    if not password:
        raise InputError("review.vote_password_required")
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.vote")
        _editable(review)
        allowed = DECISIONS + (FOLLOWUP_DECISIONS if review.review_type == "follow-up" else ()) + ("abstain",)
        if choice not in allowed:
            raise InputError("review.bad_choice", field="choice", value=choice, choices=", ".join(allowed))
        if review.state.get("quorum") is None:
            raise RuleViolation("review.rule_no_quorum", review=review.id)
        att = review.state["attendance"].get(actor.username)
        if att is None:
            raise RuleViolation("review.rule_not_member", username=actor.username)
        if att["recused"]:
            raise RuleViolation("review.rule_recused", username=actor.username, reason=att["recused"])
        if not att["present"]:
            raise RuleViolation("review.rule_not_present", username=actor.username)
        if account_disabled(s, actor.username):
            raise RuleViolation("review.rule_account_disabled", username=actor.username)
        private, public_b64, fp = private_key_for(s, username=actor.username, password=password)
        record_id = f"{review.record_no}-v{review.version}"
        # the evidence the member votes on (model, versions, audits, releases) is signed with the vote
        evidence = current_evidence(actor=actor, state=review.state, trial_id=review.trial_id)
        statement = {"record_id": record_id, "review_id": review.id, "voter": actor.username,
                     "name": actor.display_name, "choice": choice,
                     "voted_at": datetime.now(UTC).isoformat(timespec="seconds"), "key": fp, "evidence": evidence}
        payload = {"vote": statement, "signature": sign(private, statement), "public_key": public_b64,
                   "fingerprint": fp}
        seq, prev = next_link(s, review.committee_id)
        entry = append_entry(s, committee_id=review.committee_id, seq=seq, prev_hash=prev, kind="vote",
                             record_id=record_id, review_id=review.id, vendor_id=review.vendor_id, payload=payload)
        head = head_of(entry, s.get(Committee, review.committee_id).name)
        log_activity(s, actor, "review.vote", review.record_no, choice=choice, fingerprint=fp)
        return {"review_id": review.id, "username": actor.username, "choice": choice, "fingerprint": fp,
                "entry_hash": entry.entry_hash, "head": head, "evidence_digest": evidence["digest"]}

