"""Tables of the privacy-release area: budgets, spends (append-only), releases.

* ``privacy_budgets`` — one row per dataset: the ε/δ total set by policy.
  The row is locked (``SELECT … FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite)
  while a spend is checked, so concurrent releases never overspend.
* ``privacy_spends`` — every spend with who, what, when, and the scope (the
  subset of the dataset it touches) used for parallel composition.
  Append-only: a spend can never be taken back.
* ``releases`` — one row per release package (the home page counts them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.store.base import Base, utcnow

__all__ = ["PrivacyBudget", "PrivacySpend", "Release"]


class PrivacyBudget(Base):
    __tablename__ = "privacy_budgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(200), unique=True)
    epsilon_total: Mapped[float] = mapped_column(Float)
    delta_total: Mapped[float] = mapped_column(Float, default=0.0)
    policy: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivacySpend(Base):
    __tablename__ = "privacy_spends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("privacy_budgets.id"), index=True)
    epsilon: Mapped[float] = mapped_column(Float)
    delta: Mapped[float] = mapped_column(Float, default=0.0)
    query: Mapped[str] = mapped_column(String(64))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(200), index=True)
    trial_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    label: Mapped[str] = mapped_column(String(16))
    k_reached: Mapped[int | None] = mapped_column(Integer, nullable=True)
    epsilon_spent: Mapped[float] = mapped_column(Float, default=0.0)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    source_sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    policy: Mapped[str] = mapped_column(String(120))
    scan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    approver: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
