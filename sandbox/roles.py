"""Roles, permissions and the one authorisation check.

Every page and every CLI command goes through :func:`authorize`. A vendor may
only touch its own organisation's things: pass ``owner_vendor_id`` for any
object that belongs to a vendor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from sandbox.errors import PermissionDenied

__all__ = ["PERMISSIONS", "ROLES", "Actor", "Role", "authorize", "can"]

Role = Literal["vendor", "reviewer", "steward", "chair", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

# action -> roles allowed. Actions are "<area>.<verb>".
PERMISSIONS: dict[str, frozenset[Role]] = {
    "home.view": frozenset(ROLES),
    "users.list": frozenset({"admin", "chair"}),
    "users.manage": frozenset({"admin"}),
    "models.submit": frozenset({"vendor", "admin"}),
    "models.view": frozenset(ROLES),
    "models.score": frozenset({"reviewer", "chair", "admin"}),
    "models.delete": frozenset({"admin"}),
    "trials.transition": frozenset({"reviewer", "chair", "admin"}),
    "audit.run": frozenset({"reviewer", "chair", "admin"}),
    "audit.view": frozenset(ROLES),
    "privacy.scan": frozenset({"steward", "admin"}),
    "engines.large": frozenset({"reviewer", "chair", "steward", "admin"}),
    "privacy.deid": frozenset({"steward", "admin"}),
    "privacy.release": frozenset({"steward", "admin"}),
    "privacy.budget": frozenset({"steward", "chair", "admin"}),
    "review.open": frozenset({"chair", "admin"}),
    "committee.manage": frozenset({"admin"}),
    "review.decide": frozenset({"chair"}),
    "review.vote": frozenset({"reviewer", "chair"}),
    "review.answer": frozenset({"reviewer", "chair"}),
    "review.sign": frozenset({"reviewer", "chair", "steward", "vendor"}),
    "review.view": frozenset(ROLES),
    "review.acknowledge": frozenset({"vendor"}),
    "review.condition_submit": frozenset({"vendor"}),
    "review.condition_decide": frozenset({"chair"}),
    "records.verify": frozenset(ROLES),
    "policy.manage": frozenset({"admin"}),
}


@dataclass(frozen=True, kw_only=True)
class Actor:
    """The user acting: who, in which role, for which organisation."""

    user_id: int
    username: str
    display_name: str
    role: Role
    vendor_id: int | None = None
    vendor_name: str | None = None


def can(actor: Actor, action: str, *, owner_vendor_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``action`` (on an object owned by ``owner_vendor_id``)."""
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}")
    if actor.role not in allowed:
        return False
    if actor.role == "vendor" and owner_vendor_id is not None:
        return actor.vendor_id == owner_vendor_id
    return True


def authorize(actor: Actor, action: str, *, owner_vendor_id: int | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may do ``action``."""
    if can(actor, action, owner_vendor_id=owner_vendor_id):
        return
    if actor.role in PERMISSIONS[action]:
        raise PermissionDenied(
            "errors.other_vendor", username=actor.username, vendor=actor.vendor_name or "?"
        )
    raise PermissionDenied(
        "errors.permission_denied", username=actor.username, role=actor.role, action=action
    )
