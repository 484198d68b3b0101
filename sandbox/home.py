"""The home page's numbers: what waits for each role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, Table, func, inspect, select
from sqlalchemy.orm import Session

from sandbox.activity import recent_activity
from sandbox.demo import demo_ready
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import Trial, User, Vendor

__all__ = ["home_summary"]


def _count_table(session: Session, name: str, actor: Actor) -> int:
    """Rows of an area's table (0 while that area has no table yet)."""
    inspector = inspect(session.connection())
    if not inspector.has_table(name):
        return 0
    columns = {c["name"] for c in inspector.get_columns(name)}
    table = Table(name, MetaData(), *(Column(c) for c in columns & {"vendor_id"}))
    query = select(func.count()).select_from(table)
    if actor.role == "vendor" and "vendor_id" in columns:
        query = query.where(table.c.vendor_id == actor.vendor_id)
    return int(session.scalar(query) or 0)


def home_summary(actor: Actor) -> dict[str, Any]:
    """Counts of trials, audits, releases and reviews visible to ``actor``."""
    authorize(actor, "home.view")
    with session_scope() as session:
        trials = select(func.count()).select_from(Trial).where(Trial.deleted.is_(False))
        if actor.role == "vendor":
            trials = trials.where(Trial.vendor_id == actor.vendor_id)
        counts = {"trials": int(session.scalar(trials) or 0)}
        counts["audits"] = _count_table(session, "audits", actor)
        if actor.role != "vendor":
            counts["releases"] = _count_table(session, "releases", actor)
        counts["reviews"] = _count_table(session, "reviews", actor)
        if actor.role == "admin":
            counts["users"] = int(session.scalar(select(func.count()).select_from(User)) or 0)
            counts["vendors"] = int(session.scalar(select(func.count()).select_from(Vendor)) or 0)
    return {"counts": counts, "activity": recent_activity(limit=15, actor=actor), "demo_ready": demo_ready()}
