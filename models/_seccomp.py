"""The seccomp filter of the model sandbox, compiled by libseccomp (Debian ``libseccomp2``).

:func:`seccomp_program` returns a classic BPF program (the bytes that
``bwrap --seccomp FD`` loads) built through ``ctypes`` with the maintained C
library itself — ``seccomp_init`` / ``seccomp_rule_add_array`` /
``seccomp_export_bpf`` — so syscall numbers, the architecture check and the
x32 ABI guard are libseccomp's, not hand-written. Everything is allowed
except the calls below, which fail with ``EPERM``; calls made through another
architecture's ABI (``int 0x80``) kill the process (libseccomp's default for a
foreign architecture). ``clone3`` answers ``ENOSYS`` so the C library falls
back to ``clone``, whose flags *can* be filtered: threads are allowed, new
processes (``fork``, ``vfork``, ``clone`` without ``CLONE_THREAD``) and new
namespaces are refused — a model needs no subprocess, and a fork bomb has
nothing to fork with (``RLIMIT_NPROC`` is not enforced for a sandbox started
by root, whose processes keep host uid 0 without any capability).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import tempfile

__all__ = ["DENIED_SYSCALLS", "SeccompUnavailable", "seccomp_program"]

#: Refused with EPERM: kernel attack surface and everything that changes
#: namespaces, mounts, keys, modules, tracing or the machine itself.
DENIED_SYSCALLS: tuple[str, ...] = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
    "fspick", "mount_setattr", "unshare", "setns",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog", "vhangup",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "fanotify_init",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "iopl", "ioperm", "fork", "vfork",
)
_CLONE_THREAD = 0x00010000
_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000,
                    0x00000080)  # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
_ALLOW = 0x7FFF0000
_MASKED_EQ = 7  # enum scmp_compare: SCMP_CMP_MASKED_EQ


def _errno(code: int) -> int:
    return 0x00050000 | (code & 0x0000FFFF)  # SCMP_ACT_ERRNO(code)


class SeccompUnavailable(RuntimeError):
    """libseccomp is missing or refused to build the filter."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SeccompUnavailable(f"libseccomp: {exc}") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.restype = ctypes.c_int
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


def _add(lib: ctypes.CDLL, ctx: int, action: int, name: str, *conditions: _ArgCmp) -> None:
    number = lib.seccomp_syscall_resolve_name(name.encode())
    if number < 0:  # __NR_SCMP_ERROR: not a syscall of this architecture (e.g. iopl on arm64)
        return
    array = (_ArgCmp * len(conditions))(*conditions) if conditions else None
    done = lib.seccomp_rule_add_array(ctx, action, number, len(conditions), array)
    if done < 0:
        raise SeccompUnavailable(f"seccomp_rule_add({name}): {os.strerror(-done)}")


@functools.cache
def seccomp_program() -> bytes:
    """The compiled BPF program (cached per process).

    Raises
    ------
    SeccompUnavailable
        libseccomp cannot be loaded or the filter cannot be built.
    """
    lib = _library()
    ctx = lib.seccomp_init(_ALLOW)
    if not ctx:
        raise SeccompUnavailable("seccomp_init failed")
    try:
        for name in DENIED_SYSCALLS:
            _add(lib, ctx, _errno(errno.EPERM), name)
        _add(lib, ctx, _errno(errno.ENOSYS), "clone3")
        _add(lib, ctx, _errno(errno.EPERM), "clone", _ArgCmp(0, _MASKED_EQ, _CLONE_THREAD, 0))
        for flag in _NAMESPACE_FLAGS:
            _add(lib, ctx, _errno(errno.EPERM), "clone", _ArgCmp(0, _MASKED_EQ, flag, flag))
        with tempfile.TemporaryFile() as handle:
            done = lib.seccomp_export_bpf(ctx, handle.fileno())
            if done < 0:
                raise SeccompUnavailable(f"seccomp_export_bpf: {os.strerror(-done)}")
            handle.seek(0)
            program = handle.read()
    finally:
        lib.seccomp_release(ctx)
    if not program or len(program) % 8:
        raise SeccompUnavailable("empty or malformed BPF program")
    return program
