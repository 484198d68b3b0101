"""Apply a de-identification policy to a table: classify, replace, suppress, re-scan.

:func:`deidentify_frame` classifies every column by content
(:mod:`privacy.deid._classify`), refuses when personal information has no
rule, applies whole-column operators and span-by-span replacements, suppresses
rare quasi-identifier combinations and finally re-scans the result: anything
personal still found refuses the run (``privacy.err.pii_remains``), so no
caller ever writes or shows a "de-identified" table that is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from privacy.deid._classify import ColumnPlan, Progress, classify_frame, format_counts, refuse_unruled
from privacy.deid._generalize import (
    UNKNOWN,
    address_prefix,
    generalize_address,
    generalize_age,
    generalize_date,
    generalize_region,
)
from privacy.deid._headers import HEADER_KEY, deidentify_headers, header_counts
from privacy.deid._operators import id_mask, partial_mask, phone_mask, pseudonym_key, pseudonymiser
from privacy.deid._policy import IDENTIFYING_OPERATORS, DeidPolicy, OperatorSpec
from sandbox.errors import InputError, RuleViolation

__all__ = ["DeidResult", "deidentify_frame", "deidentify_text", "identifying_columns", "plan_operations",
           "record_suppression", "rescan_frame", "suppress_rare", "transform_frame"]

SUPPRESSED = "*"


@dataclass(kw_only=True)
class DeidResult:
    """The de-identified table, what was done to it, and personal information before/after.

    ``columns``: one entry per source column — ``kind`` (identifier /
    free_text / none), ``entity_type``, ``rule`` (column override, entity
    rule, span by span, none), ``operator``, ``before`` and ``after`` (entity
    type → findings; ``after`` from the re-scan of the output, ``None`` for a
    dropped column). ``pii_before`` / ``pii_after`` sum them over the table.
    ``head``: the first rows before suppression (a before/after preview).
    """

    frame: pd.DataFrame
    operations: list[dict[str, Any]]
    text_entities: dict[str, int] = field(default_factory=dict)
    suppressed_rows: int = 0
    suppressed_cells: int = 0
    identifying_columns: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    pii_before: dict[str, int] = field(default_factory=dict)
    pii_after: dict[str, int] = field(default_factory=dict)
    head: pd.DataFrame | None = None
    headers: dict[str, int] = field(default_factory=dict)  # types replaced in column headers (privacy.deid._headers)
    columns_in: list[str] = field(default_factory=list)  # the input's headers as published (names replaced)


_MASKS = {"CN_RESIDENT_ID": id_mask, "PHONE_NUMBER": phone_mask}


def _by_unique(values: pd.Series, func: Any) -> pd.Series:
    """Apply ``func`` once per distinct non-missing value (fast on repeated values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([*(func(str(u)) for u in uniques), None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, name=values.name)  # -1 (missing) → None


class _Replacer:
    """Replace finding spans with their entity type's operator (keyed pseudonyms: one key per project)."""

    def __init__(self, policy: DeidPolicy, project: str, *, key: bytes | None = None) -> None:
        self.policy = policy
        self.project = project
        self.key = key  # None: read from the data home on first use
        self._pseudonymisers: dict[str, Callable[[str], str]] = {}

    def pseudonymiser(self, prefix: str) -> Callable[[str], str]:
        """The keyed pseudonym function for ``prefix`` (one per prefix, the project's key)."""
        if prefix not in self._pseudonymisers:
            if self.key is None:
                self.key = pseudonym_key(self.project)
            self._pseudonymisers[prefix] = pseudonymiser(self.key, prefix=prefix)
        return self._pseudonymisers[prefix]

    def value(self, text: str, spec: OperatorSpec, entity: str, *, in_text: bool = True) -> str:
        op, params = spec.op, spec.params
        if op == "redact":
            return ""
        if op == "mask":
            mask = _MASKS.get(entity, partial_mask)
            return mask(text, keep_start=params.get("keep_start", 0), keep_end=params.get("keep_end", 0),
                        char=params.get("char", "*"))
        if op == "pseudonym":
            return self.pseudonymiser(str(params.get("prefix", "P")))(text)
        if op == "generalize_address":
            prefix = address_prefix(text, params.get("level", "street"))
            if prefix != UNKNOWN:
                # Bracketed inside text: the words that follow (小区门口 …) must not read as a new address detail.
                return f"〔{prefix}〕" if in_text else prefix
        return f"<{entity}>"  # label (and an address too vague to generalise)

    def spans(self, text: str, findings: list[Any], rules: dict[str, OperatorSpec] | None = None,
              counter: Counter[str] | None = None, weight: int = 1) -> str:
        """``text`` with each finding replaced (findings do not overlap; offsets into ``text``)."""
        pieces: list[str] = []
        last = 0
        for finding in sorted(findings, key=lambda f: f.start):
            if finding.start < last:
                continue
            spec = (rules or {}).get(finding.entity_type) or self.policy.entity_operator(finding.entity_type)
            if spec is None or spec.op == "keep":  # refused before any replacement; never reached
                raise RuleViolation("privacy.err.no_rule", column="text", types=finding.entity_type,
                                    missing=finding.entity_type, policy=self.policy.ref)
            whole = not text[:finding.start].strip() and not text[finding.end:].strip()
            pieces += [text[last:finding.start], self.value(finding.text, spec, finding.entity_type, in_text=not whole)]
            last = finding.end
            if counter is not None:
                counter[finding.entity_type] += weight
        pieces.append(text[last:])
        return "".join(pieces)


def deidentify_text(text: str, policy: DeidPolicy, *, project: str = "default",
                    counter: Counter[str] | None = None) -> str:
    """Find personal information in ``text`` and replace each finding with its entity type's operator.

    Raises :class:`RuleViolation` (``privacy.err.no_rule``) when a type found
    has no rule in ``policy`` (or the rule is ``keep``).
    """
    if not text:
        return text
    from privacy.scanning import scan_text

    findings = scan_text(text)
    refuse_unruled_spans(findings, policy, column="text")
    return _Replacer(policy, project).spans(text, findings, counter=counter)


def refuse_unruled_spans(findings: list[Any], policy: DeidPolicy, *, column: str) -> None:
    """``privacy.err.no_rule`` (naming ``column``) when a type among ``findings`` has no rule in ``policy`` or its
    rule is ``keep`` — before any span is replaced (free text, headers)."""
    types = Counter(f.entity_type for f in findings)
    unruled = sorted(t for t in types if (policy.entity_operator(t) or OperatorSpec(op="keep")).op == "keep")
    if unruled:
        raise RuleViolation("privacy.err.no_rule", column=column, types=format_counts(types),
                            missing=", ".join(unruled), policy=policy.ref)


def _apply_column(frame: pd.DataFrame, column: str, spec: OperatorSpec, policy: DeidPolicy, replacer: _Replacer,
                  label: str) -> pd.Series:
    """A whole-column operator over every cell (vectorised or once per distinct value)."""
    values = frame[column]
    op, params = spec.op, spec.params
    if op == "redact":
        return pd.Series("", index=values.index, name=column, dtype=object)
    if op == "label":
        return pd.Series(f"<{label}>", index=values.index, name=column, dtype=object).where(values.notna())
    if op == "mask":
        mask = _MASKS.get(label, partial_mask)
        return _by_unique(values, lambda v: mask(
            v, keep_start=params["keep_start"], keep_end=params["keep_end"], char=params.get("char", "*")))
    if op == "pseudonym":
        return _by_unique(values, replacer.pseudonymiser(str(params.get("prefix", "P"))))
    if op == "generalize_age":
        return generalize_age(values, params.get("bands") or policy.age_bands)
    if op == "generalize_date":
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        mapped = generalize_date(pd.Series(uniques, dtype=object), params["level"]).to_numpy(dtype=object)
        return pd.Series(mapped[codes], index=values.index, name=column)
    if op == "generalize_region":
        source = params.get("code_column") or column
        if source not in frame.columns:
            raise InputError("privacy.err.code_column", column=column, code_column=source)
        return generalize_region(frame[source], params["level"]).rename(column)
    if op == "generalize_address":
        return generalize_address(values, params["level"])
    return values  # keep


def _apply_plan(frame: pd.DataFrame, plan: ColumnPlan, policy: DeidPolicy, replacer: _Replacer,
                counter: Counter[str]) -> pd.Series:
    """One column de-identified: its whole-column operator, then span-by-span replacement where needed."""
    if plan.mode == "column" and plan.spec is not None:
        out = _apply_column(frame, plan.column, plan.spec, policy, replacer, plan.entity or plan.column)
    else:
        out = frame[plan.column]
    profile, codes = plan.profile, plan.span_codes
    if profile is None or not len(codes):
        return out
    weights = profile.cell_counts()
    replaced = np.empty(len(profile.uniques), dtype=object)
    for k in codes:
        replaced[k] = replacer.spans(str(profile.uniques[k]), profile.per_unique[k], plan.span_rules, counter,
                                     int(weights[k]))
    chosen = np.zeros(len(profile.uniques), dtype=bool)
    chosen[codes] = True
    cells = chosen[profile.codes]
    values = out.to_numpy(dtype=object, copy=True)
    values[profile.positions[cells]] = replaced[profile.codes[cells]]
    return pd.Series(values, index=frame.index, name=plan.column)


def transform_frame(frame: pd.DataFrame, plans: list[ColumnPlan], policy: DeidPolicy, *, project: str = "default",
                    key: bytes | None = None, counter: Counter[str] | None = None) -> pd.DataFrame:
    """``frame`` with every plan applied and ``drop`` columns removed (no global step: no suppression, no re-scan).

    A pure per-row-block function: the pandas engine calls it on the whole
    table, the Spark engine on each partition with the plans' global
    decisions (:func:`privacy.deid._classify.attach_profile`) — the same
    values either way. ``key``: the pseudonym key (default: the project's, read
    from the data home on first use); ``counter`` collects the entity types
    replaced span by span, weighted by cells. Columns of ``frame`` that no
    plan names are kept as they are.
    """
    counter = Counter() if counter is None else counter
    replacer = _Replacer(policy, project, key=key)
    out = frame.copy()
    drops: list[str] = []
    for plan in plans:
        if plan.mode == "drop":
            drops.append(plan.column)
        elif plan.mode != "keep":
            out[plan.column] = _apply_plan(frame, plan, policy, replacer, counter)
    return out.drop(columns=drops)


def plan_operations(plans: list[ColumnPlan]) -> list[dict[str, Any]]:
    """The report's ``operations``: one entry per column that holds personal information or has a rule."""
    return [{"column": p.column, "operator": p.describe(), "rule": p.source} for p in plans
            if not (p.mode == "keep" and not p.before)]


def identifying_columns(plans: list[ColumnPlan]) -> list[str]:
    """Columns whose whole-column operator keeps them linkable (pseudonyms, masks)."""
    return [p.column for p in plans
            if p.mode == "column" and p.spec is not None and p.spec.op in IDENTIFYING_OPERATORS]


def record_suppression(result: DeidResult, policy: DeidPolicy, quasi: list[str], count: int) -> None:
    """Note ``count`` suppressed records (rows or quasi-identifier cells) in ``result``."""
    if policy.risk.suppression == "rows":
        result.suppressed_rows = count
    else:
        result.suppressed_cells = count * len(quasi)
    if count:
        result.operations.append({"column": ",".join(quasi), "operator":
                                  f"suppress_rare(k={policy.risk.k}, mode={policy.risk.suppression})",
                                  "rule": "risk", "records": count})


def suppress_rare(frame: pd.DataFrame, quasi: list[str], k: int, *, mode: str = "rows",
                  max_fraction: float = 1.0) -> tuple[pd.DataFrame, int]:
    """Suppress the records of equivalence classes smaller than ``k``.

    ``rows`` removes them; ``cells`` replaces their quasi-identifiers with
    ``*`` (the suppressed records then form one class of their own). Nothing
    is suppressed if more than ``max_fraction`` of the rows would be.
    Returns the new frame and the number of records suppressed.
    """
    if not quasi or k <= 1 or frame.empty:
        return frame, 0
    sizes = frame.groupby(quasi, dropna=False, sort=False)[quasi[0]].transform("size")
    rare = (sizes < k).to_numpy()
    count = int(rare.sum())
    if count == 0 or count > max_fraction * len(frame):
        return frame, 0
    if mode == "rows":
        return frame.loc[~rare].reset_index(drop=True), count
    out = frame.copy()
    for column in quasi:
        out[column] = out[column].astype(object)
        out.loc[rare, column] = SUPPRESSED
    return out, count


def rescan_frame(frame: pd.DataFrame, *, file: str = "table") -> dict[str, dict[str, int]]:
    """Personal information left in ``frame``: column → entity type → findings (every distinct value scanned)."""
    from privacy._profile import profile_column
    from privacy._split_address import split_address_columns
    from privacy._split_name import split_name_columns

    found: dict[str, dict[str, int]] = {}
    headers = header_counts([str(c) for c in frame.columns])
    if headers:
        found[HEADER_KEY] = headers
    for name in frame.columns:
        counts = profile_column(frame, str(name), thorough=True, file=file, explain=False).entity_counts()
        if counts:
            found[str(name)] = dict(counts)
    for entity, split in (("ADDRESS", split_address_columns(frame)), ("PERSON", split_name_columns(frame))):
        for name, rows in split.items():  # written across cells (…村 | 4组17号; 姓 | 名)
            found.setdefault(str(name), {})
            found[str(name)][entity] = found[str(name)].get(entity, 0) + rows
    return found


def deidentify_frame(frame: pd.DataFrame, policy: DeidPolicy, *, project: str = "default",
                     suppress: bool = True, progress: Progress | None = None,
                     file: str = "table", head: int = 0) -> DeidResult:
    """Classify by content, apply the policy, suppress rare combinations, re-scan — or refuse.

    Operators read the original values (a generalisation may use a code column
    that the policy drops); ``drop`` columns are removed at the end. ``head``
    keeps that many first rows before suppression in ``result.head``.

    Raises
    ------
    RuleViolation
        ``privacy.err.no_rule`` / ``privacy.err.keep_pii`` before anything is
        changed (a column with personal information has no applicable rule);
        ``privacy.err.pii_remains`` when the re-scan of the result still
        finds personal information (nothing may be written or shown).
    """
    names, headers = deidentify_headers(list(frame.columns), policy, project=project)
    if headers:  # names in the header row (a pivot per caseworker): replaced before anything reads them
        frame = frame.set_axis(names, axis=1)
    plans = classify_frame(frame, policy, progress=progress, file=file)
    refuse_unruled(plans, policy)
    counter: Counter[str] = Counter(headers)
    out = transform_frame(frame, plans, policy, project=project, counter=counter)
    result = DeidResult(frame=out, operations=plan_operations(plans), text_entities=dict(counter.most_common()),
                        identifying_columns=identifying_columns(plans), head=out.head(head) if head else None,
                        headers=headers, columns_in=names)
    quasi = [c for c in policy.quasi_identifiers if c in out.columns]
    if suppress and quasi:
        out, count = suppress_rare(out, quasi, policy.risk.k, mode=policy.risk.suppression,
                                   max_fraction=policy.risk.max_suppression)
        result.frame = out
        record_suppression(result, policy, quasi, count)
    if progress is not None:
        progress(0.99, "re-scan")
    record_rescan(result, plans, rescan_frame(result.frame, file=file), policy)
    return result


def record_rescan(result: Any, plans: list[Any], after: dict[str, dict[str, int]], policy: Any) -> None:
    """Put the re-scan's counts in ``result`` (per column and in total); refuse when anything remains.

    One verdict for both engines: the pandas path and the Spark path (``privacy.deid._spark``) call it.
    """
    result.columns = [{**p.to_dict(), "after": None if p.mode == "drop" else after.get(p.column, {})}
                      for p in plans]
    result.pii_before = _total([result.headers, *(p.before for p in plans)])
    result.pii_after = _total(after.values())
    if after:
        raise RuleViolation("privacy.err.pii_remains", columns="; ".join(
            f"{c}: {format_counts(v)}" for c, v in after.items()), policy=policy.ref)


def _total(counts: Any) -> dict[str, int]:
    total: Counter[str] = Counter()
    for item in counts:
        total.update(item)
    return dict(total.most_common())
