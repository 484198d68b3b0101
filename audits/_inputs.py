"""From uploaded tables to :class:`~audits.engine.AuditData`, refusing bad input clearly.

Labels and predictions are mapped to 0/1 only when the mapping is unambiguous
(0/1, 是/否, Y/N, true/false, 通过/不通过, 符合/不符合, 1/2 with 1 = 是, −1/1);
otherwise the values are named in the error. Predictions join the data on an id
column (编号 …) or, without one, by position when the lengths agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from sandbox.errors import InputError
from sandbox.tabular import require_columns

from ._ages import ages_for_audit
from ._score_scale import numeric_score
from ._scores import Direction, ScoreSpec, ThresholdSource, resolve_score
from .engine import AuditData
from .groups import AGE_MAX, AGE_MIN, ERR_NO_AGE_RANGE, UNKNOWN, age_from_id_card, encode_groups
from .policy import Policy

__all__ = [
    "ERR_ALL_MISSING",
    "ERR_DUPLICATE_IDS",
    "ERR_IDS_DONT_JOIN",
    "ERR_LABEL_NOT_BINARY",
    "ERR_LENGTH_MISMATCH",
    "ERR_MISSING_VALUES",
    "ERR_NEED_AGE",
    "ERR_NEED_PREDICTION",
    "ERR_SCORE_NOT_NUMERIC",
    "ERR_TOO_MANY_CLASSES",
    "ColumnMap",
    "TaskOption",
    "map_binary",
    "prepare",
]

ERR_LABEL_NOT_BINARY = "audits.errors.label_not_binary"
ERR_NEED_PREDICTION = "audits.errors.need_prediction"
ERR_NEED_AGE = "audits.errors.need_age"
ERR_LENGTH_MISMATCH = "audits.errors.length_mismatch"
ERR_IDS_DONT_JOIN = "audits.errors.ids_dont_join"
ERR_DUPLICATE_IDS = "audits.errors.duplicate_ids"
ERR_ALL_MISSING = "audits.errors.all_missing"
ERR_MISSING_VALUES = "audits.errors.missing_values"
ERR_SCORE_NOT_NUMERIC = "audits.errors.score_not_numeric"
ERR_TOO_MANY_CLASSES = "audits.errors.too_many_classes"

TaskOption = Literal["auto", "binary", "multiclass", "regression"]
MULTICLASS_DOMAINS = frozenset({"12345热线"})
MAX_CLASSES = 100
ID_CANDIDATES = ("编号", "id", "ID", "Id", "工单编号", "序号", "record_id")

# vocabulary name -> {normalised value: 0/1}; the first that covers every value wins
VOCABULARIES: tuple[tuple[str, dict[str, int]], ...] = (
    ("0/1", {"0": 0, "1": 1}),
    ("是/否", {"否": 0, "是": 1}),
    ("Y/N", {"n": 0, "y": 1, "no": 0, "yes": 1}),
    ("true/false", {"false": 0, "true": 1}),
    ("通过/不通过", {"不通过": 0, "通过": 1}),
    ("符合/不符合", {"不符合": 0, "符合": 1}),
    ("1/2", {"2": 0, "1": 1}),
    ("-1/1", {"-1": 0, "1": 1}),
)


@dataclass(kw_only=True)
class ColumnMap:
    """Which column holds what (names as in the uploaded files)."""

    label: str
    district: str
    prediction: str | None = None
    score: str | None = None
    age: str | None = None
    id_card: str | None = None
    district_code: str | None = None
    id: str | None = None


def _normalise(value: Any) -> str:
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text.lower() if text.isascii() else text


def _missing_rows(series: pd.Series) -> np.ndarray:
    return np.flatnonzero(series.isna().to_numpy())


def _check_missing(series: pd.Series, *, file: str, column: str) -> None:
    missing = _missing_rows(series)
    if len(missing) == len(series):
        raise InputError(ERR_ALL_MISSING, file=file, column=column)
    if len(missing):
        raise InputError(ERR_MISSING_VALUES, file=file, column=column, count=len(missing), row=int(missing[0]) + 2)


def map_binary(
    series: pd.Series, *, file: str, column: str, positive: str | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """0/1 codes for a binary column and the mapping used.

    Raises
    ------
    InputError
        ``audits.errors.label_not_binary`` naming the values found.
    """
    _check_missing(series, file=file, column=column)
    codes, uniques = pd.factorize(series)
    normal = [_normalise(u) for u in uniques]
    distinct = sorted(set(normal))
    if positive is not None:
        pos = _normalise(positive)
        if len(distinct) <= 2 and (pos in distinct or len(distinct) == 1):
            table = np.array([1 if v == pos else 0 for v in normal], dtype=np.int64)
            other = [v for v in distinct if v != pos]
            return table[codes], {"vocabulary": "positive_label", "positive": str(positive),
                                  "negative": other[0] if other else None}
    else:
        for name, vocab in VOCABULARIES:
            if set(distinct) <= set(vocab):
                table = np.array([vocab[v] for v in normal], dtype=np.int64)
                pos_value = next(k for k, v in vocab.items() if v == 1)
                return table[codes], {"vocabulary": name, "positive": pos_value}
    shown = ", ".join(str(u) for u in list(uniques)[:10]) + (" …" if len(uniques) > 10 else "")
    raise InputError(ERR_LABEL_NOT_BINARY, file=file, column=column, count=len(distinct), values=shown)


def _join(data: pd.DataFrame, preds: pd.DataFrame, *, id_column: str | None, data_name: str,
          pred_name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Predictions aligned row by row with the data."""
    column = id_column or next((c for c in ID_CANDIDATES if c in data.columns and c in preds.columns), None)
    if column is None:
        if len(preds) != len(data):
            raise InputError(ERR_LENGTH_MISMATCH, pred_file=pred_name, pred_rows=len(preds),
                             data_file=data_name, data_rows=len(data))
        return preds.reset_index(drop=True), {"method": "position"}
    require_columns(data, {"id": column}, file=data_name)
    require_columns(preds, {"id": column}, file=pred_name)
    data_ids = data[column].map(_normalise)
    pred_ids = pd.Index(preds[column].map(_normalise))
    for ids, name in ((data_ids, data_name), (pd.Series(pred_ids), pred_name)):
        dup = ids.duplicated()
        if dup.any():
            raise InputError(ERR_DUPLICATE_IDS, file=name, column=column, value=str(ids[dup].iloc[0]),
                             count=int(dup.sum()))
    where = pred_ids.get_indexer(data_ids)
    no_pred = int((where < 0).sum())
    extra = len(pred_ids) - (len(data_ids) - no_pred)
    if no_pred or extra:
        examples = ", ".join(data_ids[where < 0].head(3).tolist()) or ", ".join(
            pred_ids.difference(pd.Index(data_ids))[:3].tolist())
        raise InputError(ERR_IDS_DONT_JOIN, column=column, data_file=data_name, pred_file=pred_name,
                         no_prediction=no_pred, no_data=extra, examples=examples)
    return preds.iloc[where].reset_index(drop=True), {"method": "id", "column": column}


def _require(columns: ColumnMap, data: pd.DataFrame, predictions: pd.DataFrame | None, *,
             data_name: str, pred_name: str) -> None:
    """Every mapped column exists (predictions may sit in either file)."""
    present = set(data.columns) | (set(predictions.columns) if predictions is not None else set())
    for purpose in ("prediction", "score", "label", "age", "id_card", "district", "district_code"):
        column = getattr(columns, purpose)
        if column is None or column in present:
            continue
        in_preds = purpose in ("prediction", "score") and predictions is not None
        require_columns(predictions if in_preds else data, {purpose: column},  # type: ignore[arg-type]
                        file=pred_name if in_preds else data_name)


def _refuse_no_age_in_range(ages: np.ndarray, values: pd.Series, *, file: str, column: str) -> None:
    """Numbers in the age column but none of them an age (months, codes): refused, naming the range as written."""
    if ((ages >= AGE_MIN) & (ages <= AGE_MAX)).any() or not np.isfinite(ages).any():
        return  # usable ages, or none readable at all (encode_groups' audits.errors.no_age)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    shown = numbers[np.isfinite(numbers)] if np.isfinite(numbers).any() else ages[np.isfinite(ages)]
    raise InputError(ERR_NO_AGE_RANGE, file=file, column=column, low=f"{shown.min():g}", high=f"{shown.max():g}")


def _pick(column: str, primary: pd.DataFrame, secondary: pd.DataFrame | None) -> pd.Series:
    if column in primary.columns or secondary is None or column not in secondary.columns:
        return primary[column]
    return secondary[column]


def prepare(
    data: pd.DataFrame,
    predictions: pd.DataFrame | None,
    *,
    columns: ColumnMap,
    policy: Policy,
    task: TaskOption = "auto",
    domain: str | None = None,
    positive_label: str | None = None,
    as_of: date | None = None,
    data_name: str = "data",
    pred_name: str = "predictions",
    weight_column: str | None = None,
    threshold: str | float | None = None,
    threshold_direction: Direction = "above",
    threshold_source: ThresholdSource | None = None,
    score_order: tuple[str, ...] | None = None,
    district_merges: Mapping[str, str] | None = None,
    merge_variants: bool = False,
    partial_labels: bool = False,
) -> AuditData:
    """Validate, join and encode the inputs of one audit (nothing is recorded).

    ``weight_column`` names a count column when each row stands for that many
    identical rows (the Spark engine's grouped rows); ``predictions`` must
    then be ``None`` (joined already).

    A score without a prediction column becomes decisions only through an
    explicit ``threshold`` (``score ≥ threshold``, or ``≤`` with
    ``threshold_direction="below"``); probabilities in [0, 1] default to the
    policy's threshold. Ordinal scores (高/中/低 …) need ``score_order`` (low → high).
    See :func:`audits._scores.resolve_score`.

    District labels written several ways (``城关街道`` / ``城关街道办事处``) stay separate groups
    unless ``district_merges`` (label → label) or ``merge_variants`` say otherwise; ``info`` carries
    ``district_labels`` (``merged``, ``variants``) and ``warnings`` (``district_label_variants``
    while variants are left) — see :mod:`audits._labels`.

    ``partial_labels``: labels known for some rows only (blank, 未知, 待核实 … elsewhere; binary audits): those rows
    get ``y_true`` 2 — selection rates use every row, label metrics the labelled ones (:mod:`audits._partial_labels`);
    ``info["labels"]`` says how many. Without it such a column is refused, pointing at the option.
    """
    from ._partial_labels import hint_partial, label_coverage, require_labels_per_group, unlabelled_mask

    if columns.prediction is None and columns.score is None:
        raise InputError(ERR_NEED_PREDICTION)
    if columns.age is None and columns.id_card is None:
        raise InputError(ERR_NEED_AGE)
    data = data.reset_index(drop=True)
    weights = None if weight_column is None else data[weight_column].to_numpy(dtype=np.int64)
    join: dict[str, Any] = {"method": "same_file"}
    if predictions is not None:
        predictions, join = _join(data, predictions, id_column=columns.id, data_name=data_name,
                                  pred_name=pred_name)
    pred_frame = predictions if predictions is not None else data
    _require(columns, data, predictions, data_name=data_name, pred_name=pred_name)
    label = _pick(columns.label, data, predictions)
    info: dict[str, Any] = {"columns": asdict(columns), "join": join, "files": {"data": data_name}}
    if predictions is not None:
        info["files"]["predictions"] = pred_name
    score = raw = None
    spec: ScoreSpec | None = None
    if columns.score is not None:
        raw = _pick(columns.score, pred_frame, data)
        _check_missing(raw, file=pred_name, column=columns.score)
        if score_order is None:
            numeric, scale = numeric_score(raw, file=pred_name, column=columns.score)
            if numeric.isna().any():
                row = int(np.flatnonzero(numeric.isna().to_numpy())[0])
                raise InputError(ERR_SCORE_NOT_NUMERIC, file=pred_name, column=columns.score, row=row + 2,
                                 value=str(raw.iloc[row]))
            if scale is not None:  # percentages: the converted 0–1 values are the score from here on
                raw, info["score_scale"] = numeric, scale
        score = numeric.to_numpy(dtype=float) if score_order is None else None
    multiclass = task == "multiclass" or (task == "auto" and domain in MULTICLASS_DOMAINS)
    if partial_labels and (multiclass or task == "regression"):
        raise InputError("audits.errors.partial_labels_binary", column=columns.label)
    if task == "regression":
        _check_missing(label, file=data_name, column=columns.label)
        y_true = pd.to_numeric(label, errors="coerce").to_numpy(dtype=float)
        pred_col = columns.prediction or columns.score
        y_pred = pd.to_numeric(_pick(pred_col, pred_frame, data), errors="coerce").to_numpy(dtype=float)
        resolved, classes = "regression", []
    elif multiclass:
        pred = _pick(columns.prediction or "", pred_frame, data) if columns.prediction else None
        if pred is None:
            raise InputError(ERR_NEED_PREDICTION)
        _check_missing(label, file=data_name, column=columns.label)
        _check_missing(pred, file=pred_name, column=columns.prediction)
        y_text, p_text = label.map(_normalise), pred.map(_normalise)
        classes = sorted(set(y_text.unique()) | set(p_text.unique()))
        if len(classes) > MAX_CLASSES:
            raise InputError(ERR_TOO_MANY_CLASSES, file=data_name, column=columns.label, count=len(classes),
                             max=MAX_CLASSES)
        index = pd.Index(classes)
        y_true, y_pred = index.get_indexer(y_text), index.get_indexer(p_text)
        resolved = "multiclass"
        info["classes"] = classes
    else:
        unlabelled = unlabelled_mask(label)
        if unlabelled.any() and not partial_labels:
            if not unlabelled.all():
                map_binary(label[~unlabelled], file=data_name, column=columns.label, positive=positive_label)
                hint_partial(label, unlabelled, file=data_name, column=columns.label)  # binary but for those rows
        elif partial_labels and unlabelled.any():  # (every row labelled: nothing partial to say)
            if unlabelled.all():
                raise InputError("audits.errors.no_labelled_rows", file=data_name, column=columns.label)
            info["labels"] = label_coverage(label, unlabelled, column=columns.label, weights=weights)
            label = label.mask(unlabelled, label[~unlabelled].iloc[0])  # mapped below, then set to 2
        y_true, info["label_mapping"] = map_binary(label, file=data_name, column=columns.label,
                                                   positive=positive_label)
        if partial_labels and unlabelled.any():
            y_true = np.where(unlabelled, 2, y_true)
        if raw is not None:
            score, spec = resolve_score(
                raw, column=columns.score or "", file=pred_name, threshold=threshold, direction=threshold_direction,
                order=score_order, source=threshold_source, default_threshold=policy.threshold,
                decisions="prediction" if columns.prediction is not None else "score")
            info["threshold"] = spec.as_dict()
        if columns.prediction is not None:
            y_pred, info["prediction_mapping"] = map_binary(
                _pick(columns.prediction, pred_frame, data), file=pred_name, column=columns.prediction,
                positive=positive_label)
        else:
            assert spec is not None and spec.threshold is not None  # resolve_score refused otherwise
            y_pred = (score >= spec.orient(spec.threshold)).astype(np.int64)  # type: ignore[operator]
            info["prediction_mapping"] = {"from_score": columns.score, "threshold": spec.threshold_label,
                                          "direction": spec.direction, "source": spec.source}
        resolved, classes = "binary", []
    as_of = as_of or date.today()
    if columns.age is not None:
        age_values = _pick(columns.age, data, predictions)
        ages, from_births, banded = ages_for_audit(age_values, as_of=as_of, weights=weights, bands=policy.age_bands,
                                                   file=data_name, column=columns.age)
        info["age_source"] = {"column": columns.age, **({"converted": from_births} if from_births else {}),
                              **({"bands": banded} if banded else {})}
        _refuse_no_age_in_range(ages, age_values, file=data_name, column=columns.age)
    else:
        ages = age_from_id_card(_pick(columns.id_card or "", data, predictions), as_of=as_of)
        info["age_source"] = {"id_card_column": columns.id_card, "as_of": as_of.isoformat()}
    groups = encode_groups(
        ages=ages, districts=_pick(columns.district, data, predictions),
        district_codes=_pick(columns.district_code, data, predictions) if columns.district_code else None,
        bands=policy.age_bands, file=data_name, weights=weights, merges=district_merges,
        merge_variants=merge_variants, column=columns.district, age_column=columns.age or columns.id_card or "",
    )
    if partial_labels and resolved == "binary":
        require_labels_per_group(np.asarray(y_true), groups, weights=weights, file=data_name, column=columns.label)
    info["district_labels"] = groups.labelling
    info["warnings"] = [{"code": "district_label_variants", "column": columns.district,
                         "groups": len(groups.labelling["variants"])}] if groups.labelling["variants"] else []
    w = np.ones(len(data), dtype=np.int64) if weights is None else weights
    unknown_age = groups.age == len(groups.age_labels) - 1
    info["unknown"] = {
        "age_rows": int(w[unknown_age].sum()),
        "district_rows": int(w[np.array(groups.district_labels)[groups.district] == UNKNOWN].sum())
        if UNKNOWN in groups.district_labels else 0,
    }
    if unknown_age.any() and weights is None:  # the first such row as the user sees it (never an ID number)
        first = int(np.flatnonzero(unknown_age)[0])
        shown = age_values.iloc[first] if columns.age is not None else None
        info["unknown"]["age_example"] = {"row": first + 2, "value": None if shown is None or pd.isna(shown)
                                          or not str(shown).strip() else str(shown)}
    return AuditData(task=resolved, y_true=np.asarray(y_true), y_pred=np.asarray(y_pred), groups=groups,
                     score=score if resolved == "binary" else None, score_spec=spec, classes=classes, info=info,
                     weights=weights)
