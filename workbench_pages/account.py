"""My account: change password (re-seals the signing key), signing-key history, declare a key compromised."""

from __future__ import annotations

import streamlit as st

from sandbox.accounts import change_password, rotate_key, signing_keys
from sandbox.ui import guarded, local_time_text, require, tr

actor = require("home.view")
st.title(tr("nav.account"))

st.subheader(tr("accounts.ui.change_title"))
with st.form("change_password", clear_on_submit=True):
    old = st.text_input(tr("accounts.ui.old_password"), type="password", key="old_password")
    new = st.text_input(tr("accounts.ui.new_password"), type="password", key="new_password1")
    again = st.text_input(tr("accounts.ui.repeat_password"), type="password", key="new_password2")
    submitted = st.form_submit_button(tr("accounts.ui.change_button"), type="primary")
if submitted:
    if new != again:
        st.error(tr("accounts.password_mismatch"))
    else:
        done = guarded(lambda: change_password(actor=actor, old_password=old, new_password=new))
        if done is not None:
            st.success(tr("accounts.password_changed" if done["resealed"] else "accounts.password_changed_nokey",
                          username=actor.username))

st.subheader(tr("accounts.ui.keys_title"))
keys = guarded(lambda: signing_keys(actor=actor, username=actor.username)) or []
if keys:
    st.dataframe(
        [{tr("accounts.ui.col_fingerprint"): k["fingerprint"], tr("accounts.ui.col_status"): tr(f"accounts.key_status.{k['status']}"),
          tr("accounts.ui.col_created"): local_time_text(k["created_at"]),
          tr("accounts.ui.col_retired"): local_time_text(k["retired_at"]),
          tr("accounts.ui.col_reason"): tr(f"accounts.key_reason.{k['reason']}") if k["reason"] else ""} for k in keys],
        hide_index=True, use_container_width=True,
    )
else:
    st.caption(tr("accounts.ui.no_keys"))

with st.expander(tr("accounts.ui.rotate_title")), st.form("rotate_key", clear_on_submit=True):
    note = st.text_input(tr("accounts.ui.rotate_note"), key="rotate_note")
    password = st.text_input(tr("app.password"), type="password", key="rotate_password")
    rotate = st.form_submit_button(tr("accounts.ui.rotate_button"))
if rotate:
    done = guarded(lambda: rotate_key(actor=actor, password=password, note=note))
    if done is not None:
        st.success(tr("accounts.key_rotated", username=actor.username, old=(done["retired"] or tr("accounts.no_key"))[:16],
                      new=(done["fingerprint"] or tr("accounts.no_key"))[:16]))
