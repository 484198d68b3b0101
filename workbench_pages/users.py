"""Users and roles: list with status (admin, chair); add, disable/enable, reset a password (admin)."""

from __future__ import annotations

import streamlit as st

from sandbox.accounts import list_accounts, reset_password, set_account_active
from sandbox.review.ui_committee import committee_section
from sandbox.roles import ROLES, can
from sandbox.ui import guarded, require, tr, trm
from sandbox.users import add_user, list_vendors

actor = require("users.list")
st.title(tr("nav.users"))
rows = guarded(lambda: list_accounts(actor)) or []
st.dataframe(
    [{tr("col.username"): r["username"], tr("col.display_name"): r["display_name"],
      tr("col.role"): tr(f"role.{r['role']}"), tr("col.vendor"): r["vendor"] or "",
      tr("accounts.ui.col_status"): tr("accounts.status.active" if r["active"] else "accounts.status.disabled"),
      tr("accounts.ui.col_key"): (r["key"] or "")[:16]} for r in rows],
    hide_index=True, use_container_width=True,
)

if can(actor, "users.manage"):
    st.subheader(tr("users.add_title"))
    vendors = [v["name"] for v in list_vendors()]
    with st.form("add_user", clear_on_submit=True):
        username = st.text_input(tr("col.username"), key="new_username")
        display_name = st.text_input(tr("col.display_name"), key="new_display_name")
        role = st.selectbox(tr("col.role"), ROLES, placeholder=tr("ui.choose"), key="new_role", format_func=lambda r: tr(f"role.{r}"))
        vendor = st.selectbox(tr("col.vendor"), ["", *vendors], placeholder=tr("ui.choose"), key="new_vendor")
        password = st.text_input(tr("app.password"), type="password", key="new_password")
        submitted = st.form_submit_button(tr("users.add_button"), type="primary")
    if submitted:
        created = guarded(lambda: add_user(
            username=username.strip(), password=password, role=role, display_name=display_name.strip() or None,
            vendor=vendor or None, actor=actor,
        ))
        if created is not None:
            st.success(trm("cli.user_added", username=created.username, role=tr(f"role.{created.role}")))

    st.subheader(tr("accounts.ui.manage_title"))
    names = [r["username"] for r in rows]
    chosen = st.selectbox(tr("accounts.ui.account"), names, index=None, placeholder=tr("ui.choose"), key="manage_user")
    if chosen:
        active = next(r["active"] for r in rows if r["username"] == chosen)
        if active and st.button(tr("accounts.ui.disable"), key="manage_disable"):
            if guarded(lambda: set_account_active(actor=actor, username=chosen, active=False)):
                st.success(trm("accounts.disabled", username=chosen))
        if not active and st.button(tr("accounts.ui.enable"), key="manage_enable"):
            if guarded(lambda: set_account_active(actor=actor, username=chosen, active=True)):
                st.success(trm("accounts.enabled", username=chosen))
        with st.form("reset_password", clear_on_submit=True):
            new = st.text_input(tr("accounts.ui.reset_password"), type="password", key="reset_password")
            reset = st.form_submit_button(tr("accounts.ui.reset"), key="reset_submit")
        if reset:
            done = guarded(lambda: reset_password(actor=actor, username=chosen, new_password=new))
            if done is not None:
                st.success(trm("accounts.password_reset", username=chosen,
                              key=(done["retired_key"] or tr("accounts.no_key"))[:16]))

committee_section(actor)  # ethics committees (list; admin: create, record declared interests)
