"""Who will own a data home that root creates (``sandbox restore --owner ACCOUNT``).

Root restoring into a home that does not exist yet made every file root's: the
service account's workbench then could not open its own database. There is
nothing to compare the owner with before the home exists, so root must name
the account (``--owner sandbox``; ``--owner root`` where root runs the sandbox,
e.g. in a container); everything restored is handed to it at the end.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sandbox.errors import ConfigError, InputError
from sandbox.settings import get_settings

__all__ = ["hand_over", "hand_over_home", "new_home_owner"]


def _likely_owner(home: Path) -> str | None:
    """The account owning the nearest existing folder above ``home``, when that is not root (a hint only)."""
    for folder in home.parents:
        try:
            uid = folder.stat().st_uid
        except OSError:
            continue
        if uid == 0:
            return None
        try:
            return pwd.getpwuid(uid).pw_name
        except KeyError:
            return str(uid)
    return None


def new_home_owner(owner: str | None) -> tuple[int, int] | None:
    """The (uid, gid) to hand a restored home to, or None when this account keeps it; checked before anything.

    Raises ``accounts.owner_unknown`` for an account this host does not have, ``accounts.owner_not_root``
    when a non-root account names someone else (only root can give files away), and ``accounts.root_new_home``
    when root restores into a home that does not exist yet without naming its owner.
    """
    home = get_settings().home
    me = os.geteuid()
    if owner is not None:
        try:
            account = pwd.getpwnam(owner)
        except KeyError:
            raise InputError("accounts.owner_unknown", owner=owner) from None
        if account.pw_uid == me:
            return None
        if me != 0:
            raise InputError("accounts.owner_not_root", owner=owner, me=pwd.getpwuid(me).pw_name)
        return account.pw_uid, account.pw_gid
    if me == 0 and not home.exists():
        likely = _likely_owner(home)
        raise ConfigError("accounts.root_new_home", home=str(home), account=likely or "sandbox")
    return None


def hand_over(paths: list[Path], ids: tuple[int, int]) -> int:
    """Give every file and folder under ``paths`` (and the paths) to ``ids``; symlinks themselves, never their
    targets. Returns how many entries changed owner."""
    uid, gid = ids
    changed = 0
    for root in paths:
        if not root.exists():
            continue
        entries = [root]
        for folder, dirs, files in os.walk(root):
            entries += [Path(folder, name) for name in (*dirs, *files)]
        for entry in entries:
            os.chown(entry, uid, gid, follow_symlinks=False)
            changed += 1
    return changed


def hand_over_home(ids: tuple[int, int]) -> int:
    """Give the data home (and a local MLflow artifact folder outside it) to ``ids`` — after a restore or an init
    by root for a service account. Closes the process's database connections first, so no WAL file of root's
    stays open past the hand-over. Returns how many entries changed owner."""
    from sandbox.store import reset_engines

    settings = get_settings()
    reset_engines()
    artifacts = settings.mlflow_artifacts_dir
    outside = [artifacts] if artifacts and not artifacts.is_relative_to(settings.home) else []
    return hand_over([settings.home, *outside], ids)
