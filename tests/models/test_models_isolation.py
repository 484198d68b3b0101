"""The isolated child: time, memory and network limits, and data (never pickles) coming back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models.isolation import Limits, network_isolation_available, predict_isolated
from sandbox.errors import InputError
from tests.models.models_testkit import FEATURES, copy_model, make_data

_CODE = {
    "sleep": "def payload():\n    import time\n    time.sleep(60)\n",
    "memory": "def payload():\n    return bytearray(6 * 1024 ** 3)\n",
    "network": ("def payload():\n    import socket\n    s = socket.create_connection(('1.1.1.1', 80), timeout=3)\n"
                "    raise RuntimeError('network reachable')\n"),
    "exit": "def payload():\n    raise SystemExit(0)\n",
}


class _Run:
    def __init__(self, code: str) -> None:
        namespace: dict = {"__name__": "vendor_payload"}
        exec(code, namespace)
        self.function = namespace["payload"]

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (self.function, ())


def _hostile(model_dir: Path, tmp_path: Path, what: str) -> Path:
    import cloudpickle

    folder = copy_model(model_dir, tmp_path / what)
    (folder / "model.pkl").write_bytes(cloudpickle.dumps(_Run(_CODE[what])))
    return folder


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_data(5)[FEATURES]


def test_wall_clock_timeout_kills_the_child(home, model_dir, tmp_path, frame) -> None:
    with pytest.raises(InputError) as info:
        predict_isolated(_hostile(model_dir, tmp_path, "sleep"), frame, limits=Limits(timeout_s=3))
    assert info.value.key == "models.child_timeout"
    assert "3 s" in info.value.render("en")


def test_memory_limit(home, model_dir, tmp_path, frame) -> None:
    with pytest.raises(InputError) as info:
        predict_isolated(_hostile(model_dir, tmp_path, "memory"), frame, limits=Limits(memory_mb=1536))
    assert info.value.key == "models.child_memory"


@pytest.mark.skipif(not network_isolation_available(), reason="user namespaces not available here")
def test_no_network_in_the_child(home, model_dir, tmp_path, frame) -> None:
    with pytest.raises(InputError) as info:
        predict_isolated(_hostile(model_dir, tmp_path, "network"), frame)
    assert info.value.key == "models.child_failed"
    assert "network reachable" not in info.value.render("en")
    assert "OSError" in info.value.render("en") or "Error" in info.value.params["reason"]


def test_vendor_exit_is_reported_not_trusted(home, model_dir, tmp_path, frame) -> None:
    with pytest.raises(InputError) as info:
        predict_isolated(_hostile(model_dir, tmp_path, "exit"), frame)
    assert info.value.key == "models.child_failed" and "SystemExit" in info.value.params["reason"]


def test_predictions_come_back_as_data(home, model_dir, frame) -> None:
    out = predict_isolated(model_dir, frame)
    assert list(out.columns) == ["预测", "评分"] and len(out) == 5
    assert not list((home / "work").glob("isolated-*"))       # scratch folders are removed


def test_a_model_needing_a_library_the_sandbox_lacks_is_told_what_it_can_use(home, model_dir, tmp_path,
                                                                            frame) -> None:
    import yaml

    folder = copy_model(model_dir, tmp_path / "xgb")  # an XGBoost model as MLflow saves it
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
    mlmodel["flavors"].pop("sklearn")
    mlmodel["flavors"]["xgboost"] = {"data": "model.xgb", "model_format": "xgb", "xgb_version": "2.1.0"}
    mlmodel["flavors"]["python_function"].update(loader_module="mlflow.xgboost", data="model.xgb")
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel, allow_unicode=True), encoding="utf-8")
    (folder / "model.xgb").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        predict_isolated(folder, frame)
    assert info.value.key == "models.library_missing" and info.value.params["module"] == "xgboost"
    zh, en = info.value.render("zh"), info.value.render("en")
    assert "scikit-learn 1." in zh and "ONNX" in zh and "沙盒不会为模型安装任何库" in zh
    assert "needs the Python library xgboost" in en


# What an estimator pickled by an older scikit-learn looks like to a newer one: an attribute is gone.
_OLD_ESTIMATOR = "class OldEstimator:\n    def predict(self, frame):\n        return self.multi_class\n"


def test_a_failing_model_saved_with_another_scikit_learn_is_told_so(home, model_dir, tmp_path, frame) -> None:
    import cloudpickle
    import yaml

    folder = copy_model(model_dir, tmp_path / "old")
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
    mlmodel["flavors"]["sklearn"]["sklearn_version"] = "1.3.2"
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel, allow_unicode=True), encoding="utf-8")
    namespace: dict = {"__name__": "vendor_payload"}  # not importable: pickled by value, as a vendor's class
    exec(_OLD_ESTIMATOR, namespace)
    (folder / mlmodel["flavors"]["sklearn"]["pickled_model"]).write_bytes(cloudpickle.dumps(namespace["OldEstimator"]()))
    with pytest.raises(InputError) as info:
        predict_isolated(folder, frame)
    assert info.value.key == "models.library_version"
    assert info.value.params["saved"] == "1.3.2" and info.value.params["here"].startswith("1.7")
    assert "AttributeError" in info.value.params["reason"] and "重新训练并保存" in info.value.render("zh")
    # the same model saved with this release: the plain failure, no version story
    mlmodel["flavors"]["sklearn"]["sklearn_version"] = info.value.params["here"]
    (folder / "MLmodel").write_text(yaml.safe_dump(mlmodel, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        predict_isolated(folder, frame)
    assert info.value.key == "models.child_failed"
