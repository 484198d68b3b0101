"""模型登记 / Registry: versions, tags, cards, trial status and history; reviewers move trials on."""

from __future__ import annotations

import streamlit as st
import yaml

from models.card import SERVICE_DOMAINS
from models.service import list_models, model_sandbox, show_model, transition_trial
from models.trials import STATUSES, TRANSITIONS
from sandbox.roles import can
from sandbox.ui import guarded, local_time_text, md_escape, require, tr, trm

actor = require("models.view")
st.title(tr("nav.model_registry"))
labels = {"": tr("models.page.all")} | {s: tr(f"models.status.{s}") for s in STATUSES}
left, right = st.columns(2)
domain = left.selectbox(tr("models.field.service_domain"), ["", *SERVICE_DOMAINS], placeholder=tr("ui.choose"), key="registry_domain",
                        format_func=lambda d: d or labels[""])
status = right.selectbox(tr("models.page.trial_status"), ["", *STATUSES], placeholder=tr("ui.choose"), key="registry_status",
                         format_func=labels.get)
sandbox = guarded(lambda: model_sandbox(actor=actor))
if sandbox:
    with st.expander(tr("models.page.sandbox_title"), expanded=sandbox["mode"] != "bwrap"):
        if sandbox["mode"] == "bwrap":
            st.markdown(f":shield: {tr('models.page.sandbox_ok')}")
        elif sandbox["mode"] == "weak":
            st.warning(tr("models.page.sandbox_weak", missing=sandbox["missing"]))
        else:
            st.error(tr("models.page.sandbox_missing", missing=sandbox["missing"]))
        st.caption(tr("models.page.sandbox_limits", **{k: sandbox[k] for k in (
            "memory_mb", "cpu_seconds", "wall_seconds", "output_mb", "processes", "open_files")}))
rows = guarded(lambda: list_models(actor=actor, service_domain=domain or None, trial_status=status or None)) or []
if not rows:
    st.info(tr("models.cli_none"))
    st.stop()
# MLflow's aliases against the signed records: a moved @approved is said above the table, once per model
_alias_shown: set[tuple[str, str]] = set()
for _row in rows:
    for _p in _row.get("alias_problems") or []:
        if (_p["name"], _p["alias"]) not in _alias_shown:
            _alias_shown.add((_p["name"], _p["alias"]))
            st.error(trm(_p["key"], **_p["params"]))
if rows[0].get("alias_checked") is False:
    st.warning(trm("models.alias.unchecked", reason=rows[0].get("alias_unchecked_reason") or "-"))
st.dataframe([{
    tr("models.page.col_model"): r["name"], tr("models.page.col_version"): r["version"],
    tr("models.field.model_version"): r["card_version"], tr("col.vendor"): r["vendor"],
    tr("models.field.service_domain"): r["service_domain"], tr("models.page.trial_status"):
    tr(f"models.status.{r['trial_status']}"), tr("models.field.risk_tier"): r["risk_tier"] or "",
    tr("models.page.kind"): tr(f"models.kind.{r['kind']}"), tr("models.page.aliases"): ", ".join(r["aliases"]),
    "sha256": r["sha256"][:12],
} for r in rows], hide_index=True, use_container_width=True)

pick = st.selectbox(tr("models.page.pick"), [f"{r['name']}/{r['version']}" for r in rows], placeholder=tr("ui.choose"), key="registry_pick")
name, version = pick.rsplit("/", 1)
detail = guarded(lambda: show_model(actor=actor, name=name, version=version))
if detail:
    status_label = tr(f"models.status.{detail['trial_status']}")
    # the card's name and version are the vendor's text: a subheader renders Markdown (an image would be fetched)
    st.subheader(f"{md_escape(detail['model_name'])} {md_escape(detail['card_version'])} · {status_label}")
    st.markdown(f"[{tr('models.page.open_mlflow')}]({detail['mlflow_url']}) · trial {detail['trial_id']}")
    st.code(f"sha256 {detail['sha256']}", language=None)
    card_tab, history_tab, files_tab = st.tabs([tr("models.page.card"), tr("models.page.history"),
                                                tr("models.page.files")])
    card_tab.code(yaml.safe_dump(detail["card"], allow_unicode=True, sort_keys=False), language="yaml")
    history_tab.dataframe([{**e, "at": local_time_text(e["at"])} for e in detail["events"]], hide_index=True, use_container_width=True)
    files_tab.dataframe(detail["files"], hide_index=True, use_container_width=True)
    allowed = sorted(TRANSITIONS.get(detail["trial_status"], ()))
    if can(actor, "trials.transition") and allowed:
        with st.form("registry_transition"):
            target = st.selectbox(tr("models.page.next_status"), allowed, placeholder=tr("ui.choose"), key="registry_next",
                                  format_func=labels.get)
            note = st.text_input(tr("models.page.note"), key="registry_note")
            if st.form_submit_button(tr("models.page.apply")):
                done = guarded(lambda: transition_trial(actor=actor, trial_id=detail["trial_id"], to_status=target,
                                                        note=note))
                if done:
                    st.success(trm("models.cli_transitioned", trial_id=done["trial_id"],
                                  from_status=tr(f"models.status.{done['from_status']}"),
                                  status=tr(f"models.status.{done['status']}")))
                    for problem in done.get("alias_problems") or []:
                        st.error(trm(problem["key"], **problem["params"]))
