"""Answering the 20-item checklist: one item (CLI) or the whole form (workbench), one transaction."""

from __future__ import annotations

from typing import Any

from sandbox.activity import log_activity
from sandbox.errors import InputError
from sandbox.review._rules import ANSWERS, CHECKLIST
from sandbox.review._service import _editable, _now, _save, load_review
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["answer_item", "answer_items"]


def _checked(answers: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Validate every answer before anything is written; duplicates are refused."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for raw in answers:
        item, answer = raw.get("item"), raw.get("answer")
        if item not in CHECKLIST or item in seen:
            raise InputError("review.bad_choice", field="item", value=item, choices="C01–C20")
        if answer not in ANSWERS:
            raise InputError("review.bad_choice", field=f"{item} answer", value=answer, choices=", ".join(ANSWERS))
        seen.add(item)
        out.append({"item": item, "answer": answer, "explanation": str(raw.get("explanation") or "").strip(),
                    "evidence": str(raw.get("evidence") or "").strip()})
    return out


def _unchanged(entry: dict[str, Any], a: dict[str, str]) -> bool:
    """A person already gave this very answer, explanation and evidence: nothing to record."""
    return (entry.get("by") is not None and entry.get("answer") == a["answer"]
            and a["explanation"] in ("", entry.get("explanation", ""))
            and a["evidence"] in ("", entry.get("evidence", "")))


def answer_items(*, actor: Actor, review_id: int, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answer several checklist items in one transaction.

    Parameters
    ----------
    actor : Actor
        A reviewer or the chair.
    review_id : int
        The open review.
    answers : list of dict
        ``{"item": "C01", "answer": "yes"|"no"|"n.a.", "explanation": "", "evidence": ""}`` each.
        An empty explanation or evidence keeps the stored one.

    Returns
    -------
    list of dict
        The entries that changed (``item`` plus the stored entry). Answers a person
        already gave unchanged are skipped; confirming a ★ pre-fill is a change.

    Raises
    ------
    InputError
        An unknown or repeated item or an invalid answer: nothing is saved.
    RuleViolation
        The review is decided or signed.
    """
    authorize(actor, "review.answer")
    checked = _checked(answers)
    saved: list[dict[str, Any]] = []
    with session_scope(immediate=True) as s:
        review = load_review(s, actor, review_id, "review.answer")
        _editable(review)
        at = _now().isoformat()
        for a in checked:
            entry = review.state["checklist"][a["item"]]
            if _unchanged(entry, a):
                continue
            pre = entry.get("prefill")
            override = pre is not None and pre.get("answer") != a["answer"]
            entry.update(answer=a["answer"], explanation=a["explanation"] or entry.get("explanation", ""),
                         evidence=a["evidence"] or entry.get("evidence", ""), by=actor.username, at=at,
                         source="override" if override else ("confirmed" if pre else "reviewer"))
            if override:
                entry["override"] = {"from": pre.get("answer"), "to": a["answer"], "by": actor.username, "at": at}
            log_activity(s, actor, "review.answer", review.record_no, item=a["item"], answer=a["answer"],
                         override=override)
            saved.append({"item": a["item"], **entry})
        if saved:
            _save(review)
    return saved


def answer_item(*, actor: Actor, review_id: int, item: str, answer: str, explanation: str = "",
                evidence: str = "") -> dict[str, Any]:
    """Answer one checklist item; overriding a pre-filled answer is recorded (see :func:`answer_items`)."""
    saved = answer_items(actor=actor, review_id=review_id,
                         answers=[{"item": item, "answer": answer, "explanation": explanation, "evidence": evidence}])
    if saved:
        return saved[0]
    from sandbox.review._queries import show_review

    return {"item": item, **show_review(actor=actor, review_id=review_id)["state"]["checklist"][item]}
