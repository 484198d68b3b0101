"""What every CLI command shares: output, errors, the acting user.

Commands are thin: parse, call a service, print. ``--json`` puts machine
output on stdout and messages on stderr. Exit codes: 0 ok, 1 error,
2 usage, 3 a check failed, 4 only insufficient evidence.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from sandbox.errors import SandboxError
from sandbox.i18n import t

__all__ = [
    "EXIT_CHECK_FAILED",
    "EXIT_ERROR",
    "EXIT_INSUFFICIENT",
    "EXIT_OK",
    "AsUser",
    "JsonFlag",
    "Password",
    "Terminated",
    "acting_command",
    "acting_user",
    "cli_command",
    "emit",
    "say",
    "terminate",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 3
EXIT_INSUFFICIENT = 4

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine output (JSON) on stdout.")]
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (password: SANDBOX_PASSWORD or --password).")]
Password = Annotated[str | None, typer.Option("--password", help="Password of --as user (or SANDBOX_PASSWORD).", hidden=True)]

F = TypeVar("F", bound=Callable[..., Any])


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def emit(data: Any, *, as_json: bool, human: Callable[[], None] | str | None = None) -> None:
    """Print ``data`` as JSON (``--json``) or run/print the human rendering."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
        return
    if callable(human):
        human()
    elif human is not None:
        typer.echo(human)
    else:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def say(key: str, **params: Any) -> None:
    """A message for the person (stderr, so it never mixes with --json output)."""
    typer.echo(t(key, **params), err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interruption so that every ``finally`` (temporary files, Spark jobs) runs."""


def terminate(signum: int, frame: object) -> None:
    """SIGTERM handler of the CLI process (installed by :func:`sandbox.cli.main`)."""
    from sandbox.engines._jobs import request_stop

    request_stop()  # a SIGTERM to the process group also ended Spark's JVM: its failure is this stop
    raise Terminated


def _disk_full(exc: BaseException) -> SandboxError | None:
    """``errors.disk_full`` for a full disk anywhere in ``exc``'s chain (the file it names, else the data home)."""
    from sandbox.errors import ConfigError
    from sandbox.files import raise_if_disk_full
    from sandbox.settings import get_settings

    seen: BaseException | None = exc
    while seen is not None:
        named = getattr(seen, "filename", None)
        try:
            raise_if_disk_full(seen, named or get_settings().home / "sandbox.db")
        except SandboxError as full:
            if named:
                return full
            return ConfigError("errors.disk_full_unnamed", home=str(get_settings().home))
        seen = seen.__cause__ or seen.__context__
    return None


def cli_command(func: F | None = None, *, needs_home: bool = True) -> Any:
    """Turn :class:`SandboxError` into a clear message and its exit code.

    A command that uses the data home (``needs_home``, the default) is refused
    on one that was never initialised, before anything is created there
    (``sandbox.accounts.require_initialised``); ``init``, ``demo``, ``restore``
    and the commands that only print are declared with ``needs_home=False``.
    """
    if func is None:
        return functools.partial(cli_command, needs_home=needs_home)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            if needs_home:
                from sandbox.accounts import require_initialised

                require_initialised()
            return func(*args, **kwargs)
        except SandboxError as exc:
            typer.echo(exc.render(), err=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:  # a full disk outside the product's own atomic writes (SQLite, staging)
            full = _disk_full(exc)
            if full is None:
                raise
            typer.echo(full.render(), err=True)
            raise typer.Exit(full.exit_code) from None
        except KeyboardInterrupt as stop:
            raise typer.Exit(143 if isinstance(stop, Terminated) else 130) from None

    return wrapper


def acting_user(as_user: str | None, password: str | None, *, required: bool = True):  # type: ignore[no-untyped-def]
    """Authenticate ``--as`` with ``--password`` or ``SANDBOX_PASSWORD``."""
    from sandbox.errors import InputError
    from sandbox.users import authenticate

    if not as_user:
        if required:
            raise InputError("errors.not_logged_in")
        return None
    secret = password if password is not None else os.environ.get("SANDBOX_PASSWORD")
    if not secret:
        raise InputError("errors.password_required", username=as_user)
    return authenticate(as_user, secret)


def acting_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """A command run by a user: adds ``--as``, ``--password`` and ``--json`` in one place.

    ``func`` declares its own arguments plus the keyword parameters ``actor``
    (the authenticated :class:`sandbox.roles.Actor`) and ``as_json``; the
    command line gets ``--as USER``, ``--password`` and ``--json`` instead,
    and :func:`cli_command` maps errors to exit codes.
    """
    own = [p for p in inspect.signature(func, eval_str=True).parameters.values()
           if p.name not in ("actor", "as_json")]
    keyword = inspect.Parameter.KEYWORD_ONLY
    shared = [inspect.Parameter("as_user", keyword, default=None, annotation=AsUser),
              inspect.Parameter("password", keyword, default=None, annotation=Password),
              inspect.Parameter("as_json", keyword, default=False, annotation=JsonFlag)]

    @functools.wraps(func)
    def wrapper(*args: Any, as_user: str | None = None, password: str | None = None, as_json: bool = False,
                **kwargs: Any) -> Any:
        return func(*args, actor=acting_user(as_user, password), as_json=as_json, **kwargs)

    wrapper.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    return cli_command(wrapper)
