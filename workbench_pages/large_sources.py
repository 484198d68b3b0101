"""Large sources on Spark: fairness audit, DP histogram, personal-information scan or de-identification.

Uploads stay on the pandas pages; this page offers only the sources an
administrator registered (``SANDBOX_LARGE_SOURCES``). Each operation is one
service call run in the background (:func:`sandbox.engines.start_background`):
a progress bar from Spark's stages and a cancel button while it runs, then the
result — for a scan only per-column counts and masked examples, never a raw
value; for de-identification the before/after re-scan counts and the output.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from sandbox.engines import background_status, cancel_job, large_sources, start_background
from sandbox.roles import can
from sandbox.ui import error_text, guarded, require, tr, trm

OPERATIONS = (("audit", "audit.run"), ("histogram", "privacy.release"), ("scan", "privacy.scan"),
              ("deid", "privacy.deid"))

actor = require("engines.large")
st.title(tr("large.title"))
st.caption(tr("large.caption"))
sources = guarded(lambda: large_sources(actor=actor)) or {}
if not sources:
    st.info(tr("large.none"))
    st.stop()

name = st.selectbox(tr("large.source"), list(sources), key="large_source", placeholder=tr("ui.choose"))
st.caption(f"`{sources[name]}`")
operations = [op for op, perm in OPERATIONS if can(actor, perm)]
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
    elif operation == "histogram":
        by = st.text_input(tr("large.by"), "街道镇,年龄", key="large_by")
        epsilon = st.number_input(tr("large.epsilon"), min_value=0.01, max_value=10.0, value=0.5, key="large_eps")
        dataset = st.text_input(tr("large.dataset"), name, key="large_dataset")
        population_reason = st.text_input(tr("privacy.page.new_population"), key="large_new_population",
                                          help=tr("privacy.page.new_population_help")) or None
    elif operation == "scan":
        columns_text = st.text_input(tr("large.columns"), key="large_columns")
    else:
        from privacy.deid import list_policies

        policies = list_policies()
        policy = st.selectbox(tr("large.policy"), policies, key="large_policy",
                              index=policies.index("default") if "default" in policies else 0,
                              placeholder=tr("large.policy_placeholder"))
    if operation in ("scan", "deid"):
        out = st.text_input(tr("large.out"), key=f"large_{operation}_out", placeholder=tr("large.out_placeholder"))
    submitted = st.form_submit_button(tr("large.run"), key="large_run")

if submitted:
    source = sources[name]
    if operation == "audit":
        from audits import ColumnMap, run_audit

        columns = ColumnMap(label=label, prediction=prediction or None, age=age, district=district)

        def work(group, progress):  # type: ignore[no-untyped-def]
            return run_audit(actor=actor, data=source, predictions=source, columns=columns, engine="spark",
                             job_group=group, spark_progress=progress)
    elif operation == "histogram":
        from privacy.release import release_histogram

        columns_by = [c.strip() for c in by.split(",") if c.strip()]

        def work(group, progress):  # type: ignore[no-untyped-def]
            result = release_histogram(actor=actor, source=source, by=columns_by, epsilon=float(epsilon),
                                       dataset=dataset, keys_from_data=True, engine="spark", job_group=group,
                                       spark_progress=progress, population_reason=population_reason)
            return {**{k: v for k, v in result.items() if k != "table"}, "frame": result["table"].table}
    elif operation == "scan":
        from privacy.large import scan_registered

        only = [c.strip() for c in columns_text.replace("，", ",").split(",") if c.strip()] or None

        def work(group, progress):  # type: ignore[no-untyped-def]
            return scan_registered(actor=actor, name=name, out=out, columns=only, progress=progress,
                                   job_group=group)
    else:
        from privacy.large import deidentify_registered

        def work(group, progress):  # type: ignore[no-untyped-def]
            return deidentify_registered(actor=actor, name=name, policy=policy or "default", out=out,
                                         progress=progress, job_group=group)

    st.session_state["large_job"] = start_background(work, description=f"{operation} {name}")


def _plain(text: object) -> str:
    """A value shown literally in ``st.table`` (it renders Markdown: ``138****5678`` would turn bold)."""
    return re.sub(r"([\\`*_{}\[\]<>()#+|~!-])", r"\\\1", str(text))


def _counts(counts: dict[str, int] | None) -> str:
    if counts is None:
        return tr("privacy.deid.dropped")
    return ", ".join(f"{tr(f'pii.entity.{k}')}×{v}" for k, v in counts.items()) or tr("privacy.deid.none_found")


def show_scan(result: dict[str, Any]) -> None:
    """Per-column counts and a few masked values (the findings themselves stay in the output folder)."""
    if result["has_pii"]:
        st.warning(trm("large.scan_done", rows=result["rows"], findings=result["findings"], path=result["out"]))
    else:
        st.success(trm("large.scan_clean", rows=result["rows"], path=result["out"]))
    if result["entity_types"]:
        cols = st.columns(min(6, len(result["entity_types"])))
        for i, (entity, count) in enumerate(result["entity_types"].items()):
            cols[i % len(cols)].metric(tr(f"pii.entity.{entity}"), count)
    st.table(pd.DataFrame([{  # a small HTML table: one row per column, read by people and by the browser test
        tr("pii.col.column"): _plain(c["column"]), tr("pii.col.kind"): tr(f"pii.kind.{c['kind']}"),
        tr("pii.col.entity"): _counts(c["entity_types"]) if c["entity_types"] else "",
        tr("pii.col.cells"): c["cells"], tr("pii.col.hits"): c["hit_cells"], tr("pii.col.share"): f"{c['share']:.1%}",
        tr("large.col.examples"): ", ".join(_plain(v) for v in result["examples"].get(c["column"], [])),
    } for c in result["columns"]]), hide_index=True)


def show_deid(result: dict[str, Any]) -> None:
    """Rows in/out, the output folder, totals and per-column before/after re-scan counts; labelled 去标识化."""
    st.success(trm("large.deid_done", rows_in=result["rows_in"], rows_out=result["rows_out"],
                  suppressed=result["suppressed_rows"], path=result["output"]))
    st.write(trm("large.deid_counts", before=_counts(result["pii_before"]), after=_counts(result["pii_after"])))
    st.table(pd.DataFrame([{
        tr("privacy.page.col_column"): _plain(c["column"]), tr("privacy.page.col_kind"): tr(f"pii.kind.{c['kind']}"),
        tr("privacy.page.col_rule"): tr(f"privacy.rule.{c['rule']}"),
        tr("privacy.page.col_operator"): _plain(c["operator"]),
        tr("privacy.page.col_before"): _counts(c["before"]), tr("privacy.page.col_after"): _counts(c["after"]),
    } for c in result["columns"] if c["before"] or c["rule"] != "none"]), hide_index=True)


@st.fragment(run_every=1.0)
def job_panel(group: str) -> None:
    """While the job runs: its stage progress and a cancel button; when it ends, the whole page reruns."""
    status = background_status(group)
    if status is None or status["done"]:
        st.rerun(scope="app")
    st.progress(min(status["fraction"], 1.0), text=trm("engines.progress.spark", stage=status["stage"] or "…"))
    if st.button(tr("large.cancel"), key="large_cancel"):
        cancel_job(group)


group = st.session_state.get("large_job")
status = background_status(group) if group else None
if status is not None and not status["done"]:
    job_panel(group)
elif status is not None:
    with st.container(key="large_result"):
        result = status["result"]
        if status["error"] is not None:
            st.error(error_text(status["error"]))
        elif result.get("operation") == "scan":
            show_scan(result)
        elif result.get("operation") == "deid":
            show_deid(result)
        elif "verdict" in result:
            st.success(tr("large.audit_done", verdict=tr(f"audits.verdict.{result['verdict']}"),
                          audit_id=result["audit_id"] or "-", rows=result["n_rows"]))
        else:
            st.success(tr("large.histogram_done", epsilon=result["epsilon"], remaining=result["epsilon_remaining"]))
            st.dataframe(result["frame"], hide_index=True)
