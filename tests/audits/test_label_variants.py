"""District labels written several ways (城关街道 / 城关街道办事处): found, named with their rows, merged only on request."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits import ColumnMap, run_audit
from audits._labels import canonical_label, find_variants, merge_plan, parse_merges
from audits.report import render_html, render_pdf, variant_lines
from sandbox.cli import app
from sandbox.demo.people import DEMO_PASSWORD
from sandbox.errors import InputError
from sandbox.i18n import t

from .conftest import synthetic

runner = CliRunner()
AS = ["--as", "reviewer", "--password", DEMO_PASSWORD]
# how a real export writes the same places: (label in conftest.DISTRICTS, other spelling, share of its rows)
SPELLINGS = [("西湖街道", "西湖街道办事处", 0.3), ("留下镇", "留下镇（原留下乡）", 0.25), ("三墩镇", "三墩镇 ", 0.0),
             ("北山街道", "北山 街道", 0.2)]


@pytest.mark.parametrize(("written", "key"), [
    ("城关街道办事处", "城关街道"), ("城关街道办", "城关街道"), ("城关　街道", "城关街道"), (" 城关街道 ", "城关街道"),
    ("青石镇（原青石乡）", "青石镇"), ("青石镇(原 青石乡)", "青石镇"), ("青石镇【曾用名青石乡】", "青石镇"),
    ("青石镇人民政府", "青石镇"), ("东风村委会", "东风村"), ("东风村民委员会", "东风村"), ("新华社区居委会", "新华社区"),
    ("新华社区居民委员会", "新华社区"), ("ＡＢ镇", "AB镇"), ("乌兰嘎查村民委员会", "乌兰嘎查"),
    # not variants of anything: the note is part of the name, the suffix is the whole name
    ("城关镇(一)", "城关镇(一)"), ("街道办事处", "街道办事处"), ("高新区街道", "高新区街道"),
])
def test_canonical_label(written: str, key: str) -> None:
    assert canonical_label(written) == key


def test_variants_are_grouped_with_rows_and_a_suggested_name() -> None:
    counts = {"城关街道": 500, "城关街道办事处": 120, "锦城区城关街道": 3, "青石镇（原青石乡）": 12, "青石镇": 40,
              "东风村委会": 9, "城关镇": 80, "高新区街道": 4, "新区街道": 3, "未知": 7, "未 知": 1}
    found = [v.as_dict() for v in find_variants(counts, skip=("未知",))]
    assert found == [
        {"key": "城关街道", "suggested": "城关街道", "rows": 623,
         "labels": [{"label": "城关街道", "n": 500}, {"label": "城关街道办事处", "n": 120},
                    {"label": "锦城区城关街道", "n": 3}]},
        {"key": "青石镇", "suggested": "青石镇", "rows": 52,
         "labels": [{"label": "青石镇", "n": 40}, {"label": "青石镇（原青石乡）", "n": 12}]},
    ]
    # without the short form in the data the label with most rows is suggested
    only_long = find_variants({"东风村委会": 9, "东风村民委员会": 30})
    assert only_long[0].suggested == "东风村民委员会"


def test_merge_mappings_are_parsed_and_checked() -> None:
    assert parse_merges("城关街道办事处=城关街道；青石镇（原青石乡）＝青石镇\nA -> B") == {
        "城关街道办事处": "城关街道", "青石镇（原青石乡）": "青石镇", "A": "B"}
    assert parse_merges(["A=B", "C→D"]) == {"A": "B", "C": "D"}
    with pytest.raises(InputError) as bad:
        parse_merges("城关街道办事处")
    assert bad.value.key == "audits.errors.merge_syntax"
    counts = {"城关街道": 5, "城关街道办事处": 2, "青石镇": 4}
    with pytest.raises(InputError) as unknown:
        merge_plan(counts, merges={"城关街道办": "城关街道"}, merge_variants=False, file="d.csv", column="街道镇")
    assert unknown.value.key == "audits.errors.merge_unknown"
    assert t(unknown.value.key, "zh", **unknown.value.params) == (
        "要合并的名称“城关街道办”不在文件 d.csv 的列“街道镇”中（相近的名称：城关街道、城关街道办事处）。请照报告中列出的写法填写。")
    with pytest.raises(InputError) as chain:
        merge_plan(counts, merges={"城关街道办事处": "城关街道", "城关街道": "青石镇"}, merge_variants=False,
                   file="d.csv", column="街道镇")
    assert chain.value.key == "audits.errors.merge_chain"
    assert t(chain.value.key, "en", **chain.value.params).startswith("“城关街道办事处” is merged into “城关街道”")
    plan = merge_plan(counts, merges={}, merge_variants=True, file="d.csv", column="街道镇")
    assert plan == {"城关街道办事处": ("城关街道", "suggested")}


def _export(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The synthetic audit table with some rows of four places written another way (seeded)."""
    frame = synthetic(6000, seed=11)
    rng = np.random.default_rng(3)
    for label, other, share in SPELLINGS:
        rows = np.flatnonzero((frame["街道镇"] == label).to_numpy())
        if share:
            frame.loc[rows[rng.random(len(rows)) < share], "街道镇"] = other
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    return path, frame


def _audit(actor, path: Path, **extra):  # type: ignore[no-untyped-def]
    columns = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇")
    return run_audit(actor=actor, data=path, predictions=path, columns=columns, replicates=200, record=False, **extra)


def test_the_audit_names_variants_and_merges_only_on_request(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, frame = _export(tmp_path)
    written = frame["街道镇"].str.strip().value_counts()
    result = _audit(reviewer, path)
    labelling = result["district_labels"]
    assert labelling["merged"] == [] and labelling["column"] == "街道镇"
    found = {v["suggested"]: {x["label"]: x["n"] for x in v["labels"]} for v in labelling["variants"]}
    assert found == {"西湖街道": {"西湖街道": written["西湖街道"], "西湖街道办事处": written["西湖街道办事处"]},
                     "留下镇": {"留下镇": written["留下镇"], "留下镇（原留下乡）": written["留下镇（原留下乡）"]},
                     "北山街道": {"北山街道": written["北山街道"], "北山 街道": written["北山 街道"]}}
    assert result["warnings"] == [{"code": "district_label_variants", "column": "街道镇", "groups": 3}]
    groups = {g["group"]: g["n"] for g in result["groups"] if g["dimension"] == "district"}
    assert groups["西湖街道办事处"] == written["西湖街道办事处"]  # never merged silently
    lines = variant_lines(result, "zh")
    assert lines[0] == "注意：列“街道镇”中有 3 组名称疑似同一地方的不同写法，审计仍把它们算作不同群体（未合并）："
    assert f"  “西湖街道”（{written['西湖街道']} 行）、“西湖街道办事处”（{written['西湖街道办事处']} 行） → 建议统一为“西湖街道”" in lines
    assert "--merge-variants" in lines[-1] and "--merge" in lines[-1]

    merged = _audit(reviewer, path, merge_variants=True)
    assert merged["district_labels"]["variants"] == [] and merged["warnings"] == []
    assert {(m["from"], m["to"], m["n"], m["by"]) for m in merged["district_labels"]["merged"]} == {
        ("西湖街道办事处", "西湖街道", written["西湖街道办事处"], "suggested"),
        ("留下镇（原留下乡）", "留下镇", written["留下镇（原留下乡）"], "suggested"),
        ("北山 街道", "北山街道", written["北山 街道"], "suggested")}
    groups = {g["group"]: g["n"] for g in merged["groups"] if g["dimension"] == "district"}
    assert groups == {"西湖街道": written["西湖街道"] + written["西湖街道办事处"],
                      "北山街道": written["北山街道"] + written["北山 街道"], "灵隐街道": written["灵隐街道"],
                      "留下镇": written["留下镇"] + written["留下镇（原留下乡）"], "三墩镇": written["三墩镇"]}
    en = variant_lines(merged, "en")
    assert en[0] == "Labels of column “街道镇” merged on request:"
    assert f"  “西湖街道办事处” ({written['西湖街道办事处']} rows) → “西湖街道” (suggested merge)" in en

    # the reviewer's own mapping for one place: the others are still named
    partial = _audit(reviewer, path, district_merges="留下镇（原留下乡）=留下镇")
    assert [m["by"] for m in partial["district_labels"]["merged"]] == ["reviewer"]
    assert {v["suggested"] for v in partial["district_labels"]["variants"]} == {"西湖街道", "北山街道"}
    html = render_html(partial, lang="zh")
    assert "审查员指定" in html and "建议统一为“西湖街道”" in html
    assert render_pdf(partial, lang="en").startswith(b"%PDF")


def test_cli_warns_on_stderr_and_merges_with_options(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, _frame = _export(tmp_path)
    args = ["audit", "run", "--data", str(path), "--predictions", str(path), "--label", "符合救助", "--prediction",
            "预测", "--age", "年龄", "--district", "街道镇", "--replicates", "200", "--dry-run", *AS]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in (3, 4), result.output
    assert len(json.loads(result.stdout)["district_labels"]["variants"]) == 3
    assert "注意：列“街道镇”中有 3 组名称疑似同一地方的不同写法" in result.stderr
    merged = runner.invoke(app, ["--lang", "en", *args, "--merge", "西湖街道办事处=西湖街道", "--merge",
                                 "北山 街道=北山街道"])
    assert merged.exit_code in (3, 4), merged.output
    assert "Labels of column “街道镇” merged on request:" in merged.stderr
    assert "Warning: in column “街道镇”, 1 set(s) of labels look like one place" in merged.stderr
    assert "“留下镇” (" in merged.stderr
    wrong = runner.invoke(app, [*args, "--merge", "西湖街道办=西湖街道"])
    assert wrong.exit_code == 1
    assert "要合并的名称“西湖街道办”不在文件 export.csv 的列“街道镇”中（相近的名称：西湖街道办事处、西湖街道）" in wrong.output


def test_recorded_audit_carries_it_into_the_review_evidence(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from audits.evidence import audit_evidence
    from sandbox.review._export import district_labels_text
    from sandbox.review._record import _audit_summary

    path, _frame = _export(tmp_path)
    columns = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇")
    run_audit(actor=reviewer, data=path, predictions=path, columns=columns, replicates=200, model=None,
              district_merges="留下镇（原留下乡）=留下镇")
    # audit_evidence is per model version; a predictions-only audit has none: read the stored report instead
    from audits import show_audit

    report = show_audit(actor=reviewer, audit_id=1)
    assert report["district_labels"]["merged"][0]["from"] == "留下镇（原留下乡）"
    summary = _audit_summary([{"verdict": "fail", "district_labels": report["district_labels"]}])
    lines = district_labels_text(summary["district_labels"])
    assert lines[0].startswith("列“街道镇”按要求合并 merged on request: “留下镇（原留下乡）”（")
    assert any(x.startswith("注意：列“街道镇”疑似同一地方的不同写法") and "“西湖街道办事处”" in x for x in lines)
    assert "district_labels" not in _audit_summary([{"verdict": "pass", "district_labels": {"merged": [], "variants": []}}])
    assert audit_evidence(model_name="none", model_version="1") == []


PAGE = str(Path(__file__).resolve().parents[2] / "workbench_pages" / "fairness_audit.py")


def test_page_shows_the_warning_and_passes_the_mapping(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from sandbox.users import actor_for

    path, frame = _export(tmp_path)
    written = frame["街道镇"].str.strip().value_counts()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = actor_for("reviewer")
    at.session_state["lang"] = "en"
    at.session_state["audit_result"] = _audit(reviewer, path, district_merges="留下镇（原留下乡）=留下镇")
    at.run()
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "look like one place" in w.value)
    assert "Labels of column “街道镇” merged on request:" in warning
    assert f"“留下镇（原留下乡）” ({written['留下镇（原留下乡）']} rows) → “留下镇” (reviewer's mapping)" in warning
    assert "\\-\\-merge\\-variants" in warning or "--merge-variants" in warning


def test_page_form_mapping_reaches_the_audit(demo_home: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from sandbox.users import actor_for

    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = actor_for("reviewer")
    at.session_state["lang"] = "zh"
    at.run()
    at.selectbox(key="audit_scenario_zh").set_value("养老资格无感核验").run()
    at.text_input(key="audit_merge_map").set_value("锦城街道办事处=锦城街道").run()
    assert at.checkbox(key="audit_merge_variants").value is False
    at.button(key="audit_run").click().run()  # refused before anything is recorded
    assert not at.exception, at.exception
    assert any("要合并的名称“锦城街道办事处”不在文件" in e.value and "锦城街道" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_the_review_prefill_names_unmerged_variants() -> None:
    from sandbox.review._evidence import prefill

    tier = {"tier": "III", "score": 10, "max": 40, "reasons": [], "expert_rereview": False}
    labels = {"column": "街道镇", "merged": [], "variants": [
        {"key": "城关街道", "suggested": "城关街道", "rows": 9,
         "labels": [{"label": "城关街道", "n": 7}, {"label": "城关街道办事处", "n": 2}]}]}
    audit = {"audit_id": 4, "verdict": "fail", "run_id": "r", "policy": {"name": "standard", "version": "1"},
             "district_labels": labels}
    out = prefill(evidence={"audits": [audit], "privacy": None}, tier=tier, automated_decision=False,
                  retention_until="2030-01-01")
    assert out["C19"]["answer"] == "no"
    assert out["C19"]["explanation"].endswith(
        "; district labels: 1 set(s) look like one place written differently, not merged (城关街道 / 城关街道办事处)")
    audit["district_labels"] = {"column": "街道镇", "merged": [], "variants": []}
    again = prefill(evidence={"audits": [audit], "privacy": None}, tier=tier, automated_decision=False,
                    retention_until="2030-01-01")
    assert "district labels" not in again["C19"]["explanation"]
