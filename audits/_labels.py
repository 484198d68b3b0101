"""One district written several ways: find likely variants of a group label, merge only on request.

A real export writes one place as ``城关街道`` and ``城关街道办事处``, ``青石镇（原青石乡）`` and
``青石镇``, ``东风村委会`` and ``东风村``, with full-width brackets or stray spaces. Left alone, the
audit splits one group in two (and the elderly/rural groups shrink below the minimum size).
Nothing here merges silently: :func:`find_variants` names the labels that reduce to one
:func:`canonical_label` (with their row counts and a suggested name), and :func:`merge_plan`
turns the reviewer's explicit mapping (or ``merge_variants=True``: every suggestion) into the
label → label map the audit applies and records.

Pure functions: no files, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sandbox.errors import InputError

__all__ = [
    "ERR_MERGE_CHAIN",
    "ERR_MERGE_SYNTAX",
    "ERR_MERGE_UNKNOWN",
    "SUFFIXES",
    "Variant",
    "canonical_label",
    "find_variants",
    "merge_plan",
    "parse_merges",
]

ERR_MERGE_SYNTAX = "audits.errors.merge_syntax"
ERR_MERGE_UNKNOWN = "audits.errors.merge_unknown"
ERR_MERGE_CHAIN = "audits.errors.merge_chain"

# long forms → the short form exports use for the same unit (longest first: 社区居民委员会 before 居民委员会)
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("街道办事处", "街道"),
    ("街道办", "街道"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("嘎查村民委员会", "嘎查"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("村委", "村"),
    ("镇人民政府", "镇"),
    ("乡人民政府", "乡"),
    ("镇政府", "镇"),
    ("乡政府", "乡"),
)
# a bracketed note about the name itself: （原青石乡）, (曾用名…), （含原东关乡）, （已撤并）
_NOTE = re.compile(r"\((?:原|旧称|旧|曾用名|曾|现|今|含|已|撤|并)[^()]*\)")
_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"【": "(", "〔": "(", "[": "(", "〖": "(", "】": ")", "〕": ")", "]": ")", "〗": ")"})
# a leading 省/市/区/县/旗 name before the unit (锦城区城关街道 ~ 城关街道), used between labels only
_PREFIX_ENDS = ("省", "区", "市", "州", "盟", "县", "旗")
_UNIT = ("街道", "镇", "乡", "村", "社区", "嘎查", "苏木")


def canonical_label(text: str) -> str:
    """The comparison key of a group label.

    NFKC (full-width letters, digits, brackets and the ideographic space become their
    ASCII forms), every space removed, Chinese brackets 【】〔〕 read as round ones, a
    bracketed note about the name itself (``（原…）``, ``（曾用名…）``, ``（含…）``) removed, then
    one known long suffix shortened (:data:`SUFFIXES`: ``街道办事处`` → ``街道``,
    ``村民委员会``/``村委会`` → ``村``, ``社区居委会`` → ``社区``, ``镇人民政府`` → ``镇`` …).
    """
    key = unicodedata.normalize("NFKC", str(text))
    key = _SPACE.sub("", key).translate(_BRACKETS)
    while True:
        shorter = _NOTE.sub("", key)
        if shorter == key:
            break
        key = shorter
    for long, short in SUFFIXES:
        if key.endswith(long) and len(key) > len(long):
            return key[: -len(long)] + short
    return key


@dataclass(frozen=True, kw_only=True)
class Variant:
    """Labels of one group written differently."""

    key: str  # canonical_label of every label here
    labels: tuple[tuple[str, int], ...]  # (label as written, rows), most rows first
    suggested: str  # the name to merge them into

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "suggested": self.suggested,
                "labels": [{"label": label, "n": n} for label, n in self.labels],
                "rows": sum(n for _, n in self.labels)}


def _strip_prefix(key: str, keys: set[str]) -> str:
    """``锦城区城关街道`` → ``城关街道`` when that is another label's key and names a unit."""
    for end in range(2, min(len(key) - 1, 24)):
        rest = key[end:]
        if key[end - 1] in _PREFIX_ENDS and rest in keys and len(rest) >= 3 and rest.endswith(_UNIT):
            return rest
    return key


def find_variants(counts: Mapping[str, int], *, skip: Iterable[str] = ()) -> list[Variant]:
    """Labels that reduce to one key (:func:`canonical_label`, then a leading 区/县 name).

    Parameters
    ----------
    counts : mapping
        Label as written (already stripped) → rows.
    skip : iterable of str
        Labels never grouped (the 未知 group).

    Returns
    -------
    list of Variant
        Groups of two or more labels, most rows first. ``suggested`` is the label written
        exactly as the key when there is one (the short standard form), else the label
        with the most rows.
    """
    skipped = set(skip)
    labels = [label for label in counts if label not in skipped]
    keys = {label: canonical_label(label) for label in labels}
    known = set(keys.values())
    keys = {label: _strip_prefix(key, known) for label, key in keys.items()}
    by_key: dict[str, list[str]] = {}
    for label, key in keys.items():
        by_key.setdefault(key, []).append(label)
    out = []
    for key, members in by_key.items():
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda x: (-int(counts[x]), x))
        suggested = key if key in members else ranked[0]
        out.append(Variant(key=key, labels=tuple((x, int(counts[x])) for x in ranked), suggested=suggested))
    return sorted(out, key=lambda v: (-sum(n for _, n in v.labels), v.key))


def parse_merges(items: str | Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """``"城关街道办事处=城关街道；青石镇（原青石乡）=青石镇"`` (or a list of ``A=B``) → ``{A: B}``.

    Items are separated by ``;``/``；``/new lines; ``=``, ``＝``, ``→`` and ``->`` separate the two
    names; names are stripped.

    Raises
    ------
    InputError
        ``audits.errors.merge_syntax`` naming the item that is not ``OLD=NEW``.
    """
    if items is None:
        return {}
    if isinstance(items, Mapping):
        pairs = [(str(k).strip(), str(v).strip()) for k, v in items.items()]
    else:
        texts = [items] if isinstance(items, str) else list(items)
        pairs = []
        for text in texts:
            for item in re.split(r"[;；\n]", str(text)):
                if not item.strip():
                    continue
                parts = re.split(r"=|＝|->|→", item, maxsplit=1)
                if len(parts) != 2:
                    raise InputError(ERR_MERGE_SYNTAX, item=item.strip())
                pairs.append((parts[0].strip(), parts[1].strip()))
    out: dict[str, str] = {}
    for old, new in pairs:
        if not old or not new:
            raise InputError(ERR_MERGE_SYNTAX, item=f"{old}={new}")
        if old != new:
            out[old] = new
    return out


def merge_plan(counts: Mapping[str, int], *, merges: Mapping[str, str], merge_variants: bool,
               file: str, column: str, skip: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
    """The label → (new label, by) map an audit applies; ``by`` is ``reviewer`` or ``suggested``.

    The reviewer's own entries come first; with ``merge_variants`` every variant's labels go to
    its suggested name unless the reviewer said otherwise.

    Raises
    ------
    InputError
        ``audits.errors.merge_unknown`` (a name not in the column: names file, column and the
        closest labels), ``audits.errors.merge_chain`` (a name is both merged and merged into).
    """
    plan: dict[str, tuple[str, str]] = {}
    for old, new in merges.items():
        if old not in counts:
            near = [x for x in counts if canonical_label(x) == canonical_label(old)][:3] or sorted(counts)[:5]
            raise InputError(ERR_MERGE_UNKNOWN, label=old, file=file, column=column, labels="、".join(near))
        plan[old] = (new, "reviewer")
    if merge_variants:
        for variant in find_variants(counts, skip=skip):
            for label, _n in variant.labels:
                if label != variant.suggested and label not in plan:
                    plan[label] = (variant.suggested, "suggested")
    for old, (new, _by) in plan.items():
        if new in plan and plan[new][0] != new:
            raise InputError(ERR_MERGE_CHAIN, label=new, source=old, target=plan[new][0])
    return plan
