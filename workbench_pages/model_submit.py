"""模型提交 / Submit model (vendors, admin): artifact + model card → registered version and trial."""

from __future__ import annotations

import streamlit as st

from models.card import card_template
from models.forms import card_form, saved_uploads
from models.service import submit_model
from sandbox.ui import guarded, lang, require, tr, trm

TYPES = {"mlflow": ["zip"], "onnx": ["onnx"], "predictions": ["csv", "txt", "xlsx", "xls", "parquet"]}

actor = require("models.submit")
st.title(tr("nav.model_submit"))
st.caption(tr("models.page.submit_hint"))
labels = {k: tr(f"models.kind.{k}") for k in TYPES} | {s: tr(f"models.page.card_{s}") for s in ("file", "form")}
kind = st.radio(tr("models.page.kind"), list(TYPES), format_func=labels.get, horizontal=True, key="submit_kind")
upload = st.file_uploader(tr("models.page.artifact"), type=TYPES[kind], key=f"submit_file_{kind}")
id_column = st.text_input(tr("models.page.id_column"), value="编号", key="submit_id_column") \
    if kind == "predictions" else None
source = st.radio(tr("models.page.card_source"), ["file", "form"], format_func=labels.get, horizontal=True,
                  key="submit_card_source")
card_upload = st.file_uploader(tr("models.page.card_file"), type=["yaml", "yml", "json"], key="submit_card_file") \
    if source == "file" else None
if source == "file":
    template_lang = "en" if lang() == "en" else "zh"
    st.download_button(tr("models.page.card_template"), card_template(lang=template_lang).encode("utf-8"),
                       file_name=f"model_card_template.{template_lang}.yaml", mime="text/yaml", key="submit_card_template")
card_data = card_form(actor) if source == "form" else None

if st.button(tr("models.page.submit"), type="primary", key="submit_go"):
    if upload is None or (source == "file" and card_upload is None):
        st.warning(tr("models.page.need_files"))
    else:
        bar = st.progress(0.0, text=tr("models.step.start"))
        with saved_uploads(upload, card_upload) as (artifact, card_path):
            result = guarded(lambda: submit_model(
                actor=actor, artifact=artifact, card=card_path or card_data, kind=kind, id_column=id_column,
                display_name=upload.name,
                progress=lambda step, fraction: bar.progress(fraction, text=tr(f"models.step.{step}")),
            ))
        if result:
            st.success(trm("models.page.submitted", name=result["name"], version=result["version"],
                          trial_id=result["trial_id"]))
            if result.get("isolation") == "weak":
                st.warning(tr("models.weak_isolation"))
            st.code(f"sha256 {result['sha256']}", language=None)
            st.markdown(f"[{tr('models.page.open_mlflow')}]({result['mlflow_url']})")
