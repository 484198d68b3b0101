"""The hand-written real-text PII corpus: loader, and builder from its marked-up sources.

``benchmarks/data/pii_realtext/src/<register>.txt`` holds sentences written for
this corpus (not by the demo generator), one per line, in six registers: news
(本报讯/记者/通讯员), hotline (12345 tickets), notice (公示/通知), chat (messages),
form (登记表 lines), and address (addresses all over China in all of those styles,
a third of the lines with place words that are not addresses; the ``ADDR`` span
runs from the highest administrative unit written to the most specific one —
number, building, unit, floor, room, 组/社/队/屯, a named housing compound — and
leaves out labels, 旁边/对面/后面 descriptions and post codes; a city, district,
town, road without a number, crossing, landmark or organisation alone is not an
address). Entities are marked ``[text|TYPE]`` (``P`` person, ``ID``
身份证号, ``TEL`` phone, ``CARD`` bank card, ``ADDR`` address, ``MAIL`` e-mail,
``PLATE`` licence plate, ``PASS`` passport, ``WX`` 微信号, ``QQ`` QQ号, ``-`` deliberately unlabelled). In an ID or card, ``?``
(full-width ``？``) stands for the check character, computed here with
:mod:`privacy.checksums` (all people are invented); ``!`` is a deliberately
wrong one. A phone may be written as spoken (``幺三八 零五七幺…``, alone or mixed with
digits); it is validated after reading those digits. ``\\n`` is a line break inside the text, ``\\t`` a tab.

``corpus.jsonl`` next to ``src/`` is the compiled form (``python -m
benchmarks.pii_realtext`` rewrites it): one object per sentence with ``id``,
``register``, ``split``, ``text`` and ``spans`` (``[start, end, entity]``,
character offsets). Every third sentence of each register (index % 3 == 2) is
held out: rules are tuned on ``dev`` only, ``heldout`` is only reported.
``src/dev/<register>.txt`` (same markup) is read after its register's file and
is all ``dev``: batches added for tuning there leave the held-out split as it was.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REGISTERS", "Sentence", "build", "load_realtext"]

HERE = Path(__file__).parent / "data" / "pii_realtext"
SOURCES = HERE / "src"
DEV_ONLY = SOURCES / "dev"
CORPUS = HERE / "corpus.jsonl"
REGISTERS = ("news", "hotline", "notice", "chat", "form", "address")
TYPES = {
    "P": "PERSON", "ID": "CN_RESIDENT_ID", "TEL": "PHONE_NUMBER", "CARD": "BANK_CARD", "ADDR": "ADDRESS",
    "MAIL": "EMAIL_ADDRESS", "PLATE": "CN_LICENSE_PLATE", "PASS": "PASSPORT", "WX": "WECHAT_ID", "QQ": "QQ_NUMBER",
    "-": None,
}
_MARK = re.compile(r"\[([^\[\]|]+)\|([A-Z]+|-)\]")
_FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_HALF = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
# a phone read out digit by digit and transcribed as spoken (幺三八 零五七幺…), alone or mixed with digits
_SPOKEN = str.maketrans("〇零洞幺一二两三四五六七八九", "00011223456789")


@dataclass
class Sentence:
    """One labelled sentence."""

    id: str
    register: str
    split: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def _fill(value: str, kind: str | None) -> str:
    """Replace the ``?``/``？``/``!`` placeholder of an ID or card by its (wrong) check character."""
    from privacy.checksums import id_card_check_char, luhn_check_digit

    for mark in ("?", "？", "!"):
        if mark not in value:
            continue
        digits = "".join(ch for ch in value.replace(mark, "").translate(_HALF) if ch.isdigit())
        if len(digits) == 17 and kind in ("CN_RESIDENT_ID", None):
            right = id_card_check_char(digits)
            choices = "0123456789X"
        else:
            right = luhn_check_digit(digits)
            choices = "0123456789"
        char = next(c for c in choices if c != right) if mark == "!" else right
        return value.replace(mark, char.translate(_FULL) if mark == "？" else char)
    return value


def _problems(value: str, kind: str) -> str | None:
    """Why a labelled identifier is not valid (a typo in the corpus), or None."""
    import phonenumbers

    from privacy.checksums import id_card_birth_date, is_valid_id_card_checksum, is_valid_luhn
    from sandbox.regions import lookup_region

    if kind == "PHONE_NUMBER":
        value = re.split("转(?=[0-9]{1,5}$)", value.translate(_SPOKEN))[0]
    digits = "".join(ch for ch in value.translate(_HALF).upper() if ch.isdigit() or ch == "X")
    if kind == "CN_RESIDENT_ID":  # 18 digits with the check character, or the 15-digit legacy form (no check)
        if len(digits) not in (15, 18) or (len(digits) == 18 and not is_valid_id_card_checksum(digits)):
            return "check digit"
        if id_card_birth_date(digits) is None or lookup_region(digits[:6]) is None:
            return "date or region"
    if kind == "BANK_CARD" and not (16 <= len(digits) <= 19 and is_valid_luhn(digits)):
        return "luhn"
    if kind == "PHONE_NUMBER":
        national = digits[2:] if digits.startswith("86") and len(digits) > 12 else digits
        national = national[2:] if national.startswith("0086") else national
        if not phonenumbers.is_valid_number(phonenumbers.parse(national, "CN")):
            return "not a valid CN number"
    return None


def _compile_line(line: str) -> tuple[str, list[tuple[int, int, str]], list[str]]:
    text, spans, errors = "", [], []
    position = 0
    for match in _MARK.finditer(line):
        text += line[position : match.start()].replace("\\n", "\n").replace("\\t", "\t")
        kind = TYPES.get(match.group(2), "?")
        if kind == "?":
            errors.append(f"unknown type {match.group(2)}")
        value = _fill(match.group(1), kind).replace("\\n", "\n").replace("\\t", "\t")
        if kind:
            problem = _problems(value, kind)
            if problem:
                errors.append(f"{kind} {value!r}: {problem}")
            spans.append((len(text), len(text) + len(value), kind))
        text += value
        position = match.end()
    text += line[position:].replace("\\n", "\n").replace("\\t", "\t")
    return text, spans, errors


def build() -> tuple[list[Sentence], list[str]]:
    """Compile every source file: (sentences, problems found)."""
    sentences: list[Sentence] = []
    problems: list[str] = []
    for register in REGISTERS:
        index = 0
        for source, dev_only in ((SOURCES / f"{register}.txt", False), (DEV_ONLY / f"{register}.txt", True)):
            if not source.is_file():
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip() or line.startswith("#"):
                    continue
                text, spans, errors = _compile_line(line)
                problems += [f"{source.relative_to(SOURCES)}:{number}: {e}" for e in errors]
                split = "dev" if dev_only or index % 3 != 2 else "heldout"
                sentences.append(Sentence(f"{register}-{index + 1:03d}", register, split, text, spans))
                index += 1
    return sentences, problems


def load_realtext(*, split: str | None = None, register: str | None = None) -> list[Sentence]:
    """The compiled corpus (optionally one split: ``dev``/``heldout``, or one register)."""
    sentences = []
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            sentence = Sentence(item["id"], item["register"], item["split"], item["text"],
                                [tuple(s) for s in item["spans"]])
            if (split is None or sentence.split == split) and (register is None or sentence.register == register):
                sentences.append(sentence)
    return sentences


def main() -> int:
    sentences, problems = build()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    with CORPUS.open("w", encoding="utf-8") as handle:
        for s in sentences:
            item = {"id": s.id, "register": s.register, "split": s.split, "text": s.text, "spans": s.spans}
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(sentences)} sentences, {sum(len(s.spans) for s in sentences)} spans -> {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
