"""First start without the demo: ``sandbox init --admin NAME``."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import func, select

from sandbox.activity import log_activity
from sandbox.errors import ConflictError, InputError
from sandbox.settings import get_settings
from sandbox.store import session_scope, sqlite_path
from sandbox.store.tables import User
from sandbox.users import MIN_PASSWORD_LENGTH, add_user, count_users

__all__ = ["first_run", "init_home", "require_first_run", "require_initialised", "require_own_home"]


def _no_database_file() -> bool:
    """Whether the sandbox store is a default SQLite file that does not exist yet (checked without creating it)."""
    path = sqlite_path(get_settings().db_url)
    return path is not None and not path.exists()


def _no_schema() -> bool:
    """Whether a server database (PostgreSQL) has no sandbox tables yet (checked without migrating it).

    Counting the accounts migrates the database first: a command run on the new,
    empty database before ``sandbox restore`` (``verify --all``, the workbench's
    first page) created the schema, and the restore then refused a "non-empty" database.
    """
    url = get_settings().db_url
    if sqlite_path(url) is not None:
        return False
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).has_table("users")
    finally:
        engine.dispose()


def first_run() -> bool:
    """Whether the data home has no account yet (the workbench then shows the first-run page).

    Creates nothing: a home without its database file (SQLite) or without any
    table (PostgreSQL) stays empty, so that ``sandbox restore`` can still fill it.
    """
    return _no_database_file() or _no_schema() or count_users() == 0


def _account_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def require_own_home(*, owner_uid: int | None = None) -> None:
    """Raise ``accounts.home_other_owner`` (ConfigError) when the data home belongs to another account.

    An administrator who runs ``sandbox …`` as root on the service account's
    home (a restore, a score, a backup's log line) left root-owned files there —
    scores, MLflow run folders, releases, SQLite's WAL — that the workbench,
    running as the service account, could no longer read or write. Checked
    before anything is touched; a home that does not exist yet is not checked.
    """
    from sandbox.errors import ConfigError

    home = get_settings().home
    try:
        owner = home.stat().st_uid
    except OSError:  # not there yet, or not reachable: the commands themselves say what is wrong
        return
    if owner not in (os.geteuid(), owner_uid):  # owner_uid: the account root restores the home for
        raise ConfigError("accounts.home_other_owner", home=str(home), owner=_account_name(owner),
                          me=_account_name(os.geteuid()))


def require_initialised() -> None:
    """Raise ``errors.home_not_initialised`` (ConfigError) unless the data home has been set up.

    A default SQLite home whose database file does not exist is refused *before*
    anything is created: a mistyped ``SANDBOX_HOME`` must not become a new home
    (with new secrets) that then "verifies" zero records or blocks a restore
    into that folder. Any other store is refused when it has no account.
    """
    from sandbox.errors import ConfigError

    require_own_home()
    if first_run():
        raise ConfigError("errors.home_not_initialised", home=str(get_settings().home))


def require_first_run(*, owner_uid: int | None = None) -> None:
    """Raise ``accounts.init_has_users`` (ConflictError) when the home has accounts already.

    First ``accounts.home_other_owner`` (:func:`require_own_home`): init as root on the service account's home
    (``owner_uid``: the account root initialises the home for, ``sandbox init --owner``).
    """
    require_own_home(owner_uid=owner_uid)
    users = count_users()  # migrates the sandbox database on first use
    if users:
        raise ConflictError("accounts.init_has_users", home=str(get_settings().home), count=users)


def _private_dirs() -> None:
    settings = get_settings()
    settings.ensure_home()
    for folder in (settings.secrets_dir, settings.keys_dir):
        os.chmod(folder, 0o700)


def init_home(*, admin: str, password: str, display_name: str | None = None,
              owner: str | None = None) -> dict[str, Any]:
    """Create the data home and its first administrator.

    Migrates the sandbox database and the MLflow store, generates the
    pseudonym secret (0600, in a 0700 folder), then creates ``admin`` in one
    transaction. Refused (nothing changed) when any account exists.

    ``owner``: the account that runs the sandbox, when root initialises the home for it
    (``sandbox init --owner sandbox``): every file is handed to it at the end. Root
    initialising a root-owned home without naming one gets ``root_owned`` in the result (the
    CLI warns: a workbench run by another account could not open its own database).

    Raises
    ------
    ConflictError
        ``accounts.init_has_users`` when the home already has accounts.
    InputError
        The password is too short.
    """
    from sandbox.accounts._owner import hand_over_home, new_home_owner

    settings = get_settings()
    ids = new_home_owner(owner) if owner is not None else None
    require_first_run(owner_uid=ids[0] if ids else None)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("errors.password_too_short", min=MIN_PASSWORD_LENGTH)
    _private_dirs()
    from models.registry import Registry
    from privacy.deid import pseudonym_key

    Registry().client.search_experiments(max_results=1)  # creates and migrates the MLflow store
    pseudonym_key("default")
    with session_scope(immediate=True) as session:
        users = int(session.scalar(select(func.count()).select_from(User)) or 0)
        if users:  # another process got there first
            raise ConflictError("accounts.init_has_users", home=str(settings.home), count=users)
        created = add_user(username=admin, password=password, role="admin", display_name=display_name,
                           session=session)
        log_activity(session, None, "home.init", admin)
    secrets = sorted(p.name for p in settings.secrets_dir.iterdir() if not p.name.startswith("."))
    if ids is not None:
        hand_over_home(ids)
    return {"home": str(settings.home), "admin": created.username, "db": _redacted(settings.db_url),
            "mlflow": _redacted(settings.mlflow_tracking_uri), "secrets": secrets,
            "owner": owner if ids is not None else None,
            "root_owned": owner is None and os.geteuid() == 0 and settings.home.stat().st_uid == 0}


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
