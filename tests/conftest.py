"""Shared fixtures: an isolated data home per test, and one demo world per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

for _var in ("SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "SANDBOX_LANG", "SANDBOX_PASSWORD"):
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


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """An empty data home used by this test only."""
    previous = os.environ.get("SANDBOX_HOME")
    target = tmp_path / "home"
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
def demo_home_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo world once per test session; tests must not change it."""
    target = tmp_path_factory.mktemp("demo") / "home"
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
