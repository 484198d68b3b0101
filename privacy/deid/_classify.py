"""Classify every column by its content and choose its rule — or refuse.

The scanner's profiler (:func:`privacy._profile.profile_column`) looks at each
column's distinct values: validator pass rates on a sample decide whether it
is an *identifier* column (most cells are one entity: 身份证, phone, name …),
*free text*, or holds nothing personal; then every distinct value is scanned
(``thorough``), so a rare identifier in a remarks column is found too.

The rule of a column, in this order:

1. ``policy.columns[name]`` — a column-name override (record numbers, dates
   of birth, ages, a column to drop, or an explicit ``text``/``keep``);
2. an identifier column: ``policy.entities[its entity]`` for the whole column.
   Content decides; a header only confirms: a column whose name suggests an
   entity (住址 → ADDRESS) and where at least :data:`HINT_SHARE` of the
   cells hold that entity is treated as that entity's identifier column, so
   the values the recognizers cannot parse are generalised with the rest;
3. otherwise each finding span is replaced by its entity type's operator.

Cells of a whole-column rule that hold personal information *without* being
one valid value of the column's entity (a phone inside an ID column) get
their spans replaced instead — unless the operator keeps nothing of a cell
(drop, redact, label, pseudonym), which is applied to every cell. An entity type without a rule (no own entry and
no ``default``), or ``keep`` over personal information, refuses the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from privacy.deid._policy import DeidPolicy, OperatorSpec
from sandbox.errors import RuleViolation

__all__ = ["ColumnPlan", "attach_profile", "classify_frame", "column_stats", "format_counts", "plan_column",
           "refuse_unruled", "split_address_plan", "with_split_addresses"]

Mode = Literal["column", "spans", "drop", "keep"]
RuleSource = Literal["column", "entity", "spans", "none"]
# Whole-column operators that keep nothing of any cell: no cell needs span-by-span care. A keyed
# pseudonym of the whole cell is one of them: replacing only the spans found in an odd cell of a name
# column (``王 淑 英`` found as ``王 淑``) would leave the rest of the name behind.
_REMOVING = frozenset({"drop", "redact", "label", "pseudonym"})
Progress = Callable[[float, str], None]
HINT_SHARE = 0.1


@dataclass(kw_only=True)
class ColumnPlan:
    """What one column holds and what will be done to it."""

    column: str
    kind: str
    entity: str | None
    mode: Mode
    source: RuleSource
    spec: OperatorSpec | None
    before: dict[str, int]
    profile: Any = None
    hinted: bool = False
    span_rules: dict[str, OperatorSpec] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    whole_cells: bool = False  # an address split over columns ends here: every cell replaced whole, no spans

    @property
    def span_codes(self) -> np.ndarray:
        """Distinct values whose findings are replaced span by span."""
        profile = self.profile
        if profile is None or self.mode in ("drop", "keep") or self.whole_cells or \
                (self.spec is not None and self.spec.op in _REMOVING):
            return np.zeros(0, dtype=int)
        has = np.fromiter((bool(f) for f in profile.per_unique), dtype=bool, count=len(profile.per_unique))
        if self.mode == "column":
            has &= ~profile.validated
        return np.flatnonzero(has)

    def describe(self) -> str:
        """The operator as shown in reports: ``pseudonym``, ``text(PERSON→pseudonym; …)``, ``keep``."""
        spans = "; ".join(f"{e}→{s.describe()}" for e, s in sorted(self.span_rules.items()))
        if self.mode == "spans":
            return f"text({spans})"
        if self.mode == "column" and self.spec is not None:
            return self.spec.describe() + (f" + text({spans})" if spans else "")
        return self.mode

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "kind": self.kind, "entity_type": self.entity, "rule": self.source,
                "operator": self.describe(), "before": dict(self.before)}


def format_counts(counts: dict[str, int]) -> str:
    """``PERSON×5, PHONE_NUMBER×1`` (most frequent first)."""
    return ", ".join(f"{e}×{n}" for e, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def column_stats(profile: Any) -> Counter[str]:
    """What a column's rule depends on, additive over row blocks (the Spark engine sums it over partitions).

    ``cells``; ``before:E`` findings of type E over every cell; ``all:E``,
    ``unvalidated:E``, ``nothint:E`` distinct values holding E among all
    values, among those that are not one valid value of the column's entity,
    and among those that are not wholly the header's entity.
    """
    hint = _name_hint(profile.column)
    stats: Counter[str] = Counter(cells=profile.cells)
    for entity, n in profile.entity_counts().items():
        stats[f"before:{entity}"] += n
    for k, found in enumerate(profile.per_unique):
        if not found:
            continue
        types = {f.entity_type for f in found}
        groups = ["all"] + ([] if profile.validated[k] else ["unvalidated"]) + \
                 ([] if all(f.entity_type == hint for f in found) else ["nothint"])
        for group in groups:
            for entity in types:
                stats[f"{group}:{entity}"] += 1
    return stats


def _types(stats: Counter[str] | dict[str, int], group: str) -> dict[str, int]:
    prefix = f"{group}:"
    return {k[len(prefix):]: int(n) for k, n in stats.items() if k.startswith(prefix) and n}


def plan_column(column: str, kind: str, entity: str | None, stats: Counter[str] | dict[str, int],
                policy: DeidPolicy) -> ColumnPlan:
    """The rule of one column from its profile decision (kind, entity) and :func:`column_stats` (no profile needed)."""
    before = dict(sorted(_types(stats, "before").items(), key=lambda item: (-item[1], item[0])))
    override = policy.column_operator(column)
    hint = _name_hint(column)
    hinted = kind != "identifier" and bool(hint) and before.get(str(hint), 0) >= HINT_SHARE * max(1, stats["cells"])
    if hinted:
        kind, entity = "identifier", hint  # header and content agree: the whole column is that entity
    plan = ColumnPlan(column=column, kind=kind, entity=entity if kind == "identifier" else None, mode="keep",
                      source="none", spec=None, before=before, hinted=hinted)
    if override is not None:
        plan.source = "column"
        if override.op == "drop":
            plan.mode, plan.spec = "drop", override
        elif override.op == "keep":
            plan.kept = sorted(before)
        elif override.op == "text":
            plan.mode = "spans"
        else:
            plan.mode, plan.spec = "column", override
    elif kind == "identifier" and entity is not None and before:
        spec = policy.entity_operator(entity)
        plan.source = "entity"
        if spec is None:
            plan.missing = [entity]
        elif spec.op == "keep":
            plan.kept = [entity]
        else:
            plan.mode, plan.spec = "column", spec
    elif before:
        plan.mode, plan.source = "spans", "spans"
    if plan.mode in ("column", "spans") and not (plan.spec is not None and plan.spec.op in _REMOVING):
        group = "all" if plan.mode == "spans" else ("nothint" if hinted else "unvalidated")
        for entity_type in sorted(_types(stats, group)):
            spec = policy.entity_operator(entity_type)
            if spec is None:
                plan.missing.append(entity_type)
            elif spec.op == "keep":
                plan.kept.append(entity_type)
            else:
                plan.span_rules[entity_type] = spec
    return plan


def attach_profile(plan: ColumnPlan, profile: Any) -> ColumnPlan:
    """``plan`` working on ``profile`` (this frame's or this partition's distinct values); a copy."""
    if plan.hinted:
        hint = plan.entity
        profile.validated = np.fromiter((bool(f) and all(x.entity_type == hint for x in f)
                                         for f in profile.per_unique), dtype=bool, count=len(profile.per_unique))
    return replace(plan, profile=profile)


def _plan(profile: Any, policy: DeidPolicy) -> ColumnPlan:
    plan = plan_column(profile.column, profile.kind, profile.entity, column_stats(profile), policy)
    return attach_profile(plan, profile)


def _name_hint(column: str) -> str | None:
    from privacy._profile import name_hint

    return name_hint(column)


def classify_frame(frame: pd.DataFrame, policy: DeidPolicy, *, progress: Progress | None = None,
                   file: str = "table") -> list[ColumnPlan]:
    """Profile every column by content (thoroughly) and choose its rule; no refusal yet (see :func:`refuse_unruled`)."""
    try:
        from privacy._profile import profile_column
    except ImportError as exc:  # the PII-detection area provides the recognizers
        from sandbox.errors import ConfigError

        raise ConfigError("privacy.err.scanner_missing") from exc
    from privacy._split_address import split_address_columns
    from privacy._split_name import split_name_columns

    names = [str(c) for c in frame.columns]
    plans = []
    for index, name in enumerate(names):
        if progress is not None:
            progress(index / max(1, len(names)), name)
        plans.append(_plan(profile_column(frame, name, thorough=True, file=file, explain=False), policy))
    split = split_address_columns(frame)
    plans = with_split_addresses(plans, split, policy,
                                 cells={p.column: p.profile.cells for p in plans if p.column in split})
    parts = split_name_columns(frame)  # 姓 | 名 (privacy._split_name)
    return with_split_addresses(plans, parts, policy, entity="PERSON",
                                cells={p.column: p.profile.cells for p in plans if p.column in parts})


def with_split_addresses(plans: list[ColumnPlan], split: dict[str, int], policy: DeidPolicy, *,
                         cells: dict[str, int], entity: str = "ADDRESS") -> list[ColumnPlan]:
    """``plans`` with each column of ``split`` (:func:`privacy._split_address.split_address_in_sample`) made an
    address column by :func:`split_address_plan` — the one step of both engines (``cells``: non-blank cells).
    ``entity="PERSON"``: the columns of a name written across cells (:mod:`privacy._split_name`)."""
    return [split_address_plan(plan, policy, cells=cells[plan.column], entity=entity) if plan.column in split
            else plan for plan in plans]


def split_address_plan(plan: ColumnPlan, policy: DeidPolicy, *, cells: int, entity: str = "ADDRESS") -> ColumnPlan:
    """A column where an address written across cells ends (门牌号 beside 村社区): the policy's ADDRESS rule, whole.

    A header override (``columns``) still decides; an identifier column of
    another entity keeps its rule. Every non-blank cell (``cells``) counts as an
    address part, and the operator replaces each cell whole (no span by span:
    ``whole_cells``). Needs no profile, so the Spark engine builds it on the driver.
    """
    if plan.source == "column" or plan.mode in ("column", "drop"):
        return plan
    before = dict(plan.before)
    before[entity] = max(before.get(entity, 0), cells)
    split = ColumnPlan(column=plan.column, kind="identifier", entity=entity, mode="keep", source="entity",
                       spec=None, before=dict(sorted(before.items(), key=lambda item: (-item[1], item[0]))),
                       whole_cells=True, profile=plan.profile)
    spec = policy.entity_operator(entity)
    if spec is None:
        split.missing = [entity]
    elif spec.op == "keep":
        split.kept = [entity]
    else:
        split.mode, split.spec = "column", spec
    return split


def refuse_unruled(plans: list[ColumnPlan], policy: DeidPolicy) -> None:
    """Stop (nothing written) when personal information has no rule, or the rule is ``keep``.

    Raises
    ------
    RuleViolation
        ``privacy.err.no_rule`` naming the columns, the types found in them and
        the types without a rule; ``privacy.err.keep_pii`` for ``keep``.
    """
    for attr, key in (("missing", "privacy.err.no_rule"), ("kept", "privacy.err.keep_pii")):
        bad = [p for p in plans if getattr(p, attr)]
        if not bad:
            continue
        found: Counter[str] = Counter()
        for plan in bad:
            found.update(plan.before)
        wanted = sorted({e for p in bad for e in getattr(p, attr)})
        raise RuleViolation(key, column=", ".join(p.column for p in bad), types=format_counts(dict(found)),
                            missing=", ".join(wanted), policy=policy.ref)
