"""审查记录 / Records: list, filter, chain heads to publish, verify (database or an uploaded export), export."""

from __future__ import annotations

import streamlit as st

from sandbox.review import (
    DECISIONS,
    FOLLOWUP_DECISIONS,
    export_bytes,
    list_records,
    verify_all,
    verify_message,
    verify_upload,
)
from sandbox.review.ui import choice_label
from sandbox.review.ui_conditions import heads_panel
from sandbox.ui import guarded, lang, md_escape, require, tr

actor = require("records.verify")
st.title(tr("nav.records"))
cols = st.columns(2)
decisions = {d: choice_label(d) if d else tr("review.ui.all_decisions") for d in ["", *DECISIONS, *FOLLOWUP_DECISIONS]}
decision = cols[0].selectbox(tr("review.ui.decision"), list(decisions), key="records_decision", format_func=decisions.get,
                             placeholder=tr("review.ui.ph_decision"))
vendor = cols[1].text_input(tr("col.vendor"), key="records_vendor")
rows = guarded(lambda: list_records(actor=actor, decision=decision or None, vendor=vendor or None)) or []
st.dataframe([{tr("review.ui.record"): r["record_id"], tr("review.ui.model"): r["model"], tr("col.vendor"): r["vendor"],
               tr("review.ui.decision"): choice_label(r["decision"]), tr("review.ui.tier"): r["tier"], tr("col.when"): r["date"],
               tr("review.ui.next_review"): r["next_review"], tr("review.ui.supersedes"): r["supersedes"] or "",
               tr("review.ui.signatures"): ", ".join(r["signatures"])} for r in rows],
             hide_index=True, width="stretch")


heads_panel(actor)


def _show(result: dict) -> None:
    # the message quotes the file (a Markdown line, a record id): shown as text, not Markdown
    (st.success if result["ok"] else st.error)(md_escape(verify_message(result, lang())))


if st.button(tr("review.ui.verify_all"), key="records_verify_all"):
    result = guarded(lambda: verify_all(actor=actor, aliases=True))
    if result is not None:
        _show(result)
upload = st.file_uploader(tr("review.ui.verify_file"), type=["json", "md"], key="records_upload")
if upload is not None:
    _show(verify_upload(upload.getvalue(), name=upload.name, actor=actor))
if rows:
    record = st.selectbox(tr("review.ui.record"), [r["record_id"] for r in rows], key="records_pick",
                          placeholder=tr("review.ui.ph_record"))
    fmt = st.radio(tr("review.ui.format"), ["pdf", "md", "json"], horizontal=True, key="records_format")
    if st.button(tr("review.ui.prepare"), key="records_prepare"):
        data = guarded(lambda: export_bytes(actor=actor, record_id=record, fmt=fmt))
        if data is not None:
            st.download_button(tr("review.ui.download"), data, file_name=f"{record}.{fmt}", key="records_download")
