"""Errors that reach a user: a catalog key plus parameters, rendered per language.

A service raises one of these; the workbench shows ``err.render(lang)`` in an
error box and the CLI prints it on stderr and exits with ``err.exit_code``.
Tests assert the key (``err.key``) and, where it matters, the rendered text.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "ConflictError",
    "InputError",
    "NotFoundError",
    "PermissionDenied",
    "RuleViolation",
    "SandboxError",
    "UsageError",
]


class SandboxError(Exception):
    """Base class: a message key from the catalog and its parameters.

    Parameters
    ----------
    key : str
        Catalog key, e.g. ``"errors.file_empty"``.
    **params
        Values substituted into the message (file, row, column, …).
    """

    exit_code: int = 1

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def render(self, lang: str | None = None) -> str:
        from sandbox.i18n import t

        return t(self.key, lang, **self.params)

    def __str__(self) -> str:  # English-free default: the configured language
        try:
            return self.render()
        except Exception:  # pragma: no cover - never hide the original error
            return f"{self.key} {self.params}"


class ConfigError(SandboxError):
    """Bad environment, unusable data home, corrupt database.

    Raised before the user's language is known for sure, so by default it is
    rendered in both languages.
    """

    def render(self, lang: str | None = None) -> str:
        if lang is not None:
            return super().render(lang)
        return f"{super().render('zh')}\n{super().render('en')}"


class InputError(SandboxError):
    """A file or argument the user gave cannot be used."""


class NotFoundError(SandboxError):
    """A named thing does not exist (or is not visible to this user)."""


class PermissionDenied(SandboxError):
    """The acting user's role or organisation does not allow this."""


class RuleViolation(SandboxError):
    """A domain rule forbids this (quorum, budget, lifecycle …)."""


class ConflictError(SandboxError):
    """The thing exists already or changed under us."""


class UsageError(InputError):
    """The command line itself is wrong (unknown option, bad value, missing argument).

    The CLI turns every parser error into one of these, so it is rendered in
    the user's language; exit code 2 (DESIGN §8).
    """

    exit_code: int = 2
