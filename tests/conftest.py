"""Shared fixtures: an isolated data home per test, and one demo world per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

for _var in ("SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "SANDBOX_LANG", "SANDBOX_PASSWORD",
             "MLFLOW_BACKEND_STORE_URI", "MLFLOW_ARTIFACTS_DESTINATION"):
    os.environ.pop(_var, None)
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"


def _activate(home: Path) -> None:
    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()
    set_language(None)


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow sqlite store, created once by MLflow itself.

    Creating MLflow's schema runs its whole migration history (seconds); each
    test home gets a byte copy of this freshly migrated, empty store instead.
    """
    from models.registry import Registry

    root = tmp_path_factory.mktemp("mlflow-template")
    db = root / "mlflow.db"
    Registry(tracking_uri=f"sqlite:///{db}").client.search_experiments()
    return db


def _seed_mlflow(target: Path, template: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target / "mlflow.db")


@pytest.fixture
def home(tmp_path: Path, mlflow_template: Path) -> Iterator[Path]:
    """An empty data home used by this test only (with an empty MLflow store)."""
    previous = os.environ.get("SANDBOX_HOME")
    target = tmp_path / "home"
    _seed_mlflow(target, mlflow_template)
    _activate(target)
    yield target
    if previous is None:
        os.environ.pop("SANDBOX_HOME", None)
    else:
        os.environ["SANDBOX_HOME"] = previous
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    reset_engines()
    reset_settings_cache()


@pytest.fixture(scope="session")
def demo_home_path(tmp_path_factory: pytest.TempPathFactory, mlflow_template: Path) -> Path:
    """Build the demo world once per test session; tests must not change it."""
    target = tmp_path_factory.mktemp("demo") / "home"
    _seed_mlflow(target, mlflow_template)
    _activate(target)
    from sandbox.demo import build_demo_world

    build_demo_world()
    return target


@pytest.fixture
def demo_home(demo_home_path: Path) -> Iterator[Path]:
    """Point the settings at the shared demo world for this test."""
    _activate(demo_home_path)
    yield demo_home_path
    from sandbox.store import reset_engines

    reset_engines()
