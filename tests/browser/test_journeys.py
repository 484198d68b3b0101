"""Every role's journey through the four seed scenarios, clicked in a real browser.

Per scenario, in order (each step is its own test, one per role):

1. vendor — zips the scenario's model, uploads it with a new card version on 模型提交;
2. reviewer — audits the new version on 公平性审计 across age bands × 街道/镇, the
   predictions coming from isolated batch scoring of the registered version;
3. steward — scans the scenario data on 个人信息扫描, then on 数据发布 scans,
   previews the de-identification, publishes a DP district × age table within budget
   and packages the de-identified release as privacy evidence for the trial;
4. committee — the chair opens the review, records attendance and answers the
   checklist; every member votes; the chair decides 修改后批准 with a condition
   (基层治理风险预警 is tier IV: refused until the expert re-review result is given);
   the chair and a reviewer sign with their password;
5. vendor — sees the decision and its condition, acknowledges (signs);
6. chair — 审查记录 verifies the chain, and the record's JSON export, downloaded
   from the page, verifies with ``python -m sandbox verify`` in a separate process.

A step whose predecessor failed fails too (it says which); nothing is skipped.
The pictures of the walk-through in README.md come from the pension journey.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox.demo import DEMO_PASSWORD
from sandbox.i18n import t
from sandbox.review import CHECKLIST
from tests.browser.wb_actions import (
    alerts,
    as_user,
    choose,
    choose_many,
    click,
    fill,
    pick_radio,
    success_text,
    switch_tab,
    upload,
    widget,
)
from tests.browser.wb_driver import error_boxes, open_page, visible_text

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

SCENARIOS = ["social_assistance", "pension", "hotline", "risk_warning"]
SHOT_SCENARIO = "pension"  # its pictures illustrate README.md and docs/walkthrough.md
COMMITTEE = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
VENDOR_USER = {"智联政务科技有限公司": "vendor_a", "数安城市科技有限公司": "vendor_b"}
CONDITION = "对75岁以上农村对象保留人工复核"

STATE: dict[str, dict[str, Any]] = {key: {} for key in SCENARIOS}


def zh(key: str, **params: Any) -> str:
    return t(key, "zh", **params)


def scenario(home: Path, key: str) -> dict[str, Any]:
    return json.loads((home / "demo" / key / "scenario.json").read_text(encoding="utf-8"))


def needs(key: str, step: str) -> dict[str, Any]:
    """The journey's state so far; fail (not skip) when an earlier step did not finish."""
    state = STATE[key]
    if step not in state:
        pytest.fail(f"{key}: the earlier step '{step}' did not complete, so this role cannot go on", pytrace=False)
    return state


def shoot(take: Callable[..., Path], page: Any, key: str, name: str) -> None:
    take(page, f"journey_{key}_{name}", docs=key == SHOT_SCENARIO)


def no_errors(page: Any, where: str) -> None:
    assert not error_boxes(page), f"{where}: {error_boxes(page)}"


@pytest.mark.parametrize("key", SCENARIOS)
def test_vendor_submits_a_new_version(key: str, wb_page: Any, workbench_url: str, workbench_home: Path,
                                      tmp_path: Path, screenshot: Callable[..., Path]) -> None:
    meta = scenario(workbench_home, key)
    vendor = VENDOR_USER[meta["vendor"]]
    folder = workbench_home / "demo" / key
    artifact = Path(shutil.make_archive(str(tmp_path / f"{meta['model_name']}-model"), "zip", folder / "model"))
    card = yaml.safe_load((folder / "card.yaml").read_text(encoding="utf-8"))
    card["model_version"] = "1.1.0"
    card_path = tmp_path / "model-card.yaml"
    card_path.write_text(yaml.safe_dump(card, allow_unicode=True, sort_keys=False), encoding="utf-8")

    as_user(wb_page, workbench_url, vendor, page_title=zh("nav.model_submit"))
    pick_radio(wb_page, "submit_kind", zh("models.kind.mlflow"))
    upload(wb_page, "submit_file_mlflow", artifact)
    upload(wb_page, "submit_card_file", card_path)
    click(wb_page, "submit_go")
    message = success_text(wb_page, where=f"{key}/submit")
    found = re.search(r"已登记 (\S+) 版本 (\d+)，试验编号 (\d+)", message)
    assert found and found.group(1).startswith(meta["model_name"]), message
    shoot(screenshot, wb_page, key, "1_vendor_submitted")
    STATE[key].update(vendor=vendor, model=found.group(1), version=found.group(2), trial=found.group(3))

    open_page(wb_page, zh("nav.model_registry"))
    assert meta["model_name"] in visible_text(wb_page)


@pytest.mark.parametrize("key", SCENARIOS)
def test_reviewer_audits_the_version(key: str, wb_page: Any, workbench_url: str, workbench_home: Path,
                                     screenshot: Callable[..., Path]) -> None:
    state = needs(key, "trial")
    meta = scenario(workbench_home, key)
    as_user(wb_page, workbench_url, "reviewer", page_title=zh("nav.fairness_audit"))
    choose(wb_page, "audit_scenario_zh", meta["name_zh"])
    pick_radio(wb_page, "audit_pred_source_zh", zh("audits.page.pred_model"))
    choose(wb_page, "audit_model", f"{state['model']}/{state['version']}")
    click(wb_page, "audit_run", timeout_ms=300_000)
    assert not wb_page.locator('[data-testid="stException"]').count(), error_boxes(wb_page)
    labels = {zh(f"audits.verdict.{v}"): v for v in ("pass", "fail", "insufficient")}
    boxes = " ".join(alerts(wb_page, "Error") + alerts(wb_page, "Warning") + alerts(wb_page, "Success"))
    found = re.search(r"审计结论：(\S+?)（", boxes)
    assert found and found.group(1) in labels, f"{key}: no verdict shown: {boxes[:300]}"
    verdict = labels[found.group(1)]
    shoot(screenshot, wb_page, key, "2_reviewer_audit")
    # the checks as the reviewer downloads them (CSV, UTF-8 with BOM for Excel)
    with wb_page.expect_download() as download:
        widget(wb_page, "audit_dl_csv").locator("button").first.click()
    checks = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    failing = [line for line in checks if zh("audits.verdict.fail") in line]
    if meta.get("kind") == "binary":  # the planted disparity for 75+ in rural 镇 must be found
        assert verdict == "fail", f"{key}: the planted disparity was not found ({verdict})"
        assert any("镇" in line and ("80" in line or "75" in line) for line in failing), failing[:5]
    if key == "risk_warning":  # a risk score: the sweep chart and the calibration check are shown
        widget(wb_page, "audit_sweep_chart").locator("canvas, svg").first.wait_for(state="visible", timeout=60_000)
        assert zh("audits.page.calibration_title") in widget(wb_page, "audit_calibration").inner_text()
        calibration = [line for line in failing if zh("audits.metric.calibration_gap") in line]
        assert any("80+ × " in line and "镇" in line for line in calibration), failing[:5]
    state["audited"] = verdict


@pytest.mark.parametrize("key", SCENARIOS)
def test_steward_scans_deidentifies_and_releases(key: str, wb_page: Any, workbench_url: str,
                                                 screenshot: Callable[..., Path]) -> None:
    state = needs(key, "audited")
    as_user(wb_page, workbench_url, "steward", page_title=zh("nav.pii_scan"))
    choose(wb_page, "pii_demo", f"{key}/data.csv")
    click(wb_page, "pii_scan", timeout_ms=300_000)
    no_errors(wb_page, f"{key}/pii")
    assert alerts(wb_page, "Warning"), f"{key}: a table full of 身份证 numbers was reported clean"
    assert zh("pii.entity.CN_RESIDENT_ID") in visible_text(wb_page)
    shoot(screenshot, wb_page, key, "3_steward_scan")

    open_page(wb_page, zh("nav.data_release"))
    choose(wb_page, "rel_dataset", key)
    click(wb_page, "rel_scan", timeout_ms=300_000)
    no_errors(wb_page, f"{key}/release scan")
    click(wb_page, "rel_deid", timeout_ms=300_000)
    no_errors(wb_page, f"{key}/release de-identification")
    fill(wb_page, "rel_ds", key)  # the demo world charged this file to its scenario's dataset
    fill(wb_page, "rel_eps", "0.5")
    click(wb_page, "rel_run_dp", timeout_ms=300_000)
    released = success_text(wb_page, where=f"{key}/DP release")
    assert re.search(r"\d", released), released
    shoot(screenshot, wb_page, key, "4_steward_release")
    # the de-identified release package, linked to the trial as evidence for its ethics review
    choose(wb_page, "rel_trial", f"#{state['trial']} ")
    click(wb_page, "rel_create", timeout_ms=300_000)
    packaged = success_text(wb_page, where=f"{key}/package")
    assert "去标识化" in packaged or "匿名化" in packaged, packaged
    state["released"] = released


def _open_review(page: Any, state: dict[str, Any]) -> None:
    """Pick the journey's review on 伦理审查 (its record number names it)."""
    choose(page, "review_pick", state["record_no"])


@pytest.mark.parametrize("key", SCENARIOS)
def test_committee_reviews_votes_decides_and_signs(key: str, wb_page: Any, workbench_url: str,
                                                   screenshot: Callable[..., Path]) -> None:
    state = needs(key, "released")
    # the chair opens the review for the new trial
    as_user(wb_page, workbench_url, "chair", page_title=zh("nav.ethics_review"))
    wb_page.get_by_text(zh("review.ui.open_new"), exact=True).click()  # an expander: no script run
    choose(wb_page, "open_trial", f"#{state['trial']} ", in_form=True)
    click(wb_page, "open_go")
    opened = success_text(wb_page, where=f"{key}/open review")
    found = re.search(r"已开启审查 (\S+)，风险等级 (\S+)。", opened)
    assert found, opened
    state["record_no"], tier = found.group(1), found.group(2)
    assert (tier == "IV") == (key == "risk_warning"), f"{key}: tier {tier}"

    _open_review(wb_page, state)
    evidence = zh("review.ui.evidence", audits="\0", privacy="\0").split("\0")[0]
    lines = [line for line in visible_text(wb_page).splitlines() if line.startswith(evidence)]
    assert lines and zh("review.ui.not_provided") not in lines[0], f"{key}: the review lacks evidence: {lines}"
    switch_tab(wb_page, zh("review.ui.tab_meeting"))
    choose_many(wb_page, "attend_present", [f"({u})" for u in COMMITTEE], in_form=True)
    click(wb_page, "attend_go")
    assert "法定人数满足" in success_text(wb_page, where=f"{key}/attendance")
    recused = [u for u in COMMITTEE if re.search(rf"(?<![\w]){u}（", " ".join(alerts(wb_page, "Warning")))]

    switch_tab(wb_page, zh("review.ui.tab_checklist"))
    prefilled = 0
    for item in CHECKLIST:  # ★ items come pre-filled from the audit and privacy evidence: kept as they are
        if widget(wb_page, f"checklist_{item}").locator('[data-selected="true"]').count():
            prefilled += 1
            continue
        pick_radio(wb_page, f"checklist_{item}", zh("review.ui.answer.yes"), in_form=True)
    assert prefilled >= 1, "no checklist item was pre-filled from the evidence"
    click(wb_page, "checklist_save")
    success_text(wb_page, where=f"{key}/checklist")
    shoot(screenshot, wb_page, key, "5_chair_checklist")

    # every member who may vote logs in and votes
    votes = 0
    for member in COMMITTEE:
        if member in recused:
            continue
        as_user(wb_page, workbench_url, member, page_title=zh("nav.ethics_review"))
        _open_review(wb_page, state)
        switch_tab(wb_page, zh("review.ui.tab_decision"))
        pick_radio(wb_page, "vote_choice", "修改后批准", in_form=True)
        fill(wb_page, "vote_password", DEMO_PASSWORD, in_form=True)  # the vote is signed with the member's key
        click(wb_page, "vote_cast")
        assert "已签名表决" in success_text(wb_page, where=f"{key}/vote {member}")
        votes += 1
    assert votes >= 5, f"{key}: only {votes} votes"

    # the chair decides with a condition; tier IV needs the expert re-review first
    as_user(wb_page, workbench_url, "chair", page_title=zh("nav.ethics_review"))
    _open_review(wb_page, state)
    switch_tab(wb_page, zh("review.ui.tab_decision"))
    choose(wb_page, "decide_choice", "修改后批准", in_form=True)
    fill(wb_page, "decide_reasons", "审计发现高龄农村群体差异，附条件批准", in_form=True)
    fill(wb_page, "decide_conditions", f"{CONDITION}|{state['vendor']}|2027-03-31", in_form=True)
    if key == "risk_warning":
        click(wb_page, "decide_go")
        refusal = " ".join(error_boxes(wb_page))
        assert "专家" in refusal, f"tier IV decided without the expert re-review: {refusal}"
        switch_tab(wb_page, zh("review.ui.tab_decision"))
        fill(wb_page, "decide_expert", "同意", in_form=True)
    click(wb_page, "decide_go")
    found = re.search(r"生成记录 (\S+?)。", success_text(wb_page, where=f"{key}/decide"))
    assert found, alerts(wb_page)
    state["record"] = found.group(1)

    for signer, meaning in (("chair", "approved"), ("reviewer", "reviewed")):
        if signer != "chair":
            as_user(wb_page, workbench_url, signer, page_title=zh("nav.ethics_review"))
            _open_review(wb_page, state)
        switch_tab(wb_page, zh("review.ui.tab_sign"))
        choose(wb_page, "sign_meaning", meaning, in_form=True)
        fill(wb_page, "sign_password", DEMO_PASSWORD, in_form=True)
        click(wb_page, "sign_go")
        assert state["record"] in success_text(wb_page, where=f"{key}/sign {signer}")
        if signer == "chair":
            shoot(screenshot, wb_page, key, "6_chair_signed")
    state["signed"] = True


@pytest.mark.parametrize("key", SCENARIOS)
def test_vendor_sees_the_decision_and_acknowledges(key: str, wb_page: Any, workbench_url: str,
                                                   screenshot: Callable[..., Path]) -> None:
    state = needs(key, "signed")
    other = "vendor_b" if state["vendor"] == "vendor_a" else "vendor_a"
    as_user(wb_page, workbench_url, other, page_title=zh("nav.ethics_review"))
    assert state["record_no"] not in visible_text(wb_page), "another vendor sees this review"

    as_user(wb_page, workbench_url, state["vendor"], page_title=zh("nav.ethics_review"))
    _open_review(wb_page, state)
    text = visible_text(wb_page)
    assert "修改后批准" in text and CONDITION in text, "the vendor does not see the decision and its condition"
    choose(wb_page, "sign_meaning", "acknowledged", in_form=True)
    fill(wb_page, "sign_password", DEMO_PASSWORD, in_form=True)
    click(wb_page, "sign_go")
    assert state["record"] in success_text(wb_page, where=f"{key}/acknowledge")
    shoot(screenshot, wb_page, key, "7_vendor_acknowledged")
    state["acknowledged"] = True


@pytest.mark.parametrize("key", SCENARIOS)
def test_the_record_verifies(key: str, wb_page: Any, workbench_url: str, workbench_home: Path, tmp_path: Path,
                             screenshot: Callable[..., Path]) -> None:
    state = needs(key, "acknowledged")
    as_user(wb_page, workbench_url, "chair", page_title=zh("nav.records"))
    click(wb_page, "records_verify_all")
    assert "核验通过" in success_text(wb_page, where=f"{key}/verify all")
    choose(wb_page, "records_pick", state["record"])
    pick_radio(wb_page, "records_format", "json")
    click(wb_page, "records_prepare")
    with wb_page.expect_download() as download:
        widget(wb_page, "records_download").locator("button").first.click()
    exported = tmp_path / f"{state['record']}.json"
    download.value.save_as(exported)
    shoot(screenshot, wb_page, key, "8_chair_records")
    env = {**os.environ, "SANDBOX_HOME": str(workbench_home)}
    done = subprocess.run([sys.executable, "-m", "sandbox", "verify", str(exported), "--json"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["signatures"] == 3 and result["votes"] >= 5, result
    # the chain head shown for copying proves, later, that the chain was not cut short
    head = wb_page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert re.fullmatch(r"\d+:[0-9a-f]{64}", head), head
    done = subprocess.run([sys.executable, "-m", "sandbox", "verify", "--all", "--expect-head", head, "--json"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["heads_checked"] == 1, done.stderr
