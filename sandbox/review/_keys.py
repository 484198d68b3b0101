"""Signing keys over time: create on first use, re-seal, rotate, history.

A user has at most one *live* key: the newest ``signing_keys`` row without a
``signing_key_retirements`` row. Its private key is sealed by the user's
password in ``signing_key_seals``; a password change re-seals it (the old
password opens nothing afterwards). A reset or a declared compromise retires
the live key (the seal is destroyed, the public key stays) and the next
signature uses a new key. Every public key, retired or not, stays in
``signing_keys``, so every old signature still verifies by its fingerprint.

All functions take the caller's open transaction (``session``): the caller
commits or rolls back everything at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.errors import PermissionDenied
from sandbox.review._crypto import fingerprint, generate_keypair, load_private, reseal_private
from sandbox.review._tables import SigningKey, SigningKeyRetirement, SigningKeySeal
from sandbox.store.tables import User

__all__ = ["RetireReason", "key_history", "live_key", "private_key_for", "reseal_key", "retire_key"]

RetireReason = Literal["password_reset", "compromised", "rotated"]


def live_key(session: Session, username: str) -> SigningKey | None:
    """The user's current signing key (None before the first signature or after a retirement)."""
    retired = select(SigningKeyRetirement.fingerprint)
    return session.scalar(
        select(SigningKey).where(SigningKey.username == username, SigningKey.fingerprint.not_in(retired))
        .order_by(SigningKey.id.desc()).limit(1)
    )


def _require_active(session: Session, username: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and not user.active:
        raise PermissionDenied("errors.user_disabled", username=username)


def _new_key(session: Session, *, username: str, password: str) -> SigningKey:
    public_b64, sealed = generate_keypair(password)
    row = SigningKey(username=username, fingerprint=fingerprint(public_b64), public_key=public_b64,
                     private_key_enc="")
    session.add(row)
    session.flush()
    session.add(SigningKeySeal(fingerprint=row.fingerprint, username=username, private_key_enc=sealed))
    session.flush()
    return row


def private_key_for(
    session: Session, *, username: str, password: str,
) -> tuple[Ed25519PrivateKey, str, str]:
    """The user's live signing key, created on first use; the password unseals it.

    Returns
    -------
    (private_key, public_key_b64, fingerprint)

    Raises
    ------
    PermissionDenied
        ``errors.user_disabled`` for a disabled account (it signs and votes no
        more); ``review.wrong_signing_password`` when the password does not
        open the key.
    """
    from sandbox.users import authenticate

    _require_active(session, username)
    row = live_key(session, username)
    if row is None:
        authenticate(username, password)  # a new key: the account password must be right
        row = _new_key(session, username=username, password=password)
    seal = session.get(SigningKeySeal, row.fingerprint)
    private = load_private(seal.private_key_enc, password, row.public_key) if seal is not None else None
    if private is None:
        raise PermissionDenied("review.wrong_signing_password", username=username)
    return private, row.public_key, row.fingerprint


def reseal_key(session: Session, *, username: str, old_password: str, new_password: str) -> str | None:
    """Seal the live key by ``new_password`` (password change); its fingerprint, None without a key.

    Raises :class:`PermissionDenied` (``review.wrong_signing_password``) when
    ``old_password`` does not open the key; nothing is changed then.
    """
    row = live_key(session, username)
    if row is None:
        return None
    seal = session.get(SigningKeySeal, row.fingerprint)
    sealed = reseal_private(seal.private_key_enc, old_password, new_password, row.public_key) if seal else None
    if sealed is None:
        raise PermissionDenied("review.wrong_signing_password", username=username)
    seal.private_key_enc = sealed
    seal.sealed_at = datetime.now(UTC)
    session.flush()
    return row.fingerprint


def retire_key(
    session: Session, *, username: str, reason: RetireReason, by: str, note: str = "",
    new_password: str | None = None,
) -> dict[str, Any]:
    """Retire the live key (its seal is destroyed, its public key stays) and optionally make the next.

    Parameters
    ----------
    reason : {"password_reset", "compromised", "rotated"}
        Why, kept in the key history.
    by : str
        Who retired it (the user or an administrator).
    new_password : str, optional
        Seal a new key by this password right away (the user rotating their
        own key); otherwise the next signature creates it.

    Returns
    -------
    dict
        ``retired`` (fingerprint or None when there was no live key) and
        ``fingerprint`` (the new key's, or None).
    """
    row = live_key(session, username)
    retired = None
    if row is not None:
        retired = row.fingerprint
        seal = session.get(SigningKeySeal, row.fingerprint)
        if seal is not None:
            session.delete(seal)
        session.add(SigningKeyRetirement(fingerprint=row.fingerprint, username=username, reason=reason,
                                         note=note, retired_by=by))
        session.flush()
    fresh = _new_key(session, username=username, password=new_password) if new_password else None
    return {"retired": retired, "fingerprint": fresh.fingerprint if fresh else None}


def key_history(session: Session, usernames: list[str] | None = None) -> list[dict[str, Any]]:
    """Every key, oldest first: fingerprint, owner, created, and when/why/by whom it was retired."""
    query = select(SigningKey).order_by(SigningKey.id)
    if usernames is not None:
        query = query.where(SigningKey.username.in_(usernames))
    retired = {r.fingerprint: r for r in session.scalars(select(SigningKeyRetirement))}
    out = []
    for row in session.scalars(query):
        ret = retired.get(row.fingerprint)
        out.append({
            "username": row.username, "fingerprint": row.fingerprint, "public_key": row.public_key,
            "created_at": row.created_at, "status": "retired" if ret else "live",
            "retired_at": ret.retired_at if ret else None, "reason": ret.reason if ret else None,
            "retired_by": ret.retired_by if ret else None, "note": ret.note if ret else None,
        })
    return out
