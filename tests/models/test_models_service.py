"""Submission through the service layer: all artifact kinds, hashes, tags, aliases, roles, scoring."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from models import service
from models.registry import Registry
from sandbox.errors import ConflictError, NotFoundError, PermissionDenied
from tests.models.models_testkit import FEATURES, VENDOR_B, card, make_data


def _sha256sum_tree(root: Path) -> str:
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n"
                    for p in sorted(root.rglob("*")) if p.is_file())
    return hashlib.sha256(lines.encode()).hexdigest()


def test_submit_mlflow_folder_registers_version_with_tags_card_and_trial_alias(people, model_dir) -> None:
    result = service.submit_model(actor=people["vendor_a"], artifact=model_dir, card=card())
    name = "social-assistance-eligibility.91330110MA2H0QXJ7E"
    assert (result["name"], result["version"], result["kind"]) == (name, "1", "mlflow")
    assert result["sha256"] == _sha256sum_tree(model_dir)
    assert result["trial_status"] == "submitted" and result["aliases"] == ["trial"]
    assert result["vendor"] == "智联政务科技有限公司" and result["risk_tier"] == "III"
    assert {f["path"] for f in result["files"]} >= {"MLmodel", "model.pkl"}
    tags = Registry().version_tags(name, "1")
    assert tags["sha256"] == result["sha256"] and tags["trial_status"] == "submitted"
    assert tags["uscc"] == "91330110MA2H0QXJ7E" and tags["service_domain"] == "社会救助"
    assert tags["trial_id"] == str(result["trial_id"]) and tags["card_version"] == "1.0.0"
    card_text = Registry().run_text(result["run_id"], "card.yaml")
    assert "social-assistance-eligibility" in card_text and "调度决策类" in card_text
    assert result["mlflow_url"].endswith(f"/#/models/{name}/versions/1")
    assert [e["to_status"] for e in result["events"]] == ["submitted"]


def test_onnx_and_predictions_files_are_accepted(people, onnx_file, tmp_path) -> None:
    onnx = service.submit_model(actor=people["vendor_a"], artifact=onnx_file,
                                card=card(model_name="onnx-model"))
    assert onnx["kind"] == "onnx"
    assert onnx["sha256"] == hashlib.sha256(onnx_file.read_bytes()).hexdigest()
    predictions = tmp_path / "预测结果.csv"
    frame = make_data(30)
    frame.assign(预测=frame["符合救助"])[["编号", "预测"]].to_csv(predictions, index=False, encoding="gbk")
    black_box = service.submit_model(actor=people["vendor_a"], artifact=predictions, id_column="编号",
                                     card=card(model_name="black-box"))
    assert black_box["kind"] == "predictions" and black_box["id_column"] == "编号"
    assert black_box["sha256"] == hashlib.sha256(predictions.read_bytes()).hexdigest()


def test_vendor_sees_only_own_organisation(people, predictions_csv) -> None:
    service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    assert len(service.list_models(actor=people["vendor_a"])) == 1
    assert service.list_models(actor=people["vendor_b"]) == []
    assert len(service.list_models(actor=people["reviewer"])) == 1
    with pytest.raises(PermissionDenied):
        service.show_model(actor=people["vendor_b"], name="social-assistance-eligibility")
    with pytest.raises(PermissionDenied) as info:
        service.submit_model(actor=people["vendor_b"], artifact=predictions_csv, id_column="编号",
                             card=card(model_version="2"))
    assert info.value.key == "models.card_other_vendor"
    with pytest.raises(PermissionDenied):
        service.submit_model(actor=people["reviewer"], artifact=predictions_csv, id_column="编号", card=card())


def test_second_version_moves_trial_alias_and_duplicate_card_version_is_refused(people, predictions_csv) -> None:
    def submit(**changes):  # type: ignore[no-untyped-def]
        return service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号",
                                    card=card(**changes))

    submit()
    with pytest.raises(ConflictError) as info:
        submit()
    assert info.value.key == "models.version_exists"
    second = submit(model_version="1.1.0")
    assert second["version"] == "2" and second["aliases"] == ["trial"]
    first = service.show_model(actor=people["reviewer"], name=second["name"], version="1")
    assert first["aliases"] == [] and second["versions"] == ["1", "2"]


def test_score_mlflow_model_in_child_matches_in_process_reference(people, model_dir, data_csv) -> None:
    import cloudpickle

    submitted = service.submit_model(actor=people["vendor_a"], artifact=model_dir, card=card())
    scored = service.score_version(actor=people["reviewer"], name=submitted["name"], version="1", data=data_csv)
    # Reference: our own trusted test model, loaded here on purpose.
    with (model_dir / "model.pkl").open("rb") as handle:
        reference = cloudpickle.load(handle)
    frame = pd.read_csv(data_csv, encoding="utf-8-sig")
    assert list(scored.columns) == ["编号", "预测", "评分"]
    assert scored["编号"].tolist() == frame["编号"].tolist()
    assert scored["预测"].tolist() == reference.predict(frame[FEATURES]).tolist()
    assert scored["评分"].to_numpy() == pytest.approx(reference.predict_proba(frame[FEATURES])[:, 1])
    shown = service.show_model(actor=people["reviewer"], name=submitted["name"], version="1")
    assert shown["scores"][0]["rows"] == 50 and Path(shown["scores"][0]["path"]).exists()
    run = Registry().client.get_run(scored.attrs["run_id"])
    assert run.data.tags["model_name"] == submitted["name"] and run.data.tags["model_version"] == "1"
    assert run.data.tags["scores_sha256"] == shown["scores"][0]["sha256"]
    with pytest.raises(PermissionDenied):
        service.score_version(actor=people["vendor_a"], name=submitted["name"], version="1", data=data_csv)


def test_score_onnx_and_predictions(people, onnx_file, data_csv, tmp_path) -> None:
    onnx = service.submit_model(actor=people["vendor_a"], artifact=onnx_file, card=card(model_name="onnx-model"))
    scored = service.score_version(actor=people["chair"], name=onnx["name"], version="1", data=data_csv)
    assert len(scored) == 50 and set(scored["预测"].unique()) <= {0, 1}
    assert scored["评分"].between(0, 1).all()
    frame = pd.read_csv(data_csv, encoding="utf-8-sig")
    predictions = tmp_path / "pred.xlsx"
    frame.assign(预测=1 - frame["符合救助"])[["编号", "预测"]].to_excel(predictions, index=False)
    box = service.submit_model(actor=people["admin"], artifact=predictions, id_column="编号",
                               card=card(model_name="box", vendor_name=VENDOR_B["name"],
                                         vendor_uscc=VENDOR_B["uscc"]))
    assert box["vendor"] == VENDOR_B["name"]
    joined = service.score_version(actor=people["reviewer"], name="box", version="1", data=data_csv)
    assert joined["预测"].astype(int).tolist() == (1 - frame["符合救助"]).tolist()


def test_unknown_model_and_version(people) -> None:
    with pytest.raises(NotFoundError):
        service.show_model(actor=people["reviewer"], name="nope")
