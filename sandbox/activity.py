"""The append-only activity log: who did what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.roles import Actor
from sandbox.store import session_scope
from sandbox.store.tables import ActivityLog

__all__ = ["log_activity", "recent_activity"]

SYSTEM = "system"


def log_activity(
    session: Session,
    actor: Actor | None,
    action: str,
    target: str = "",
    **details: Any,
) -> None:
    """Append one entry inside the caller's transaction."""
    session.add(
        ActivityLog(
            actor=actor.username if actor else SYSTEM,
            role=actor.role if actor else SYSTEM,
            action=action,
            target=target,
            details=details,
            note="",
        )
    )


def recent_activity(*, limit: int = 20, actor: Actor | None = None) -> list[dict[str, Any]]:
    """Newest entries first; a vendor sees only its own users' entries."""
    with session_scope() as session:
        query = select(ActivityLog).order_by(ActivityLog.id.desc()).limit(limit)
        if actor is not None and actor.role == "vendor":
            query = query.where(ActivityLog.actor == actor.username)
        return [
            {
                "at": row.at.isoformat(timespec="seconds") if row.at else "",
                "actor": row.actor,
                "role": row.role,
                "action": row.action,
                "target": row.target,
            }
            for row in session.scalars(query)
        ]
