"""AppTest smoke tests of the 公平性审计 page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.users import actor_for

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "workbench_pages" / "fairness_audit.py")


def _page(username: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = actor_for(username)
    at.session_state["lang"] = lang
    return at


def test_reviewer_runs_a_demo_audit_and_sees_verdict_first(demo_home: Path) -> None:
    at = _page("reviewer").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "公平性审计"
    at.selectbox(key="audit_scenario_zh").set_value("养老资格无感核验").run()
    assert at.checkbox(key="audit_partial_labels").label.startswith("仅部分行有标签")
    at.checkbox(key="audit_partial_labels").check()  # every demo row is labelled: the same verdict
    at.button(key="audit_run").click().run()
    assert not at.exception, at.exception
    assert at.error and at.error[0].value.startswith("审计结论：不通过")
    assert at.selectbox(key="audit_heat_metric_zh").value == "选择率（通过率）"
    assert len(at.dataframe) >= 3


def test_history_opens_a_recorded_audit_in_english(demo_home: Path) -> None:
    at = _page("chair", "en").run()
    assert not at.exception
    at.button(key="audit_history_open").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("Audit verdict: Fail")


def test_vendor_sees_only_history(demo_home: Path) -> None:
    at = _page("vendor_b").run()
    assert not at.exception
    assert at.info[0].value.startswith("您可以查看本单位模型的审计记录")
    options = at.selectbox(key="audit_history_zh").options
    assert options and all("grassroots" in o or "risk" in o for o in options)


def test_risk_scores_show_threshold_sweep_and_calibration(demo_home: Path) -> None:
    at = _page("reviewer").run()
    at.selectbox(key="audit_scenario_zh").set_value("基层治理风险预警").run()
    assert not at.exception, at.exception
    assert at.text_input(key="audit_threshold_risk_warning").value == "0.5"  # a probability: default 0.5
    assert any(c.value.startswith("评分列 评分：概率") for c in at.caption)
    at.button(key="audit_run").click().run()
    assert not at.exception, at.exception
    shown = [i.value for i in at.info]
    assert any(i.startswith("决策取自预测列 预测") and "≥ 0.5（来源：默认值" in i for i in shown), shown
    assert at.get("vega_lite_chart"), "no sweep chart"
    frames = {(*tuple(d.value.columns)[:3], d.value.index.name): d.value for d in at.dataframe}
    ranges = next(v for k, v in frames.items() if "达标阈值范围（点估计）" in k)
    assert len(ranges) >= 3 and set(ranges["维度"]) == {"年龄段", "街道/镇"}
    calibration = next(v for k, v in frames.items() if k[-1] == "评分段")
    assert calibration.shape[0] == 10 and "80+" in calibration.columns
    at.radio(key="audit_sweep_dim_zh").set_value("街道/镇").run()
    assert not at.exception, at.exception
    assert any("於潜镇" in d.value.columns for d in at.dataframe if d.value.index.name == "评分段")
