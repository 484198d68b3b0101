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


_USERS = (("vendor_a", "vendor", VENDOR_A["name"]), ("vendor_b", "vendor", VENDOR_B["name"]),
          ("reviewer", "reviewer", None), ("chair", "chair", None), ("admin", "admin", None),
          ("steward", "steward", None))


@pytest.fixture(scope="session")
def stores_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home with migrated sandbox and MLflow stores, the two vendors and a user per role.

    Built once per session (real migrations, real argon2 hashes) and copied into each test's
    fresh data home, so tests do not repeat the migrations and password hashing.
    """
    import os

    from models.registry import Registry
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines, session_scope
    from sandbox.users import add_user, add_vendor

    template = tmp_path_factory.mktemp("stores") / "home"
    previous = os.environ.get("SANDBOX_HOME")
    os.environ["SANDBOX_HOME"] = str(template)
    reset_settings_cache()
    reset_engines()
    try:
        with session_scope() as session:
            add_vendor(session, name=VENDOR_A["name"], uscc=VENDOR_A["uscc"])
            add_vendor(session, name=VENDOR_B["name"], uscc=VENDOR_B["uscc"])
        for username, role, vendor in _USERS:
            add_user(username=username, password=PASSWORD, role=role, vendor=vendor)
        Registry(tracking_uri=f"sqlite:///{template / 'mlflow.db'}").client.search_registered_models()
    finally:
        reset_engines()
        if previous is None:
            os.environ.pop("SANDBOX_HOME", None)
        else:
            os.environ["SANDBOX_HOME"] = previous
        reset_settings_cache()
    return template


@pytest.fixture
def people(stores_template: Path, home: Path) -> dict[str, Actor]:
    """Two vendors with a user each, plus reviewer, chair, admin and steward, in a fresh data home."""
    import shutil

    from sandbox.store import reset_engines
    from sandbox.users import actor_for

    home.mkdir(parents=True, exist_ok=True)
    for name in ("sandbox.db", "mlflow.db"):
        shutil.copyfile(stores_template / name, home / name)
    reset_engines()
    return {username: actor_for(username) for username, _, _ in _USERS}


@pytest.fixture
def predictions_csv(tmp_path: Path) -> Path:
    """A black-box predictions file (no model code: fast to submit)."""
    path = tmp_path / "predictions.csv"
    make_data(10).assign(预测=1)[["编号", "预测"]].to_csv(path, index=False)
    return path


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    path = tmp_path / "audit.csv"
    make_data(50, seed=11).to_csv(path, index=False, encoding="utf-8-sig")
    return path
