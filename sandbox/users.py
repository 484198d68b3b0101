"""Local accounts: create, list, authenticate (argon2id password hashes)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.activity import log_activity
from sandbox.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from sandbox.roles import ROLES, Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import User, Vendor

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "actor_for",
    "add_user",
    "add_vendor",
    "authenticate",
    "check_password",
    "count_users",
    "is_active",
    "list_users",
    "list_vendors",
    "set_active",
    "set_password",
]

MIN_PASSWORD_LENGTH = 8
# Moderate cost: logins stay fast on a 2-core laptop, still memory-hard.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _actor(session: Session, user: User) -> Actor:
    vendor = session.get(Vendor, user.vendor_id) if user.vendor_id else None
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]
        vendor_id=user.vendor_id,
        vendor_name=vendor.name if vendor else None,
    )


def authenticate(username: str, password: str) -> Actor:
    """Return the :class:`Actor` for valid credentials, else raise."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError("errors.unknown_user", username=username)
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise PermissionDenied("errors.wrong_password", username=username) from None
        if not user.active:
            raise PermissionDenied("errors.user_disabled", username=username)
        return _actor(session, user)


def actor_for(username: str) -> Actor:
    """Look a user up without a password (trusted callers: demo, tests, sessions)."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError("errors.unknown_user", username=username)
        return _actor(session, user)


def add_vendor(session: Session, *, name: str, uscc: str, actor: Actor | None = None) -> Vendor:
    """Create a vendor inside the caller's transaction (USCC validated)."""
    from privacy.checksums import is_valid_uscc

    if not is_valid_uscc(uscc):
        raise InputError("errors.uscc_invalid", value=uscc)
    if session.scalar(select(Vendor).where(Vendor.name == name)) is not None:
        raise ConflictError("errors.vendor_exists", vendor=name)
    vendor = Vendor(name=name, uscc=uscc)
    session.add(vendor)
    session.flush()
    log_activity(session, actor, "vendor.add", name, uscc=uscc)
    return vendor


def add_user(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    vendor: str | None = None,
    actor: Actor | None = None,
    session: Session | None = None,
) -> Actor:
    """Create a local account. ``actor`` None means the system (demo, first run)."""
    if actor is not None:
        authorize(actor, "users.manage")
    if role not in ROLES:
        raise InputError("errors.unknown_role", role=role, choices=", ".join(ROLES))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("errors.password_too_short", min=MIN_PASSWORD_LENGTH)
    if role == "vendor" and not vendor:
        raise InputError("errors.vendor_required")
    if session is None:
        with session_scope() as own:
            return add_user(
                username=username, password=password, role=role, display_name=display_name,
                vendor=vendor, actor=actor, session=own,
            )
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError("errors.user_exists", username=username)
    vendor_id = None
    if vendor:
        row = session.scalar(select(Vendor).where(Vendor.name == vendor))
        if row is None:
            raise NotFoundError("errors.unknown_vendor", vendor=vendor)
        vendor_id = row.id
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        vendor_id=vendor_id,
        password_hash=_HASHER.hash(password),
        active=True,
    )
    session.add(user)
    session.flush()
    log_activity(session, actor, "user.add", username, role=role)
    return _actor(session, user)


def list_users(actor: Actor) -> list[dict[str, Any]]:
    """Every account (admin and chair only)."""
    authorize(actor, "users.list")
    with session_scope() as session:
        vendors = {v.id: v.name for v in session.scalars(select(Vendor))}
        return [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "vendor": vendors.get(u.vendor_id) if u.vendor_id else None,
                "active": u.active,
            }
            for u in session.scalars(select(User).order_by(User.id))
        ]


def list_vendors() -> list[dict[str, Any]]:
    with session_scope() as session:
        return [
            {"id": v.id, "name": v.name, "uscc": v.uscc}
            for v in session.scalars(select(Vendor).order_by(Vendor.id))
        ]


def count_users() -> int:
    """How many accounts exist (0: the data home waits for ``sandbox init``)."""
    from sqlalchemy import func

    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def _user_row(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("errors.unknown_user", username=username)
    return user


def check_password(session: Session, *, username: str, password: str) -> None:
    """Raise :class:`PermissionDenied` unless ``password`` is the account's (inside the caller's transaction)."""
    user = _user_row(session, username)
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise PermissionDenied("errors.wrong_password", username=username) from None


def set_password(session: Session, *, username: str, password: str) -> None:
    """Store a new password hash (the caller authorised it and owns the transaction)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("errors.password_too_short", min=MIN_PASSWORD_LENGTH)
    _user_row(session, username).password_hash = _HASHER.hash(password)
    session.flush()


def set_active(session: Session, *, username: str, active: bool) -> bool:
    """Enable or disable an account; returns whether it changed."""
    user = _user_row(session, username)
    changed = bool(user.active) != active
    user.active = active
    session.flush()
    return changed


def is_active(username: str) -> bool:
    """Whether the account exists and is enabled (the workbench checks it at every run of a session)."""
    with session_scope() as session:
        return bool(session.scalar(select(User.active).where(User.username == username)))
