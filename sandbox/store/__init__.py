"""Sandbox store: SQLAlchemy 2 tables, Alembic migrations, transactions."""

from sandbox.store.base import Base, utcnow
from sandbox.store.engine import get_engine, reset_engines, session_scope, sqlite_path

__all__ = ["Base", "get_engine", "reset_engines", "session_scope", "sqlite_path", "utcnow"]
