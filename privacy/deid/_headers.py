"""Personal information in column headers, and their de-identified names.

A table is not only its cells: a pivot of visits per caseworker (``月份, 王秀英,
李建国, 欧阳娜娜, 合计``), a roster exported "one column per person", or a header
``张伟（13905718822）`` puts names and numbers in the header row. Before, ``sandbox
deid`` scanned cells only and wrote those headers back under "re-scan: clean".

Headers are scanned as short texts by the same detector; a header with findings
gets each finding replaced by its entity type's operator, as free text does
(``王秀英`` → ``P5a4…``), before anything else reads the table — so the plans, the
report and the output only ever hold the de-identified name. Both engines call
:func:`deidentify_headers`; the re-scan calls :func:`header_counts` on the output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from privacy._findings import HEADER_KEY
from privacy.deid._policy import DeidPolicy

__all__ = ["HEADER_KEY", "deidentify_headers", "header_counts", "public_name"]


def header_counts(names: Sequence[str]) -> dict[str, int]:
    """Entity type → findings over all headers (empty when no header holds personal information)."""
    from privacy.scanning import scan_headers

    counts: Counter[str] = Counter()
    for findings in scan_headers(names).values():
        counts.update(f.entity_type for f in findings)
    return dict(counts.most_common())


def deidentify_headers(
    names: Sequence[str], policy: DeidPolicy, *, project: str = "default", key: bytes | None = None
) -> tuple[list[str], dict[str, int]]:
    """The headers with personal information replaced, and the entity types replaced (counts).

    Headers without findings are returned as they are. A replaced header that
    would repeat another one (two names labelled ``<PERSON>``) gets ``_2``, ``_3`` ….

    Raises
    ------
    RuleViolation
        ``privacy.err.no_rule`` when a type found in a header has no rule in
        ``policy`` (or its rule is ``keep``) — before anything is replaced.
    """
    from privacy.deid._apply import _Replacer, refuse_unruled_spans
    from privacy.scanning import scan_headers

    names = [str(n) for n in names]
    found = scan_headers(names)
    if not found:
        return names, {}
    refuse_unruled_spans([f for findings in found.values() for f in findings], policy, column=HEADER_KEY)
    replacer = _Replacer(policy, project, key=key)
    counter: Counter[str] = Counter()
    out = list(names)
    for index, findings in sorted(found.items()):
        out[index] = replacer.spans(names[index], findings, counter=counter) or f"{HEADER_KEY}{index + 1}"
    taken: Counter[str] = Counter(n for i, n in enumerate(out) if i not in found)
    for index in sorted(found):
        name, suffix = out[index], 1
        while taken[name]:
            suffix += 1
            name = f"{out[index]}_{suffix}"
        taken[name] += 1
        out[index] = name
    return out, dict(counter.most_common())


def public_name(name: str, policy: DeidPolicy, *, project: str = "default", key: bytes | None = None) -> str:
    """A file name as a published package may carry it: personal information replaced (``王秀英低保申请.csv``)."""
    return deidentify_headers([name], policy, project=project, key=key)[0][0]
