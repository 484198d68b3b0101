"""Workbench pages 模型提交 / 模型登记 (AppTest): uploads of each kind, card errors, vendor isolation, transitions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from models import service
from tests._text import shown as as_read
from tests.models.models_testkit import card, make_data

ROOT = Path(__file__).resolve().parents[2]


def _page(name: str, actor, lang: str = "zh", **state) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "workbench_pages" / name), default_timeout=120)
    at.session_state["actor"] = actor
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _card_bytes(**changes) -> bytes:  # type: ignore[no-untyped-def]
    return yaml.safe_dump(card(**changes), allow_unicode=True).encode("utf-8")


def _zip_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, f"model/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def _submit(at: AppTest, kind: str, upload: tuple[str, bytes, str], card_bytes: bytes | None) -> AppTest:
    if at.session_state["submit_kind"] != kind:
        at.radio(key="submit_kind").set_value(kind).run()
    at.file_uploader(key=f"submit_file_{kind}").set_value(upload)
    if card_bytes is not None:
        at.file_uploader(key="submit_card_file").set_value(("card.yaml", card_bytes, "application/yaml"))
    return at.button(key="submit_go").click().run()


@pytest.mark.parametrize("kind", ["mlflow", "onnx", "predictions"])
def test_vendor_submits_each_kind_from_the_page(people, model_dir, onnx_file, kind) -> None:
    frame = make_data(20)
    uploads = {
        "mlflow": ("model.zip", _zip_of(model_dir), "application/zip"),
        "onnx": ("model.onnx", onnx_file.read_bytes(), "application/octet-stream"),
        "predictions": ("预测.csv", frame.assign(预测=1)[["编号", "预测"]].to_csv(index=False).encode("gbk"), "text/csv"),
    }
    at = _submit(_page("model_submit.py", people["vendor_a"]), kind, uploads[kind], _card_bytes())
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已登记 social-assistance-eligibility.91330110MA2H0QXJ7E 版本 1")
    assert "sha256" in at.code[0].value
    [row] = service.list_models(actor=people["vendor_a"])
    assert row["kind"] == kind and row["original_name"] == uploads[kind][0]


def test_card_errors_shown_field_by_field_in_english(people) -> None:
    # (format_func labels are translated in the test thread too, so pick the kind through the session state)
    at = _page("model_submit.py", people["vendor_a"], lang="en", submit_kind="predictions")
    csv = "编号,预测\nA1,1\n".encode()
    at = _submit(at, "predictions", ("p.csv", csv, "text/csv"), _card_bytes(vendor_uscc="91330110MA2H0QXJ7X"))
    assert len(at.error) == 1
    text = as_read(at.error[0].value)
    assert text.startswith("Model card card.yaml has 1 problem(s)")
    assert "- Unified social credit code (vendor_uscc):" in text
    assert service.list_models(actor=people["admin"]) == []


def test_card_form_and_missing_upload(people, onnx_file) -> None:
    at = _page("model_submit.py", people["vendor_a"])
    at.button(key="submit_go").click().run()
    assert at.warning[0].value == "请先上传模型制品和模型卡。"
    at.radio(key="submit_kind").set_value("onnx").run()
    at.radio(key="submit_card_source").set_value("form").run()
    at.file_uploader(key="submit_file_onnx").set_value(("m.onnx", onnx_file.read_bytes(), "application/octet-stream"))
    fields = {"card_model_name": "onnx-form", "card_intended_use": "辅助初筛救助对象",
              "card_training_data": "历史申请记录（合成）", "card_contact_name": "张伟",
              "card_contact_phone": "0571-88886666", "card_contact_email": "a@example.cn"}
    for key, value in fields.items():
        (at.text_area if key in {"card_intended_use", "card_training_data"} else at.text_input)(key=key).input(value)
    at.text_area(key="card_input_features").input("年龄\n家庭人口\n月收入")
    at.button(key="submit_go").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "onnx-form" in at.success[0].value


def test_registry_page_isolates_vendors_and_moves_trials(people, tmp_path) -> None:
    path = tmp_path / "p.csv"
    make_data(10).assign(预测=1)[["编号", "预测"]].to_csv(path, index=False)
    submitted = service.submit_model(actor=people["vendor_a"], artifact=path, id_column="编号", card=card())
    other = _page("model_registry.py", people["vendor_b"])
    assert not other.exception and other.info[0].value == "暂无可见的模型版本。"
    own = _page("model_registry.py", people["vendor_a"])
    assert len(own.dataframe[0].value) == 1 and not own.get("form")
    at = _page("model_registry.py", people["reviewer"])
    assert at.dataframe[0].value.iloc[0]["试验状态"] == "已提交"
    at.selectbox(key="registry_next").set_value("in_trial")
    at.text_input(key="registry_note").input("开始")
    at.button[0].click().run()
    assert not at.error and "试验中" in at.success[0].value
    assert service.show_model(actor=people["reviewer"], name=submitted["name"])["trial_status"] == "in_trial"
    at.selectbox(key="registry_status").set_value("rejected").run()
    assert at.info[0].value == "暂无可见的模型版本。"
