"""数据发布 / Data release: numbered steps, each behind its own button (services in privacy.steward)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from privacy.deid import list_policies
from privacy.steward import (
    UPLOAD_TYPES,
    deid_preview,
    package_release,
    release_dp_table,
    release_sources,
    save_upload,
    scan_source,
    source_overview,
    source_risk,
    trial_choices,
)
from sandbox.ui import guarded, require, tr, trm, upload_hint

actor = require("privacy.release")
st.title(tr("nav.data_release"))
st.caption(tr("privacy.page.intro"))

# 1 — dataset and policy
st.subheader(tr("privacy.page.step_source"))
choices = guarded(lambda: release_sources(actor=actor)) or {}
upload = st.file_uploader(tr("privacy.page.upload"), type=list(UPLOAD_TYPES), key="rel_upload")
upload_hint()
if upload is not None:
    saved = guarded(lambda: save_upload(actor=actor, name=upload.name, data=upload.getvalue()))
    choices = {upload.name: saved, **choices} if saved is not None else choices
if not choices:
    st.info(tr("privacy.page.no_data"))
    st.stop()
name = st.selectbox(tr("privacy.page.dataset"), list(choices), key="rel_dataset",
                    placeholder=tr("privacy.page.dataset_placeholder"))
policies = list_policies()
policy = st.selectbox(tr("privacy.page.policy"), policies, key="rel_policy",
                      index=policies.index("default") if "default" in policies else 0,
                      placeholder=tr("privacy.page.policy_placeholder"))
if name is None or policy is None:
    st.stop()
path = choices[name]
if st.session_state.get("rel_context") != (str(path), policy):  # a new dataset/policy: earlier results go
    st.session_state["rel_context"] = (str(path), policy)
    for key in ("rel_results", "rel_ds", "rel_by", "rel_quasi", "rel_sensitive", "rel_keys_from_data"):
        st.session_state.pop(key, None)
results: dict = st.session_state.setdefault("rel_results", {})
view = guarded(lambda: source_overview(actor=actor, path=path, policy=policy, dataset=st.session_state.get("rel_ds"),
                                       by=st.session_state.get("rel_by"), is_upload=upload is not None
                                       and name == upload.name))
if view is None:
    st.stop()
st.caption(trm("privacy.page.source_info", rows=view["rows"], columns=len(view["columns"])))
if view["read_notes"]:  # title/footer rows skipped, header rows joined: the steward sees what was not read as data
    st.warning("\n".join([tr("read.notes.heading"), *(f"- {note}" for note in view["read_notes"])]))

# 2 — full personal-information scan
st.subheader(tr("privacy.page.scan"))
if st.button(tr("privacy.page.scan_button"), key="rel_scan"):
    bar = st.progress(0.0, text=trm("privacy.page.scanning", what=name))
    scan = guarded(lambda: scan_source(actor=actor, path=path, display_name=name, progress=lambda share, what: bar.progress(
        min(1.0, max(0.0, share)), text=trm("privacy.page.scanning", what=what or name))))
    bar.empty()
    if scan is not None:
        results["scan"] = scan
if (scan := results.get("scan")) is not None:
    st.write(trm("privacy.page.scan_found", rows=scan["rows_scanned"],
                types=", ".join(f"{k}×{v}" for k, v in scan["entity_types"].items()) or "—",
                columns=", ".join(scan["pii_columns"]) or "—"))

# 3 — de-identification preview and file
st.subheader(tr("privacy.page.preview"))
if st.button(tr("privacy.page.deid_button"), key="rel_deid"):
    bar = st.progress(0.0, text=trm("privacy.page.scanning", what=name))
    made = guarded(lambda: deid_preview(actor=actor, path=path, policy=policy, display_name=name,
                                        progress=lambda share, what: bar.progress(min(1.0, max(0.0, share)), text=trm(
                                            "privacy.page.scanning", what=what or name))))
    bar.empty()
    if made is not None:
        results["deid"] = made
if (deid := results.get("deid")) is not None:
    left, right = st.columns(2)
    left.caption(tr("privacy.page.before"))
    left.dataframe(deid["before"], hide_index=True)
    right.caption(tr("privacy.page.after"))
    right.dataframe(deid["after"], hide_index=True)
    st.caption(trm("privacy.page.operations", operations=" · ".join(f"{o['column']}: {o['operator']}"
                                                                     for o in deid["operations"])))
    st.caption(trm("privacy.page.deid_file", rows=deid["rows_out"], suppressed=deid["suppressed_rows"]))
    if deid.get("headers"):  # names in the header row, replaced (the preview shows the new headers)
        st.caption(trm("privacy.page.deid_headers", types=", ".join(f"{k}×{v}" for k, v in deid["headers"].items())))

    def _counts(counts: dict | None) -> str:
        if counts is None:
            return tr("privacy.deid.dropped")
        return ", ".join(f"{k}×{v}" for k, v in counts.items()) or "—"

    st.write(trm("privacy.page.pii_counts", rows=deid["rows_out"], after=_counts(deid["pii_after"]) if deid["pii_after"]
                else tr("privacy.deid.none_found")))
    st.dataframe(pd.DataFrame([{
        tr("privacy.page.col_column"): c["column"], tr("privacy.page.col_kind"): tr(f"pii.kind.{c['kind']}"),
        tr("privacy.page.col_rule"): tr(f"privacy.rule.{c['rule']}"), tr("privacy.page.col_operator"): c["operator"],
        tr("privacy.page.col_before"): _counts(c["before"]), tr("privacy.page.col_after"): _counts(c["after"]),
    } for c in deid["columns"] if c["before"] or c["rule"] != "none"]), hide_index=True, key="rel_deid_counts")
    st.download_button(tr("privacy.page.deid_download"), Path(deid["file"]).read_bytes(),
                       file_name=Path(deid["file"]).name, mime="text/csv", key="rel_deid_download")

# 4 — re-identification risk
st.subheader(tr("privacy.page.risk"))
quasi = st.multiselect(tr("privacy.page.quasi"), view["columns"], default=view["quasi"], key="rel_quasi",
                       placeholder=tr("privacy.page.quasi_placeholder"))
sensitive = st.selectbox(tr("privacy.page.sensitive"), view["columns"], index=None, key="rel_sensitive",
                         placeholder=tr("privacy.page.sensitive_placeholder"))
if st.button(tr("privacy.page.risk_button"), key="rel_risk", disabled=not quasi):
    with st.spinner(tr("privacy.page.risk_button")):
        risk = guarded(lambda: source_risk(actor=actor, path=path, policy=policy, quasi=quasi, sensitive=sensitive))
    if risk is not None:
        results["risk"] = risk
if (risk := results.get("risk")) is not None:
    cols = st.columns(5)
    cols[0].metric("k", risk["k"], help=tr("privacy.page.k_help", target=risk["target_k"]))
    cols[1].metric("ℓ", risk["l_distinct"] if risk["l_distinct"] is not None else "—")
    cols[2].metric(tr("privacy.page.prosecutor"), f"{risk['prosecutor_highest']:.3f}")
    cols[3].metric(tr("privacy.page.journalist"), f"{risk['journalist_highest']:.3f}")
    cols[4].metric(tr("privacy.page.marketer"), f"{risk['marketer']:.3f}")
    sizes = pd.DataFrame({"size": [int(k) for k in risk["class_sizes"]],
                          "classes": list(risk["class_sizes"].values())}).set_index("size")
    st.bar_chart(sizes, x_label=tr("privacy.page.class_size"), y_label=tr("privacy.page.class_count"))
    if risk["violating"]:
        st.dataframe(pd.DataFrame(risk["violating"]), hide_index=True)
    for s in risk["suggestions"]:
        st.write(trm("privacy.page.suggestion", levels=s["levels"], suppressed=s["suppressed"], k=s["k_after"]))

# 5 — DP district × age-band table, charged to the ledger
st.subheader(tr("privacy.page.dp"))
dataset = st.text_input(tr("privacy.page.dataset_name"), value=view["dataset"], key="rel_ds")
by = st.multiselect(tr("privacy.page.by"), view["columns"], default=view["default_by"], key="rel_by",
                    placeholder=tr("privacy.page.by_placeholder"))
from_data = st.checkbox(tr("privacy.page.keys_from_data"), value=False, key="rel_keys_from_data")
if from_data:
    st.caption(":warning: " + tr("privacy.page.keys_from_data_warning"))
else:
    shown = [f"{c}: {'、'.join(v[:8])}{'…' if len(v) > 8 else ''} ({len(v)})" for c, v in view["keys"].items()]
    shown += [f"{c}: {tr('privacy.page.keys_age')}" for c in view["age_columns"]]
    shown += [f"{c}: policy" for c in view["policy_keys"]]
    if shown:
        st.caption(trm("privacy.page.keys_public", keys="；".join(shown)))
    for column in view["missing_keys"]:
        st.warning(trm("privacy.page.keys_none", column=column))
epsilon = st.number_input("ε", min_value=0.01, max_value=10.0, value=0.5, step=0.1, key="rel_eps")
population_reason = st.text_input(tr("privacy.page.new_population"), key="rel_new_population",
                                  help=tr("privacy.page.new_population_help")) or None
budget_slot = st.empty()
budget = view["budget"]
if st.button(tr("privacy.page.run_dp"), key="rel_run_dp", disabled=not by):
    released = guarded(lambda: release_dp_table(actor=actor, path=path, by=by, epsilon=epsilon, dataset=dataset,
                                                policy=policy, keys_from_data=from_data,
                                                population_reason=population_reason))
    if released is not None:
        results["dp"] = released
        budget = released["budget"]
        st.success(trm("privacy.page.budget_left", epsilon=f"{released['epsilon']:g}", dataset=released["dataset"],
                      remaining=f"{budget['epsilon_remaining']:g}", total=f"{budget['epsilon_total']:g}"))
budget_slot.progress(budget["share"], text=tr("privacy.page.budget", spent=f"{budget['epsilon_spent']:g}",
                                             total=f"{budget['epsilon_total']:g}",
                                             remaining=f"{budget['epsilon_remaining']:g}"))
if (dp := results.get("dp")) is not None:
    st.dataframe(dp["table"].table, hide_index=True)
    st.caption(trm("privacy.page.post_processing", notes="; ".join(dp["post_processing"])))

# 6 — release package
st.subheader(tr("privacy.page.package"))
with_hist = st.checkbox(tr("privacy.page.with_histogram"), value=False, key="rel_with_hist")
trials = guarded(lambda: trial_choices(actor=actor)) or {}
trial = st.selectbox(tr("privacy.page.for_trial"), list(trials), index=None, format_func=trials.get, key="rel_trial",
                     placeholder=tr("privacy.page.for_trial_none"), help=tr("privacy.page.for_trial_help"))
if st.button(tr("privacy.page.create"), key="rel_create"):
    with st.spinner(tr("privacy.page.create")):
        made = guarded(lambda: package_release(actor=actor, path=path, dataset=dataset, policy=policy,
                                               quasi=quasi or None, histogram_by=by if with_hist else None,
                                               epsilon=epsilon, keys_from_data=from_data, trial_id=trial,
                                               population_reason=population_reason))
    if made is not None:
        results["package"] = made
if (made := results.get("package")) is not None:
    st.success(trm("privacy.cli.release_done", path=made["zip"], label=made["label"], k=made["k"],
                  epsilon=made["epsilon"]))
    scanned = made["manifest"]["scan"]
    st.caption(trm("privacy.page.package_scan", rows=scanned["release"]["rows_scanned"],
                  before=", ".join(f"{k}×{v}" for k, v in scanned["source"]["entity_types"].items()) or "—",
                  after=", ".join(f"{k}×{v}" for k, v in scanned["release"]["entity_types"].items())
                  or tr("privacy.deid.none_found")))
    if made["anonymisation_reasons"]:
        st.caption(trm("privacy.page.why_deid", reasons="；".join(made["anonymisation_reasons_shown"])))
    st.download_button(tr("privacy.page.download"), Path(made["zip"]).read_bytes(), file_name=Path(made["zip"]).name,
                       mime="application/zip", key="rel_download")
