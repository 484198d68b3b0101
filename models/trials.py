"""The trial lifecycle: allowed transitions, who may make them, and the record of each.

::

    submitted → in_trial → under_review → approved | approved_with_conditions
                                          | revise_and_resubmit | rejected
    in_trial / approved / approved_with_conditions → suspended → in_trial | under_review | terminated

Every transition is written to ``trial_events`` (append-only) and the
activity log in one transaction, and the version's ``trial_status`` tag in
MLflow is updated in the same step (rolled back together on failure). Leaving
an approved state removes the ``approved`` alias if it points at this version.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import select

from models._tables import ModelVersion, TrialEvent
from models.aliases import alias_map, change_alias
from sandbox.activity import log_activity
from sandbox.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.store.tables import Trial

__all__ = ["DECISIONS", "STATUSES", "TRANSITIONS", "TrialStatus", "transition_trial", "trial_events"]

TrialStatus = Literal[
    "submitted", "in_trial", "under_review", "approved", "approved_with_conditions",
    "revise_and_resubmit", "rejected", "suspended", "terminated",
]
STATUSES: tuple[str, ...] = get_args(TrialStatus)
APPROVED = frozenset({"approved", "approved_with_conditions"})
# Committee decisions and follow-up measures: chair (or admin) only.
DECISIONS = frozenset({"approved", "approved_with_conditions", "revise_and_resubmit", "rejected",
                       "suspended", "terminated"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"in_trial", "rejected", "terminated"}),
    "in_trial": frozenset({"under_review", "suspended", "terminated"}),
    "under_review": frozenset({"approved", "approved_with_conditions", "revise_and_resubmit", "rejected",
                               "in_trial"}),
    "approved": frozenset({"under_review", "suspended", "terminated"}),
    "approved_with_conditions": frozenset({"approved", "under_review", "suspended", "terminated"}),
    "revise_and_resubmit": frozenset({"terminated"}),
    "rejected": frozenset(),
    "suspended": frozenset({"in_trial", "under_review", "terminated"}),
    "terminated": frozenset(),
}


def transition_trial(*, actor: Actor, trial_id: int, to_status: str, note: str = "") -> dict[str, Any]:
    """Move a trial to ``to_status``; refuse illegal moves with a message naming the allowed ones.

    Raises
    ------
    InputError
        Unknown status.
    NotFoundError
        No such trial.
    RuleViolation
        ``models.transition_illegal`` (lists the allowed next statuses).
    PermissionDenied
        Decisions (approve, reject, suspend, terminate …) need the chair or an admin.
    """
    from models.registry import Registry

    authorize(actor, "trials.transition")
    if to_status not in STATUSES:
        raise InputError("models.status_unknown", status=to_status, allowed=", ".join(STATUSES))
    if to_status in DECISIONS and actor.role not in {"chair", "admin"}:
        raise PermissionDenied("models.decision_needs_chair", username=actor.username, status=to_status)
    registry = Registry()
    with session_scope(immediate=True) as session:
        trial = session.get(Trial, trial_id)
        if trial is None or trial.deleted:
            raise NotFoundError("models.trial_not_found", trial_id=trial_id)
        current = trial.status
        allowed = TRANSITIONS.get(current, frozenset())
        if to_status not in allowed:
            raise RuleViolation("models.transition_illegal", trial_id=trial_id, current=current, to=to_status,
                                allowed=", ".join(sorted(allowed)) or "-")
        row = session.scalar(select(ModelVersion).where(ModelVersion.trial_id == trial_id))
        trial.status = to_status
        session.add(TrialEvent(trial_id=trial_id, from_status=current, to_status=to_status,
                               actor=actor.username, role=actor.role, note=note))
        log_activity(session, actor, "trial.transition", f"trial:{trial_id}",
                     from_status=current, to_status=to_status, note=note)
        session.flush()
        if row is not None:
            registry.set_tag(row.registered_name, row.version, "trial_status", to_status)
            try:
                session.commit()
            except BaseException:
                registry.set_tag(row.registered_name, row.version, "trial_status", current)
                raise
    result: dict[str, Any] = {"trial_id": trial_id, "from_status": current, "status": to_status, "note": note}
    if row is not None and current in APPROVED and to_status not in APPROVED:
        result["alias_problems"] = _leave_approved(registry, row)
    return result


def _leave_approved(registry: Any, row: ModelVersion) -> list[dict[str, Any]]:
    """This version is no longer approved: remove ``@approved`` if the sandbox set it here or MLflow has it here.

    Asking MLflow alone was not enough: an alias moved outside the sandbox (to another version) made the check
    fail and the alias stayed, pointing at a version no record approves. What the sandbox set (the mirror) wins;
    an alias MLflow has elsewhere that the sandbox did not set is left alone and returned as a problem.
    """
    from models._alias_check import alias_check

    with session_scope() as session:
        mirrored = alias_map(session, {row.registered_name}).get(row.registered_name, {}).get("approved")
    if row.version in (mirrored, registry.version_by_alias(row.registered_name, "approved")):
        change_alias(registry, row.registered_name, "approved", None)
    return alias_check({row.registered_name})["problems"]


def trial_events(trial_id: int) -> list[dict[str, Any]]:
    """The transitions of one trial, oldest first (callers check visibility)."""
    with session_scope() as session:
        rows = session.scalars(select(TrialEvent).where(TrialEvent.trial_id == trial_id).order_by(TrialEvent.id))
        return [{"at": r.at.isoformat(timespec="seconds"), "from_status": r.from_status, "to_status": r.to_status,
                 "actor": r.actor, "role": r.role, "note": r.note} for r in rows]
