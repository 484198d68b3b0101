"""Static scan of pickle files for imports that run commands (defence in depth).

Reads the opcode stream with :mod:`pickletools` — nothing is unpickled. A
pickle that imports ``os.system``, ``subprocess``, ``builtins.exec`` … is
refused at intake. Pickles that pass still only ever load in the isolated
child (:mod:`models.isolation`): the scan is a first filter, not the barrier.
"""

from __future__ import annotations

import pickletools
from pathlib import Path

__all__ = ["DANGEROUS_MODULES", "dangerous_globals", "looks_like_pickle", "scan_tree"]

DANGEROUS_MODULES = frozenset({
    "os", "posix", "nt", "subprocess", "sys", "socket", "shutil", "pty", "ctypes", "importlib",
    "runpy", "webbrowser", "code", "codeop", "multiprocessing", "signal", "pdb", "asyncio",
    "urllib", "http", "ftplib", "smtplib", "telnetlib", "tempfile", "glob", "platform",
})
_DANGEROUS_BUILTINS = frozenset({
    "eval", "exec", "compile", "__import__", "open", "breakpoint", "input", "globals", "locals",
    "setattr", "delattr", "vars",
})
_PICKLE_SUFFIXES = {".pkl", ".pickle", ".cloudpickle", ".joblib", ".sav", ".pck", ".p"}
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}


def looks_like_pickle(path: Path) -> bool:
    if path.suffix.lower() in _PICKLE_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
    except OSError:
        return False
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _is_dangerous(module: str, name: str) -> bool:
    root = module.split(".")[0]
    if root in DANGEROUS_MODULES:
        return True
    return root in {"builtins", "__builtin__"} and name in _DANGEROUS_BUILTINS


def dangerous_globals(path: Path) -> list[str]:
    """``module.name`` of every dangerous global the pickle imports (empty if none or unreadable)."""
    found: list[str] = []
    strings: list[str] = []
    memo: dict[int, str] = {}
    try:
        with path.open("rb") as handle:
            for opcode, arg, _pos in pickletools.genops(handle):
                name = opcode.name
                if name in _STRING_OPS and isinstance(arg, str | bytes):
                    strings.append(arg.decode("latin-1") if isinstance(arg, bytes) else arg)
                elif name in {"BINPUT", "LONG_BINPUT", "PUT"} and strings:
                    memo[int(arg)] = strings[-1]
                elif name == "MEMOIZE" and strings:
                    memo[len(memo)] = strings[-1]
                elif name in {"BINGET", "LONG_BINGET", "GET"} and int(arg) in memo:
                    strings.append(memo[int(arg)])
                elif name in {"GLOBAL", "INST"} and isinstance(arg, str):
                    module, _, attr = arg.partition(" ")
                    if _is_dangerous(module, attr):
                        found.append(f"{module}.{attr}")
                elif name == "STACK_GLOBAL" and len(strings) >= 2:
                    module, attr = strings[-2], strings[-1]
                    if _is_dangerous(module, attr):
                        found.append(f"{module}.{attr}")
                elif name == "STOP":
                    break
    except Exception:  # not a pickle after all, or compressed (joblib): the child is the barrier
        return found
    return sorted(set(found))


def scan_tree(root: Path) -> dict[str, list[str]]:
    """Relative path → dangerous globals, for every pickle under ``root`` that has any."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    out = {}
    for path in files:
        if looks_like_pickle(path):
            bad = dangerous_globals(path)
            if bad:
                out[path.name if path == root else path.relative_to(root).as_posix()] = bad
    return out
