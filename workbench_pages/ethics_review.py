"""伦理审查 / Ethics review: open, meet, answer, vote, decide, sign; vendors see and acknowledge."""

from __future__ import annotations

import streamlit as st

from sandbox.review import list_reviews, show_review
from sandbox.review.ui import (
    checklist_tab,
    decision_tab,
    meeting_tab,
    open_form,
    reset_forms,
    show_flash,
    sign_tab,
    summary,
    vendor_view,
)
from sandbox.roles import can
from sandbox.ui import guarded, require, tr

actor = require("review.view")
st.title(tr("nav.ethics_review"))
show_flash()
if can(actor, "review.open"):
    open_form(actor)
reviews = guarded(lambda: list_reviews(actor=actor)) or []
if not reviews:
    st.info(tr("review.ui.none"))
    st.stop()
labels = {r["review_id"]: f"{r['record_no']}-v{r['version']} · {r['model']} · {r['domain']} · "
          + tr(f"review.status.{r['status']}") for r in reviews}
if st.session_state.get("review_pick") not in labels:
    st.session_state.pop("review_pick", None)  # e.g. a review of another session's user
picked = st.selectbox(tr("review.ui.pick"), list(labels), format_func=labels.get, key="review_pick",
                      placeholder=tr("review.ui.ph_review"))
reset_forms(picked)
data = guarded(lambda: show_review(actor=actor, review_id=picked))
if data is None:
    st.stop()
summary(data)
if actor.role == "vendor":
    vendor_view(actor, data)
else:
    meeting, checklist, decision, records = st.tabs(
        [tr("review.ui.tab_meeting"), tr("review.ui.tab_checklist"), tr("review.ui.tab_decision"),
         tr("review.ui.tab_sign")])
    with meeting:
        meeting_tab(actor, data)
    with checklist:
        checklist_tab(actor, data)
    with decision:
        decision_tab(actor, data)
    with records:
        sign_tab(actor, data)
