"""公平性审计 / Fairness audit: run an audit, then verdicts first, heatmap, groups, what-if, downloads."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from audits import ColumnMap, list_audits, list_policies, run_audit, show_audit
from audits import report as rpt
from audits.pagekit import column_choices, demo_scenarios, registered_versions, save_upload
from sandbox.roles import can
from sandbox.ui import guarded, lang, require, tr

actor = require("audit.view")
st.title(tr("audits.page.title"))
st.caption(tr("audits.page.caption"))
DOMAINS = ["社会救助", "养老", "12345热线", "基层治理", "其他"]


def run_form() -> None:
    scenarios = demo_scenarios()
    sources = [tr("audits.page.data_demo"), tr("audits.page.data_upload")]
    data_choice = "demo" if st.radio(tr("audits.page.data_source"), sources, key=f"audit_data_source_{lang()}",
                                     horizontal=True) == sources[0] else "upload"
    meta = None
    if data_choice == "demo" and scenarios:
        names = {v["name_zh" if lang() == "zh" else "name_en"]: k for k, v in scenarios.items()}
        meta = scenarios[names[st.selectbox(tr("audits.page.scenario"), list(names), placeholder=tr("ui.choose"), key=f"audit_scenario_{lang()}")]]
        data_path = Path(meta["data"])
    else:
        upload = st.file_uploader(tr("audits.page.data_file"), key="audit_data_file")
        data_path = save_upload(upload) if upload else None
    pred_sources = [tr("audits.page.pred_file"), tr("audits.page.pred_model")]
    pred_choice = "file" if st.radio(tr("audits.page.pred_source"), pred_sources, key=f"audit_pred_source_{lang()}",
                                     horizontal=True) == pred_sources[0] else "model"
    model = pred_path = None
    if pred_choice == "model":
        versions = registered_versions(actor)
        model = st.selectbox(tr("audits.page.model"), versions, placeholder=tr("ui.choose"), key="audit_model") if versions else None
    elif meta is not None:
        pred_path = Path(meta["predictions"])
    else:
        upload = st.file_uploader(tr("audits.page.pred_file"), key="audit_pred_file")
        pred_path = save_upload(upload) if upload else None
    if data_path is None:
        st.info(tr("audits.page.need_data"))
        return
    cols = guarded(lambda: column_choices(data_path, pred_path))
    if cols is None:
        return
    defaults = meta or {}
    # keys carry the scenario: switching it brings that scenario's columns and domain, not the last ones
    scope = (meta or {}).get("key", "upload")

    def pick(label: str, key: str, default: str | None, optional: bool = True) -> str | None:
        options = ([""] if optional else []) + cols
        index = options.index(default) if default in options else 0
        return st.selectbox(label, options, index=index, placeholder=tr("ui.choose"), key=key) or None

    c1, c2, c3 = st.columns(3)
    with c1:
        label = pick(tr("audits.page.col_label"), f"audit_col_label_{scope}", defaults.get("label"), optional=False)
        prediction = pick(tr("audits.page.col_prediction"), f"audit_col_prediction_{scope}", defaults.get("prediction"))
        score = pick(tr("audits.page.col_score"), f"audit_col_score_{scope}", defaults.get("score"))
    with c2:
        age = pick(tr("audits.page.col_age"), f"audit_col_age_{scope}", defaults.get("age"))
        id_card = pick(tr("audits.page.col_id_card"), f"audit_col_id_card_{scope}", None)
        district = pick(tr("audits.page.col_district"), f"audit_col_district_{scope}", defaults.get("district"), optional=False)
    with c3:
        policies = [p["name"] for p in list_policies()]
        policy = st.selectbox(tr("audits.page.policy"), policies, placeholder=tr("ui.choose"), key="audit_policy")
        domain = st.selectbox(tr("audits.page.domain"), DOMAINS, placeholder=tr("ui.choose"), key=f"audit_domain_{scope}",
                              index=DOMAINS.index(defaults.get("service_domain", "其他")))
        what_if = st.checkbox(tr("audits.page.what_if"), key="audit_what_if", value=False)
    if st.button(tr("audits.page.run"), type="primary", key="audit_run"):
        bar = st.progress(0.0, text=tr("audits.page.running"))
        columns = ColumnMap(label=label or "", prediction=prediction, score=score, age=age, id_card=id_card,
                            district=district or "", district_code="街道镇代码" if "街道镇代码" in cols else None,
                            id=defaults.get("id"))
        positive = defaults.get("positive_label")
        result = guarded(lambda: run_audit(
            actor=actor, data=data_path, predictions=pred_path, model=model, columns=columns, policy=policy,
            domain=domain, what_if=what_if, positive_label=None if positive is None else str(positive),
            progress=lambda f, s: bar.progress(min(f, 1.0), text=f"{tr('audits.page.running')} {s}")))
        bar.empty()
        if result is not None:
            st.session_state["audit_result"] = result


def show(result: dict) -> None:  # type: ignore[type-arg]
    s, verdict = result["summary"], result["verdict"]
    box = {"pass": st.success, "fail": st.error, "insufficient": st.warning}[verdict]
    box(tr("audits.cli.verdict", verdict=tr(f"audits.verdict.{verdict}"), audit_id=result.get("audit_id") or "-",
           policy=result["policy"]["label"]))
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("audits.verdict.pass"), s["pass"])
    m2.metric(tr("audits.verdict.fail"), s["fail"])
    m3.metric(tr("audits.verdict.insufficient"), s["insufficient"])
    st.caption(rpt.method_text(result, lang()))
    metrics = [m for m in result["groups"][0]["metrics"] if m not in ("count", "mean_prediction", "base_rate")]
    labels = {rpt.metric_label(m, lang()): m for m in metrics}
    headline = result["heatmap"]["metric"]
    metric = labels[st.selectbox(tr("audits.page.heatmap_metric"), list(labels), placeholder=tr("ui.choose"), key=f"audit_heat_metric_{lang()}",
                                 index=metrics.index(headline) if headline in metrics else 0)]
    values, counts = rpt.heatmap_frame(result, metric)
    st.subheader(tr("audits.report.heatmap", metric=rpt.metric_label(metric, lang())))
    text = values.map(lambda v: "—" if v != v else f"{v:.3f}") + counts.map(lambda n: f" (n={n})")
    st.dataframe(text.style.background_gradient(cmap="Blues", gmap=values.fillna(values.min().min()), axis=None),
                 use_container_width=True)
    checks = rpt.checks_frame(result, lang=lang())
    verdict_col = tr("audits.col.verdict")
    st.subheader(tr("audits.report.failures"))
    st.dataframe(checks[checks[verdict_col] == tr("audits.verdict.fail")], hide_index=True, use_container_width=True)
    st.subheader(tr("audits.report.insufficient"))
    st.dataframe(checks[checks[verdict_col] == tr("audits.verdict.insufficient")], hide_index=True,
                 use_container_width=True)
    with st.expander(tr("audits.report.groups")):
        st.dataframe(rpt.groups_frame(result, lang=lang()), hide_index=True, use_container_width=True)
    with st.expander(tr("audits.page.all_checks")):
        st.dataframe(checks, hide_index=True, use_container_width=True)
    if result.get("what_if"):
        st.subheader(tr("audits.page.what_if_title"))
        st.caption(tr("audits.page.what_if_note"))
        st.dataframe(rpt.what_if_frame(result, lang=lang()), hide_index=True, use_container_width=True)
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button("JSON", rpt.render_json(result), "audit_report.json", key="audit_dl_json")
    d2.download_button("CSV", "\ufeff" + rpt.render_csv(result, lang=lang()), "audit_checks.csv", key="audit_dl_csv")
    d3.download_button("HTML", rpt.render_html(result, lang=lang()), "audit_report.html", key="audit_dl_html")
    if st.button(tr("audits.page.make_pdf"), key="audit_pdf"):
        st.session_state["audit_pdf_bytes"] = rpt.render_pdf(result, lang=lang())
    if st.session_state.get("audit_pdf_bytes"):
        d4.download_button("PDF", st.session_state["audit_pdf_bytes"], "audit_report.pdf", key="audit_dl_pdf")


tabs = st.tabs([tr("audits.page.tab_run"), tr("audits.page.tab_history")])
with tabs[0]:
    if can(actor, "audit.run"):
        run_form()
    else:
        st.info(tr("audits.page.view_only"))
with tabs[1]:
    audits = guarded(lambda: list_audits(actor=actor)) or []
    if audits:
        verdicts = {v: tr(f"audits.verdict.{v}") for v in ("pass", "fail", "insufficient")}
        picks = {f"#{a['audit_id']} {a['model_name'] or a['data_file']}/{a['model_version'] or ''} · "
                 f"{verdicts[a['verdict']]}": a["audit_id"] for a in audits}
        chosen = picks[st.selectbox(tr("audits.page.history_pick"), list(picks), placeholder=tr("ui.choose"), key=f"audit_history_{lang()}")]
        if st.button(tr("audits.page.history_open"), key="audit_history_open"):
            opened = guarded(lambda: show_audit(actor=actor, audit_id=chosen))
            if opened is not None:
                st.session_state["audit_result"] = opened
    else:
        st.caption(tr("audits.page.no_audits"))
if st.session_state.get("audit_result"):
    st.divider()
    show(st.session_state["audit_result"])
