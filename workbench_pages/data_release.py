"""数据发布 / Data release: scan → de-identify → risk → DP aggregates → package."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from privacy.deid import deidentify_frame, list_policies, load_policy
from privacy.ledger import BudgetLedger
from privacy.release import create_release, release_histogram, scan_summary
from privacy.risk import assess_risk
from sandbox.errors import ConfigError
from sandbox.files import atomic_write_bytes, sha256_file
from sandbox.settings import get_settings
from sandbox.tabular import read_table
from sandbox.ui import guarded, lang, require, tr

actor = require("privacy.release")
st.title(tr("nav.data_release"))
st.caption(tr("privacy.page.intro"))

settings = get_settings()
choices = {p.parent.name: p for p in sorted(settings.demo_dir.glob("*/data.csv"))}
upload = st.file_uploader(tr("privacy.page.upload"), type=["csv", "xlsx", "parquet", "jsonl"], key="rel_upload")
if upload is not None:
    target = settings.work_dir / "uploads" / Path(upload.name).name
    atomic_write_bytes(target, upload.getvalue())
    choices = {upload.name: target, **choices}
if not choices:
    st.info(tr("privacy.page.no_data"))
    st.stop()
name = st.selectbox(tr("privacy.page.dataset"), list(choices), key="rel_dataset")
policy_name = st.selectbox(tr("privacy.page.policy"), list_policies(), key="rel_policy")
source = choices[name]
policy = load_policy(policy_name)
loaded = guarded(lambda: read_table(source))
if loaded is None:
    st.stop()
frame = loaded[0]
cache = st.session_state.setdefault("rel_cache", {})
digest = sha256_file(source)

st.subheader(tr("privacy.page.scan"))
scan = cache.get(("scan", digest))
if scan is None:
    try:
        scan = scan_summary(frame.head(2000))
    except ConfigError as exc:  # the scanner is not installed: say so, the rest still works
        st.info(exc.render(lang()))
if scan is not None:
    cache[("scan", digest)] = scan
    st.write(tr("privacy.page.scan_found", types=", ".join(f"{k}×{v}" for k, v in scan["entity_types"].items())
                or "—", columns=", ".join(scan["pii_columns"]) or "—"))

st.subheader(tr("privacy.page.preview"))
preview = guarded(lambda: deidentify_frame(frame.head(5), policy, suppress=False))
if preview is not None:
    left, right = st.columns(2)
    left.caption(tr("privacy.page.before"))
    left.dataframe(frame.head(5), hide_index=True)
    right.caption(tr("privacy.page.after"))
    right.dataframe(preview.frame, hide_index=True)
    st.caption(" · ".join(f"{o['column']}: {o['operator']}" for o in preview.operations))

st.subheader(tr("privacy.page.risk"))
present = [c for c in policy.quasi_identifiers if c in frame.columns]
quasi = st.multiselect(tr("privacy.page.quasi"), list(frame.columns), default=present, key="rel_quasi")
sensitive = st.selectbox(tr("privacy.page.sensitive"), [None, *frame.columns], key="rel_sensitive")
if quasi:
    deid_full = cache.get(("deid", digest, policy.ref))
    if deid_full is None:
        deid_full = guarded(lambda: deidentify_frame(frame.drop(columns=[c for c in policy.columns if policy.columns[c].op == "text" and c in frame.columns]), policy).frame)
        cache[("deid", digest, policy.ref)] = deid_full
    usable = [c for c in quasi if deid_full is not None and c in deid_full.columns]
    sens = sensitive if deid_full is not None and sensitive in deid_full.columns else None
    risk = guarded(lambda: assess_risk(actor=actor, source=deid_full, quasi=usable, sensitive=sens,
                                       policy=policy)) if usable else None
    if risk is not None:
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
            st.write(tr("privacy.page.suggestion", levels=s["levels"], suppressed=s["suppressed"], k=s["k_after"]))

st.subheader(tr("privacy.page.dp"))
dataset = st.text_input(tr("privacy.page.dataset_name"), value=Path(name).stem if upload else name, key="rel_ds")
default_by = [c for c in ("街道镇", "年龄") if c in frame.columns]
by = st.multiselect(tr("privacy.page.by"), list(frame.columns), default=default_by, key="rel_by")
epsilon = st.number_input("ε", min_value=0.01, max_value=10.0, value=0.5, step=0.1, key="rel_eps")
public = st.checkbox(tr("privacy.page.keys_from_data"), value=True, key="rel_public")
status = guarded(lambda: BudgetLedger(actor=actor, dataset=dataset, policy=policy).status())
if status is not None:
    st.progress(min(1.0, status["epsilon_spent"] / status["epsilon_total"]),
                text=tr("privacy.page.budget", spent=f"{status['epsilon_spent']:g}",
                        total=f"{status['epsilon_total']:g}", remaining=f"{status['epsilon_remaining']:g}"))
if by and st.button(tr("privacy.page.run_dp"), key="rel_run_dp"):
    result = guarded(lambda: release_histogram(actor=actor, source=frame, by=by, epsilon=epsilon, dataset=dataset,
                                               policy=policy, keys_from_data=public))
    if result is not None:
        st.dataframe(result["table"].table, hide_index=True)
        st.caption("; ".join(result["post_processing"]))
        st.success(tr("privacy.page.budget_left", remaining=f"{result['epsilon_remaining']:g}"))

st.subheader(tr("privacy.page.package"))
with_hist = st.checkbox(tr("privacy.page.with_histogram"), value=bool(by), key="rel_with_hist")
if st.button(tr("privacy.page.create"), key="rel_create"):
    made = guarded(lambda: create_release(actor=actor, source=source, dataset=dataset, policy=policy,
                                          quasi=quasi or None, histogram_by=by if with_hist and by else None,
                                          epsilon=epsilon, keys_from_data=public))
    if made is not None:
        st.success(tr("privacy.cli.release_done", path=made["zip"], label=made["label"], k=made["k"],
                      epsilon=made["epsilon"]))
        if made["anonymisation_reasons"]:
            st.caption(tr("privacy.page.why_deid", reasons="; ".join(made["anonymisation_reasons"])))
        st.download_button(tr("privacy.page.download"), Path(made["zip"]).read_bytes(),
                           file_name=Path(made["zip"]).name, mime="application/zip", key="rel_download")
