"""``sandbox models …``: submit, list, show, score, transition, delete — output, --json, errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sandbox.cli import app
from tests.models.models_testkit import PASSWORD, card, make_data

runner = CliRunner()


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"SANDBOX_PASSWORD": PASSWORD})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    card_file = tmp_path / "card.yaml"
    card_file.write_text(yaml.safe_dump(card(), allow_unicode=True), encoding="utf-8")
    predictions = tmp_path / "pred.csv"
    frame = make_data(40)
    frame.assign(预测=frame["符合救助"])[["编号", "预测"]].to_csv(predictions, index=False, encoding="gbk")
    data = tmp_path / "audit.csv"
    frame.to_csv(data, index=False, encoding="utf-8-sig")
    return {"card": card_file, "predictions": predictions, "data": data}


def test_submit_list_show_score_transition_delete(people, files, tmp_path) -> None:
    result = _invoke("models", "submit", str(files["predictions"]), "--card", str(files["card"]),
                     "--id-column", "编号", "--as", "vendor_a", "--json")
    assert result.exit_code == 0, result.output
    submitted = json.loads(result.stdout)
    name = submitted["name"]
    assert submitted["kind"] == "predictions" and submitted["trial_status"] == "submitted"

    human = _invoke("models", "list", "--as", "vendor_a")
    assert human.exit_code == 0 and f"{name}/1" in human.stdout
    assert json.loads(_invoke("models", "list", "--as", "vendor_b", "--json").stdout) == []
    denied = _invoke("models", "show", f"{name}/1", "--as", "vendor_b")
    assert denied.exit_code == 1 and "数安城市科技有限公司" in denied.stderr

    shown = json.loads(_invoke("models", "show", name, "--as", "reviewer", "--json").stdout)
    assert shown["version"] == "1" and shown["card"]["vendor_uscc"] == "91330110MA2H0QXJ7E"
    assert "social-assistance-eligibility" in _invoke("models", "show", f"{name}/1", "--as", "reviewer").stdout

    out = tmp_path / "scores.csv"
    scored = _invoke("models", "score", f"{name}/1", "--data", str(files["data"]), "--out", str(out),
                     "--as", "reviewer", "--json")
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["rows"] == 40
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert written["预测"].tolist() == make_data(40)["符合救助"].tolist()

    moved = _invoke("models", "transition", str(submitted["trial_id"]), "in_trial", "--as", "reviewer", "--json")
    assert moved.exit_code == 0 and json.loads(moved.stdout)["status"] == "in_trial"
    refused = _invoke("--lang", "en", "models", "transition", str(submitted["trial_id"]), "approved", "--as", "chair")
    assert refused.exit_code == 1
    assert "is in_trial and cannot move to approved" in refused.stderr

    assert _invoke("models", "delete", f"{name}/1", "--as", "reviewer").exit_code == 1
    gone = _invoke("models", "delete", f"{name}/1", "--as", "admin", "--json")
    assert gone.exit_code == 0 and json.loads(gone.stdout)["deleted"] is True


def test_errors_have_clear_messages_and_exit_codes(people, files, tmp_path) -> None:
    bad_card = tmp_path / "bad.yaml"
    bad_card.write_text(yaml.safe_dump(card(vendor_uscc="123"), allow_unicode=True), encoding="utf-8")
    result = _invoke("--lang", "en", "models", "submit", str(files["predictions"]), "--card", str(bad_card),
                     "--id-column", "编号", "--as", "vendor_a", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "Model card bad.yaml has 1 problem(s)" in result.stderr
    assert "- Unified social credit code (vendor_uscc): unified social credit code 123 is invalid" in result.stderr
    missing = _invoke("models", "submit", str(files["predictions"]), "--card", str(files["card"]),
                      "--id-column", "身份证号", "--as", "vendor_a")
    assert missing.exit_code == 1 and "身份证号" in missing.stderr
    assert _invoke("models", "list").exit_code == 1                       # needs --as
    assert _invoke("models", "score", "x", "--data", str(files["data"]), "--as", "reviewer").exit_code == 1
    assert _invoke("models", "submit").exit_code == 2                     # usage
    assert _invoke("models", "list", "--as", "reviewer").stderr.strip() == "暂无可见的模型版本。"


def test_submit_model_folder_and_onnx_from_the_cli(people, files, model_dir, onnx_file) -> None:
    folder = _invoke("models", "submit", str(model_dir), "--card", str(files["card"]), "--as", "vendor_a", "--json")
    assert folder.exit_code == 0, folder.output
    assert json.loads(folder.stdout)["kind"] == "mlflow"
    onnx_card = files["card"].with_name("onnx.yaml")
    onnx_card.write_text(yaml.safe_dump(card(model_name="onnx-model"), allow_unicode=True), encoding="utf-8")
    onnx = _invoke("models", "submit", str(onnx_file), "--card", str(onnx_card), "--as", "vendor_a")
    assert onnx.exit_code == 0, onnx.output
    assert "已登记 onnx-model.91330110MA2H0QXJ7E 版本 1" in onnx.stderr
    kinds = {r["kind"] for r in json.loads(_invoke("models", "list", "--as", "admin", "--json").stdout)}
    assert kinds == {"mlflow", "onnx"}


def test_card_template_printed_written_never_overwritten(tmp_path) -> None:
    printed = runner.invoke(app, ["models", "card-template"])
    assert printed.exit_code == 0 and "供应商名称:" in printed.stdout
    assert "vendor_name:" in runner.invoke(app, ["--lang", "en", "models", "card-template"]).stdout
    out = tmp_path / "卡.yaml"
    assert runner.invoke(app, ["models", "card-template", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.stdout
    out.write_text("mine", encoding="utf-8")
    again = runner.invoke(app, ["models", "card-template", "--out", str(out)])
    assert again.exit_code == 1 and "已存在" in again.stderr and out.read_text(encoding="utf-8") == "mine"
    assert runner.invoke(app, ["models", "card-template", "--out", str(out), "--force"]).exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.stdout
