"""Letter-spaced text: OCR and screenshot-to-text output with a space between characters.

A scanned form or a screenshot read back by OCR often comes out as
``申 请 人 ：马 丽 娟`` or ``联 系 电 话 ：1 3 9 9 1 2 4 5 0 7 3``, and a clerk
types ``欧  阳  敏`` into a form field. No name rule, no lexical model and no
number pattern reads such text: 马 丽 娟 are three one-character words, the
phone is eleven numbers. The detector reads every line holding a letter-spaced
run a second time with the run's spaces removed (:func:`collapse`) and maps what
it finds back onto the original characters.

A run is three or more single characters each separated by one or two spaces
(ASCII or full-width) with at least two Chinese characters among them, or a run
of digits or letters on a line that has such a run (``联 系 电 话 ：1 3 9 9 …``)
— so a row of single-digit scores (``5 4 3 5 5 4``) or spaced Latin letters alone
is never joined into a number.
"""

from __future__ import annotations

import re

__all__ = ["collapse", "spaced_lines"]

# A single visible character, then one or two spaces; at least three such characters in a row. The
# separator between batched texts (NUL) and line breaks are never part of a run.
_RUN = re.compile(r"(?:[^\s\x00][ \u3000]{1,2}){2,}[^\s\x00]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_BREAK = re.compile(r"[\n\r\x00]")


def spaced_lines(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every line (or batched text) of ``text`` holding a letter-spaced run of Chinese."""
    lines: dict[int, int] = {}
    for match in _RUN.finditer(text):
        if len(_HAN.findall(match.group())) < 2:
            continue
        start = max(text.rfind("\n", 0, match.start()), text.rfind("\r", 0, match.start()),
                    text.rfind("\x00", 0, match.start())) + 1
        if start not in lines:
            after = _BREAK.search(text, match.end())
            lines[start] = after.start() if after else len(text)
    return sorted(lines.items())


def collapse(line: str) -> tuple[str, list[int]]:
    """One line without the spaces inside its letter-spaced runs, and where each kept character came from.

    ``origin[i]`` is the index in ``line`` of the collapsed text's character
    ``i``, so a span ``[s, e)`` of the collapsed text is ``[origin[s],
    origin[e - 1] + 1)`` of the line. Runs of digits or letters are collapsed too
    (the caller only passes lines from :func:`spaced_lines`).
    """
    kept: list[int] = []
    position = 0
    for match in _RUN.finditer(line):
        kept.extend(range(position, match.start()))
        kept.extend(i for i in range(match.start(), match.end()) if line[i] not in " \u3000")
        position = match.end()
    kept.extend(range(position, len(line)))
    return "".join(line[i] for i in kept), kept
