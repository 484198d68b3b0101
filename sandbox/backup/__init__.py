"""Backups that restore: ``sandbox backup`` and ``sandbox restore``.

See :mod:`sandbox.backup._write` (what an archive holds and in which order it
is taken while the sandbox runs) and :mod:`sandbox.backup._restore` (checks
before any write; empty targets only; verification at the end).
"""

from sandbox.backup._restore import check_archive, restore
from sandbox.backup._write import FORMAT, backup

__all__ = ["FORMAT", "backup", "check_archive", "restore"]
