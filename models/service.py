"""The models service: submit, list, show, score, trial transitions, approved alias, soft delete.

Every entry point takes the acting :class:`~sandbox.roles.Actor` and checks
it; a vendor only ever sees and submits for its own organisation. A
submission is all-or-nothing: if any step fails (card, artifact checks, the
isolated smoke test, MLflow, the database), whatever was created in MLflow is
removed again, so the registry and the database always agree.

Listing and showing read the database only (aliases from the mirror kept by
:mod:`models.aliases`); mlflow is imported only to register, delete or score.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from models._alias_check import alias_check, alias_problem_text
from models._submission import (
    compensate,
    record_version,
    refuse_duplicate,
    registry_failure,
    scratch,
    vendor_for,
    version_description,
    version_tags,
)
from models._tables import ModelArtifact, ModelScore, ModelVersion
from models.aliases import alias_map, change_alias, record_alias, remove_approved_alias, set_approved_alias
from models.card import ModelCard, load_card
from models.registry import ui_url
from models.trials import transition_trial, trial_events
from sandbox.activity import log_activity
from sandbox.errors import (
    InputError,
    NotFoundError,
)
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import Trial, Vendor

if TYPE_CHECKING:
    pass

__all__ = [
    "alias_check",
    "alias_problem_text",
    "check_predictions_file",
    "delete_version",
    "list_models",
    "model_sandbox",
    "registered_name",
    "remove_approved_alias",
    "resolve_version",
    "score_version",
    "set_approved_alias",
    "show_model",
    "submit_model",
    "transition_trial",
]

Progress = Callable[[str, float], None]


def registered_name(card: ModelCard) -> str:
    """One registered model per (vendor, model): ``<model_name>.<vendor USCC>``."""
    return f"{card.model_name}.{card.vendor_uscc}"


def submit_model(*, actor: Actor, artifact: Path, card: Path | dict[str, Any] | ModelCard, kind: str | None = None,
                 id_column: str | None = None, display_name: str | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Validate, hash, smoke-test and register one model version; open its trial (status ``submitted``).

    Parameters
    ----------
    actor : Actor
        A vendor (for its own organisation) or an admin.
    artifact : Path
        MLflow model folder or .zip of one, an .onnx file, or a predictions table.
    card : Path, dict or ModelCard
        The model card (YAML/JSON file, parsed mapping or validated card).
    kind : {"mlflow", "onnx", "predictions"}, optional
        Overrides detection from the path.
    id_column : str, optional
        The id column of a predictions file (required for that kind).
    display_name : str, optional
        The upload's original file name, for messages.
    progress : callable, optional
        ``progress(step, fraction)`` while hashing, checking and registering.

    Returns
    -------
    dict
        The version (see :func:`show_model`).
    """
    from models.intake import stage
    from models.registry import Registry

    authorize(actor, "models.submit")
    report = progress or (lambda _s, _f: None)
    model_card = load_card(card)
    vendor_id, vendor_name, _ = vendor_for(model_card, actor)
    authorize(actor, "models.submit", owner_vendor_id=vendor_id)
    name = registered_name(model_card)
    refuse_duplicate(name, model_card.model_version)
    with scratch() as work:
        staged = stage(Path(artifact), scratch=work, kind=kind, id_column=id_column,
                       display_name=display_name, progress=report, declared=model_card.input_features)
        report("register", 0.7)
        registry = Registry()
        run_id = version = previous_trial = None
        created = False
        try:
            created = not registry.has_registered_model(name)
            previous_trial = None if created else registry.version_by_alias(name, "trial")
            tags = version_tags(model_card, staged, vendor_name)
            run_id, source = registry.log_submission(
                run_name=f"{name} {model_card.model_version}", artifact=staged.root,
                artifact_path=staged.artifact_path, card_yaml=model_card.to_yaml(),
                manifest=staged.manifest(), tags={**tags, "registered_name": name},
            )
            registry.ensure_registered_model(name, tags={"vendor": vendor_name, "uscc": model_card.vendor_uscc},
                                             description=f"{model_card.model_name} · {vendor_name}")
            version = str(registry.create_version(name, source=source, run_id=run_id, tags=tags,
                                                  description=version_description(model_card, staged)).version)
            with session_scope(immediate=True) as session:
                trial_id = record_version(session, actor, model_card, staged, vendor_id, name, version, run_id, source)
                registry.set_tag(name, version, "trial_id", str(trial_id))
                record_alias(session, name, "trial", version)
                registry.set_alias(name, "trial", version)
        except BaseException as exc:
            compensate(registry, name, version, run_id, created, previous_trial)
            failure = registry_failure(exc)
            if failure is exc:
                raise
            raise failure from exc
    report("done", 1.0)
    result = show_model(actor=actor, name=name, version=version)
    result["isolation"] = staged.isolation  # "weak" only under the development setting: callers say so
    return result


# -- reading ------------------------------------------------------------------------------------------------


def _as_dict(row: ModelVersion, trial: Trial, vendor: Vendor, aliases: dict[str, str], url: str) -> dict[str, Any]:
    return {
        "name": row.registered_name, "version": row.version, "model_name": row.model_name,
        "card_version": row.card_version, "kind": row.kind, "vendor": vendor.name, "vendor_id": vendor.id,
        "uscc": vendor.uscc, "sha256": row.sha256, "trial_id": trial.id, "trial_status": trial.status,
        "service_domain": trial.service_domain, "risk_tier": trial.risk_tier, "card": row.card,
        "aliases": sorted(a for a, v in aliases.items() if v == row.version), "mlflow_url": url,
        "run_id": row.run_id, "source": row.source, "id_column": row.id_column,
        "original_name": row.original_name, "created_by": row.created_by,
        "created_at": row.created_at.isoformat(timespec="seconds"), "deleted": row.deleted,
    }


def _rows(session, *, actor: Actor, name: str | None = None, include_deleted: bool = False):  # type: ignore[no-untyped-def]
    query = (select(ModelVersion, Trial, Vendor).join(Trial, Trial.id == ModelVersion.trial_id)
             .join(Vendor, Vendor.id == ModelVersion.vendor_id).order_by(ModelVersion.id.desc()))
    if name is not None:
        query = query.where(ModelVersion.registered_name == name)
    if not include_deleted:
        query = query.where(ModelVersion.deleted.is_(False))
    if actor.role == "vendor":
        query = query.where(ModelVersion.vendor_id == actor.vendor_id)
    return session.execute(query).all()


def list_models(*, actor: Actor, include_deleted: bool = False, service_domain: str | None = None,
                trial_status: str | None = None) -> list[dict[str, Any]]:
    """Versions the actor may see, newest first (a vendor: its own organisation's only); database only."""
    authorize(actor, "models.view")
    if include_deleted and actor.role != "admin":
        include_deleted = False
    with session_scope() as session:
        rows = _rows(session, actor=actor, include_deleted=include_deleted)
        aliases = alias_map(session, {r.registered_name for r, _t, _v in rows}) if rows else {}
    out = [_as_dict(r, t, v, aliases.get(r.registered_name, {}), ui_url(r.registered_name, r.version))
           for r, t, v in rows]
    _with_alias_check(out)
    if service_domain:
        out = [d for d in out if d["service_domain"] == service_domain]
    if trial_status:
        out = [d for d in out if d["trial_status"] == trial_status]
    return out


def resolve_version(*, actor: Actor, name: str, version: str | None = None, action: str = "models.view") -> ModelVersion:
    """The (visible, not deleted) version row; ``name`` may be the short model name if unambiguous."""
    authorize(actor, action)
    with session_scope() as session:
        candidates = session.scalars(select(ModelVersion).where(ModelVersion.deleted.is_(False)).where(
            (ModelVersion.registered_name == name) | (ModelVersion.model_name == name))).all()
        names = sorted({c.registered_name for c in candidates})
        if len(names) > 1:
            visible = sorted({c.registered_name for c in candidates
                              if actor.role != "vendor" or c.vendor_id == actor.vendor_id})
            if len(visible) != 1:
                raise InputError("models.name_ambiguous", name=name, candidates=", ".join(visible or names))
            names = visible
        if not names:
            raise NotFoundError("models.model_not_found", name=name)
        rows = [c for c in candidates if c.registered_name == names[0]]
        chosen = max(rows, key=lambda r: int(r.version)) if version is None else next(
            (r for r in rows if r.version == str(version)), None)
        if chosen is None:
            raise NotFoundError("models.version_not_found", name=names[0], version=version)
        authorize(actor, action, owner_vendor_id=chosen.vendor_id)
        return chosen


def show_model(*, actor: Actor, name: str, version: str | None = None) -> dict[str, Any]:
    """One version (the newest if ``version`` is None) with its files, trial history, scores and siblings."""
    row = resolve_version(actor=actor, name=name, version=version)
    with session_scope() as session:
        trial = session.get(Trial, row.trial_id)
        vendor = session.get(Vendor, row.vendor_id)
        aliases = alias_map(session, {row.registered_name}).get(row.registered_name, {})
        data = _as_dict(row, trial, vendor, aliases, ui_url(row.registered_name, row.version))
        data["files"] = [{"path": a.path, "sha256": a.sha256, "size": a.size} for a in session.scalars(
            select(ModelArtifact).where(ModelArtifact.version_id == row.id).order_by(ModelArtifact.path))]
        data["scores"] = [{"id": s.id, "dataset": s.dataset_name, "dataset_sha256": s.dataset_sha256,
                           "rows": s.rows, "path": s.path, "sha256": s.sha256, "created_by": s.created_by,
                           "created_at": s.created_at.isoformat(timespec="seconds")} for s in session.scalars(
            select(ModelScore).where(ModelScore.version_id == row.id).order_by(ModelScore.id.desc()))]
        data["versions"] = [v for v, in session.execute(select(ModelVersion.version).where(
            ModelVersion.registered_name == row.registered_name, ModelVersion.deleted.is_(False))
            .order_by(ModelVersion.id))]
    data["events"] = trial_events(row.trial_id)
    _with_alias_check([data])
    return data


def _with_alias_check(rows: list[dict[str, Any]]) -> None:
    """Each row gets ``alias_problems`` (MLflow's aliases of its model against the signed records and what the
    sandbox set: :mod:`models._alias_check`) and ``alias_checked`` / ``alias_unchecked_reason``."""
    if not rows:
        return
    check = alias_check({r["name"] for r in rows})
    for r in rows:
        r["alias_problems"] = [p for p in check["problems"] if p["name"] == r["name"]]
        r["alias_checked"] = check["checked"]
        r["alias_unchecked_reason"] = check["reason"]


def score_version(*, actor: Actor, name: str, version: str, data: Path, id_column: str | None = None,
                  display_name: str | None = None, withhold: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """Batch-score a version on a dataset (vendor code only in the isolated child); see :mod:`models.scoring`.

    ``withhold``: columns of ``data`` the model must not see (an audit passes its label and 身份证 column).
    """
    from models.scoring import score

    row = resolve_version(actor=actor, name=name, version=version, action="models.score")
    return score(actor=actor, row=row, data=Path(data), id_column=id_column, display_name=display_name,
                 withhold=withhold)


def check_predictions_file(*, path: Path, display_name: str | None = None) -> None:
    """Refuse a (vendor's) Parquet predictions file that would decode to gigabytes, before it is read.

    For any caller that reads a predictions file it did not make (the fairness audit's ``--predictions``);
    see :func:`models.intake.check_predictions_file`.
    """
    from models.intake import check_predictions_file as check

    check(Path(path), display_name=display_name)


def model_sandbox(*, actor: Actor) -> dict[str, Any]:
    """The sandbox vendor code runs in: ``mode`` (bwrap / weak / unavailable), what is missing, the limits."""
    from models.isolation import sandbox_report

    authorize(actor, "models.view")
    return sandbox_report()


# -- approval alias (called by the review area after its own checks: models.aliases) and soft delete --------


def delete_version(*, actor: Actor, name: str, version: str, reason: str = "") -> dict[str, Any]:
    """Soft-delete a version (admin only): hidden from lists, tagged in MLflow, aliases removed, logged."""
    from models.registry import Registry

    authorize(actor, "models.delete")
    row = resolve_version(actor=actor, name=name, version=version, action="models.delete")
    registry = Registry()
    with session_scope(immediate=True) as session:
        stored = session.get(ModelVersion, row.id)
        trial = session.get(Trial, row.trial_id)
        stored.deleted = True
        trial.deleted = True
        log_activity(session, actor, "models.delete", f"{name}/{version}", reason=reason, trial_id=trial.id)
        session.flush()
        registry.set_tag(row.registered_name, row.version, "deleted", "true")
    with session_scope() as session:
        mirrored = alias_map(session, {row.registered_name}).get(row.registered_name, {})
    for alias, points_at in {**mirrored, **registry.aliases().get(row.registered_name, {})}.items():
        if points_at == row.version:
            change_alias(registry, row.registered_name, alias, None)
    return {"name": row.registered_name, "version": row.version, "deleted": True}
