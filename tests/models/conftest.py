"""Fixtures of the models area: vendors and users, a trained model folder, cards, data files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sandbox.roles import Actor
from tests.models.models_testkit import FEATURES, PASSWORD, VENDOR_A, VENDOR_B, make_data


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real scikit-learn model saved as an MLflow model folder (explicit pip requirements)."""
    from sklearn.linear_model import LogisticRegression

    from models.registry import save_sklearn_model

    frame = make_data(400)
    model = LogisticRegression(max_iter=500).fit(frame[FEATURES], frame["符合救助"])
    target = tmp_path_factory.mktemp("model") / "model"
    return save_sklearn_model(model, target, input_example=frame[FEATURES].head(3),
                              pip_requirements=["scikit-learn==1.7.2", "cloudpickle"])


@pytest.fixture(scope="session")
def onnx_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    frame = make_data(400)
    model = LogisticRegression(max_iter=500).fit(frame[FEATURES].to_numpy(np.float32), frame["符合救助"])
    onx = to_onnx(model, frame[FEATURES].to_numpy(np.float32)[:1], options={"zipmap": False})
    target = tmp_path_factory.mktemp("onnx") / "model.onnx"
    target.write_bytes(onx.SerializeToString())
    return target


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, fully migrated MLflow sqlite store, copied into each test's data home (saves its migrations)."""
    from models.registry import Registry

    target = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    Registry(tracking_uri=f"sqlite:///{target}").client.search_registered_models()
    return target


@pytest.fixture
def people(home: Path, mlflow_template: Path) -> dict[str, Actor]:
    """Two vendors with a user each, plus reviewer, chair and admin, in a fresh data home."""
    import shutil

    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mlflow_template, home / "mlflow.db")
    from sandbox.store import session_scope
    from sandbox.users import add_user, add_vendor, authenticate

    with session_scope() as session:
        add_vendor(session, name=VENDOR_A["name"], uscc=VENDOR_A["uscc"])
        add_vendor(session, name=VENDOR_B["name"], uscc=VENDOR_B["uscc"])
    for username, role, vendor in (("vendor_a", "vendor", VENDOR_A["name"]), ("vendor_b", "vendor", VENDOR_B["name"]),
                                   ("reviewer", "reviewer", None), ("chair", "chair", None),
                                   ("admin", "admin", None), ("steward", "steward", None)):
        add_user(username=username, password=PASSWORD, role=role, vendor=vendor)
    return {u: authenticate(u, PASSWORD) for u in ("vendor_a", "vendor_b", "reviewer", "chair", "admin", "steward")}


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    path = tmp_path / "audit.csv"
    make_data(50, seed=11).to_csv(path, index=False, encoding="utf-8-sig")
    return path
