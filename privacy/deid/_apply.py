"""Apply a de-identification policy to a table (and free text inside it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from privacy.deid._generalize import (
    generalize_address,
    generalize_age,
    generalize_date,
    generalize_region,
)
from privacy.deid._operators import anonymizer_engine, partial_mask, pseudonym_key, pseudonymiser
from privacy.deid._policy import IDENTIFYING_OPERATORS, DeidPolicy, OperatorSpec
from sandbox.errors import ConfigError, InputError

__all__ = ["DeidResult", "deidentify_frame", "deidentify_text", "suppress_rare"]

SUPPRESSED = "*"


@dataclass(kw_only=True)
class DeidResult:
    """The de-identified table and what was done to it."""

    frame: pd.DataFrame
    operations: list[dict[str, Any]]
    text_entities: dict[str, int] = field(default_factory=dict)
    suppressed_rows: int = 0
    suppressed_cells: int = 0
    identifying_columns: list[str] = field(default_factory=list)


def _by_unique(values: pd.Series, func: Any) -> pd.Series:
    """Apply ``func`` once per distinct non-missing value (fast on repeated values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([*(func(str(u)) for u in uniques), None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, name=values.name)  # -1 (missing) → None


def _entity_config(spec: OperatorSpec, entity: str, key: bytes | None) -> Any:
    from presidio_anonymizer.entities import OperatorConfig

    if spec.op == "redact":
        return OperatorConfig("redact", {})
    if spec.op == "mask":
        return OperatorConfig("partial_mask", {"keep_start": spec.params.get("keep_start", 0),
                                               "keep_end": spec.params.get("keep_end", 0)})
    if spec.op == "pseudonym":
        return OperatorConfig("keyed_pseudonym", {"key": key})
    if spec.op == "keep":
        return OperatorConfig("keep", {})
    return OperatorConfig("replace", {"new_value": f"<{entity}>"})


def _findings(text: str) -> list[Any]:
    from presidio_anonymizer.entities import RecognizerResult

    try:
        from privacy.scanning import scan_text
    except ImportError as exc:  # the PII-detection area provides it
        raise ConfigError("privacy.err.scanner_missing") from exc
    results = []
    for item in scan_text(text):
        get = item.get if isinstance(item, dict) else lambda name, _i=item: getattr(_i, name, None)
        results.append(RecognizerResult(str(get("entity_type")), int(get("start")), int(get("end")),
                                        float(get("score") or 1.0)))
    return results


def deidentify_text(text: str, policy: DeidPolicy, *, project: str = "default",
                    counter: Counter[str] | None = None) -> str:
    """Find personal information in ``text`` and apply the policy's entity operators."""
    if not text:
        return text
    results = _findings(text)
    if not results:
        return text
    key = pseudonym_key(project) if any(policy.entity_operator(r.entity_type).op == "pseudonym"
                                        for r in results) else None
    operators = {r.entity_type: _entity_config(policy.entity_operator(r.entity_type), r.entity_type, key)
                 for r in results}
    if counter is not None:
        counter.update(r.entity_type for r in results)
    return anonymizer_engine().anonymize(text=text, analyzer_results=results, operators=operators).text


def _apply_column(frame: pd.DataFrame, column: str, spec: OperatorSpec, policy: DeidPolicy,
                  project: str, counter: Counter[str]) -> pd.Series:
    values = frame[column]
    op, params = spec.op, spec.params
    if op == "redact":
        return pd.Series("", index=values.index, name=column, dtype=object)
    if op == "label":
        return pd.Series(f"<{column}>", index=values.index, name=column, dtype=object).where(values.notna())
    if op == "mask":
        return _by_unique(values, lambda v: partial_mask(
            v, keep_start=params["keep_start"], keep_end=params["keep_end"], char=params.get("char", "*")))
    if op == "pseudonym":
        return _by_unique(values, pseudonymiser(pseudonym_key(project), prefix=str(params.get("prefix", "P"))))
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
    if op == "text":
        return _by_unique(values, lambda v: deidentify_text(v, policy, project=project, counter=counter))
    return values  # keep


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


def deidentify_frame(frame: pd.DataFrame, policy: DeidPolicy, *, project: str = "default",
                     suppress: bool = True) -> DeidResult:
    """Apply ``policy`` column by column, then suppress rare quasi-identifier combinations.

    Operators read the original values (a generalisation may use a code column
    that the policy drops); ``drop`` columns are removed at the end.
    """
    counter: Counter[str] = Counter()
    out = frame.copy()
    operations: list[dict[str, Any]] = []
    drops: list[str] = []
    for column, spec in policy.columns.items():
        if column not in frame.columns:
            continue
        operations.append({"column": column, "operator": spec.describe()})
        if spec.op == "drop":
            drops.append(column)
            continue
        out[column] = _apply_column(frame, column, spec, policy, project, counter)
    out = out.drop(columns=drops)
    identifying = [c for c, s in policy.columns.items() if c in out.columns and s.op in IDENTIFYING_OPERATORS]
    result = DeidResult(frame=out, operations=operations, text_entities=dict(counter),
                        identifying_columns=identifying)
    quasi = [c for c in policy.quasi_identifiers if c in out.columns]
    if suppress and quasi:
        out, count = suppress_rare(out, quasi, policy.risk.k, mode=policy.risk.suppression,
                                   max_fraction=policy.risk.max_suppression)
        result.frame = out
        if policy.risk.suppression == "rows":
            result.suppressed_rows = count
        else:
            result.suppressed_cells = count * len(quasi)
        if count:
            operations.append({"column": ",".join(quasi), "operator":
                               f"suppress_rare(k={policy.risk.k}, mode={policy.risk.suppression})",
                               "records": count})
    return result
