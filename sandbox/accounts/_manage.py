"""Accounts over time: disable/enable, reset, change password, rotate the signing key.

The rules live here and every change is one transaction with its activity
row: a password change re-seals the signing key under the new password in
the same transaction (a kill leaves the old password and the old seal, or the
new ones); a reset or a declared compromise retires the key.
"""

from __future__ import annotations

from typing import Any

from sandbox.activity import log_activity
from sandbox.errors import RuleViolation
from sandbox.review._keys import key_history, live_key, reseal_key, retire_key
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.users import add_vendor, check_password, list_users, set_active, set_password

__all__ = ["add_organisation", "change_password", "list_accounts", "reset_password", "rotate_key", "set_account_active", "signing_keys"]


def change_password(*, actor: Actor, old_password: str, new_password: str) -> dict[str, Any]:
    """The acting user changes their own password; their signing key is re-sealed by the new one."""
    authorize(actor, "home.view")
    with session_scope(immediate=True) as s:
        check_password(s, username=actor.username, password=old_password)
        set_password(s, username=actor.username, password=new_password)
        resealed = reseal_key(s, username=actor.username, old_password=old_password, new_password=new_password)
        log_activity(s, actor, "user.password", actor.username, resealed=resealed)
    return {"username": actor.username, "resealed": resealed}


def reset_password(*, actor: Actor, username: str, new_password: str) -> dict[str, Any]:
    """An administrator sets a new password; the user's signing key is retired (the admin never holds it)."""
    authorize(actor, "users.manage")
    with session_scope(immediate=True) as s:
        set_password(s, username=username, password=new_password)
        rotated = retire_key(s, username=username, reason="password_reset", by=actor.username)
        log_activity(s, actor, "user.reset_password", username, retired_key=rotated["retired"])
    return {"username": username, "retired_key": rotated["retired"]}


def set_account_active(*, actor: Actor, username: str, active: bool) -> dict[str, Any]:
    """Enable or disable an account (admin). A disabled user cannot log in, vote or sign."""
    authorize(actor, "users.manage")
    if not active and username == actor.username:
        raise RuleViolation("accounts.disable_self", username=username)
    with session_scope(immediate=True) as s:
        changed = set_active(s, username=username, active=active)
        if changed:
            log_activity(s, actor, "user.enable" if active else "user.disable", username)
    return {"username": username, "active": active, "changed": changed}


def rotate_key(*, actor: Actor, password: str | None = None, username: str | None = None,
               note: str = "") -> dict[str, Any]:
    """Retire a signing key declared compromised and (for one's own key) make a new one.

    Parameters
    ----------
    actor : Actor
        The user rotating their own key (``password`` required: it is checked
        and seals the new key), or an administrator retiring another user's
        key (the next signature of that user creates the new key).
    """
    target = username or actor.username
    own = target == actor.username
    if not own:
        authorize(actor, "users.manage")
    with session_scope(immediate=True) as s:
        if own:
            check_password(s, username=target, password=password or "")
        result = retire_key(s, username=target, reason="compromised", by=actor.username, note=note,
                            new_password=password if own else None)
        log_activity(s, actor, "user.rotate_key", target, retired_key=result["retired"],
                     new_key=result["fingerprint"])
    return {"username": target, **result}


def list_accounts(actor: Actor) -> list[dict[str, Any]]:
    """Every account with its status and live signing key (admin and chair)."""
    rows = list_users(actor)
    with session_scope() as s:
        for row in rows:
            key = live_key(s, row["username"])
            row["key"] = key.fingerprint if key else None
    return rows


def signing_keys(*, actor: Actor, username: str | None = None) -> list[dict[str, Any]]:
    """The key history (live and retired keys); one's own, or anyone's for admin and chair."""
    if username is None or username != actor.username:
        authorize(actor, "users.list")
    with session_scope() as s:
        return key_history(s, [username] if username else None)


def add_organisation(*, actor: Actor, name: str, uscc: str) -> dict[str, Any]:
    """Register a vendor organisation (admin); its users are added with ``users add --vendor``."""
    authorize(actor, "users.manage")
    with session_scope(immediate=True) as s:
        vendor = add_vendor(s, name=name, uscc=uscc, actor=actor)
        return {"id": vendor.id, "name": vendor.name, "uscc": vendor.uscc}
