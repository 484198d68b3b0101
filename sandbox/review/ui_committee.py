"""Workbench section on the users page: the ethics committees, creating one (admin), declared interests,
members joining and leaving (admin; each change an entry of the record chain)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sandbox.review._committee import create_committee, declare_interest, list_committees, show_committee
from sandbox.review._members_file import parse_members
from sandbox.review._membership import add_member, remove_member
from sandbox.review._rules import CATEGORIES
from sandbox.roles import Actor, can
from sandbox.ui import guarded, local_time_text, md_escape, tr, trm

__all__ = ["committee_section"]


def _members_table(members: list[dict[str, Any]]) -> None:
    st.dataframe(
        [{tr("col.username"): m["username"], tr("col.display_name"): m["name"], tr("committee.ui.category"): m["category"],
          tr("committee.ui.sex"): m["sex"], tr("committee.ui.affiliation"): m["affiliation"],
          tr("committee.ui.chair"): "✓" if m["is_chair"] else "", tr("committee.ui.interests"): "；".join(m["interests"])}
         for m in members],
        hide_index=True, use_container_width=True,
    )


def committee_section(actor: Actor) -> None:
    """List the committees; admins create one from members YAML and record declared interests."""
    st.subheader(tr("committee.ui.title"))
    if (flash := st.session_state.pop(_FLASH, None)) is not None:  # a change made in the run before this one
        st.success(flash)
    committees = guarded(lambda: list_committees(actor=actor)) or []
    if not committees:
        st.info(tr("committee.none"))
    for committee in committees:
        st.markdown(f"**{md_escape(committee['name'])}**")
        _members_table(committee["members"])
        _changes(actor, committee["name"])
    if not can(actor, "committee.manage"):
        return
    with st.form("committee_create", clear_on_submit=False):
        name = st.text_input(tr("committee.ui.name"), key="committee_name")
        text = st.text_area(tr("committee.ui.members_yaml"), key="committee_members", height=220,
                            placeholder="members:\n  - username: wang\n    category: 伦理\n    sex: 男\n"
                                        "    affiliation: 市大数据发展管理局\n    chair: true\n")
        created = st.form_submit_button(tr("committee.ui.create"), type="primary", key="committee_create_button")
    if created:
        made = guarded(lambda: create_committee(
            actor=actor, name=name.strip(), members=parse_members(text, file=tr("committee.ui.members_yaml"))))
        if made is not None:
            st.success(trm("committee.created", name=made["name"], count=made["members"]))
    if committees:
        with st.form("committee_interest", clear_on_submit=True):
            chosen = st.selectbox(tr("committee.ui.committee"), [c["name"] for c in committees], key="interest_committee",
                                  placeholder=tr("ui.choose"))
            members = sorted({m["username"] for c in committees for m in c["members"]})
            member = st.selectbox(tr("committee.ui.member"), members, index=None, placeholder=tr("ui.choose"),
                                  key="interest_member")
            interest = st.text_input(tr("committee.ui.interest"), key="interest_text")
            declared = st.form_submit_button(tr("committee.ui.declare"), key="interest_button")
        if declared and member:
            done = guarded(lambda: declare_interest(actor=actor, username=member, interest=interest, committee=chosen))
            if done is not None:
                st.success(trm("committee.interest_added" if done["added"] else "committee.interest_known",
                              username=done["username"], committee=done["committee"]))
                if done.get("recused_in"):
                    st.warning(trm("review.notice.recused_now", username=done["username"],
                                   records=", ".join(done["recused_in"])))
        _membership_forms(actor, committees)


def _changes(actor: Actor, committee: str) -> None:
    changes = (guarded(lambda: show_committee(actor=actor, committee=committee)) or {}).get("changes") or []
    if changes:
        st.caption(tr("committee.changes_title"))
        st.text("\n".join(tr("committee.change_row", number=c["number"], at=local_time_text(c["at"]), username=c["username"],
                              change=tr(f"committee.change.{c['change']}"), by=c["by"], reason=c["reason"])
                           for c in changes))


_FLASH = "committee_flash"


def _changed(message: str) -> None:
    """Run the page again so the members table and the change list above show the change; then say it."""
    st.session_state[_FLASH] = message
    st.rerun()


def _head(done: dict[str, Any]) -> str:
    """The record chain's head after the change (the change is its newest entry)."""
    return tr("review.ui.head_now", head=f"{done['head']['seq']}:{done['head']['hash'][:16]}…")


def _membership_forms(actor: Actor, committees: list[dict[str, Any]]) -> None:
    """Admin: a member joins or leaves (reason required); the service checks the committee stays valid."""
    names = [c["name"] for c in committees]
    with st.form("committee_add", clear_on_submit=True):
        st.markdown(f"**{tr('committee.ui.add_member')}**")
        chosen = st.selectbox(tr("committee.ui.committee"), names, key="add_committee", placeholder=tr("ui.choose"))
        username = st.text_input(tr("col.username"), key="add_username")
        category = st.selectbox(tr("committee.ui.category"), CATEGORIES, index=None, placeholder=tr("ui.choose"),
                                key="add_category")
        sex = st.selectbox(tr("committee.ui.sex"), ["男", "女"], index=None, placeholder=tr("ui.choose"),
                           key="add_sex")
        affiliation = st.text_input(tr("committee.ui.affiliation"), key="add_affiliation")
        chair = st.checkbox(tr("committee.ui.chair"), key="add_chair")
        reason = st.text_input(tr("committee.ui.reason"), key="add_reason")
        added = st.form_submit_button(tr("committee.ui.add"), key="add_button")
    if added:
        member = {"username": username.strip(), "category": category, "sex": sex, "affiliation": affiliation.strip(),
                  "is_chair": chair}
        done = guarded(lambda: add_member(actor=actor, member=member, reason=reason, committee=chosen))
        if done is not None:
            _changed(trm("committee.member_joined", username=done["username"], committee=done["committee"],
                         count=done["members"], number=done["number"]) + " " + _head(done))
    with st.form("committee_remove", clear_on_submit=True):
        st.markdown(f"**{tr('committee.ui.remove_member')}**")
        chosen = st.selectbox(tr("committee.ui.committee"), names, key="remove_committee", placeholder=tr("ui.choose"))
        members = sorted({m["username"] for c in committees for m in c["members"]})
        leaving = st.selectbox(tr("committee.ui.member"), members, index=None, placeholder=tr("ui.choose"),
                               key="remove_member")
        reason = st.text_input(tr("committee.ui.reason"), key="remove_reason")
        removed = st.form_submit_button(tr("committee.ui.remove"), key="remove_button")
    if removed and leaving:
        done = guarded(lambda: remove_member(actor=actor, username=leaving, reason=reason, committee=chosen))
        if done is not None:
            _changed(trm("committee.member_left", username=done["username"], committee=done["committee"],
                         count=done["members"], number=done["number"]) + " " + _head(done))
