"""公平性审计 / Fairness audit: run an audit, then verdicts first, heatmap, groups, what-if, downloads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from audits import ColumnMap, list_audits, list_policies, run_audit, show_audit
from audits import report as rpt
from audits.pagekit import column_choices, demo_scenarios, registered_versions, save_upload, score_profile
from sandbox.roles import can
from sandbox.ui import guarded, lang, md_escape, require, tr, trm, upload_hint

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
        upload_hint()
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
        merge_variants = st.checkbox(tr("audits.page.merge_variants"), key="audit_merge_variants", value=False)
        partial_labels = st.checkbox(tr("audits.page.partial_labels"), key="audit_partial_labels", value=False,
                                     help=tr("audits.page.partial_labels_help"))
    merges = st.text_input(tr("audits.page.merge_map"), help=tr("audits.page.merge_map_help"),
                           key="audit_merge_map").strip() or None
    threshold = direction = order = None
    if score:
        threshold, direction, order = score_inputs(data_path, pred_path, score, scope, needs=not prediction)
    if st.button(tr("audits.page.run"), type="primary", key="audit_run"):
        bar = st.progress(0.0, text=tr("audits.page.running"))
        columns = ColumnMap(label=label or "", prediction=prediction, score=score, age=age, id_card=id_card,
                            district=district or "", district_code="街道镇代码" if "街道镇代码" in cols else None,
                            id=defaults.get("id"))
        positive = defaults.get("positive_label")
        result = guarded(lambda: run_audit(
            actor=actor, data=data_path, predictions=pred_path, model=model, columns=columns, policy=policy,
            domain=domain, what_if=what_if, positive_label=None if positive is None else str(positive),
            threshold=threshold, threshold_direction=direction or "above", score_order=order,
            threshold_source="reviewer" if threshold else None, district_merges=merges, merge_variants=merge_variants,
            partial_labels=partial_labels, progress=lambda f, s: bar.progress(min(f, 1.0), text=f"{tr('audits.page.running')} {s}")))
        bar.empty()
        if result is not None:
            st.session_state["audit_result"] = result


def score_inputs(data_path: Path, pred_path: Path | None, column: str, scope: str, *,
                 needs: bool) -> tuple[str | None, str, str | None]:
    """The score's distribution, then its threshold, direction and (for levels) their order."""
    st.subheader(tr("audits.page.score_title"))
    order = st.text_input(tr("audits.page.score_order"), key=f"audit_score_order_{scope}") or None
    profile = guarded(lambda: score_profile(data_path, pred_path, column, order))
    if profile is None:
        return None, "above", order
    st.caption(trm("audits.page.score_profile", column=column, kind=tr(f"audits.page.score_kind.{profile['kind']}"),
                  minimum="—" if profile["minimum"] is None else f"{profile['minimum']:g}",
                  maximum="—" if profile["maximum"] is None else f"{profile['maximum']:g}", distinct=profile["distinct"]))
    hist = profile["histogram"]
    st.bar_chart(pd.DataFrame({"n": hist["counts"]}, index=pd.Index(hist["bins"], name=column)), height=180)
    c1, c2 = st.columns(2)
    default = "0.5" if profile["kind"] == "probability" else ""
    threshold = c1.text_input(tr("audits.page.threshold"), value=default, help=tr("audits.page.threshold_help"),
                              key=f"audit_threshold_{scope}").strip() or None
    directions = {tr(f"audits.page.direction.{d}"): d for d in ("above", "below")}
    direction = directions[c2.radio(tr("audits.page.threshold_direction"), list(directions),
                                    key=f"audit_threshold_direction_{lang()}", horizontal=True)]
    if needs and profile["needs_threshold"] and threshold is None:
        st.warning(tr("audits.page.threshold_needed"))
    if threshold == default:  # left at the probability default: the report says so
        threshold = None
    return threshold, direction, order


def show_scores(result: dict) -> None:  # type: ignore[type-arg]
    """Threshold statement, sweep chart per age band / district, pass ranges, calibration tables."""
    import altair as alt

    section = result["score"]
    st.subheader(tr("audits.score.title"))
    threshold = rpt.threshold_line(result, lang())
    if threshold:
        st.info(threshold)
    note = rpt.impossibility_text(result, lang())
    if note:
        (st.warning if section["impossibility"] else st.caption)(note)
    dims = [d for d in ("age_band", "district") if d in section["sweep"]["dimensions"]]
    names = {tr(f"audits.dim.{d}"): d for d in dims}
    dimension = names[st.radio(tr("audits.page.sweep_dimension"), list(names), key=f"audit_sweep_dim_{lang()}",
                               horizontal=True)]
    metrics = {rpt.metric_label(m, lang()): m for m in ("selection_rate", "true_positive_rate", "false_positive_rate")}
    metric = metrics[st.selectbox(tr("audits.page.sweep_metric"), list(metrics), key=f"audit_sweep_metric_{lang()}")]
    frame = rpt.sweep_frame(result, dimension=dimension, metric=metric)
    with st.container(key="audit_sweep_chart"):
        st.markdown(f"**{tr('audits.page.sweep_title')}** · {rpt.metric_label(metric, lang())}")
        lines = alt.Chart(frame).mark_line(point=True).encode(
            x=alt.X("threshold:Q", title=tr("audits.score.col.threshold")), y=alt.Y("value:Q", title=None),
            color=alt.Color("group:N", title=tr(f"audits.dim.{dimension}")), tooltip=["label", "group", "value"])
        chosen = frame[frame["chosen"]].drop_duplicates("threshold")
        layers = lines + alt.Chart(chosen).mark_rule(strokeDash=[4, 4]).encode(x="threshold:Q") if len(chosen) else lines
        st.altair_chart(layers, width="stretch")
    st.dataframe(rpt.pass_range_frame(result, lang=lang()), hide_index=True, width="stretch")
    with st.container(key="audit_calibration"):
        st.markdown(f"**{tr('audits.page.calibration_title')}**")
        cal = section["calibration"]
        st.caption(tr("audits.score.calibration_note", max_gap=cal["max_gap"], min_cell=cal["min_cell_size"]))
        st.dataframe(rpt.calibration_frame(result, dimension=dimension, lang=lang()), width="stretch")


def show(result: dict) -> None:  # type: ignore[type-arg]
    s, verdict = result["summary"], result["verdict"]
    box = {"pass": st.success, "fail": st.error, "insufficient": st.warning}[verdict]
    box(tr("audits.cli.verdict", verdict=tr(f"audits.verdict.{verdict}"), audit_id=result.get("audit_id") or "-",
           policy=result["policy"]["label"]))
    if result.get("isolation") == "weak":
        model = result.get("model") or {}
        st.warning(trm("audits.page.weak_isolation", model=f"{model.get('name', '?')}/{model.get('version', '?')}"))
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("audits.verdict.pass"), s["pass"])
    m2.metric(tr("audits.verdict.fail"), s["fail"])
    m3.metric(tr("audits.verdict.insufficient"), s["insufficient"])
    st.caption(rpt.method_text(result, lang()))
    notes = rpt.input_lines(result, lang())
    if notes:
        with st.container(key="audit_input_notes"):
            many = (result.get("unknown") or {}).get("age_rows", 0) >= 0.2 * max(result.get("n_rows") or 1, 1)
            (st.warning if many else st.info)("  \n".join(md_escape(line) for line in notes))
    labelling = rpt.variant_lines(result, lang())
    if labelling:
        with st.container(key="audit_label_variants"):
            shown = st.warning if (result.get("district_labels") or {}).get("variants") else st.info
            shown("  \n".join(md_escape(line) for line in labelling))
    small = rpt.small_group_lines(result, lang())
    if small:
        with st.container(key="audit_small_groups"):
            st.info("  \n".join(md_escape(line) for line in small))
    metrics = [m for m in result["groups"][0]["metrics"] if m not in ("count", "mean_prediction", "base_rate")]
    labels = {rpt.metric_label(m, lang()): m for m in metrics}
    headline = result["heatmap"]["metric"]
    metric = labels[st.selectbox(tr("audits.page.heatmap_metric"), list(labels), placeholder=tr("ui.choose"), key=f"audit_heat_metric_{lang()}",
                                 index=metrics.index(headline) if headline in metrics else 0)]
    values, counts = rpt.heatmap_frame(result, metric)
    st.subheader(tr("audits.report.heatmap", metric=rpt.metric_label(metric, lang())))
    text = values.map(lambda v: "—" if v != v else f"{v:.3f}") + counts.map(lambda n: f" (n={n})")
    st.dataframe(text.style.background_gradient(cmap="Blues", gmap=values.fillna(values.min().min()), axis=None),
                 width="stretch")
    checks = rpt.checks_frame(result, lang=lang())
    verdict_col = tr("audits.col.verdict")
    st.subheader(tr("audits.report.failures"))
    st.dataframe(checks[checks[verdict_col] == tr("audits.verdict.fail")], hide_index=True, width="stretch")
    st.subheader(tr("audits.report.insufficient"))
    st.dataframe(checks[checks[verdict_col] == tr("audits.verdict.insufficient")], hide_index=True,
                 width="stretch")
    if result.get("score"):
        show_scores(result)
    with st.expander(tr("audits.report.groups")):
        st.dataframe(rpt.groups_frame(result, lang=lang()), hide_index=True, width="stretch")
    with st.expander(tr("audits.page.all_checks")):
        st.dataframe(checks, hide_index=True, width="stretch")
    if result.get("what_if"):
        st.subheader(tr("audits.page.what_if_title"))
        st.caption(tr("audits.page.what_if_note"))
        st.dataframe(rpt.what_if_frame(result, lang=lang()), hide_index=True, width="stretch")
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
