"""Signatures (reviewed / approved / acknowledged) and the MLflow ``approved`` alias.

A signature is an Ed25519 signature by the signer's key over the canonical
JSON of ``{record_id, record_hash, signer, name, role, meaning, signed_at,
key}``; it is appended to the committee's chain in one immediate transaction,
so a killed process leaves either no signature or a complete one.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from sandbox.activity import log_activity
from sandbox.errors import NotFoundError, RuleViolation
from sandbox.review._chain import (
    append_entry,
    head_of,
    next_link,
    payload_of,
    private_key_for,
    record_entries,
)
from sandbox.review._committee import committee_members
from sandbox.review._crypto import sign
from sandbox.review._rules import APPROVING, MEANINGS
from sandbox.review._tables import Committee, Review
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["sign_record", "sync_alias"]


def sync_alias(*, model: dict[str, Any], approve: bool, session: Any = None) -> dict[str, Any]:
    """Set (or remove) the ``approved`` alias through ``models.service``.

    Returns what happened; ``{"status": "not_provided"}`` while the registry
    functions do not exist yet, ``{"status": "not_registered"}`` for a trial
    whose model the registry does not hold. ``session`` is the caller's open
    write transaction (the alias mirror is written in it).
    """
    if not model.get("registered"):
        return {"status": "not_registered"}
    try:
        service = importlib.import_module("models.service")
        setter = service.set_approved_alias
        remover = service.remove_approved_alias
    except (ImportError, AttributeError):
        return {"status": "not_provided"}
    if approve:
        if not model.get("sha256"):
            raise RuleViolation("review.rule_no_sha256", model=model["name"], version=model["version"])
        setter(name=model["name"], version=model["version"], sha256=model["sha256"], session=session)
        return {"status": "set", "alias": "approved", "version": model["version"]}
    remover(name=model["name"], session=session)
    return {"status": "removed", "alias": "approved"}


def _may_sign(actor: Actor, meaning: str, review: Review, members: list[dict[str, Any]]) -> None:
    member = next((m for m in members if m["username"] == actor.username), None)
    att = review.state["attendance"].get(actor.username)
    if att and att.get("recused"):
        raise RuleViolation("review.rule_recused", username=actor.username, reason=att["recused"])
    if meaning == "approved":
        if actor.role != "chair" or member is None or not member["is_chair"]:
            raise RuleViolation("review.rule_sign_meaning", username=actor.username, meaning=meaning)
    elif meaning == "acknowledged":
        if actor.role != "vendor" or actor.vendor_id != review.vendor_id:
            raise RuleViolation("review.rule_sign_meaning", username=actor.username, meaning=meaning)
    elif actor.role == "steward":
        return
    elif member is None or not (att and att.get("present")):
        raise RuleViolation("review.rule_not_present", username=actor.username)


def sign_record(*, actor: Actor, record_id: str, password: str, meaning: str) -> dict[str, Any]:
    """Sign a record (the password decrypts the signer's key; asked again at every signature)."""
    authorize(actor, "review.acknowledge" if meaning == "acknowledged" else "review.sign")
    if meaning not in MEANINGS:
        raise RuleViolation("review.rule_sign_meaning", username=actor.username, meaning=meaning)
    with session_scope(immediate=True) as s:
        entries = record_entries(s, record_id)
        if not entries or entries[0].kind != "record":
            raise NotFoundError("review.record_not_found", record=record_id)
        head = entries[0]
        authorize(actor, "review.view", owner_vendor_id=head.vendor_id)
        review = s.get(Review, head.review_id)
        current = f"{review.record_no}-v{review.version}"
        if current != record_id or review.status == "open":
            raise RuleViolation("review.rule_superseded", record=record_id, current=current)
        signed = [payload_of(e)["signed"] for e in entries[1:]]
        if any(p["signer"] == actor.username for p in signed):
            raise RuleViolation("review.rule_signed_twice", username=actor.username, record=record_id)
        _may_sign(actor, meaning, review, committee_members(s, review.committee_id))
        doc = payload_of(head)
        decision = doc["groups"]["H"]["decision"]
        if meaning == "acknowledged" and not doc["groups"]["H"]["conditions"]:
            raise RuleViolation("review.rule_nothing_to_acknowledge", record=record_id)
        from sandbox.review._votes import account_disabled

        if account_disabled(s, actor.username):
            raise RuleViolation("review.rule_account_disabled", username=actor.username)
        private, public_b64, fp = private_key_for(s, username=actor.username, password=password)
        statement = {
            "record_id": record_id, "record_hash": doc["record_hash"], "signer": actor.username,
            "name": actor.display_name, "role": actor.role, "meaning": meaning,
            "signed_at": datetime.now(UTC).isoformat(timespec="seconds"), "key": fp,
        }
        payload = {"signed": statement, "signature": sign(private, statement), "public_key": public_b64,
                   "fingerprint": fp}
        seq, prev = next_link(s, review.committee_id)
        entry = append_entry(s, committee_id=review.committee_id, seq=seq, prev_hash=prev, kind="signature",
                             record_id=record_id, review_id=review.id, vendor_id=review.vendor_id, payload=payload)
        result = {"record_id": record_id, "signer": actor.username, "meaning": meaning, "fingerprint": fp,
                  "signed_at": statement["signed_at"], "entry_hash": entry.entry_hash,
                  "head": head_of(entry, s.get(Committee, review.committee_id).name)}
        if meaning == "approved":
            review.status = "signed"
            # Inside the transaction: if the registry refuses (sha256 mismatch), no signature is kept.
            result["alias"] = sync_alias(model=review.state["model"], approve=decision in APPROVING, session=s)
        log_activity(s, actor, "review.sign", record_id, meaning=meaning, fingerprint=fp)
        trial_id = review.trial_id
    if meaning == "approved":  # after the signature is kept: the trial follows the signed decision
        from sandbox.review._trial_status import record_decision

        result["trial"] = record_decision(actor=actor, trial_id=trial_id, decision=decision, record_id=record_id)
    return result


def signatures_of(record_id: str) -> list[dict[str, Any]]:
    with session_scope() as s:
        return [payload_of(e) | {"seq": e.seq} for e in record_entries(s, record_id)[1:]]


def latest_record_ids(review_ids: list[int]) -> dict[int, str]:
    with session_scope() as s:
        rows = s.scalars(select(Review).where(Review.id.in_(review_ids)))
        return {r.id: r.state.get("record_id", "") for r in rows}
