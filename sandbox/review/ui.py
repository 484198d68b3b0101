"""Workbench parts of the ethics review page (each form: one service call, then render)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sandbox.review import (
    CHECKLIST,
    DECISIONS,
    FOLLOWUP_DECISIONS,
    QUESTIONS,
    answer_item,
    decide,
    open_review,
    re_review_triggers,
    record_attendance,
    reviewable_trials,
    sign_record,
    update_details,
    vote,
)
from sandbox.roles import Actor, can
from sandbox.ui import guarded, lang, tr

__all__ = ["checklist_tab", "decision_tab", "meeting_tab", "open_form", "sign_tab", "summary", "vendor_view"]

ANSWERS = ("yes", "no", "n.a.")


def _done(result: Any, key: str, **params: Any) -> None:
    if result is not None:
        st.success(tr(key, **params))


def open_form(actor: Actor) -> None:
    trials = guarded(lambda: reviewable_trials(actor=actor)) or []
    with st.expander(tr("review.ui.open_new"), expanded=False), st.form("review_open"):
        if not trials:
            st.caption(tr("review.ui.no_trials"))
        trial = st.selectbox(tr("review.ui.trial"), [t["trial_id"] for t in trials], key="open_trial",
                             format_func=lambda i: next(f"#{t['trial_id']} {t['model']} · {t['domain']} · {t['vendor']}"
                                                        for t in trials if t["trial_id"] == i))
        answers = {q: st.slider(tr(f"review.q.{q}"), 0, 3, 1, key=f"open_q_{q}") for q in QUESTIONS}
        answers["mitigation"] = st.slider(tr("review.q.mitigation"), 0, 3, 1, key="open_q_mitigation")
        answers["public_opinion"] = st.checkbox(tr("review.q.public_opinion"), key="open_q_public_opinion")
        review_type = st.selectbox(tr("review.ui.type"), ["initial", "follow-up", "expert-rereview", "emergency"],
                                   key="open_type")
        if st.form_submit_button(tr("review.ui.open"), type="primary") and trial is not None:
            out = guarded(lambda: open_review(actor=actor, trial_id=int(trial), questionnaire=answers,
                                              review_type=review_type))
            _done(out, "review.ui.opened", record=(out or {}).get("record_no", ""), tier=(out or {}).get("tier", ""))


def summary(data: dict[str, Any]) -> None:
    st_ = data["state"]
    m, risk = st_["model"], st_["risk"]
    cols = st.columns(4)
    cols[0].metric(tr("review.ui.status"), tr(f"review.status.{data['status']}"))
    cols[1].metric(tr("review.ui.tier"), risk["tier"], help="; ".join(risk["reasons"]) or None)
    cols[2].metric(tr("review.ui.version"), f"v{data['version']}")
    cols[3].metric(tr("review.ui.quorum"), (st_.get("quorum") or {}).get("voting_present", "—"))
    st.write(f"**{m['name']} {m['version']}** · {m['vendor_name']} ({m['vendor_uscc']}) · {m['service_domain']}")
    st.caption(f"sha256: {m.get('sha256') or tr('review.ui.not_provided')}")
    recused = {u: a["recused"] for u, a in st_["attendance"].items() if a.get("recused")}
    if recused:
        st.warning(tr("review.ui.recused", names="；".join(f"{u}（{w}）" for u, w in recused.items())))
    ev = st_.get("evidence") or {}
    st.caption(tr("review.ui.evidence", audits=len(ev["audits"]) if ev.get("audits") else tr("review.ui.not_provided"),
                  privacy=tr("review.ui.yes") if ev.get("privacy") else tr("review.ui.not_provided")))


def meeting_tab(actor: Actor, data: dict[str, Any]) -> None:
    members = data["members"]
    st.dataframe([{tr("col.display_name"): m["name"], tr("review.ui.category"): m["category"],
                   tr("review.ui.sex"): m["sex"], tr("review.ui.affiliation"): m["affiliation"],
                   tr("review.ui.interests"): "；".join(m["interests"]),
                   tr("review.ui.present"): "✓" if data["state"]["attendance"][m["username"]]["present"] else ""}
                  for m in members], hide_index=True, use_container_width=True)
    if can(actor, "review.open") and data["status"] == "open":
        with st.form("review_attend"):
            present = st.multiselect(tr("review.ui.present"), [m["username"] for m in members], key="attend_present",
                                     default=[u for u, a in data["state"]["attendance"].items() if a["present"]])
            if st.form_submit_button(tr("review.ui.check_quorum")):
                out = guarded(lambda: record_attendance(actor=actor, review_id=data["review_id"], present=present))
                _done(out, "review.ui.quorate", n=(out or {}).get("voting_present", 0))


def checklist_tab(actor: Actor, data: dict[str, Any]) -> None:
    checklist = data["state"]["checklist"]
    zh = lang() == "zh"
    st.dataframe([{"id": f"{k}{'★' if star else ''}", tr("review.ui.item"): (a if zh else b),
                   tr("review.ui.answer"): checklist[k].get("answer") or "—",
                   tr("review.ui.explanation"): checklist[k].get("explanation", ""),
                   tr("review.ui.source"): checklist[k].get("source", "")}
                  for k, (a, b, _basis, star) in CHECKLIST.items()], hide_index=True, use_container_width=True)
    if not can(actor, "review.answer") or data["status"] != "open":
        return
    with st.form("review_answer"):
        item = st.selectbox(tr("review.ui.item"), list(CHECKLIST), key="answer_item")
        answer = st.radio(tr("review.ui.answer"), ANSWERS, horizontal=True, key="answer_value")
        explanation = st.text_input(tr("review.ui.explanation"), key="answer_explanation")
        evidence = st.text_input(tr("review.ui.evidence_link"), key="answer_evidence")
        if st.form_submit_button(tr("review.ui.save")):
            _done(guarded(lambda: answer_item(actor=actor, review_id=data["review_id"], item=item, answer=answer,
                                              explanation=explanation, evidence=evidence)), "review.ui.saved")
    for section, fields in (("public_value", ("public_value", "legitimacy", "capacity")),
                            ("pia", ("pia_id", "pia_date", "purpose_lawful", "impact", "safeguards"))):
        with st.form(f"review_{section}"):
            st.markdown(f"**{tr(f'review.ui.section.{section}')}**")
            current = data["state"].get(section) or {}
            values = {f: st.text_area(tr(f"review.field.{f}"), current.get(f, ""), key=f"{section}_{f}", height=68)
                      for f in fields}
            if st.form_submit_button(tr("review.ui.save")):
                _done(guarded(lambda s=section, v=values: update_details(
                    actor=actor, review_id=data["review_id"], section=s, values=v)), "review.ui.saved")


def decision_tab(actor: Actor, data: dict[str, Any]) -> None:
    choices = DECISIONS + (FOLLOWUP_DECISIONS if data["review_type"] == "follow-up" else ())
    if data["votes"]:
        st.dataframe([{tr("col.username"): u, tr("review.ui.vote"): c} for u, c in data["votes"].items()],
                     hide_index=True)
    if data["status"] != "open":
        return
    if can(actor, "review.vote"):
        with st.form("review_vote"):
            choice = st.radio(tr("review.ui.vote"), [*choices, "abstain"], horizontal=True, key="vote_choice")
            if st.form_submit_button(tr("review.ui.cast")):
                _done(guarded(lambda: vote(actor=actor, review_id=data["review_id"], choice=choice)), "review.ui.saved")
    if can(actor, "review.decide"):
        with st.form("review_decide"):
            decision = st.selectbox(tr("review.ui.decision"), choices, key="decide_choice")
            reasons = st.text_area(tr("review.ui.reasons"), key="decide_reasons")
            rows = [{k: c.get(k, "") for k in ("text", "owner", "due", "evidence", "status")}
                    for c in data["state"].get("carried_conditions") or []] or [
                {"text": "", "owner": "", "due": "", "evidence": "", "status": "open"}]
            conditions = st.data_editor(rows, num_rows="dynamic", key="decide_conditions")
            expert = st.text_input(tr("review.ui.expert_result"), key="decide_expert")
            if st.form_submit_button(tr("review.ui.decide"), type="primary"):
                conds = [c for c in conditions if any(c.values())]
                out = guarded(lambda: decide(actor=actor, review_id=data["review_id"], decision=decision, reasons=reasons,
                                             conditions=conds, expert_rereview={"result": expert} if expert else None))
                _done(out, "review.ui.decided", record=(out or {}).get("record_id", ""))


def sign_tab(actor: Actor, data: dict[str, Any]) -> None:
    for rec in data["records"]:
        st.markdown(f"**{rec['record_id']}** · {rec['decision']} · `{rec['record_hash'][:16]}…`")
        st.dataframe([{tr("review.ui.signer"): s["name"], tr("col.role"): s["role"], tr("review.ui.meaning"): s["meaning"],
                       tr("col.when"): s["signed_at"], tr("review.ui.fingerprint"): s["fingerprint"]}
                      for s in rec["signatures"]], hide_index=True, use_container_width=True)
    current = data["state"].get("record_id")
    if current and data["status"] != "open":
        for trig in guarded(lambda: re_review_triggers(actor=actor, record_id=current)) or []:
            st.warning(tr("review.ui.trigger", trigger=trig["trigger"], detail=trig["detail"]))
    if not current or data["status"] == "open" or not can(actor, "review.sign"):
        return
    meanings = {"chair": ["approved", "reviewed"], "vendor": ["acknowledged"]}.get(actor.role, ["reviewed"])
    with st.form("review_sign"):
        meaning = st.selectbox(tr("review.ui.meaning"), meanings, key="sign_meaning")
        password = st.text_input(tr("review.ui.password_again"), type="password", key="sign_password")
        if st.form_submit_button(tr("review.ui.sign"), type="primary"):
            _done(guarded(lambda: sign_record(actor=actor, record_id=current, password=password, meaning=meaning)),
                  "review.ui.signed", record=current)


def vendor_view(actor: Actor, data: dict[str, Any]) -> None:
    dec = data["state"].get("decision")
    if not dec:
        st.info(tr("review.ui.no_decision"))
        return
    st.subheader(tr("review.ui.decision_is", decision=dec["decision"]))
    st.write(dec.get("reasons", ""))
    st.dataframe(dec.get("conditions") or [], hide_index=True, use_container_width=True)
    sign_tab(actor, data)
