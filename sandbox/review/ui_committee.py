"""Workbench section on the users page: the ethics committees, creating one (admin), declared interests."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sandbox.review._committee import create_committee, declare_interest, list_committees
from sandbox.review._members_file import parse_members
from sandbox.roles import Actor, can
from sandbox.ui import guarded, tr

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
    committees = guarded(lambda: list_committees(actor=actor)) or []
    if not committees:
        st.info(tr("committee.none"))
    for committee in committees:
        st.markdown(f"**{committee['name']}**")
        _members_table(committee["members"])
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
            st.success(tr("committee.created", name=made["name"], count=made["members"]))
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
                st.success(tr("committee.interest_added" if done["added"] else "committee.interest_known",
                              username=done["username"], committee=done["committee"]))
