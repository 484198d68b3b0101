"""Operations: backup and restore of a demo world, password change (key re-seal) and key rotation.

Builds the demo world in a temporary data home (SQLite stores), then times
``backup`` (online SQLite backups + tar.gz of every file), ``restore`` into
the same path after the home is moved away (checks, extraction and
``verify --all`` included), one password change with its re-seal and one key
rotation (scrypt N=2^14 dominates both).
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import Figure

AREA = "ops"


def _activate(home: Path) -> None:
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()


def run() -> list[Figure]:
    from sandbox.accounts import change_password, rotate_key
    from sandbox.backup import backup, restore
    from sandbox.demo import DEMO_PASSWORD, build_demo_world
    from sandbox.store import reset_engines
    from sandbox.users import actor_for

    root = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    try:
        home = root / "home"
        _activate(home)
        build_demo_world()
        size = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
        started = time.perf_counter()
        made = backup(root / "b.tar.gz")
        t_backup = time.perf_counter() - started
        reset_engines()
        home.rename(root / "moved")
        started = time.perf_counter()
        # as root into a home that does not exist yet the owner must be named (accounts.root_new_home)
        restored = restore(root / "b.tar.gz", owner=getpass.getuser() if os.geteuid() == 0 else None)
        t_restore = time.perf_counter() - started
        assert restored["ok"]
        started = time.perf_counter()
        change_password(actor=actor_for("chair"), old_password=DEMO_PASSWORD, new_password="bench-password-2")
        t_passwd = time.perf_counter() - started
        started = time.perf_counter()
        rotate_key(actor=actor_for("reviewer"), password=DEMO_PASSWORD)
        t_rotate = time.perf_counter() - started
    finally:
        reset_engines()
        shutil.rmtree(root, ignore_errors=True)
    note = f"demo world: {size / 1e6:.0f} MB in {made['files']} files → archive {made['bytes'] / 1e6:.1f} MB"
    return [
        Figure(area=AREA, name="backup of the demo world", value=t_backup, unit="s", note=note),
        Figure(area=AREA, name="restore + verify --all", value=t_restore, unit="s", note=note),
        Figure(area=AREA, name="password change with key re-seal", value=t_passwd, unit="s",
               note="argon2id check + hash, scrypt unseal + seal"),
        Figure(area=AREA, name="own key rotation", value=t_rotate, unit="s", note="argon2id check, new key sealed"),
    ]
