"""Users and roles: list (admin, chair); add an account (admin)."""

from __future__ import annotations

import streamlit as st

from sandbox.roles import ROLES, can
from sandbox.ui import guarded, require, tr
from sandbox.users import add_user, list_users, list_vendors

actor = require("users.list")
st.title(tr("nav.users"))
rows = guarded(lambda: list_users(actor)) or []
st.dataframe(
    [{tr("col.username"): r["username"], tr("col.display_name"): r["display_name"],
      tr("col.role"): tr(f"role.{r['role']}"), tr("col.vendor"): r["vendor"] or ""} for r in rows],
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
            st.success(tr("cli.user_added", username=created.username, role=tr(f"role.{created.role}")))
