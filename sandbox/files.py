"""File helpers: hashing, atomic writes, spreadsheet-safe exports."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "atomic_dir",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "keep_upload",
    "neutralise_formulas",
    "private_cache_dir",
    "process_alive",
    "require_sheet_fits",
    "sha256_bytes",
    "sha256_file",
    "sweep_stale",
    "write_table_safe",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine exists (another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_stale(target: str | Path) -> list[Path]:
    """Remove what killed runs left beside ``target``: ``.<name>.<pid>-*`` files and ``.<name>.partial-<pid>-*``
    folders whose process is gone (SIGKILL — the OOM killer, ``kill -9``, a power cut — skips every clean-up).

    Only temporaries of this machine's dead processes of the same target are touched; a run in progress
    (its process alive) keeps its own. Returns what was removed.
    """
    target = Path(target)
    removed: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        rest = entry.name.lstrip(".").removeprefix(f"{target.name.lstrip('.')}.")  # ``..<name>.…``: a temporary's own
        if rest == entry.name.lstrip("."):                                         # temporary (one run, one pid)
            continue
        rest = rest.removeprefix("partial-")
        pid_text, _, tail = rest.partition("-")
        if not pid_text.isdigit() or not tail or process_alive(int(pid_text)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename onto it on success only.

    The temporary is ``.<name>.<pid>-<random>.tmp``: removed on any error or
    interruption, and by the next write of the same target if a kill left it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with tmp_path.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_path, target)
    except OSError as exc:
        raise_if_disk_full(exc, target)
        raise
    finally:
        tmp_path.unlink(missing_ok=True)


def raise_if_disk_full(exc: BaseException, target: str | Path) -> None:
    """Raise ``errors.disk_full`` (ConfigError) naming ``target``, its filesystem and what is free, when ``exc``
    is a full disk or quota (ENOSPC, EDQUOT; SQLite's "database or disk is full"); else return."""
    import errno
    import sqlite3

    full = (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc))
    if not full:
        return
    import re

    from sandbox.errors import ConfigError

    target = Path(target)
    staged = re.match(r"^\.(.+?)\.(?:partial-)?\d+-[A-Za-z0-9_]+(?:\.[A-Za-z0-9]+)?$", target.name)
    if staged:  # a service's own staging name (.x.deid.csv.<pid>-<random>.csv): the file the user asked for
        target = target.with_name(staged.group(1))
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = f"{shutil.disk_usage(folder).free / 1e6:,.1f}"
    except OSError:
        free = "?"
    raise ConfigError("errors.disk_full", path=str(target), folder=str(folder), free=free) from exc


def atomic_write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: str | Path, text: str) -> Path:
    return atomic_write_bytes(target, text.encode("utf-8"))


def keep_upload(data: bytes, name: str, *, folder: str) -> Path:
    """Keep an uploaded file as ``<home>/work/<folder>/<sha256[:16]>/<name>`` and return its path.

    Content-addressed: a page rerun with the same upload finds the file and writes
    nothing, and two different uploads of the same name never overwrite each other.
    Only the file name the user gave is kept (no directories), with characters
    other than letters, digits, ``.``, ``-`` and ``_`` replaced.
    """
    import re

    from sandbox.settings import get_settings

    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name).strip("._") or "upload"
    target = get_settings().work_dir / folder / sha256_bytes(data)[:16] / safe
    if not target.is_file():
        atomic_write_bytes(target, data)
    return target


@contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name; rename it onto ``target`` at the end.

    A killed process leaves only a hidden ``.name.partial-<pid>-*`` folder, never a
    half-written ``target``; the next build of the same target removes it
    (:func:`sweep_stale`).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            raise FileExistsError(str(target))
        os.replace(tmp, target)
    except OSError as exc:
        raise_if_disk_full(exc, target)
        raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``."""
    out = frame.copy(deep=False)  # copy-on-write: only the columns changed below are new
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            # vectorised (a Python call per cell took 250 s on a 10M-row export); non-text cells give NaN → False
            mask = series.str.startswith(_FORMULA_START) if series.dtype != object else \
                series.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START))
            mask = mask.fillna(False).astype(bool)
            if mask.any():
                out.loc[mask, column] = "'" + series[mask].astype(str)
    renamed = {
        c: "'" + c for c in out.columns if isinstance(c, str) and c.startswith(_FORMULA_START)
    }
    return out.rename(columns=renamed) if renamed else out


XLSX_MAX_ROWS = 1_048_576  # a worksheet's rows, the header included
XLSX_MAX_COLUMNS = 16_384


def _cell(value: object) -> object:
    """A value as xlsxwriter writes it: missing → None, numpy scalars → Python, timestamps → datetime."""
    if value is None or value is pd.NaT or (not isinstance(value, (str, bytes)) and pd.api.types.is_scalar(value)
                                           and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    """An .xlsx whose every text cell is a plain string cell, values unchanged.

    Written row by row with xlsxwriter in constant-memory mode (a million-row
    de-identified table in seconds and little memory; openpyxl held every
    cell as an object and took minutes). ``strings_to_formulas`` off: a
    string is a string cell even when it starts with ``=``, so ``=1+1`` shows
    as text and ``+86 138…`` or ``-2`` keep no ``'`` prefix (that guard is
    for CSV, where the spreadsheet guesses); no string becomes a number or a
    link either.
    """
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False, "default_date_format": "yyyy-mm-dd hh:mm:ss"}
    with xlsxwriter.Workbook(str(target), options) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, [str(c) for c in frame.columns])
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for c, value in enumerate(row):
                value = _cell(value)
                if value is not None:
                    sheet.write(r, c, value if isinstance(value, (str, int, float, bool, datetime, date))
                                else str(value))


def require_sheet_fits(target: str | Path, *, rows: int, columns: int) -> None:
    """Refuse (``errors.xlsx_too_big``) a table an Excel sheet cannot hold when ``target`` is .xlsx/.xls.

    xlsxwriter would skip the cells beyond a sheet's end without a word. Call it before long work too: a
    10M-row de-identification into ``x.xlsx`` was refused only after the whole run.
    """
    target = Path(target)
    if target.suffix.lower() in {".xlsx", ".xls"} and (rows + 1 > XLSX_MAX_ROWS or columns > XLSX_MAX_COLUMNS):
        from sandbox.errors import InputError

        raise InputError("errors.xlsx_too_big", file=target.name, rows=rows, columns=columns,
                         max_rows=XLSX_MAX_ROWS - 1, max_columns=XLSX_MAX_COLUMNS)


def write_table_safe(frame: pd.DataFrame, target: str | Path) -> Path:
    """Write CSV (UTF-8 with BOM, opens in Excel) or .xlsx atomically, formulas neutralised.

    CSV: text cells a spreadsheet would run as a formula get a ``'`` prefix
    (:func:`neutralise_formulas`). xlsx: every text cell is written as a
    string cell, never a formula, with its value unchanged.
    """
    target = Path(target)
    xlsx = target.suffix.lower() in {".xlsx", ".xls"}
    require_sheet_fits(target, rows=len(frame), columns=len(frame.columns))
    with atomic_path(target) as tmp:
        if xlsx:
            _write_xlsx(frame, tmp)
        else:
            neutralise_formulas(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
    return target


def _own_private(folder: Path) -> bool:
    """Whether ``folder`` is a real folder (no link) of this account that no other account may write."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return folder.is_dir() and not folder.is_symlink() and info.st_uid == os.geteuid() and not info.st_mode & 0o022


def private_cache_dir(name: str) -> Path:
    """A cache folder for a library that only this account can write (created 0700).

    Libraries that cache in the shared temporary folder (jieba: ``/tmp/jieba.cache``,
    loaded whenever it exists) would read what another local account planted
    there. Tried in order: ``$XDG_CACHE_HOME`` or ``~/.cache``, then
    ``<tmp>/algorithm-sandbox-<uid>`` (a service account often has no home);
    a candidate owned by someone else, writable by others or a link is skipped.
    The last resort is a new private temporary folder (the cache is rebuilt).
    """
    candidates = []
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    with contextlib.suppress(RuntimeError, KeyError):  # no home directory known for this account
        candidates.append((Path(xdg) if xdg else Path.home() / ".cache") / "algorithm-sandbox" / name)
    candidates.append(Path(tempfile.gettempdir()) / f"algorithm-sandbox-{os.geteuid()}" / name)
    for folder in candidates:
        try:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # others may not even list it
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            continue
        if _own_private(folder) and _own_private(folder.parent):
            return folder
    return Path(tempfile.mkdtemp(prefix=f"algorithm-sandbox-{name}-"))
