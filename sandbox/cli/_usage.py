"""Command-line usage errors in the user's language.

Typer (its vendored click) reports a bad command line — a value that does not
parse, a missing option or argument, an unknown option or command, a bad
choice — with an English message. The root command group
(:class:`SandboxGroup`, the ``cls`` of :data:`sandbox.cli.app`) catches every
such error of every sub-command once, here, turns it into a
:class:`sandbox.errors.UsageError` (catalog keys ``cli.usage.*``), prints it
in the language of ``--lang`` / ``SANDBOX_LANG`` and exits with code 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
)
from typer._click.exceptions import UsageError as ParserUsageError
from typer.core import TyperGroup

from sandbox.errors import UsageError
from sandbox.i18n import LANGUAGES, catalog, set_language, t

__all__ = ["SandboxGroup", "translate"]

_NO_SUCH_COMMAND = re.compile(r"^No such command '(?P<name>.*)'\.$")
_EXTRA = re.compile(r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$")
_NUMBER = {"float_parsing", "float_type", "finite_number"}
_INTEGER = {"int_parsing", "int_type", "int_from_float"}
_BOUNDS = {"greater_than_equal": ("ge", "≥"), "greater_than": ("gt", ">"),
           "less_than_equal": ("le", "≤"), "less_than": ("lt", "<")}


def _name(param: Any) -> str:
    """How the person typed (or should type) the parameter: ``--epsilon`` or ``file``."""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts and getattr(param, "param_type_name", "") == "option":
        return max(opts, key=len)
    return str(getattr(param, "display_name_raw", None) or param.name)


def _raw_value(param: Any, argv: Sequence[str]) -> str | None:
    """The text given for an option, read back from the command line."""
    opts = set(getattr(param, "opts", []) or [])
    for i, arg in enumerate(argv):
        if arg in opts and i + 1 < len(argv):
            return argv[i + 1]
        head, sep, tail = arg.partition("=")
        if sep and head in opts:
            return tail
    return None


def _choices(param: Any) -> list[str] | None:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice or not desc.choices:
        return None
    return [str(getattr(c, "value", c)) for c in desc.choices]


def _hint(param: Any, kind: str, lang: str) -> str:
    """What to type instead: the parameter's own hint if the catalog has one, else the type's."""
    specific = f"cli.usage.hint.{getattr(param, 'name', '')}"
    return t(specific if specific in catalog() else f"cli.usage.hint_{kind}", lang)


def _bad_value(exc: BadParameter, argv: Sequence[str], lang: str) -> UsageError:
    param = exc.param
    hint = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint or [])
    option = _name(param) if param is not None else (hint or "?")
    cause = exc.__cause__
    errors = cause.errors() if hasattr(cause, "errors") else []
    error: dict[str, Any] = errors[0] if errors else {}
    value = error.get("input", _raw_value(param, argv) if param is not None else None)
    kind = str(error.get("type", ""))
    choices = _choices(param)
    if value is None:
        return UsageError("cli.usage.bad_value_unknown", option=option)
    value = str(value)
    if choices:
        return UsageError("cli.usage.bad_choice", option=option, value=value, choices=" | ".join(choices))
    if kind in _NUMBER:
        return UsageError("cli.usage.not_a_number", option=option, value=value, hint=_hint(param, "number", lang))
    if kind in _INTEGER:
        return UsageError("cli.usage.not_an_integer", option=option, value=value, hint=_hint(param, "integer", lang))
    if kind in _BOUNDS:
        field, sign = _BOUNDS[kind]
        limit = error.get("ctx", {}).get(field)
        return UsageError("cli.usage.out_of_range", option=option, value=value, bound=f"{sign} {limit}")
    return UsageError("cli.usage.bad_value", option=option, value=value)


def _commands(ctx: Any) -> str:
    command = getattr(ctx, "command", None)
    if command is None or not hasattr(command, "list_commands"):
        return "-"
    return ", ".join(command.list_commands(ctx))


def translate(exc: ParserUsageError, argv: Sequence[str], lang: str) -> UsageError:
    """The parser's error as a catalog :class:`~sandbox.errors.UsageError`.

    Parameters
    ----------
    exc : typer._click.exceptions.UsageError
        What the parser raised.
    argv : sequence of str
        The command line (to read back a value the parser did not keep).
    lang : str
        Language of hints that are part of the message.
    """
    if isinstance(exc, MissingParameter) and exc.param is not None:
        argument = exc.param.param_type_name == "argument"
        return UsageError("cli.usage.missing_argument" if argument else "cli.usage.missing_option",
                          option=_name(exc.param))
    if isinstance(exc, BadParameter):
        return _bad_value(exc, argv, lang)
    if isinstance(exc, NoSuchOption):
        if exc.possibilities:
            return UsageError("cli.usage.no_such_option_suggest", option=exc.option_name,
                              suggestions=", ".join(sorted(exc.possibilities)))
        return UsageError("cli.usage.no_such_option", option=exc.option_name)
    if isinstance(exc, BadOptionUsage):
        return UsageError("cli.usage.option_needs_value", option=exc.option_name)
    message = str(exc.message)
    if match := _NO_SUCH_COMMAND.match(message):
        return UsageError("cli.usage.no_such_command", command=match["name"], commands=_commands(exc.ctx))
    if message == "Missing command.":
        return UsageError("cli.usage.missing_command", commands=_commands(exc.ctx))
    if match := _EXTRA.match(message):
        return UsageError("cli.usage.extra_arguments", args=match["args"])
    return UsageError("cli.usage.other", detail=message)


def _language(argv: Sequence[str], parsed: str | None = None) -> str | None:
    """``--lang`` as parsed, else as written on the command line; None: the setting."""
    if parsed in LANGUAGES:
        return parsed
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGUAGES:
            return value
    return None


def _command_path(ctx: Any, argv: Sequence[str]) -> str:
    """``prog sub sub`` as far as the command line names existing (sub-)commands."""
    words = [ctx.command_path] if ctx is not None else ["sandbox"]
    group = ctx.command if ctx is not None else None
    for arg in argv:
        child = group.get_command(ctx, arg) if group is not None and hasattr(group, "get_command") else None
        if child is None:
            if arg.startswith("-") or arg in LANGUAGES:
                continue
            break
        words.append(arg)
        group = child
    return " ".join(words)


def _report(exc: ParserUsageError, argv: Sequence[str], lang: str | None, root: Any = None) -> typer.Exit:
    from sandbox.i18n import current_language

    language = lang or current_language()
    error = translate(exc, argv, language)
    command = exc.ctx.command_path if exc.ctx is not None else _command_path(root, argv)
    typer.echo(error.render(language), err=True)
    typer.echo(t("cli.usage.help_hint", language, command=command), err=True)
    return typer.Exit(error.exit_code)


class SandboxGroup(TyperGroup):
    """The root ``sandbox`` group: parser errors anywhere below it in the user's language."""

    _argv: tuple[str, ...] = ()

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        self._argv = tuple(args)
        if parent is None:  # a fresh run: forget the language of an earlier run in this process
            set_language(_language(self._argv))
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except NoArgsIsHelpError:
            raise
        except ParserUsageError as exc:
            raise _report(exc, self._argv, _language(self._argv)) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except ParserUsageError as exc:
            raise _report(exc, self._argv, _language(self._argv, ctx.params.get("lang")), ctx) from None
