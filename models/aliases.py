"""Registered-model aliases (``trial``, ``approved``): MLflow is the system of record, the database the read path.

Listing and showing versions must not import mlflow (seconds on first use),
so every service call that sets or removes an alias in MLflow writes the same
change to the ``model_aliases`` table in one step: the row is written and
flushed, MLflow is changed, then the transaction commits. If MLflow refuses,
the row is rolled back; if the commit fails, the MLflow change is undone
(best effort), so both keep agreeing.

A caller that already holds a write transaction (the review area signing a
record) passes its ``session``: SQLite has one writer, so a second
transaction would wait on the first for ever. The row then commits (or rolls
back) with the caller's own changes.

A data home whose database was created before the mirror existed (the
migration is at head, without the table) gets it on first use: the table is
created and filled from MLflow once (:func:`ensure_mirror`, the only read that
then imports mlflow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models._tables import ModelAlias, ModelVersion
from sandbox.errors import ConflictError, NotFoundError
from sandbox.store import session_scope, utcnow

if TYPE_CHECKING:
    from models.registry import Registry

__all__ = [
    "alias_map",
    "change_alias",
    "ensure_mirror",
    "record_alias",
    "remove_approved_alias",
    "set_approved_alias",
]


_READY: set[str] = set()


def ensure_mirror(session: Session) -> None:
    """Fill ``model_aliases`` from MLflow once when it is empty but versions exist (a data home from before 0006).

    Checked once per process and database; only that first fill imports MLflow.
    """
    connection = session.connection()
    key = str(connection.engine.url)
    if key in _READY:
        return
    empty = session.scalar(select(ModelAlias.id).limit(1)) is None
    known = set(session.scalars(select(ModelVersion.registered_name))) if empty else set()
    if known:
        from models.registry import Registry

        session.add_all(ModelAlias(registered_name=name, alias=alias, version=version)
                        for name, aliases in Registry().aliases().items() if name in known
                        for alias, version in aliases.items())
        session.flush()
    _READY.add(key)


def alias_map(session: Session, names: set[str] | None = None) -> dict[str, dict[str, str]]:
    """Registered model name → {alias: version}, read from the mirror only (no MLflow).

    Parameters
    ----------
    session : Session
        An open session.
    names : set of str, optional
        Only these registered models (default: every model).

    Returns
    -------
    dict of str to dict of str to str
        Same shape as :meth:`models.registry.Registry.aliases`.
    """
    ensure_mirror(session)
    query = select(ModelAlias.registered_name, ModelAlias.alias, ModelAlias.version)
    if names is not None:
        query = query.where(ModelAlias.registered_name.in_(sorted(names)))
    out: dict[str, dict[str, str]] = {}
    for name, alias, version in session.execute(query):
        out.setdefault(name, {})[alias] = version
    return out


def record_alias(session: Session, name: str, alias: str, version: str | None) -> str | None:
    """Write one alias change to the mirror (``version=None`` removes it); return the previous version."""
    ensure_mirror(session)
    row = session.scalar(select(ModelAlias).where(ModelAlias.registered_name == name, ModelAlias.alias == alias))
    previous = row.version if row is not None else None
    if version is None:
        if row is not None:
            session.execute(delete(ModelAlias).where(ModelAlias.id == row.id))
    elif row is None:
        session.add(ModelAlias(registered_name=name, alias=alias, version=str(version)))
    else:
        row.version = str(version)
        row.updated_at = utcnow()
    session.flush()
    return previous


def _apply(registry: Registry, name: str, alias: str, version: str | None) -> None:
    if version is None:
        registry.delete_alias(name, alias)
    else:
        registry.set_alias(name, alias, str(version))


def change_alias(registry: Registry, name: str, alias: str, version: str | None, *,
                 only_if: str | None = None, session: Session | None = None) -> bool:
    """Set (``version``) or remove (``None``) an alias in MLflow and in the mirror, together.

    Parameters
    ----------
    registry : Registry
        The MLflow facade.
    name, alias : str
        Registered model and alias.
    version : str or None
        Target version; None removes the alias.
    only_if : str, optional
        Only act if the alias currently points at this version (removal of
        ``approved`` when *this* version leaves an approved state).
    session : Session, optional
        The caller's open write transaction (default: one of its own).

    Returns
    -------
    bool
        Whether anything was changed.
    """
    if session is not None:
        if only_if is not None and alias_map(session, {name}).get(name, {}).get(alias) != str(only_if):
            return False
        record_alias(session, name, alias, version)
        _apply(registry, name, alias, version)
        return True
    with session_scope(immediate=True) as own:
        if only_if is not None and alias_map(own, {name}).get(name, {}).get(alias) != str(only_if):
            return False
        previous = record_alias(own, name, alias, version)
        _apply(registry, name, alias, version)
        try:
            own.commit()
        except BaseException:
            _apply(registry, name, alias, previous)
            raise
    return True


def set_approved_alias(*, name: str, version: str, sha256: str, session: Session | None = None) -> None:
    """Point ``approved`` at ``name``/``version`` after checking the artifact hash the committee saw.

    Pass ``session`` when calling from inside an open write transaction.
    """
    from models.registry import Registry

    if session is None:
        with session_scope() as own:
            row = own.scalar(select(ModelVersion).where(ModelVersion.registered_name == name,
                                                        ModelVersion.version == str(version)))
    else:
        row = session.scalar(select(ModelVersion).where(ModelVersion.registered_name == name,
                                                        ModelVersion.version == str(version)))
    if row is None or row.deleted:
        raise NotFoundError("models.version_not_found", name=name, version=version)
    if row.sha256 != sha256:
        raise ConflictError("models.sha_mismatch", name=name, version=version, expected=row.sha256, got=sha256)
    change_alias(Registry(), name, "approved", str(version), session=session)


def remove_approved_alias(*, name: str, session: Session | None = None) -> None:
    """Remove the ``approved`` alias of a registered model (no error if it has none).

    Pass ``session`` when calling from inside an open write transaction.
    """
    from models.registry import Registry

    change_alias(Registry(), name, "approved", None, session=session)
