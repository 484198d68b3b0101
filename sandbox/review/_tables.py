"""Tables of the review area: committees, reviews, votes, the signed chain, keys.

``reviews`` holds the working state of a review while the committee meets
(attendance, checklist, votes, conditions). What the committee decides is
frozen into ``review_entries``: an append-only hash chain per committee whose
entries are records (a version of the sign-off record) and signatures.
``signing_keys`` is append-only too, so old signatures stay verifiable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.store.base import Base, utcnow

__all__ = [
    "Committee", "CommitteeMember", "Review", "ReviewEntry", "ReviewVote", "SigningKey", "SigningKeyRetirement",
    "SigningKeySeal",
]


class Committee(Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitteeMember(Base):
    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("committee_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(8))
    affiliation: Mapped[str] = mapped_column(String(200))
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    voting: Mapped[bool] = mapped_column(Boolean, default=True)


class Review(Base):
    """Working state of one review event; frozen into a record at decision."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(32))
    record_no: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes: Mapped[str | None] = mapped_column(String(48), nullable=True)
    review_type: Mapped[str] = mapped_column(String(24))
    procedure: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReviewVote(Base):
    __tablename__ = "review_votes"
    __table_args__ = (UniqueConstraint("review_id", "version", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    version: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    choice: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewEntry(Base):
    """One link of a committee's hash chain: a signed vote, a record version, a signature, a condition step
    or a membership change (migration 0011; no review, no vendor)."""

    __tablename__ = "review_entries"
    __table_args__ = (UniqueConstraint("committee_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    record_id: Mapped[str] = mapped_column(String(48), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), nullable=True)  # None: membership
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKey(Base):
    """A user's Ed25519 public key (append-only: the key history).

    ``private_key_enc`` is kept empty since migration 0007: the sealed private
    key lives in :class:`SigningKeySeal`, which a password change replaces.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    private_key_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKeySeal(Base):
    """The private key of a live signing key, sealed by its owner's current password.

    Replaced when the password changes (re-seal); deleted when the key is retired.
    """

    __tablename__ = "signing_key_seals"

    fingerprint: Mapped[str] = mapped_column(ForeignKey("signing_keys.fingerprint"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    private_key_enc: Mapped[str] = mapped_column(Text)
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKeyRetirement(Base):
    """A key that signs no more (append-only): when, why, by whom. Its public key stays for verification."""

    __tablename__ = "signing_key_retirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(ForeignKey("signing_keys.fingerprint"), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    retired_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)
