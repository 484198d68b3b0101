"""Large sources on Spark: a fairness audit or a DP histogram of a registered Parquet folder or table.

Uploads stay on the pandas pages; this page offers only the sources an
administrator registered (``SANDBOX_LARGE_SOURCES``). The job runs in the
background: a progress bar from Spark's stages and a cancel button.
"""

from __future__ import annotations

import streamlit as st

from sandbox.engines import background_status, cancel_job, large_sources, start_background
from sandbox.roles import can
from sandbox.ui import guarded, require, tr

actor = require("engines.large")
st.title(tr("large.title"))
st.caption(tr("large.caption"))
sources = guarded(lambda: large_sources(actor=actor)) or {}
if not sources:
    st.info(tr("large.none"))
    st.stop()

name = st.selectbox(tr("large.source"), list(sources), key="large_source")
st.caption(f"`{sources[name]}`")
operations = [op for op, perm in (("audit", "audit.run"), ("histogram", "privacy.release")) if can(actor, perm)]
if not operations:
    st.stop()
operation = st.radio(tr("large.operation"), operations, format_func=lambda op: tr(f"large.op.{op}"),
                     key="large_operation", horizontal=True)

with st.form("large_form"):
    if operation == "audit":
        label = st.text_input(tr("large.label"), "符合救助", key="large_label")
        prediction = st.text_input(tr("large.prediction"), "预测", key="large_prediction")
        age = st.text_input(tr("large.age"), "年龄", key="large_age")
        district = st.text_input(tr("large.district"), "街道镇", key="large_district")
    else:
        by = st.text_input(tr("large.by"), "街道镇,年龄", key="large_by")
        epsilon = st.number_input(tr("large.epsilon"), min_value=0.01, max_value=10.0, value=0.5, key="large_eps")
        dataset = st.text_input(tr("large.dataset"), name, key="large_dataset")
    submitted = st.form_submit_button(tr("large.run"), key="large_run")

if submitted:
    source = sources[name]
    if operation == "audit":
        from audits import ColumnMap, run_audit

        columns = ColumnMap(label=label, prediction=prediction or None, age=age, district=district)

        def work(group, progress):  # type: ignore[no-untyped-def]
            return run_audit(actor=actor, data=source, predictions=source, columns=columns, engine="spark",
                             job_group=group, spark_progress=progress)
    else:
        from privacy.release import release_histogram

        columns_by = [c.strip() for c in by.split(",") if c.strip()]

        def work(group, progress):  # type: ignore[no-untyped-def]
            result = release_histogram(actor=actor, source=source, by=columns_by, epsilon=float(epsilon),
                                       dataset=dataset, keys_from_data=True, engine="spark", job_group=group,
                                       spark_progress=progress)
            return {**{k: v for k, v in result.items() if k != "table"}, "frame": result["table"].table}

    st.session_state["large_job"] = start_background(work, description=f"{operation} {name}")


@st.fragment(run_every=1.0)
def job_panel() -> None:
    group = st.session_state.get("large_job")
    status = background_status(group) if group else None
    if status is None:
        return
    if not status["done"]:
        st.progress(min(status["fraction"], 1.0), text=tr("engines.progress.spark", stage=status["stage"] or "…"))
        if st.button(tr("large.cancel"), key="large_cancel"):
            cancel_job(group)
        return
    if status["error"] is not None:
        st.error(status["error"].render(st.session_state.get("lang", "zh")))
        return
    result = status["result"]
    if "verdict" in result:
        st.success(tr("large.audit_done", verdict=tr(f"audits.verdict.{result['verdict']}"),
                      audit_id=result["audit_id"] or "-", rows=result["n_rows"]))
    else:
        st.success(tr("large.histogram_done", epsilon=result["epsilon"], remaining=result["epsilon_remaining"]))
        st.dataframe(result["frame"], hide_index=True)


job_panel()
