"""Home: what waits for the logged-in role."""

from __future__ import annotations

import streamlit as st

from sandbox.home import home_summary
from sandbox.ui import guarded, local_time_text, require, tr

actor = require("home.view")
st.title(tr("home.title"))
st.write(tr("home.welcome", name=actor.display_name))
st.info(tr(f"home.role_hint.{actor.role}"))

summary = guarded(lambda: home_summary(actor))
if summary is not None:
    cols = st.columns(len(summary["counts"]))
    for col, (key, value) in zip(cols, summary["counts"].items(), strict=True):
        col.metric(tr(f"home.{key}"), value)
    if actor.role in ("chair", "vendor"):  # what is due: overdue conditions, follow-up reviews
        from sandbox.review.ui_conditions import due_panel

        due_panel(actor)
    st.subheader(tr("home.recent_activity"))
    if summary["activity"]:
        st.dataframe(
            [{tr("col.when"): local_time_text(a["at"]), tr("col.who"): a["actor"], tr("col.action"): a["action"],
              tr("col.target"): a["target"]} for a in summary["activity"]],
            hide_index=True, use_container_width=True,
        )
    else:
        st.caption(tr("home.no_activity"))
