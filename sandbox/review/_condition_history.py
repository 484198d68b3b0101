"""The history of a record's conditions: the status rules, its part of the export, its check from the file.

The conditions as decided live in the record (``H.conditions``: id, text, owner,
due, mandatory). What happened to them afterwards is a series of ``condition``
chain entries: the vendor submits evidence, the chair accepts it or rejects it
(back to open). An export (``sandbox-signoff-export/2``) carries, besides the
record (SIGNOFF_RECORD H: "conditions (id, owner, due date, evidence of
completion, status)"):

- ``condition_steps``: every ``condition`` entry of the record with its chain
  link (``seq``, ``prev_hash``, ``entry_hash``), like the signatures and votes;
- ``conditions_as_of``: the date the export was made;
- ``condition_status``: per condition, on that date, its status (open /
  submitted / accepted), whether it is overdue and by how many days, when it
  was met, and the evidence last submitted (text and link).

:func:`history_problem` re-derives all of it from the file alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import select

from sandbox.review._chain import entry_hash, payload_of
from sandbox.review._tables import ReviewEntry

__all__ = ["AFTER", "NEEDS", "Status", "condition_section", "history_problem", "status_of"]

Status = Literal["open", "submitted", "accepted"]
AFTER: dict[str, Status] = {"submitted": "submitted", "accepted": "accepted", "rejected": "open"}
NEEDS: dict[str, Status] = {"submitted": "open", "accepted": "submitted", "rejected": "submitted"}


def status_of(condition: dict[str, Any], steps: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """One condition's state on ``today`` from its steps (oldest first; each ``{"action", "at", …}``)."""
    status: Status = AFTER[steps[-1]["action"]] if steps else "open"
    due = date.fromisoformat(condition["due"])
    overdue = status == "open" and due < today
    submitted = next((x for x in reversed(steps) if x["action"] == "submitted"), None)
    accepted = next((x for x in reversed(steps) if x["action"] == "accepted"), None)
    return {"id": condition["id"], "due": condition["due"], "mandatory": bool(condition.get("mandatory", True)),
            "status": status, "overdue": overdue, "days_overdue": (today - due).days if overdue else 0,
            "met_at": accepted["at"] if accepted and status == "accepted" else None,
            "evidence": (submitted or {}).get("evidence", ""), "link": (submitted or {}).get("link", ""),
            "steps": len(steps)}


def condition_section(s: Any, record: dict[str, Any], record_id: str, today: date) -> dict[str, Any]:
    """The export's condition part: the record's condition entries and each condition's status on ``today``."""
    rows = s.scalars(select(ReviewEntry).where(ReviewEntry.kind == "condition", ReviewEntry.record_id == record_id)
                     .order_by(ReviewEntry.seq))
    steps = [{**payload_of(e), "seq": e.seq, "prev_hash": e.prev_hash, "entry_hash": e.entry_hash} for e in rows]
    status = [status_of(c, [x["condition"] for x in steps if x["condition"].get("id") == c["id"]], today)
              for c in record["groups"]["H"].get("conditions") or []]
    return {"condition_steps": steps, "conditions_as_of": today.isoformat(), "condition_status": status}


Problem = tuple[str, Literal["chain_broken", "record_changed", "not_an_export"], str]


def history_problem(doc: dict[str, Any], record: dict[str, Any], rid: str) -> Problem | None:
    """The first thing wrong with an export's condition history, as (field, problem, reason), or None.

    Each step: its entry hash over (committee, seq, ``condition``, record, prev hash, payload), after the
    record in the chain and in order, of one of the record's conditions, allowed from the status before
    it. Then ``condition_status`` must be exactly what the steps give on ``conditions_as_of``.
    """
    chain = doc.get("chain") or {}
    steps, listed = doc.get("condition_steps"), doc.get("condition_status")
    if not isinstance(steps, list) or not isinstance(listed, list):
        return "condition_steps", "not_an_export", "the export has no condition history"
    try:
        as_of = date.fromisoformat(str(doc.get("conditions_as_of")))
    except ValueError:
        return "conditions_as_of", "not_an_export", "the condition history has no valid date"
    conditions = {str(c.get("id")): c for c in record["groups"]["H"].get("conditions") or []}
    history: dict[str, list[dict[str, Any]]] = {cid: [] for cid in conditions}
    last_seq = chain.get("seq")
    for entry in steps:
        step = entry.get("condition") if isinstance(entry, dict) else None
        if not isinstance(step, dict) or str(step.get("id")) not in conditions:
            return "H.conditions", "chain_broken", "follow-up step of a condition the record does not set"
        where = f"H.conditions[{step['id']}]"
        if entry_hash(committee=chain.get("committee"), seq=entry.get("seq"), kind="condition", record_id=rid,
                      prev_hash=entry.get("prev_hash"), payload={"condition": step}) != entry.get("entry_hash"):
            return f"{where}.entry_hash", "chain_broken", "entry hash mismatch"
        if not isinstance(entry.get("seq"), int) or not isinstance(last_seq, int) or entry["seq"] <= last_seq:
            return f"{where}.seq", "chain_broken", "condition steps out of chain order"
        last_seq = entry["seq"]
        before = AFTER[history[step["id"]][-1]["action"]] if history[step["id"]] else "open"
        if NEEDS.get(step.get("action")) != before:
            return f"{where}.action", "chain_broken", f"step {step.get('action')!r} not allowed when {before}"
        history[step["id"]].append(step)
    expected = [status_of(c, history[cid], as_of) for cid, c in conditions.items()]
    if listed != expected:
        bad = next((e["id"] for e, got in zip(expected, listed, strict=False) if e != got), "?")
        return f"condition_status[{bad}]", "record_changed", "condition status differs from the condition steps"
    return None
