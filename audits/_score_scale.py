"""A score column's scale: percentages converted, two scales in one column refused, a probability-scale
threshold on a 0–100 score refused.

Vendors export scores as ``0.855``, ``85.5``, ``85.5%`` or ``85.5％``. A column written entirely as
percentages is unambiguous: it is converted to 0–1 and the report says so. A column that mixes scales —
some rows ``0.85``, others ``85`` (two systems' exports pasted together), or some with ``%`` and some without
— has no single meaning: one threshold selects almost everyone on one scale and almost nobody on the other,
and the sweep, AUC and calibration mix two populations. It is refused, naming rows of each kind.
A threshold below 1 on a score that reaches far above 1 (a model card's ``decision_threshold: 0.5`` on a
0–100 score) selects nearly everyone: refused with the threshold on the score's own scale as the example.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError

__all__ = [
    "ERR_SCORE_MIXED_PERCENT",
    "ERR_SCORE_MIXED_SCALE",
    "ERR_THRESHOLD_SCALE",
    "ERR_THRESHOLD_SCALE_CARD",
    "check_threshold_scale",
    "numeric_score",
]

ERR_SCORE_MIXED_SCALE = "audits.errors.score_mixed_scale"
ERR_SCORE_MIXED_PERCENT = "audits.errors.score_mixed_percent"
ERR_THRESHOLD_SCALE = "audits.errors.threshold_scale"
ERR_THRESHOLD_SCALE_CARD = "audits.errors.threshold_scale_card"
MIN_SHARE = 0.05  # each scale must hold at least this share of the rows to call the column mixed
MIN_ROWS = 20
MAX_SHARE_BELOW_ONE = 0.05  # a threshold in (0, 1) is suspect on a score with fewer of its values in (0, 1)
DENSITY_RATIO = 10.0  # rows in (0, 1) vs rows in [1, 2): a smooth score has about as many; a mixed one far more


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def numeric_score(raw: pd.Series, *, file: str, column: str) -> tuple[pd.Series, dict[str, Any] | None]:
    """The score as floats (NaN where not a number) and, when converted, what was done.

    A column whose every value ends in ``%``/``％`` becomes value / 100 (``scale`` = ``{"from": "percent",
    "rows": n}``); one that mixes percentages and plain numbers is refused. Numbers on two scales (0–1 and
    0–100) in one column are refused too (see the module docstring for the rule).

    Raises
    ------
    InputError
        ``audits.errors.score_mixed_percent``, ``audits.errors.score_mixed_scale``.
    """
    scale: dict[str, Any] | None = None
    if pd.api.types.is_numeric_dtype(raw.dtype) and not isinstance(raw.dtype, pd.CategoricalDtype):
        numeric = raw.astype(float)
    else:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        texts = [_text(u) for u in uniques]
        percent = np.array([t.endswith("%") for t in texts], dtype=bool)
        if percent.any():
            used = np.zeros(len(uniques), dtype=bool)
            used[codes[codes >= 0]] = True
            if (used & ~percent).any():
                row_pct = int(np.flatnonzero(np.isin(codes, np.flatnonzero(percent)))[0])
                row_plain = int(np.flatnonzero(np.isin(codes, np.flatnonzero(used & ~percent)))[0])
                raise InputError(ERR_SCORE_MIXED_PERCENT, file=file, column=column,
                                 percent=int(np.isin(codes, np.flatnonzero(percent)).sum()),
                                 plain=int(np.isin(codes, np.flatnonzero(used & ~percent)).sum()),
                                 percent_row=row_pct + 2, percent_value=str(raw.iloc[row_pct]),
                                 plain_row=row_plain + 2, plain_value=str(raw.iloc[row_plain]))
            values = pd.to_numeric(pd.Series([t[:-1].strip() for t in texts], dtype=object), errors="coerce")
            table = np.append(values.to_numpy(dtype=float) / 100.0, np.nan)
            numeric = pd.Series(table[codes], index=raw.index)
            scale = {"column": column, "from": "percent", "rows": int((codes >= 0).sum())}
        else:
            numeric = pd.to_numeric(raw, errors="coerce")
    _refuse_mixed(numeric, raw=raw, file=file, column=column)
    return numeric, scale


def _refuse_mixed(numeric: pd.Series, *, raw: pd.Series, file: str, column: str) -> None:
    values = numeric.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if len(finite) == 0 or finite.min() < 0 or finite.max() <= 2:
        return
    small = (values > 0) & (values < 1)
    large = values > 1
    n_small, n_large = int(small.sum()), int(large.sum())
    near_one = int(((values >= 1) & (values < 2)).sum())
    floor = max(MIN_SHARE * len(finite), MIN_ROWS)
    if n_small < floor or n_large < floor or n_small <= DENSITY_RATIO * max(near_one, 1):
        return
    row_small, row_large = int(np.flatnonzero(small)[0]), int(np.flatnonzero(large)[0])
    raise InputError(ERR_SCORE_MIXED_SCALE, file=file, column=column, small=n_small, large=n_large,
                     small_row=row_small + 2, small_value=str(raw.iloc[row_small]),
                     large_row=row_large + 2, large_value=str(raw.iloc[row_large]), maximum=f"{finite.max():g}")


def check_threshold_scale(values: np.ndarray, *, threshold: float, column: str, source: str) -> None:
    """Refuse a threshold in (0, 1) on a non-negative score that reaches ≥ 10 with < 5 % of rows in (0, 1).

    Raises
    ------
    InputError
        ``audits.errors.threshold_scale`` (``…_card`` when the threshold is the model card's) naming the range,
        the share of rows below 1, the share the threshold would select and an example on the score's scale.
    """
    if not 0.0 < threshold < 1.0 or len(values) == 0:
        return
    lo, hi = float(np.min(values)), float(np.max(values))
    if lo < 0 or hi < 10:
        return
    share = float(((values > 0) & (values < 1)).mean())
    if share >= MAX_SHARE_BELOW_ONE:
        return
    example = f"{threshold * 100:g}" if hi <= 100 else f"{float(np.median(values)):g}"
    key = ERR_THRESHOLD_SCALE_CARD if source == "vendor_card" else ERR_THRESHOLD_SCALE
    raise InputError(key, column=column, threshold=f"{threshold:g}",
                     range=f"{lo:g} … {hi:g}", share=f"{share:.1%}", selected=f"{float((values >= threshold).mean()):.1%}",
                     example=example)
