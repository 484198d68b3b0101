"""Demo vendors and users for every role (password for all: DEMO_PASSWORD)."""

from __future__ import annotations

from sqlalchemy import select

from sandbox.demo.accounts import DEMO_PASSWORD, DEMO_USERS, DEMO_VENDORS
from sandbox.store import session_scope
from sandbox.store.tables import User, Vendor
from sandbox.users import add_user, add_vendor

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DEMO_VENDORS", "seed_people"]


def seed_people() -> None:
    """Create the demo vendors and users (skips those that exist)."""
    with session_scope() as session:
        for vendor in DEMO_VENDORS:
            if session.scalar(select(Vendor).where(Vendor.name == vendor["name"])) is None:
                add_vendor(session, name=vendor["name"], uscc=vendor["uscc"])
        for user in DEMO_USERS:
            if session.scalar(select(User).where(User.username == user["username"])) is None:
                add_user(
                    username=user["username"], password=DEMO_PASSWORD, role=user["role"],
                    display_name=user["display_name"], vendor=user.get("vendor"), session=session,
                )
