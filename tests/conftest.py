"""Shared fixtures: an isolated data home per test, and one demo world per session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

for _var in (
    "SANDBOX_DB_URL",
    "MLFLOW_TRACKING_URI",
    "MLFLOW_REGISTRY_URI",
    "SANDBOX_LANG",
    "SANDBOX_PASSWORD",
    "MLFLOW_BACKEND_STORE_URI",
    "MLFLOW_ARTIFACTS_DESTINATION",
):
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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The PostgreSQL cluster the session's tests shared (tests._servers.postgres_server) stops with it."""
    from tests._servers import stop_postgres

    stop_postgres()


@pytest.fixture(autouse=True)
def _process_language_restored() -> Iterator[None]:
    """After each test the process language is the setting again.

    A test that runs the CLI in-process with ``--lang en`` (typer's runner)
    leaves the process language set; without this, whichever test ran after it
    would render its messages in English.
    """
    yield
    from sandbox.i18n import set_language

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


_DEMO_BUILD: dict[str, Any] = {}


def _build_demo(target: Path) -> dict[str, Any]:
    """``sandbox demo --json`` in the empty data home ``target`` (typer's runner, in this process); its answer."""
    from typer.testing import CliRunner

    from sandbox.cli import app

    _activate(target)
    result = CliRunner().invoke(app, ["demo", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, f"sandbox demo --json failed ({result.exit_code}):\n{result.stderr}"
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def demo_home_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo world once per test session; tests must not change it.

    Built by the ``sandbox demo --json`` command (typer's runner, in this
    process, so ``filterwarnings = error`` applies to the build) in an empty
    data home, as a new user would: the command's answer is kept for
    ``demo_build`` (the CLI test checks it), so no test builds a second world.

    With ``SANDBOX_TEST_DEMO_WORLD`` set (CI's pytest processes, which run side
    by side), the world is built once in that folder by whichever process asks
    first (the others wait on its lock) and each process gets a private
    :func:`~tests._worlds.relocated_copy` of it, with the command's answer moved
    along: the same world per session as without it, built once per CI run. Give it a new folder each run
    (``.ci/run`` uses its own temp folder): a world already built there is used as it is, whatever code built it.
    """
    from tests._worlds import relocated_copy, shared_build

    target = tmp_path_factory.mktemp("demo") / "home"
    shared = os.environ.get("SANDBOX_TEST_DEMO_WORLD")
    if not shared:
        _DEMO_BUILD.update(_build_demo(target))
        return target
    template, answer = shared_build(Path(shared), _build_demo)
    relocated_copy(template, target)
    _DEMO_BUILD.update(_moved(answer, str(template), str(target)))
    _activate(target)
    return target


def _moved(value: Any, old: str, new: str) -> Any:
    """``value`` (parsed JSON) with the path prefix ``old`` replaced by ``new`` in every string."""
    if isinstance(value, str):
        return new + value[len(old) :] if value == old or value.startswith(old + os.sep) else value
    if isinstance(value, list):
        return [_moved(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _moved(v, old, new) for k, v in value.items()}
    return value


@pytest.fixture(scope="session")
def demo_build(demo_home_path: Path) -> dict[str, Any]:
    """What ``sandbox demo --json`` answered when it built the session's demo world."""
    return dict(_DEMO_BUILD)


@pytest.fixture
def demo_home(demo_home_path: Path) -> Iterator[Path]:
    """Point the settings at the shared demo world for this test."""
    _activate(demo_home_path)
    yield demo_home_path
    from sandbox.store import reset_engines

    reset_engines()
