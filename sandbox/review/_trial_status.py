"""The committee's signed decision moves the trial (models' lifecycle) to the status it names.

Until session 11 only the ``approved`` alias followed the chair's signature: ``sandbox models list``
still showed the trial ``in_trial`` (MLflow's ``trial_status`` tag too) after it was approved. The
chair's ``approved`` signature now moves the trial to the decision's status through
``models.service.transition_trial`` — the same rules and record (``trial_events``, activity log,
MLflow tag) as a manual move, the record id as each event's note. A trial not yet there walks the
lifecycle through ``in_trial`` / ``under_review`` (a new submission is audited and reviewed while still
``submitted``); an approved trial does only when the decision is not an approval (leaving the approved
state removes the alias — the signature has just set it for an approval). A move the lifecycle does not allow leaves the trial as it is
and says so; the signature stands either way (it is already on the chain).
"""

from __future__ import annotations

import importlib
from typing import Any

from sandbox.errors import SandboxError
from sandbox.roles import Actor
from sandbox.store import session_scope
from sandbox.store.tables import Trial

__all__ = ["STATUS_OF", "record_decision"]

STATUS_OF: dict[str, str] = {
    "批准": "approved", "修改后批准": "approved_with_conditions", "修改后再审": "revise_and_resubmit",
    "不予批准": "rejected", "暂停": "suspended", "终止": "terminated",
}
_APPROVED = frozenset({"approved", "approved_with_conditions"})


def record_decision(*, actor: Actor, trial_id: int, decision: str, record_id: str) -> dict[str, Any]:
    """Move trial ``trial_id`` to the status of ``decision`` (signed in ``record_id``).

    Returns ``{"status": "changed", "from", "to"}``, ``{"status": "unchanged", "current"}`` (already
    there, or no status for the decision), ``{"status": "not_allowed", "current", "target"}`` or
    ``{"status": "failed", "current", "target", "error", "reason"}`` (the move was refused: the error's key and
    its text in zh and en).
    """
    target = STATUS_OF.get(decision)
    with session_scope() as session:
        trial = session.get(Trial, trial_id)
        current = trial.status if trial is not None else None
    if target is None or current is None or current == target:
        return {"status": "unchanged", "current": current}
    trials = importlib.import_module("models.trials")
    path = _path(trials.TRANSITIONS, current, target)
    if path is None:
        return {"status": "not_allowed", "current": current, "target": target}
    try:
        for step in path:
            trials.transition_trial(actor=actor, trial_id=trial_id, to_status=step, note=record_id)
    except SandboxError as exc:
        return {"status": "failed", "current": current, "target": target, "error": exc.key,
                "reason": {"zh": exc.render("zh"), "en": exc.render("en")}}
    return {"status": "changed", "from": current, "to": target}


def trial_line(trial: dict[str, Any] | None, lang: str | None = None) -> str | None:
    """The sentence a signer sees about the trial's status after ``record_decision`` (None: nothing to say)."""
    from sandbox.i18n import current_language, t

    if not trial or trial["status"] == "unchanged":
        return None

    def status(value: str) -> str:
        return t(f"models.status.{value}", lang)

    if trial["status"] == "changed":
        return t("review.trial.changed", lang, from_status=status(trial["from"]), to_status=status(trial["to"]))
    if trial["status"] == "not_allowed":
        return t("review.trial.not_allowed", lang, current=status(trial["current"]), target=status(trial["target"]))
    return t("review.trial.failed", lang, current=status(trial["current"]), target=status(trial["target"]),
             reason=trial["reason"]["en" if (lang or current_language()) == "en" else "zh"])


def _path(transitions: dict[str, frozenset[str]], current: str, target: str) -> list[str] | None:
    """The shortest lifecycle walk from ``current`` to ``target`` through ``in_trial`` / ``under_review`` only.

    A trial the committee decided on was in a trial and under review, whether or not someone moved it there by
    hand (the journeys never do: a new submission is audited and reviewed as ``submitted``). An approved trial
    is not walked out of the approved states for another approval (leaving them removes the alias the
    signature has just set).
    """
    # another approval of an approved trial: no walk (leaving the approved states removes the alias)
    steps = () if current in _APPROVED and target in _APPROVED else ("in_trial", "under_review")
    frontier: list[list[str]] = [[current]]
    seen = {current}
    while frontier:
        walk = frontier.pop(0)
        for following in sorted(transitions.get(walk[-1], ())):
            if following == target:
                return [*walk[1:], target]
            if following in steps and following not in seen:
                seen.add(following)
                frontier.append([*walk, following])
    return None
