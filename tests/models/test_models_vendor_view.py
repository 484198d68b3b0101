"""What vendor code sees when the sandbox scores an audit dataset (real bwrap, MLflow, database).

The model's signature is vendor-written: it names the columns the sandbox is given. A model that
asks for the audit's label could reproduce it and pass any fairness check; one that asks for the
身份证 column gets citizens' ID numbers. The audit withholds both: such a model is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audits import ColumnMap, run_audit
from models import service
from models.registry import save_sklearn_model
from sandbox.errors import InputError
from tests.models.models_testkit import FEATURES, card, make_data

LABEL = "符合救助"


@pytest.fixture(scope="module")
def cheating_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model whose signature asks for the label among its inputs (it copies it)."""
    from sklearn.tree import DecisionTreeClassifier

    frame = make_data(300)
    inputs = [*FEATURES, LABEL]
    model = DecisionTreeClassifier(max_depth=2).fit(frame[inputs], frame[LABEL])
    target = tmp_path_factory.mktemp("cheat") / "model"
    return save_sklearn_model(model, target, input_example=frame[inputs].head(3),
                              pip_requirements=["scikit-learn==1.7.2", "cloudpickle"])


def _audit_data(tmp_path: Path) -> Path:
    frame = make_data(120, seed=3)
    frame["街道镇"] = np.where(np.arange(len(frame)) % 2, "锦城街道", "青山镇")
    path = tmp_path / "audit.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_model_asking_for_the_label_is_refused_by_the_audit(people, cheating_model, tmp_path) -> None:
    submitted = service.submit_model(actor=people["vendor_a"], artifact=cheating_model,
                                     card=card(input_features=[*FEATURES, LABEL]))
    spec = f"{submitted['name']}/{submitted['version']}"
    with pytest.raises(InputError) as info:
        run_audit(actor=people["reviewer"], data=_audit_data(tmp_path), model=spec, record=False,
                  columns=ColumnMap(label=LABEL, age="年龄", district="街道镇", id="编号"), replicates=50)
    assert info.value.key == "models.feature_withheld"
    for lang in ("zh", "en"):
        text = info.value.render(lang)
        assert spec in text and LABEL in text
    assert service.show_model(actor=people["reviewer"], name=submitted["name"])["scores"] == []  # nothing scored


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_onnx_external_data_cannot_reach_host_files(people, tmp_path, where) -> None:
    """A weight stored as ONNX 'external data' at a host path: onnxruntime opens it only inside the
    sandbox, which holds the one .onnx file and no data home (the host never parses the graph)."""
    import os

    from onnx import TensorProto, helper

    secret = Path(os.environ["SANDBOX_HOME"]) / "secrets" / "pseudonym.key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(b"hmac-secret-0f9e8d7c6b5a" * 100)
    target = tmp_path / "upload" / "model.onnx"
    target.parent.mkdir()
    location = str(secret) if where == "absolute" else os.path.relpath(secret, target.parent)
    weight = helper.make_tensor("W", TensorProto.FLOAT, [3, 1], [0.0, 0.0, 0.0])
    weight.ClearField("float_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "12")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph([helper.make_node("MatMul", ["X", "W"], ["Y"])], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])], [weight])
    target.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=target, card=card())
    assert info.value.key == "models.onnx_bad"
    assert "hmac-secret" not in info.value.render("en")


def test_a_parquet_predictions_file_handed_to_the_audit_is_measured_first(people, tmp_path) -> None:
    """``audit run --predictions`` may be a vendor's file: 300 rows pointing at one 8 MB value (< 2 MB on disk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 120
    label = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["是" * ((24 << 20) // 3)]))
    bomb = tmp_path / "vendor-predictions.parquet"
    pq.write_table(pa.table({"编号": [f"P{i:06d}" for i in range(rows)], "预测": label}), bomb,
                   compression="zstd", store_schema=False)
    with pytest.raises(InputError) as info:
        run_audit(actor=people["reviewer"], data=_audit_data(tmp_path), predictions=bomb, record=False,
                  columns=ColumnMap(label=LABEL, prediction="预测", age="年龄", district="街道镇", id="编号"),
                  replicates=50)
    assert info.value.key == "models.predictions_expand" and "vendor-predictions.parquet" in info.value.render("zh")
