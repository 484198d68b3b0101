"""Started as root: stage the sandbox's bind sources, become uid/gid 65534, then start bubblewrap.

:mod:`models._bwrap` runs this file (only when the product runs as root) as::

    python -I -S _rootless.py SOURCE... -- /usr/bin/bwrap ARGS...

Why: bubblewrap maps the uid inside the sandbox to the uid that starts it. Started by root, the
sandbox's uid 65534 would be host uid 0 — without capabilities, but still the owner of every root
file it can see and exempt from ``RLIMIT_NPROC``. Started as uid 65534, bwrap creates an
unprivileged user namespace and every sandboxed process is host uid 65534.

uid 65534 cannot reach a runtime that lives in a private folder (pyenv under ``/root``, mode 0700),
nor the model copy in the product's private work folder. So, in a private mount namespace of this
process only — nothing changes on the host and no permission is widened:

1. open every source as root;
2. mount a small tmpfs on ``/tmp`` (in this namespace only) and bind each source, the folder or
   file itself and not its parents, to ``/tmp/<N>`` (:func:`staged`);
3. drop every supplementary group and set the real, effective and saved uid and gid to 65534;
4. exec bwrap, whose ``--ro-bind /tmp/<N> DEST`` finds the source there. What the sandbox can
   read inside a source is decided by the files' own modes, as for any uid-65534 process.

Self-contained (standard library only, every import at the top: a checkout under ``/tmp`` is
hidden from this process once step 2 is done). Failures go to stderr prefixed with
``sandbox launcher:`` and exit 126.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys

UID = GID = 65534
STAGE = "/tmp"
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18


def staged(index: int) -> str:
    """Where source number ``index`` is found once staged (in the launcher's mount namespace)."""
    return f"{STAGE}/{index}"


def _fail(message: str) -> None:
    sys.stderr.write(f"sandbox launcher: {message}\n")
    sys.stderr.flush()
    os._exit(126)


def _check(result: int, what: str) -> None:
    if result != 0:
        _fail(f"{what}: {os.strerror(ctypes.get_errno())}")


def _stage(libc: ctypes.CDLL, sources: list[str]) -> None:
    _check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    fds = []
    for source in sources:  # opened in the new namespace: a bind source must belong to it
        try:
            fds.append(os.open(source, os.O_PATH | os.O_CLOEXEC))
        except OSError as exc:
            _fail(f"{source}: {exc.strerror}")
    _check(libc.mount(b"sandbox-stage", STAGE.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"mode=0755,size=64k"),
           f"tmpfs on {STAGE}")
    for index, fd in enumerate(fds):
        target = staged(index)
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o644))
        _check(libc.mount(f"/proc/self/fd/{fd}".encode(), target.encode(), None, _MS_BIND | _MS_REC, None),
               f"bind {sources[index]}")
        os.close(fd)


def _drop() -> None:
    os.setgroups([])
    os.setresgid(GID, GID, GID)
    os.setresuid(UID, UID, UID)
    if os.getresuid() != (UID, UID, UID) or os.getresgid() != (GID, GID, GID) or os.getgroups():
        _fail("could not become uid/gid 65534")
    try:
        os.setuid(0)
    except PermissionError:
        return
    _fail("uid 0 could be regained")


def main(argv: list[str]) -> None:
    """Stage the sources before ``--``, drop to 65534 and exec the command after it."""
    if "--" not in argv or os.geteuid() != 0:
        _fail("usage (as root): _rootless.py SOURCE... -- COMMAND...")
    split = argv.index("--")
    sources, command = argv[:split], argv[split + 1:]
    if not command:
        _fail("no command")
    _stage(ctypes.CDLL(None, use_errno=True), sources)
    _drop()
    try:
        os.execv(command[0], command)
    except OSError as exc:
        _fail(f"{command[0]}: {exc.strerror}")


if __name__ == "__main__":
    main(sys.argv[1:])
