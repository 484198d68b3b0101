"""Tables of the ``models`` area: submitted versions, their artifacts, aliases, scores, trial events.

The trial itself is core's :class:`sandbox.store.tables.Trial`; one trial per
registered model version. ``trial_events`` is append-only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.store.base import Base, utcnow

__all__ = ["ModelAlias", "ModelArtifact", "ModelScore", "ModelVersion", "TrialEvent"]


class ModelVersion(Base):
    """One registered MLflow model version and the evidence of its submission."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("registered_name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    registered_name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(32))
    model_name: Mapped[str] = mapped_column(String(120))
    card_version: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    id_column: Mapped[str | None] = mapped_column(String(200), nullable=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class ModelAlias(Base):
    """Mirror of an MLflow registered-model alias (``trial``, ``approved``): the read path of lists.

    MLflow stays the system of record; every service call that sets or removes
    an alias writes this row in the same step (:mod:`models.aliases`).
    """

    __tablename__ = "model_aliases"
    __table_args__ = (UniqueConstraint("registered_name", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registered_name: Mapped[str] = mapped_column(String(255))
    alias: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelArtifact(Base):
    """Every file of a submission with its sha256 (relative path inside the artifact)."""

    __tablename__ = "model_artifacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)


class ModelScore(Base):
    """A batch-scoring result: predictions of a version on one dataset."""

    __tablename__ = "model_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    dataset_name: Mapped[str] = mapped_column(String(255))
    dataset_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrialEvent(Base):
    """One lifecycle transition (append-only: database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "trial_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
