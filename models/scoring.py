"""Batch scoring of a registered version on an audit dataset.

The artifact is fetched from MLflow, its sha256 re-checked against the
version (a changed artifact is refused), features are cast to the types of the
model's signature, and the model runs: MLflow and ONNX models in the bubblewrap sandbox
(:mod:`models.isolation`), and predictions files are joined on their id column. The
result (id, ``预测``, ``评分``) is stored as Parquet under the data home and
recorded against the version for the fairness audit (and logged as an MLflow run
tagged with the version, in the ``sandbox-scores`` experiment).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from models._tables import ModelScore, ModelVersion
from models.archive import hash_tree, tree_digest
from models.intake import ID_COLUMN_GUESSES, mlmodel_features, refuse_undeclared
from sandbox.activity import log_activity
from sandbox.errors import InputError, RuleViolation
from sandbox.files import atomic_path, sha256_file
from sandbox.roles import Actor
from sandbox.settings import get_settings
from sandbox.store import session_scope
from sandbox.tabular import read_table, require_columns

__all__ = ["PREDICTION", "SCORE", "cast_features", "score"]

PREDICTION = "预测"
SCORE = "评分"
_NUMERIC = {"double": "float64", "float": "float32", "long": "int64", "integer": "int32"}


def cast_features(frame: pd.DataFrame, features: list[dict[str, Any]], *, file: str) -> pd.DataFrame:
    """Select the model's feature columns and cast them to the signature's types (clear error per cell)."""
    require_columns(frame, {f"feature:{f['name']}": f["name"] for f in features}, file=file)
    out = pd.DataFrame(index=frame.index)
    for feature in features:
        column, kind = feature["name"], feature["type"]
        series = frame[column]
        if kind in _NUMERIC or kind == "auto":
            numbers = pd.to_numeric(series, errors="coerce")
            bad = numbers.isna() & series.notna() & (series.astype(str).str.strip() != "")
            if bad.any():
                if kind == "auto":
                    out[column] = series
                    continue
                at = int(bad.to_numpy().argmax())
                raise InputError("models.feature_not_numeric", file=file, column=column, row=at + 2,
                                 value=str(series.iloc[at])[:50])
            if kind in {"long", "integer"}:
                if numbers.isna().any():
                    at = int(numbers.isna().to_numpy().argmax())
                    raise InputError("models.feature_missing_value", file=file, column=column, row=at + 2)
                out[column] = numbers.astype(_NUMERIC[kind])
            else:
                out[column] = numbers.astype("float64") if kind == "auto" else numbers.astype(_NUMERIC[kind])
        elif kind == "boolean":
            out[column] = series.map(lambda v: str(v).strip().lower() in {"1", "true", "是", "yes", "y"})
        else:
            out[column] = series.astype("string").astype(object)
    return out


def _fetch(row: ModelVersion, dest: Path) -> Path:
    from models.isolation import open_copy_to_sandbox
    from models.registry import Registry

    local = open_copy_to_sandbox(Registry().download_run_artifacts(row.run_id, row.source.rsplit("/", 1)[-1], dest))
    if row.kind == "mlflow":
        digest = tree_digest(hash_tree(local))
    else:
        if local.is_dir():
            local = next(p for p in sorted(local.iterdir()) if p.is_file())
        digest = hash_tree(local)[0].sha256
    if digest != row.sha256:
        raise RuleViolation("models.artifact_tampered", name=row.registered_name, version=row.version,
                            expected=row.sha256, got=digest)
    return local


def _refuse_withheld(names: list[str], withhold: tuple[str, ...], label: str, file: str) -> None:
    """The signature is vendor-written: a model must not be handed the audit's label or ID numbers."""
    for name in names:
        if name in withhold:
            raise InputError("models.feature_withheld", model=label, column=name, file=file)


def _predict(row: ModelVersion, local: Path, frame: pd.DataFrame, file: str, id_column: str | None,
             withhold: tuple[str, ...] = ()) -> pd.DataFrame:
    label = f"{row.registered_name}/{row.version}"
    if row.kind == "mlflow":
        from models.isolation import predict_isolated

        features = mlmodel_features(local) or [{"name": c["name"], "type": "auto"} for c in row_features(row)]
        refuse_undeclared(features, row.card.get("input_features"), name=label)  # versions registered before the rule
        _refuse_withheld([f["name"] for f in features], withhold, label, file)
        return predict_isolated(local, cast_features(frame, features, file=file), model_label=label)
    if row.kind == "onnx":
        from models.onnx_runner import onnx_inputs, predict_onnx

        names = [c for c in row.card.get("input_features", []) if c in frame.columns]
        inputs = onnx_inputs(local)
        if len(inputs) > 1 or inputs[0]["name"] in frame.columns:
            names = [i["name"] for i in inputs]
            refuse_undeclared(inputs, row.card.get("input_features"), name=label)
        _refuse_withheld(names, withhold, label, file)
        cast = cast_features(frame, [{"name": n, "type": "double"} for n in names], file=file)
        return predict_onnx(local, cast, feature_columns=names, display_name=label)
    stored, _ = read_table(local, display_name=row.original_name)
    key = row.id_column or ""
    if id_column is None:
        raise InputError("models.id_column_required", file=file, available=", ".join(map(str, frame.columns[:30])))
    joined = frame[[id_column]].astype(str).merge(stored.assign(**{key: stored[key].astype(str)}),
                                                  left_on=id_column, right_on=key, how="left", indicator=True)
    missing = joined["_merge"] == "left_only"
    if missing.any():
        raise InputError("models.ids_unmatched", file=file, count=int(missing.sum()),
                         example=str(joined.loc[missing, id_column].iloc[0]), predictions=row.original_name)
    out = pd.DataFrame(index=range(len(frame)))
    for source, target in (("预测", PREDICTION), ("prediction", PREDICTION), ("评分", SCORE), ("score", SCORE)):
        if source in joined.columns and target not in out.columns:
            values = joined[source].to_numpy()
            out[target] = pd.to_numeric(values, errors="coerce") if target == SCORE else values
    return out


def row_features(row: ModelVersion) -> list[dict[str, str]]:
    return [{"name": f, "type": "auto"} for f in row.card.get("input_features", [])]


def score(*, actor: Actor, row: ModelVersion, data: Path, id_column: str | None = None,
          display_name: str | None = None, withhold: Sequence[str] = ()) -> pd.DataFrame:
    """Score ``data`` with the version ``row``; store and record the result; return it.

    ``withhold`` names columns of ``data`` the model must never be given (an audit's label and
    身份证 column): a model whose inputs name one is refused (``models.feature_withheld``).

    The returned frame has the id column (if known), ``预测`` and, where the model gives
    probabilities, ``评分``; ``frame.attrs`` holds ``score_id``, ``path`` and ``sha256``.
    """
    name = display_name or data.name
    frame, _ = read_table(data, display_name=name)
    if id_column is None:
        id_column = next((c for c in (row.id_column, *ID_COLUMN_GUESSES) if c and c in frame.columns), None)
    elif id_column not in frame.columns:
        require_columns(frame, {"id": id_column}, file=name)
    work = get_settings().ensure_home() / "work"
    scratch = Path(tempfile.mkdtemp(prefix="score-", dir=work))
    try:
        local = _fetch(row, scratch / "artifact")
        predicted = _predict(row, local, frame, name, id_column, tuple(c for c in withhold if c))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    isolation = predicted.attrs.get("isolation")
    result = predicted.reset_index(drop=True)
    if id_column is not None:
        result.insert(0, id_column, frame[id_column].reset_index(drop=True))
    dataset_sha = sha256_file(data)
    target = (get_settings().home / "scores" / row.registered_name / row.version / f"{dataset_sha[:16]}.parquet")
    with atomic_path(target) as tmp:
        result.to_parquet(tmp, index=False)
    digest = sha256_file(target)
    from models.registry import Registry

    registry = Registry()
    run_id = registry.log_run(
        experiment="sandbox-scores", run_name=f"{row.registered_name}/{row.version} · {name}",
        tags={"model_name": row.registered_name, "model_version": row.version, "dataset_sha256": dataset_sha,
              "scores_sha256": digest, "scored_by": actor.username, "isolation": isolation or "none"},
        params={"dataset": name, "rows": len(result)}, artifacts={"": target},
    )
    try:
        with session_scope() as session:
            record = ModelScore(version_id=row.id, dataset_name=name, dataset_sha256=dataset_sha, rows=len(result),
                                path=str(target), sha256=digest, created_by=actor.username)
            session.add(record)
            session.flush()
            log_activity(session, actor, "models.score", f"{row.registered_name}/{row.version}", dataset=name,
                         dataset_sha256=dataset_sha, rows=len(result), score_id=record.id, run_id=run_id)
            score_id = record.id
    except BaseException:
        registry.delete_run(run_id)
        raise
    result.attrs.update({"score_id": score_id, "path": str(target), "sha256": digest, "run_id": run_id,
                         "isolation": isolation})
    return result
