"""Users and roles (admin, chair)."""

from __future__ import annotations

import streamlit as st

from sandbox.ui import guarded, require, tr
from sandbox.users import list_users

actor = require("users.list")
st.title(tr("nav.users"))
rows = guarded(lambda: list_users(actor)) or []
st.dataframe(
    [{tr("col.username"): r["username"], tr("col.display_name"): r["display_name"],
      tr("col.role"): tr(f"role.{r['role']}"), tr("col.vendor"): r["vendor"] or ""} for r in rows],
    hide_index=True, use_container_width=True,
)
