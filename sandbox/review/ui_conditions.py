"""Workbench parts for condition follow-up, chain heads and the due list.

The vendor submits evidence for an open condition; the chair accepts or
rejects it; the home page of the chair and the vendor lists what is due; the
records page shows the chain heads to copy and publish. Every widget has a
stable ``key=``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sandbox.review import (
    accept_condition,
    chain_heads,
    due_list,
    head_document,
    head_text,
    list_conditions,
    reject_condition,
    submit_condition_evidence,
)
from sandbox.roles import Actor
from sandbox.ui import guarded, local_time_text, md_escape, tr

__all__ = ["chair_conditions", "conditions_table", "due_panel", "heads_panel", "vendor_conditions"]


def _status(status: str) -> str:
    return tr(f"review.condition.status.{status}")


def conditions_table(actor: Actor, record_id: str | None, frozen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's conditions with their live status (the frozen list when the record is no longer followed)."""
    live = (guarded(lambda: list_conditions(actor=actor, record_id=record_id)) or []) if record_id else []
    rows = live or [{**c, "status": c.get("status", "open"), "overdue": False, "days_overdue": 0, "history": [],
                     "mandatory": c.get("mandatory", True), "last_note": ""} for c in frozen]
    if not rows:
        return []
    # a plain table (text, not a canvas grid): readable by screen readers, printable, copyable
    st.table([{"id": c["id"], tr("review.ui.condition_text"): c["text"], tr("review.ui.condition_owner"): c["owner"],
               tr("review.ui.condition_due"): c["due"],
               tr("review.ui.condition_mandatory"): "✓" if c["mandatory"] else "",
               tr("review.ui.condition_status"): _status(c["status"]),
               tr("review.ui.condition_overdue"): c["days_overdue"] or ""} for c in rows])
    for c in rows:
        if c["last_note"]:
            st.caption(f"{c['id']} · " + tr("review.ui.rejected_because", note=c["last_note"]))
        if c["history"]:
            with st.expander(tr("review.ui.condition_history", condition=c["id"])):
                st.table([{tr("col.when"): local_time_text(h["at"]), tr("col.who"): h["name"],
                           tr("col.action"): tr(f"review.condition.action.{h['action']}"),
                           # st.table renders Markdown: the vendor's evidence must not become an image or link
                           tr("review.ui.condition_evidence_text"): md_escape(h.get("evidence") or h.get("note") or ""),
                           tr("review.ui.condition_link"): md_escape(h.get("link") or "")} for h in c["history"]])
    return live


def _done(out: dict[str, Any] | None) -> None:
    if out is None:
        return
    from sandbox.review.ui import FLASH, _clear

    st.session_state[FLASH] = tr("review.ui.condition_done", condition=out["condition"], status=_status(out["status"]))
    _clear("cond_")
    st.rerun()


def vendor_conditions(actor: Actor, live: list[dict[str, Any]]) -> None:
    """The vendor's form: evidence for an open condition."""
    open_ = {c["condition"]: f"{c['id']} · {c['text']} · {c['due']}" for c in live if c["status"] == "open"}
    if not open_:
        if live:
            st.caption(tr("review.ui.condition_none_open"))
        return
    with st.form("review_condition_submit"):
        st.markdown(f"**{tr('review.ui.conditions_follow')}**")
        picked = st.selectbox(tr("review.ui.condition_pick"), list(open_), format_func=open_.get, key="cond_pick",
                              placeholder=tr("review.ui.ph_condition"))
        evidence = st.text_area(tr("review.ui.condition_evidence_text"), key="cond_evidence")
        link = st.text_input(tr("review.ui.condition_link"), key="cond_link", placeholder="https://…")
        if st.form_submit_button(tr("review.ui.condition_submit"), type="primary", key="cond_submit"):
            _done(guarded(lambda: submit_condition_evidence(actor=actor, condition=picked or "", evidence=evidence,
                                                            link=link)))


def chair_conditions(actor: Actor, live: list[dict[str, Any]]) -> None:
    """The chair's form: accept or reject submitted evidence."""
    waiting = {c["condition"]: f"{c['id']} · {c['text']} · {(c['history'][-1].get('evidence') or '')[:60]}"
               for c in live if c["status"] == "submitted"}
    if not waiting:
        if live:
            st.caption(tr("review.ui.condition_none_submitted"))
        return
    with st.form("review_condition_decide"):
        st.markdown(f"**{tr('review.ui.conditions_follow')}**")
        picked = st.selectbox(tr("review.ui.condition_pick"), list(waiting), format_func=waiting.get,
                              key="cond_decide_pick", placeholder=tr("review.ui.ph_condition"))
        note = st.text_input(tr("review.ui.condition_note"), key="cond_note")
        left, right = st.columns(2)
        if left.form_submit_button(tr("review.ui.condition_accept"), type="primary", key="cond_accept"):
            _done(guarded(lambda: accept_condition(actor=actor, condition=picked or "", note=note)))
        if right.form_submit_button(tr("review.ui.condition_reject"), key="cond_reject"):
            _done(guarded(lambda: reject_condition(actor=actor, condition=picked or "", note=note)))


def due_panel(actor: Actor) -> None:
    """Home page (chair and vendor): overdue conditions, evidence waiting, follow-ups due, suspension flags."""
    due = guarded(lambda: due_list(actor=actor))
    if due is None:
        return
    st.subheader(tr("review.ui.due_title"))
    if due["overdue_conditions"]:
        st.warning(tr("review.ui.due_overdue", n=len(due["overdue_conditions"])))
    if due["awaiting_decision"] and actor.role == "chair":
        st.info(tr("review.ui.due_awaiting", n=len(due["awaiting_decision"])))
    shown = due["overdue_conditions"] + (due["awaiting_decision"] if actor.role == "chair" else [])
    if shown:
        st.table([{tr("review.ui.condition_pick"): c["condition"], tr("review.ui.model"): c["model"],
                   tr("review.ui.condition_text"): c["text"], tr("review.ui.condition_due"): c["due"],
                   tr("review.ui.condition_status"): _status(c["status"]),
                   tr("review.ui.condition_overdue"): c["days_overdue"] or ""} for c in shown])
    for c in due["suspension_flags"]:
        st.warning(tr("review.ui.suspension_flag", record=c["record_id"], condition=c["id"], days=c["days_overdue"],
                      grace=due["grace_days"]), icon="⚠️")
    if due["followups_due"]:
        st.warning(tr("review.ui.due_followups", n=len(due["followups_due"])))
        st.table([{tr("review.ui.record"): f["record_id"], tr("review.ui.model"): f["model"],
                   tr("review.ui.next_review"): f["next_review"],
                   tr("review.ui.status"): tr("review.ui.followup_open") if f["review_open"] else ""}
                  for f in due["followups_due"]])
    if not shown and not due["followups_due"]:
        st.caption(tr("review.ui.due_nothing"))


def heads_panel(actor: Actor) -> None:
    """The records page: each committee's chain head, to copy (and a JSON to download and publish)."""
    heads = guarded(lambda: chain_heads(actor=actor)) or []
    st.subheader(tr("review.ui.heads"), help=tr("review.ui.heads_help"))
    if not heads:
        st.caption(tr("review.ui.no_heads"))
        return
    for head in heads:
        st.caption(head["committee_name"])
        st.code(head_text(head), language=None)
    from sandbox.review._crypto import canonical

    st.download_button(tr("review.ui.heads_download"), canonical(head_document(actor=actor), pretty=True),
                       file_name="chain-head.json", mime="application/json", key="records_heads_download")
