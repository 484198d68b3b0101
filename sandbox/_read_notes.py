"""What :func:`sandbox.tabular.read_table` did to a file besides reading it, said in the steward's language.

Title rows skipped, footer rows dropped, two header rows joined into one, numbers whose digits a
spreadsheet lost: each is a :class:`ReadNote` (a catalog key ``read.note.*`` and its parameters),
rendered in zh or en where the steward looks — the CLI's output, the 数据发布 page, the
de-identification report and a release's manifest (:meth:`ReadNote.as_dict` keeps both languages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReadNote", "notes_as_dicts"]


@dataclass(frozen=True, kw_only=True)
class ReadNote:
    """One thing the reader did to the table: ``key`` in the catalog and its ``params``."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        """The note in ``lang`` (default: the user's language)."""
        from sandbox.i18n import t

        return t(self.key, lang, **self.params)

    def as_dict(self) -> dict[str, Any]:
        """``{"key", "params", "zh", "en"}``: what a report or manifest keeps (both languages, no re-rendering)."""
        return {"key": self.key, "params": dict(self.params), "zh": self.text("zh"), "en": self.text("en")}


def notes_as_dicts(notes: list[ReadNote]) -> list[dict[str, Any]]:
    """:meth:`ReadNote.as_dict` of each note."""
    return [note.as_dict() for note in notes]
