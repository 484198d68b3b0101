"""Audit services: run (and record) an audit, list and show audits.

Every entry point takes the acting :class:`~sandbox.roles.Actor` and calls
:func:`sandbox.roles.authorize`. Bad input raises before anything is written;
a finished audit is one MLflow run (via :class:`models.registry.Registry`) and
one transaction in the sandbox database (the audit, its checks, the activity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sandbox.errors import InputError, NotFoundError
from sandbox.roles import Actor, authorize

from ._inputs import ColumnMap, TaskOption, prepare
from ._labels import parse_merges
from ._record import EXPERIMENT, finish, recorder_for
from ._scores import Direction, ThresholdSource, parse_order
from .policy import load_policy

__all__ = [
    "ERR_MODEL_SPEC",
    "ERR_NEED_SOURCE",
    "ERR_NOT_FOUND",
    "ERR_SCORING_UNAVAILABLE",
    "EXPERIMENT",
    "list_audits",
    "parse_model_spec",
    "run_audit",
    "show_audit",
]

ERR_MODEL_SPEC = "audits.errors.model_spec"
ERR_NEED_SOURCE = "audits.errors.need_source"
ERR_SCORING_UNAVAILABLE = "audits.errors.scoring_unavailable"
ERR_NOT_FOUND = "audits.errors.not_found"
def parse_model_spec(spec: str) -> tuple[str, str]:
    """``"NAME/VERSION"`` → ``(name, version)``."""
    name, sep, version = spec.strip().rpartition("/")
    if not sep or not name or not version:
        raise InputError(ERR_MODEL_SPEC, value=spec)
    return name, version


def _model_info(actor: Actor, name: str, version: str) -> dict[str, Any]:
    try:
        from models.service import show_model
    except ImportError as exc:
        raise InputError(ERR_SCORING_UNAVAILABLE) from exc
    return show_model(actor=actor, name=name, version=version)


def _score_model(actor: Actor, name: str, version: str, data: Path, display: str,  # type: ignore[no-untyped-def]
                 withhold: tuple[str, ...]):
    try:
        from models.service import score_version
    except ImportError as exc:
        raise InputError(ERR_SCORING_UNAVAILABLE) from exc
    return score_version(actor=actor, name=name, version=version, data=data, display_name=display,
                         withhold=withhold)


def _check_predictions(path: Path, label: str) -> None:
    try:
        from models.service import check_predictions_file
    except ImportError:  # models not installed: read_table alone
        return
    check_predictions_file(path=path, display_name=label)


def run_audit(
    *,
    actor: Actor,
    data: str | Path,
    columns: ColumnMap,
    predictions: str | Path | None = None,
    model: str | None = None,
    policy: str | None = None,
    domain: str | None = None,
    task: TaskOption = "auto",
    positive_label: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    as_of: date | None = None,
    what_if: bool = False,
    record: bool = True,
    data_name: str | None = None,
    pred_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    engine: str | None = None,
    spark_progress: Callable[[float, str], None] | None = None,
    job_group: str | None = None,
    recorder: Any = None,
    threshold: str | float | None = None,
    threshold_direction: Direction = "above",
    threshold_source: ThresholdSource | None = None,
    score_order: str | tuple[str, ...] | None = None,
    district_merges: str | Sequence[str] | Mapping[str, str] | None = None,
    merge_variants: bool = False,
    partial_labels: bool = False,
) -> dict[str, Any]:
    """Audit a registered version (scored in isolation) or an uploaded predictions file.

    Parameters
    ----------
    actor : Actor
        Needs ``audit.run``.
    data : path
        Audit dataset with labels and sensitive attributes (any format of
        :func:`sandbox.tabular.read_table`).
    columns : ColumnMap
        Label, prediction/score, age or 身份证, district (and optional ids).
    predictions : path, optional
        Predictions file (joined on an id column or by position).
    model : str, optional
        ``NAME/VERSION`` of a registered version; scored when no predictions
        file is given, otherwise the predictions are attributed to it.
    policy : str, optional
        Policy name (default ``standard``).
    domain : str, optional
        Service domain; defaults to the model card's.
    what_if : bool
        Add the ThresholdOptimizer what-if (advice only).
    record : bool
        Record the audit (MLflow run + database). False for a dry run.
    engine : {"pandas", "spark"}, optional
        Default ``SANDBOX_ENGINE``. On Spark, ``data``/``predictions`` are a
        Parquet/CSV file or folder or a table name (:mod:`audits._spark`);
        scoring a model and the what-if stay on pandas.
    spark_progress, job_group : optional
        Stage progress of the Spark job and its group (to cancel it).
    recorder : models.run_logger.RunLogger, optional
        Started by the caller (the CLI starts it first thing, so MLflow loads
        in a helper process while the audit runs); the caller closes it.
    threshold, threshold_direction, threshold_source, score_order
        How a score becomes decisions (see :func:`audits._scores.resolve_score`):
        required for a score outside [0, 1] or an ordinal score (``score_order``
        ``"低,中,高"``, low → high) when there is no prediction column. Without a
        threshold the model card's ``decision_threshold`` is used (source
        ``vendor_card``); probabilities default to the policy's 0.5 (``default``).
    district_merges : str, list of str or mapping, optional
        District labels to merge, ``"城关街道办事处=城关街道；…"`` (:func:`audits._labels.parse_merges`):
        every name must occur in the district column.
    merge_variants : bool
        Merge every likely variant (:func:`audits._labels.find_variants`) into its suggested name.
        Either way the report records what was merged (``district_labels.merged``, with rows and
        ``by``) and names the variants left (``district_labels.variants``, ``warnings``).
    partial_labels : bool
        Labels known for some rows only (blank, 未知, 待核实 elsewhere): selection rates use every row, label
        metrics the labelled rows (:mod:`audits._partial_labels`); the report's ``labels`` says how many.

    Returns
    -------
    dict
        The report (see :func:`audits.engine.compute_audit`) plus ``audit_id``,
        ``run_id``, ``model``, ``dataset_sha256``, ``tool_versions``.
    """
    authorize(actor, "audit.run")
    labelling = {"district_merges": parse_merges(district_merges), "merge_variants": merge_variants,
                 "partial_labels": partial_labels}
    with recorder_for(record=record, recorder=recorder) as recorder:
        from sandbox.engines import resolve_engine
        from sandbox.files import sha256_file
        from sandbox.tabular import read_table

        from .engine import compute_audit

        say = progress or (lambda _f, _s: None)
        if model is None and predictions is None:
            raise InputError(ERR_NEED_SOURCE)
        chosen = load_policy(policy)
        if resolve_engine(engine) == "spark":
            return _run_on_spark(actor=actor, data=data, predictions=predictions, model=model, columns=columns,
                                 policy=chosen, domain=domain, task=task, positive_label=positive_label,
                                 replicates=replicates, seed=seed, as_of=as_of, what_if=what_if, record=record,
                                 say=say, spark_progress=spark_progress, job_group=job_group, recorder=recorder,
                                 scoring=_scoring(threshold, threshold_direction, threshold_source, score_order),
                                 labelling=labelling)
        data_path = Path(data)
        data_label = data_name or data_path.name
        say(0.01, "read")
        frame, _info = read_table(data_path, display_name=data_label, long_numbers="keep", work="audit")
        vendor_id = model_info = None
        if model is not None:
            name, version = parse_model_spec(model)
            model_info = _model_info(actor, name, version)
            vendor_id = model_info.get("vendor_id")
            authorize(actor, "audit.run", owner_vendor_id=vendor_id)
            domain = domain or model_info.get("service_domain")
        scoring = _scoring(threshold, threshold_direction, threshold_source, score_order, model_info)
        if predictions is not None:
            pred_path = Path(predictions)
            pred_label = pred_name or pred_path.name
            same = pred_path.resolve() == data_path.resolve()
            if not same:  # a vendor's file, handed over: a small Parquet can decode to gigabytes
                _check_predictions(pred_path, pred_label)
            pred_frame = frame if same else read_table(pred_path, display_name=pred_label, long_numbers="keep")[0]
        else:
            pred_label = f"{model} (scored)"
            say(0.02, "score")
            # the model never gets the label (it could copy it and pass every check) nor ID numbers
            pred_frame = _score_model(actor, name, version, data_path, data_label,
                                      tuple(c for c in (columns.label, columns.id_card) if c))
            if columns.prediction is None and columns.score is None:
                columns.prediction = "预测" if "预测" in pred_frame.columns else None
                columns.score = "评分" if "评分" in pred_frame.columns else None
        say(0.04, "prepare")
        prepared = prepare(frame, pred_frame, columns=columns, policy=chosen, task=task, domain=domain,
                           positive_label=positive_label, as_of=as_of, data_name=data_label, pred_name=pred_label,
                           **scoring, **labelling)
        result = compute_audit(prepared, policy=chosen, domain=domain, replicates=replicates, seed=seed,
                               progress=lambda f, s: say(0.05 + 0.8 * f, s))
        result["dataset_sha256"] = sha256_file(data_path)
        result["predictions_sha256"] = sha256_file(pred_path) if predictions is not None else None
        result["isolation"] = None if predictions is not None else pred_frame.attrs.get("isolation")
        if what_if and prepared.task == "binary":
            from .whatif import threshold_what_if

            say(0.88, "what_if")
            result["what_if"] = threshold_what_if(prepared, seed=chosen.seed)
        return finish(actor, result, model_info=model_info, policy=chosen, data_label=data_label, record=record,
                       say=say, recorder=recorder)


def _card_threshold(model_info: dict[str, Any] | None) -> dict[str, Any]:
    """The model card's ``decision_threshold`` (source ``vendor_card``), if it states one."""
    value = ((model_info or {}).get("card") or {}).get("decision_threshold")
    return {} if value is None else {"threshold": value, "threshold_source": "vendor_card"}


def _scoring(threshold: str | float | None, direction: Direction, source: ThresholdSource | None,
             order: str | tuple[str, ...] | None, model_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments of :func:`audits._inputs.prepare` saying how a score becomes decisions."""
    out: dict[str, Any] = {"threshold": threshold, "threshold_direction": direction, "threshold_source": source,
                           "score_order": parse_order(order) if isinstance(order, str) else order}
    if threshold is None:
        out.update(_card_threshold(model_info))
    return out


def _run_on_spark(*, actor: Actor, data: str | Path, predictions: str | Path | None, model: str | None,
                  columns: ColumnMap, policy: Any, domain: str | None, task: TaskOption,
                  positive_label: str | None, replicates: int | None, seed: int | None, as_of: date | None,
                  what_if: bool, record: bool, say: Callable[[float, str], None],
                  spark_progress: Callable[[float, str], None] | None, job_group: str | None,
                  recorder: Any, scoring: dict[str, Any], labelling: dict[str, Any]) -> dict[str, Any]:
    """The audit with the rows grouped on Spark (:mod:`audits._spark`), the rest as on pandas."""
    from sandbox.engines import source_fingerprint, source_label, spark_job, spark_session

    from ._spark import WEIGHT, grouped_rows
    from .engine import compute_audit

    if what_if:
        raise InputError("engines.errors.not_on_spark", feature="--what-if")
    if predictions is None:
        raise InputError("engines.errors.not_on_spark", feature="--model (scoring)")
    model_info = None
    if model is not None:
        name, version = parse_model_spec(model)
        model_info = _model_info(actor, name, version)
        authorize(actor, "audit.run", owner_vendor_id=model_info.get("vendor_id"))
        domain = domain or model_info.get("service_domain")
        if scoring["threshold"] is None:
            scoring = {**scoring, **_card_threshold(model_info)}
    data_label, pred_label = source_label(data), source_label(predictions)
    same = str(predictions) == str(data) or (Path(str(data)).exists() and Path(str(predictions)).exists()
                                             and Path(str(data)).resolve() == Path(str(predictions)).resolve())
    as_of = as_of or date.today()
    say(0.01, "spark")
    session = spark_session()
    with spark_job(session, description=f"fairness audit {data_label}", progress=spark_progress, group=job_group):
        grouped, used, age_source = grouped_rows(session=session, data=data, predictions=None if same else predictions,
                                                 columns=columns, as_of=as_of, data_name=data_label,
                                                 pred_name=pred_label)
    say(0.04, "prepare")
    prepared = prepare(grouped, None, columns=used, policy=policy, task=task, domain=domain,
                       positive_label=positive_label, as_of=as_of, data_name=data_label, pred_name=pred_label,
                       weight_column=WEIGHT, **scoring, **labelling)
    if columns.age is not None:  # what prepare read in the age column (age bands, birth dates) is kept
        age_source = {**prepared.info.get("age_source", {}), **age_source}
    prepared.info.update(columns=asdict(columns), age_source=age_source, engine="spark",
                         join={"method": "same_file"} if same else {"method": "id", "column": columns.id or "auto"},
                         files={"data": data_label, **({} if same else {"predictions": pred_label})})
    result = compute_audit(prepared, policy=policy, domain=domain, replicates=replicates, seed=seed,
                           progress=lambda f, s: say(0.05 + 0.8 * f, s))
    result["dataset_sha256"] = source_fingerprint(data)
    result["predictions_sha256"] = None if same else source_fingerprint(predictions)
    return finish(actor, result, model_info=model_info, policy=policy, data_label=data_label, record=record,
                   say=say, recorder=recorder)


def _summary(row: Any) -> dict[str, Any]:
    return {
        "audit_id": row.id, "run_id": row.run_id, "created_at": row.created_at.isoformat(timespec="seconds"),
        "created_by": row.created_by, "model_name": row.model_name, "model_version": row.model_version,
        "vendor_id": row.vendor_id, "source": row.source, "data_file": row.data_file,
        "policy": f"{row.policy_name}@{row.policy_version}", "verdict": row.verdict, "n_rows": row.n_rows,
        "n_pass": row.n_pass, "n_fail": row.n_fail, "n_insufficient": row.n_insufficient,
    }


def list_audits(*, actor: Actor, model_name: str | None = None, model_version: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """Audits visible to ``actor`` (a vendor sees only its own models'), newest first."""
    from sqlalchemy import select

    from sandbox.store import session_scope

    from ._tables import Audit

    authorize(actor, "audit.view")
    query = select(Audit).order_by(Audit.id.desc()).limit(limit)
    if actor.role == "vendor":
        query = query.where(Audit.vendor_id == actor.vendor_id)
    if model_name is not None:
        query = query.where((Audit.model_name == model_name) | (Audit.model_card_name == model_name))
    if model_version is not None:
        query = query.where(Audit.model_version == str(model_version))
    with session_scope() as session:
        return [_summary(row) for row in session.scalars(query)]


def show_audit(*, actor: Actor, audit_id: int) -> dict[str, Any]:
    """The full report of one audit (vendors: only their own models' audits)."""
    from sandbox.store import session_scope

    from ._tables import Audit

    with session_scope() as session:
        row = session.get(Audit, int(audit_id))
        if row is None:
            raise NotFoundError(ERR_NOT_FOUND, audit_id=audit_id)
        authorize(actor, "audit.view", owner_vendor_id=row.vendor_id)
        if actor.role == "vendor" and row.vendor_id is None:
            raise NotFoundError(ERR_NOT_FOUND, audit_id=audit_id)
        summary = _summary(row)
        return {**row.report, "audit_id": row.id, "run_id": row.run_id, "created_at": summary["created_at"],
                "created_by": row.created_by}
