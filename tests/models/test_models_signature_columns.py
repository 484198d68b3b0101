"""A model's own list of input columns (MLmodel signature, ONNX inputs) must lie within its card's
``input_features``: the signature is vendor-written and chooses what the sandbox hands the model, so
an undeclared column (the label, an ID number, anything) is refused at submission, naming it — and
again at scoring for a version registered before the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import service
from models.registry import save_sklearn_model
from sandbox.errors import InputError
from tests.models.models_testkit import FEATURES, card, make_data

LABEL = "符合救助"


@pytest.fixture(scope="module")
def label_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sklearn MLflow model whose signature lists the label among its inputs."""
    from sklearn.tree import DecisionTreeClassifier

    frame = make_data(200)
    inputs = [*FEATURES, LABEL]
    model = DecisionTreeClassifier(max_depth=2).fit(frame[inputs], frame[LABEL])
    return save_sklearn_model(model, tmp_path_factory.mktemp("label") / "model", input_example=frame[inputs].head(3),
                              pip_requirements=["scikit-learn==1.7.2", "cloudpickle"])


def _onnx_per_column(path: Path, names: list[str]) -> Path:
    """An ONNX graph with one [N, 1] input per column (concatenated, then a weighted sum)."""
    from onnx import TensorProto, helper

    weight = helper.make_tensor("W", TensorProto.FLOAT, [len(names), 1], [0.1] * len(names))
    nodes = [helper.make_node("Concat", names, ["X"], axis=1), helper.make_node("MatMul", ["X", "W"], ["Y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in names],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])], [weight])
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return path


def test_a_signature_asking_for_an_undeclared_column_is_refused(people, label_model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=label_model, card=card(), display_name="model")
    assert info.value.key == "models.signature_undeclared"
    assert info.value.params["columns"] == LABEL and info.value.params["count"] == 1
    assert info.value.render("zh").startswith(
        "模型 model 的签名要求输入模型卡“输入特征”（input_features）未列出的 1 列：符合救助。")
    assert "The card lists: 年龄、家庭人口、月收入." in info.value.render("en")
    assert service.list_models(actor=people["admin"]) == []  # nothing registered


def test_onnx_inputs_per_column_are_checked_too(people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = _onnx_per_column(tmp_path / "m.onnx", [*FEATURES, "身份证号", "编号"])
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=model, card=card())
    assert info.value.key == "models.signature_undeclared"
    assert info.value.params["columns"] == "身份证号、编号" and "2 column(s)" in info.value.render("en")
    declared = service.submit_model(actor=people["vendor_a"], artifact=_onnx_per_column(tmp_path / "ok.onnx", FEATURES),
                                    card=card())
    assert declared["version"] == "1"


def test_a_version_registered_before_the_rule_is_refused_when_scored(people, label_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from models._tables import ModelVersion
    from sandbox.store import session_scope

    submitted = service.submit_model(actor=people["vendor_a"], artifact=label_model,
                                     card=card(input_features=[*FEATURES, LABEL]))
    with session_scope() as session:  # what an older release accepted: the card without the label
        row = session.scalar(select(ModelVersion).where(ModelVersion.registered_name == submitted["name"]))
        row.card = {**row.card, "input_features": FEATURES}
    data = tmp_path / "data.csv"
    make_data(50, seed=2).to_csv(data, index=False)
    with pytest.raises(InputError) as info:
        service.score_version(actor=people["reviewer"], name=submitted["name"], version=submitted["version"], data=data)
    assert info.value.key == "models.signature_undeclared" and LABEL in info.value.render("zh")
    assert service.show_model(actor=people["reviewer"], name=submitted["name"])["scores"] == []
