"""The steps of a submission (split out of :mod:`models.service`, whose ``submit_model`` runs them):
scratch folder, vendor check, MLflow tags and description, the database rows, undoing MLflow on failure."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from models._tables import ModelArtifact, ModelVersion, TrialEvent
from models.card import ModelCard
from sandbox.activity import log_activity
from sandbox.errors import (
    ConfigError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDenied,
    SandboxError,
)
from sandbox.roles import Actor
from sandbox.settings import get_settings
from sandbox.store import session_scope
from sandbox.store.tables import Trial, Vendor

if TYPE_CHECKING:
    from models.intake import Staged

__all__ = ["compensate", "record_version", "refuse_duplicate", "registry_failure", "scratch", "vendor_for",
           "version_description", "version_tags"]


@contextmanager
def scratch() -> Iterator[Path]:
    work = get_settings().ensure_home() / "work"
    path = Path(tempfile.mkdtemp(prefix="intake-", dir=work))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def vendor_for(card: ModelCard, actor: Actor) -> tuple[int, str, str]:
    with session_scope() as session:
        vendor = session.scalar(select(Vendor).where(Vendor.uscc == card.vendor_uscc))
        if vendor is None:
            raise NotFoundError("models.vendor_unknown", vendor=card.vendor_name, uscc=card.vendor_uscc)
        if vendor.name != card.vendor_name:
            raise InputError("models.vendor_name_mismatch", uscc=card.vendor_uscc, card_name=card.vendor_name,
                             registered=vendor.name)
        if actor.role == "vendor" and actor.vendor_id != vendor.id:
            raise PermissionDenied("models.card_other_vendor", username=actor.username,
                                   vendor=actor.vendor_name or "?", card_vendor=vendor.name)
        return vendor.id, vendor.name, vendor.uscc


def registry_failure(exc: BaseException) -> SandboxError:
    if isinstance(exc, SandboxError):
        return exc
    return ConfigError("models.registry_failed", uri=get_settings().mlflow_tracking_uri,
                       reason=f"{type(exc).__name__}: {exc}"[:400])


def version_tags(card: ModelCard, staged: Staged, vendor: str) -> dict[str, str]:
    return {
        "vendor": vendor, "uscc": card.vendor_uscc, "service_domain": card.service_domain,
        "risk_tier": card.risk_tier or "", "trial_status": "submitted", "sha256": staged.sha256,
        "card_version": card.model_version, "kind": staged.kind, "model_name": card.model_name,
        "algorithm_type": card.algorithm_type, "automated_decision": str(card.automated_decision).lower(),
        **({"isolation": staged.isolation} if staged.isolation else {}),
    }


def version_description(card: ModelCard, staged: Staged) -> str:
    """The version's description in MLflow, which its UI renders as Markdown: vendor text escaped."""
    from models._vendor_text import markdown_text as md

    lines = [f"**{md(card.model_name)} {md(card.model_version)}** · {md(card.vendor_name)} ({card.vendor_uscc})",
             f"- 服务领域 service domain: {card.service_domain}",
             f"- 算法类型 algorithm type: {card.algorithm_type}; 自动化决策 automated: {card.automated_decision}; "
             f"人工复核 human in the loop: {card.human_in_the_loop}",
             f"- 风险等级 risk tier: {card.risk_tier or '-'}; 备案编号 filing: {md(card.filing_number or '-')}",
             f"- 预期用途 intended use: {md(card.intended_use)}",
             f"- 敏感属性 sensitive attributes: {md(', '.join(card.sensitive_attributes) or '-')}",
             f"- sha256 ({staged.kind}): `{staged.sha256}`",
             "- 完整模型卡见运行产物 card.yaml / full card: run artifact card.yaml"]
    return "\n".join(lines)


def refuse_duplicate(name: str, card_version: str) -> None:
    with session_scope() as session:
        exists = session.scalar(select(ModelVersion).where(
            ModelVersion.registered_name == name, ModelVersion.card_version == card_version,
            ModelVersion.deleted.is_(False)))
        if exists is not None:
            raise ConflictError("models.version_exists", name=name, card_version=card_version,
                                version=exists.version)


def record_version(session, actor: Actor, card: ModelCard, staged: Staged, vendor_id: int, name: str,  # type: ignore[no-untyped-def]
                   version: str, run_id: str, source: str) -> int:
    _refuse_duplicate_in(session, name, card.model_version)
    trial = Trial(vendor_id=vendor_id, model_name=name, model_version=version, service_domain=card.service_domain,
                  status="submitted", risk_tier=card.risk_tier, created_by=actor.username, deleted=False)
    session.add(trial)
    session.flush()
    row = ModelVersion(trial_id=trial.id, vendor_id=vendor_id, registered_name=name, version=version,
                       model_name=card.model_name, card_version=card.model_version, kind=staged.kind,
                       sha256=staged.sha256, run_id=run_id, source=source, id_column=staged.id_column,
                       card=card.model_dump(mode="json"), original_name=staged.original_name,
                       created_by=actor.username, deleted=False)
    session.add(row)
    session.flush()
    session.add_all(ModelArtifact(version_id=row.id, path=f.path, sha256=f.sha256, size=f.size) for f in staged.files)
    session.add(TrialEvent(trial_id=trial.id, from_status=None, to_status="submitted", actor=actor.username,
                           role=actor.role, note=""))
    log_activity(session, actor, "models.submit", f"{name}/{version}", kind=staged.kind, sha256=staged.sha256,
                 trial_id=trial.id, card_version=card.model_version)
    session.flush()
    return trial.id


def _refuse_duplicate_in(session, name: str, card_version: str) -> None:  # type: ignore[no-untyped-def]
    exists = session.scalar(select(ModelVersion).where(
        ModelVersion.registered_name == name, ModelVersion.card_version == card_version,
        ModelVersion.deleted.is_(False)))
    if exists is not None:
        raise ConflictError("models.version_exists", name=name, card_version=card_version, version=exists.version)


def compensate(registry, name: str, version: str | None, run_id: str | None, created: bool,  # type: ignore[no-untyped-def]
               previous_trial: str | None) -> None:
    """Undo what a failed submission created in MLflow (best effort, never masks the original error)."""
    try:
        if version is not None:
            registry.delete_version(name, version)
            if previous_trial and not created:
                registry.set_alias(name, "trial", previous_trial)
        if run_id is not None:
            registry.delete_run(run_id)
        if created:
            registry.delete_registered_model_if_empty(name)
    except Exception:  # pragma: no cover - the registry itself is down; the original error says why
        pass
