"""Safe handling of submitted archives and folders: checks before extraction, hashing.

Every member of a zip is checked before anything is written: no absolute
paths, drive letters or ``..``; no control, format or invisible characters in a
name (a newline would forge a line of :func:`tree_digest`; a right-to-left
override shows ``lkp.png`` for ``gnp.pkl``); no two names equal after Unicode
normalisation; no symlinks or special files; at most :data:`MAX_FILES` members
(folders count too) and :data:`MAX_TOTAL_BYTES` uncompressed; no file the MLflow UI would show as a web
page, Markdown or map (:data:`BROWSER_SUFFIXES`); no name a reviewer's Windows could not save or a path
too long to extract (:func:`portable_problem`); no member with a
compression ratio above :data:`MAX_RATIO` (zip bombs). Extraction then counts
the bytes actually written, so a lying header cannot get past the limits either.
A submitted folder gets the same name checks, and no links of either kind.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from models._vendor_text import name_problem, vendor_text
from sandbox.errors import InputError

__all__ = [
    "BROWSER_SUFFIXES",
    "MAX_FILES",
    "MAX_PART_BYTES",
    "MAX_PATH_CHARACTERS",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "FileHash",
    "check_tree",
    "extract_zip",
    "hash_tree",
    "portable_problem",
    "tree_digest",
]

# Files the MLflow web UI shows as live content when a reviewer opens the version's artifacts (MLflow 3's
# viewer: .html in an iframe that runs scripts, Markdown rendered with its images, .geojson on a map that loads
# tiles from the internet; .svg is an image that can carry links and scripts): a vendor's page there would
# fetch from the vendor's server (a tracking pixel) or show a forged "approved" page inside MLflow. A model
# needs none of them.
BROWSER_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".md", ".markdown", ".mdx",
                              ".geojson"})
MAX_FILES = 2_000
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RATIO = 200
_CHUNK = 1 << 20


@dataclass(frozen=True, kw_only=True)
class FileHash:
    """One file of an artifact: path relative to the artifact root, sha256, size."""

    path: str
    sha256: str
    size: int


_WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
                               "com¹", "com²", "com³", "lpt¹", "lpt²", "lpt³"})
_WINDOWS_CHARACTERS = frozenset('<>:"|?*')
MAX_PART_BYTES = 255  # one name (Linux and Windows file systems)
MAX_PATH_CHARACTERS = 1_000


def portable_problem(name: str) -> str | None:
    """``"long"`` or ``"windows"`` when a member path could not be saved as-is where a reviewer downloads it.

    A part over 255 bytes or a path over 1,000 characters (an uncaught ``File name too long``
    during extraction before); a Windows device name (``CON``, ``aux.pkl``), a character of
    ``< > : " | ? *`` (``a:b`` is an NTFS alternate stream) or a trailing dot or space.
    """
    parts = [p for p in name.replace("\\", "/").rstrip("/").split("/") if p]
    if len(name) > MAX_PATH_CHARACTERS or any(len(p.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES for p in parts):
        return "long"
    for part in parts:
        if (part.split(".", 1)[0].strip().lower() in _WINDOWS_RESERVED or _WINDOWS_CHARACTERS & set(part)
                or part.endswith((".", " "))):
            return "windows"
    return None


def _member_problem(name: str) -> str | None:
    if "\x00" in name:
        return "nul"
    if name_problem(name.rstrip("/")) is not None:
        return "name"
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return "absolute"
    if ".." in PurePosixPath(normalised).parts:
        return "parent"
    return portable_problem(name)


def _shown_in_browser(name: str) -> bool:
    return PurePosixPath(name.replace("\\", "/").rstrip("/")).suffix.lower() in BROWSER_SUFFIXES


def extract_zip(archive: Path, dest: Path, *, display_name: str | None = None,
                max_files: int = MAX_FILES, max_bytes: int = MAX_TOTAL_BYTES) -> Path:
    """Check every member of ``archive`` and extract it under ``dest`` (which must be empty).

    Raises
    ------
    InputError
        ``models.zip_bad``, ``models.zip_unsafe_path``, ``models.zip_link``,
        ``models.zip_too_many``, ``models.zip_too_big``, ``models.zip_bomb``, ``models.zip_browser_file``.
    """
    name = display_name or archive.name
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("models.zip_bad", file=name, reason=str(exc)) from None
    with handle:
        members = handle.infolist()
        if len(members) > max_files:  # folders too: 100,000 empty folders are no model either
            raise InputError("models.zip_too_many_members", file=name, count=len(members), max=max_files)
        declared = 0
        seen: set[str] = set()
        for member in members:
            problem = _member_problem(member.filename)
            if problem == "name":
                raise InputError("models.zip_name_unsafe", file=name, member=vendor_text(member.filename, 200, name=True))
            if problem in ("long", "windows"):
                raise InputError(f"models.zip_name_{problem}", file=name, member=vendor_text(member.filename, 200, name=True))
            if problem:
                raise InputError("models.zip_unsafe_path", file=name, member=vendor_text(member.filename, 200, name=True))
            key = unicodedata.normalize("NFC", member.filename.replace("\\", "/").rstrip("/"))
            if key in seen:
                raise InputError("models.zip_duplicate", file=name, member=vendor_text(member.filename, 200, name=True))
            seen.add(key)
            if not member.is_dir() and _shown_in_browser(member.filename):
                raise InputError("models.zip_browser_file", file=name,
                                 member=vendor_text(member.filename, 200, name=True))
            file_type = stat.S_IFMT(member.external_attr >> 16)  # 0 for zips made on Windows
            if file_type and file_type not in (stat.S_IFREG, stat.S_IFDIR):
                raise InputError("models.zip_link", file=name, member=member.filename)
            if member.flag_bits & 0x1:
                raise InputError("models.zip_encrypted", file=name, member=member.filename)
            declared += member.file_size
            if member.file_size > 1_000_000 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise InputError("models.zip_bomb", file=name, member=member.filename,
                                 ratio=member.file_size // max(member.compress_size, 1))
        if declared > max_bytes:
            raise InputError("models.zip_too_big", file=name, size_mb=declared // 2**20, max_mb=max_bytes // 2**20)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written = 0
        for member in members:
            target = (root / member.filename.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):
                raise InputError("models.zip_unsafe_path", file=name, member=member.filename)
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with handle.open(member) as src, target.open("xb") as out:
                    while block := src.read(_CHUNK):
                        written += len(block)
                        if written > max_bytes:
                            raise InputError("models.zip_too_big", file=name, size_mb=written // 2**20,
                                             max_mb=max_bytes // 2**20)
                        out.write(block)
            except FileExistsError:
                raise InputError("models.zip_unsafe_path", file=name, member=member.filename) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                raise InputError("models.zip_bad", file=name, reason=str(exc)) from None
    return dest


def check_tree(root: Path, *, display_name: str | None = None, max_files: int = MAX_FILES,
               max_bytes: int = MAX_TOTAL_BYTES) -> None:
    """Refuse a folder with links (symbolic or hard), special files, hidden characters in names, or too much."""
    name = display_name or root.name
    count = total = 0
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        for entry in [*dirs, *files]:
            path = Path(folder) / entry
            member = vendor_text(path.relative_to(root).as_posix(), 200, name=True)
            if name_problem(entry) is not None:
                raise InputError("models.zip_name_unsafe", file=name, member=member)
            portable = portable_problem(path.relative_to(root).as_posix())
            if portable:
                raise InputError(f"models.zip_name_{portable}", file=name, member=member)
            key = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
            if key in seen:
                raise InputError("models.zip_duplicate", file=name, member=member)
            seen.add(key)
            if path.is_symlink():  # inside or outside: a model folder needs no links
                raise InputError("models.zip_link", file=name, member=member)
            if entry in files:
                if _shown_in_browser(entry):
                    raise InputError("models.zip_browser_file", file=name, member=member)
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    raise InputError("models.zip_link", file=name, member=member)
                if info.st_nlink > 1:  # a hard link: the same file may be another one's, elsewhere
                    raise InputError("models.folder_hardlink", file=name, member=member, links=info.st_nlink)
                count += 1
                total += info.st_size
    if count > max_files:
        raise InputError("models.zip_too_many", file=name, count=count, max=max_files)
    if total > max_bytes:
        raise InputError("models.zip_too_big", file=name, size_mb=total // 2**20, max_mb=max_bytes // 2**20)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def hash_tree(root: Path) -> list[FileHash]:
    """sha256 of every regular file under ``root`` (or of ``root`` itself if a file), sorted by path."""
    if root.is_file():
        return [FileHash(path=root.name, sha256=_sha256(root), size=root.stat().st_size)]
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        out.append(FileHash(path=path.relative_to(root).as_posix(), sha256=_sha256(path), size=path.stat().st_size))
    return out


def tree_digest(files: list[FileHash]) -> str:
    """One sha256 for a folder: the hash of its sorted ``sha256  path`` lines (sha256sum format).

    ``sha256sum`` over the same files, sorted by path, reproduces it.
    """
    lines = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
