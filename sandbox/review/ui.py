"""Workbench parts of the ethics review page (each form: one service call, then render).

Every widget has a stable ``key=`` (browser tests and keyboard users rely on them).
After a successful action the message is kept in the session, the form's widget
state is dropped and the page reruns, so it shows the new state under the message.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sandbox.review import (
    CHECKLIST,
    DECISIONS,
    FOLLOWUP_DECISIONS,
    QUESTIONS,
    answer_items,
    decide,
    open_review,
    re_review_triggers,
    record_attendance,
    reviewable_trials,
    sign_record,
    trial_line,
    update_details,
    vote,
)
from sandbox.review._conditions import format_conditions, parse_conditions
from sandbox.review._rules import conflict_message
from sandbox.roles import Actor, can
from sandbox.ui import guarded, lang, local_time_text, md_escape, tr, trm

__all__ = ["answer_label", "checklist_tab", "choice_label", "decision_tab", "meeting_tab", "open_form", "reset_forms",
           "show_flash", "sign_tab", "summary", "vendor_view"]

ANSWERS = ("yes", "no", "n.a.")
ANSWER_KEYS = {"yes": "yes", "no": "no", "n.a.": "na"}
CHOICE_KEYS = {"批准": "approve", "修改后批准": "approve_with_conditions", "修改后再审": "revise_and_resubmit",
               "不予批准": "reject", "暂停": "suspend", "终止": "terminate", "abstain": "abstain"}
REVIEW_TYPES = ("initial", "follow-up", "expert-rereview", "emergency")
FLASH = "review_flash"
SHOWN = "review_shown"
# Widget-key prefixes of the forms that follow the selected review.
FORM_PREFIXES = ("checklist_", "decide_", "vote_", "attend_", "sign_", "public_value_", "pia_", "cond_")


def answer_label(answer: str | None) -> str:
    """yes / no / n.a. in the user's language."""
    return tr(f"review.ui.answer.{ANSWER_KEYS.get(answer or '', 'none')}")


def choice_label(choice: str) -> str:
    """A decision or vote (the Chinese constant) in the user's language."""
    key = CHOICE_KEYS.get(choice)
    return tr(f"review.ui.choice.{key}") if key else choice


def _clear(*prefixes: str) -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefixes)]:
        del st.session_state[key]


def _done(result: Any, key: str, *, clear: tuple[str, ...] = (), **params: Any) -> None:
    """After a successful call: keep the message, drop the form's state, rerun to show the new state."""
    if result is None:
        return
    message = tr(key, **params)
    head = result.get("head") if isinstance(result, dict) else None
    if head:  # every vote, decision and signature moves the chain head: show it
        message += " " + tr("review.ui.head_now", head=f"{head['seq']}:{head['hash'][:16]}…")
    trial = trial_line(result.get("trial"), lang()) if isinstance(result, dict) else None
    if trial:  # the chair's signature moved the trial (or could not)
        message += " " + trial
    st.session_state[FLASH] = message
    if clear:
        _clear(*clear)
    st.rerun()


def show_flash() -> None:
    """The success message of the action that triggered this rerun, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message)


def reset_forms(review_id: int | None) -> None:
    """Forget the forms' widget state when another review is selected (keys are shared)."""
    if st.session_state.get(SHOWN) != review_id:
        _clear(*FORM_PREFIXES)
        st.session_state[SHOWN] = review_id


def open_form(actor: Actor) -> None:
    trials = guarded(lambda: reviewable_trials(actor=actor)) or []
    labels = {t["trial_id"]: f"#{t['trial_id']} {t['model']} · {t['domain']} · {t['vendor']}" for t in trials}
    with st.expander(tr("review.ui.open_new"), expanded=False), st.form("review_open"):
        if not trials:
            st.caption(tr("review.ui.no_trials"))
        trial = st.selectbox(tr("review.ui.trial"), list(labels), key="open_trial", format_func=labels.get,
                             placeholder=tr("review.ui.ph_trial"))
        answers = {q: st.slider(tr(f"review.q.{q}"), 0, 3, 1, key=f"open_q_{q}") for q in QUESTIONS}
        answers["mitigation"] = st.slider(tr("review.q.mitigation"), 0, 3, 1, key="open_q_mitigation")
        answers["public_opinion"] = st.checkbox(tr("review.q.public_opinion"), key="open_q_public_opinion")
        review_type = st.selectbox(tr("review.ui.type"), REVIEW_TYPES, key="open_type",
                                   format_func={v: tr(f"review.ui.type.{v}") for v in REVIEW_TYPES}.get, placeholder=tr("review.ui.ph_type"))
        if st.form_submit_button(tr("review.ui.open"), type="primary", key="open_go") and trial is not None:
            out = guarded(lambda: open_review(actor=actor, trial_id=int(trial), questionnaire=answers,
                                              review_type=review_type or "initial"))
            if out is not None:
                st.session_state["review_pick"] = out["review_id"]  # show the review just opened
            _done(out, "review.ui.opened", record=(out or {}).get("record_no", ""), tier=(out or {}).get("tier", ""))


def _recusal(reason: str) -> str:
    key, params = conflict_message(reason)
    return tr(key, **params)


def summary(data: dict[str, Any]) -> None:
    st_ = data["state"]
    m, risk = st_["model"], st_["risk"]
    cols = st.columns(4)
    cols[0].metric(tr("review.ui.status"), tr(f"review.status.{data['status']}"))
    cols[1].metric(tr("review.ui.tier"), risk["tier"], help="; ".join(risk["reasons"]) or None)
    cols[2].metric(tr("review.ui.version"), f"v{data['version']}")
    cols[3].metric(tr("review.ui.quorum"), (st_.get("quorum") or {}).get("voting_present", "—"))
    st.write(f"**{md_escape(m['name'])} {md_escape(str(m['version']))}** · {md_escape(m['vendor_name'])} "
             f"({md_escape(m['vendor_uscc'])}) · {md_escape(m['service_domain'])}")
    st.caption(f"sha256: {m.get('sha256') or tr('review.ui.not_provided')}")
    for notice in data.get("notices") or []:  # a newer version registered, audits since the evidence was gathered
        st.warning(trm(notice["key"], **notice["params"]))
    recused = {u: a["recused"] for u, a in st_["attendance"].items() if a.get("recused")}
    if recused:
        st.warning(tr("review.ui.recused", names="；".join(f"{u}（{_recusal(w)}）" for u, w in recused.items())))
    ev = st_.get("evidence") or {}
    st.caption(tr("review.ui.evidence", audits=len(ev["audits"]) if ev.get("audits") else tr("review.ui.not_provided"),
                  privacy=tr("review.ui.yes") if ev.get("privacy") else tr("review.ui.not_provided")))


def meeting_tab(actor: Actor, data: dict[str, Any]) -> None:
    attendance = data["state"]["attendance"]
    # the roster the review was opened with, less members who left (as record_attendance): a member who joined
    # later is not on it (the page failed with a KeyError for every role once anyone had joined)
    members = [m for m in data["members"] if m["username"] in attendance]
    st.dataframe([{tr("col.display_name"): m["name"], tr("col.username"): m["username"],
                   tr("review.ui.category"): m["category"], tr("review.ui.sex"): m["sex"],
                   tr("review.ui.affiliation"): m["affiliation"], tr("review.ui.interests"): "；".join(m["interests"]),
                   tr("review.ui.present"): "✓" if attendance[m["username"]]["present"] else ""}
                  for m in members], hide_index=True, width="stretch")
    if can(actor, "review.open") and data["status"] == "open":
        names = {m["username"]: f"{m['name']} ({m['username']})" for m in members}
        with st.form("review_attend"):
            present = st.multiselect(tr("review.ui.present"), list(names), key="attend_present", format_func=names.get,
                                     default=[u for u, a in attendance.items() if a["present"]],
                                     placeholder=tr("review.ui.ph_members"))
            if st.form_submit_button(tr("review.ui.check_quorum"), key="attend_go"):
                out = guarded(lambda: record_attendance(actor=actor, review_id=data["review_id"], present=present))
                _done(out, "review.ui.quorate", clear=("attend_",), n=(out or {}).get("voting_present", 0))


def checklist_tab(actor: Actor, data: dict[str, Any]) -> None:
    checklist = data["state"]["checklist"]
    zh = lang() == "zh"
    editable = can(actor, "review.answer") and data["status"] == "open"
    if not editable:
        st.dataframe([{"id": f"{k}{'★' if star else ''}", tr("review.ui.item"): (a if zh else b),
                       tr("review.ui.answer"): answer_label(checklist[k].get("answer")),
                       tr("review.ui.explanation"): checklist[k].get("explanation", ""),
                       tr("review.ui.source"): checklist[k].get("source", "")}
                      for k, (a, b, _basis, star) in CHECKLIST.items()], hide_index=True, width="stretch")
        return
    with st.form("review_checklist"):
        st.caption(tr("review.ui.checklist_hint"))
        answers = []
        labels = {a: answer_label(a) for a in ANSWERS}  # bound now: AppTest formats outside the script run
        for k, (a, b, basis, star) in CHECKLIST.items():
            entry = checklist[k]
            current = entry.get("answer")
            left, right = st.columns([3, 2], vertical_alignment="bottom")
            value = left.radio(f"{k}{'★' if star else ''} {a if zh else b}", ANSWERS, horizontal=True,
                               index=ANSWERS.index(current) if current in ANSWERS else None, format_func=labels.get,
                               key=f"checklist_{k}", help=f"{basis} · {tr('review.ui.source')}: {entry.get('source', '')}")
            note = right.text_input(tr("review.ui.explanation"), entry.get("explanation", ""),
                                    key=f"checklist_note_{k}")
            if value is not None:
                answers.append({"item": k, "answer": value, "explanation": note})
        if st.form_submit_button(tr("review.ui.save_checklist"), type="primary", key="checklist_save"):
            out = guarded(lambda: answer_items(actor=actor, review_id=data["review_id"], answers=answers))
            if out == []:
                st.info(tr("review.ui.nothing_changed"))
            else:
                _done(out, "review.ui.saved_items", clear=("checklist_",), n=len(out or []))
    for section, fields in (("public_value", ("public_value", "legitimacy", "capacity")),
                            ("pia", ("pia_id", "pia_date", "purpose_lawful", "impact", "safeguards"))):
        with st.form(f"review_{section}"):
            st.markdown(f"**{tr(f'review.ui.section.{section}')}**")
            current = data["state"].get(section) or {}
            values = {f: st.text_area(tr(f"review.field.{f}"), current.get(f, ""), key=f"{section}_{f}", height=68)
                      for f in fields}
            if st.form_submit_button(tr("review.ui.save"), key=f"{section}_go"):
                _done(guarded(lambda s=section, v=values: update_details(
                    actor=actor, review_id=data["review_id"], section=s, values=v)), "review.ui.saved",
                    clear=(f"{section}_",))


def decision_tab(actor: Actor, data: dict[str, Any]) -> None:
    choices = DECISIONS + (FOLLOWUP_DECISIONS if data["review_type"] == "follow-up" else ())
    if data["votes"]:
        st.dataframe([{tr("col.username"): u, tr("review.ui.vote"): choice_label(c)} for u, c in data["votes"].items()],
                     hide_index=True)
    dec = data["state"].get("decision")
    if dec:
        st.subheader(tr("review.ui.decision_is", decision=choice_label(dec["decision"])))
        st.write(dec.get("reasons", ""))
        from sandbox.review.ui_conditions import chair_conditions, conditions_table

        live = conditions_table(actor, data["state"].get("record_id"), dec.get("conditions") or [])
        if can(actor, "review.condition_decide"):
            chair_conditions(actor, live)
    if data["status"] != "open":
        return
    if can(actor, "review.vote"):
        with st.form("review_vote"):
            options = [*choices, "abstain"]
            mine = data["votes"].get(actor.username)
            choice = st.radio(tr("review.ui.vote"), options, horizontal=True, key="vote_choice",
                              index=options.index(mine) if mine in options else None,
                              format_func={c: choice_label(c) for c in options}.get)
            password = st.text_input(tr("review.ui.vote_password"), type="password", key="vote_password")
            if st.form_submit_button(tr("review.ui.cast"), key="vote_cast"):
                out = guarded(lambda: vote(actor=actor, review_id=data["review_id"], choice=choice or "",
                                           password=password))
                _done(out, "review.ui.voted", clear=("vote_",), choice=choice_label(choice or ""))
    if can(actor, "review.decide"):
        with st.form("review_decide"):
            decision = st.selectbox(tr("review.ui.decision"), choices, index=None, key="decide_choice",
                                    format_func={c: choice_label(c) for c in choices}.get, placeholder=tr("review.ui.ph_decision"))
            reasons = st.text_area(tr("review.ui.reasons"), key="decide_reasons")
            conditions = st.text_area(tr("review.ui.conditions"), key="decide_conditions",
                                      value=format_conditions(data["state"].get("carried_conditions") or []),
                                      placeholder=tr("review.ui.conditions_placeholder"))
            expert = st.text_input(tr("review.ui.expert_result"), key="decide_expert")
            if st.form_submit_button(tr("review.ui.decide"), type="primary", key="decide_go"):
                out = guarded(lambda: decide(
                    actor=actor, review_id=data["review_id"], decision=decision or "", reasons=reasons,
                    conditions=parse_conditions(conditions),
                    expert_rereview={"result": expert.strip()} if expert.strip() else None))
                _done(out, "review.ui.decided", clear=("decide_", "vote_"), record=(out or {}).get("record_id", ""))


def sign_tab(actor: Actor, data: dict[str, Any]) -> None:
    for rec in data["records"]:
        st.markdown(f"**{rec['record_id']}** · {choice_label(rec['decision'])} · `{rec['record_hash'][:16]}…`")
        st.dataframe([{tr("review.ui.signer"): s["name"], tr("col.role"): s["role"],
                       tr("review.ui.meaning"): tr(f"review.ui.meaning.{s['meaning']}"),
                       tr("col.when"): local_time_text(s["signed_at"]), tr("review.ui.fingerprint"): s["fingerprint"]}
                      for s in rec["signatures"]], hide_index=True, width="stretch")
    current = data["state"].get("record_id")
    if current and data["status"] != "open":
        for trig in guarded(lambda: re_review_triggers(actor=actor, record_id=current)) or []:
            st.warning(tr("review.ui.trigger", trigger=tr(trig["key"], **trig["params"])))
    if not current or data["status"] == "open" or not can(actor, "review.sign"):
        return
    meanings = {"chair": ["approved", "reviewed"], "vendor": ["acknowledged"]}.get(actor.role, ["reviewed"])
    with st.form("review_sign", clear_on_submit=True):
        meaning = st.selectbox(tr("review.ui.meaning"), meanings, key="sign_meaning", placeholder=tr("review.ui.ph_meaning"),
                               format_func={m: tr(f"review.ui.meaning.{m}") for m in meanings}.get)
        password = st.text_input(tr("review.ui.password_again"), type="password", key="sign_password")
        if st.form_submit_button(tr("review.ui.sign"), type="primary", key="sign_go"):
            _done(guarded(lambda: sign_record(actor=actor, record_id=current, password=password,
                                              meaning=meaning or "")), "review.ui.signed", record=current)


def vendor_view(actor: Actor, data: dict[str, Any]) -> None:
    dec = data["state"].get("decision")
    if not dec:
        st.info(tr("review.ui.no_decision"))
        return
    st.subheader(tr("review.ui.decision_is", decision=choice_label(dec["decision"])))
    st.write(dec.get("reasons", ""))
    from sandbox.review.ui_conditions import conditions_table, vendor_conditions

    live = conditions_table(actor, data["state"].get("record_id"), dec.get("conditions") or [])
    if can(actor, "review.condition_submit"):
        vendor_conditions(actor, live)
    sign_tab(actor, data)
