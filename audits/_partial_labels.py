"""Labels known for some rows only: a reviewer's sample of verified outcomes (核实结果 blank, 未知, 待核实 …).

Asked for explicitly (``partial_labels=True``; CLI ``--partial-labels``; page option): rows without a label keep
their decisions — selection rate and count use every row — while the metrics that need a label (TPR, FPR, FNR,
precision, accuracy, base rate, AUC, calibration) use the labelled rows only; the report says how many rows per group
carry a label. An age band or district with no label at all is refused, naming it. Without the option, a label
column that is binary apart from such blanks is refused with a pointer to it (before: "请补全或删除这些行").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError

from .groups import UNKNOWN, GroupCodes

__all__ = [
    "ERR_LABELS_PARTIAL_HINT",
    "ERR_NO_LABELLED_ROWS",
    "UNLABELLED",
    "UNLABELLED_WORDS",
    "label_coverage",
    "require_labels_per_group",
    "unlabelled_mask",
]

UNLABELLED = 2  # y_true code of a row without a label (binary audits: 0, 1, or this)
# (not 无: 有/无 is a label vocabulary with a positive label 有)
UNLABELLED_WORDS = frozenset(
    {
        "",
        "未知",
        "待核实",
        "未核实",
        "待确认",
        "未确认",
        "待定",
        "不详",
        "不明",
        "暂无",
        "空",
        "缺失",
        "-",
        "—",
        "/",
        "?",
        "？",
        "unknown",
        "n/a",
        "na",
        "nan",
        "none",
        "null",
        "tbd",
        "pending",
    }
)
ERR_LABELS_PARTIAL_HINT = "audits.errors.labels_partial_hint"
ERR_NO_LABELLED_ROWS = "audits.errors.no_labelled_rows"
ERR_GROUP_NO_LABELS = {
    "age_band": "audits.errors.no_labels_age_band",
    "district": "audits.errors.no_labels_district",
}


def unlabelled_mask(series: pd.Series) -> np.ndarray:
    """True where the label is missing or written as not known (``待核实``, ``未知``, blank …)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
        return series.isna().to_numpy()  # 0/1 labels: only a missing value is "no label"
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.array([*(str(u).strip().lower() in UNLABELLED_WORDS for u in uniques), True])
    return table[codes]


def hint_partial(series: pd.Series, mask: np.ndarray, *, file: str, column: str) -> None:
    """Refuse a label column that is binary apart from rows without a label, pointing at the partial-labels mode."""
    first = int(np.flatnonzero(mask)[0])
    value = series.iloc[first]
    raise InputError(
        ERR_LABELS_PARTIAL_HINT,
        file=file,
        column=column,
        count=int(mask.sum()),
        total=len(series),
        row=first + 2,
        value="" if pd.isna(value) else str(value).strip(),
    )


def label_coverage(
    series: pd.Series, mask: np.ndarray, *, column: str, weights: np.ndarray | None
) -> dict[str, Any]:
    """``{"column", "partial": True, "labelled", "rows", "values": [{value, rows}]}`` — what stood for "no label"."""
    w = np.ones(len(series)) if weights is None else np.asarray(weights, dtype=float)
    text = series[mask].map(lambda v: "" if pd.isna(v) else str(v).strip())
    values = pd.Series(w[mask]).groupby(text.to_numpy()).sum().sort_values(ascending=False)
    return {
        "column": column,
        "partial": True,
        "labelled": int(w[~mask].sum()),
        "rows": int(w.sum()),
        "values": [{"value": str(v), "rows": int(n)} for v, n in values.head(5).items()],
    }


def require_labels_per_group(
    y_true: np.ndarray, groups: GroupCodes, *, weights: np.ndarray | None, file: str, column: str
) -> None:
    """Every age band and district (未知 aside) must have a labelled row, else its label metrics are empty.

    Raises
    ------
    InputError
        ``audits.errors.no_labels_age_band`` / ``no_labels_district`` naming the group, its rows and what to do.
    """
    w = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=float)
    labelled = y_true != UNLABELLED
    for name, index, labels in (
        ("age_band", groups.age, groups.age_labels),
        ("district", groups.district, groups.district_labels),
    ):
        rows = np.bincount(index, weights=w, minlength=len(labels))
        with_label = np.bincount(index[labelled], weights=w[labelled], minlength=len(labels))
        for g, label in enumerate(labels):
            if rows[g] > 0 and with_label[g] == 0 and label != UNKNOWN:
                raise InputError(
                    ERR_GROUP_NO_LABELS[name], file=file, column=column, group=label, rows=int(rows[g])
                )
