"""Settings: one place reads the environment; bad values give clear bilingual errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import ConfigError
from sandbox.settings import _read_settings


def test_defaults_put_everything_under_the_home(tmp_path: Path) -> None:
    settings = _read_settings({"SANDBOX_HOME": str(tmp_path / "h")})
    assert settings.home == (tmp_path / "h").resolve()
    assert settings.db_url == f"sqlite:///{settings.home / 'sandbox.db'}"
    assert settings.mlflow_tracking_uri == f"sqlite:///{settings.home / 'mlflow.db'}"
    assert settings.mlflow_artifact_root == settings.home / "mlartifacts"
    assert settings.language == "zh"


def test_overrides_are_honoured(tmp_path: Path) -> None:
    settings = _read_settings({
        "SANDBOX_HOME": str(tmp_path),
        "SANDBOX_DB_URL": "postgresql+psycopg://u:p@127.0.0.1:5432/db",
        "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000",
        "SANDBOX_LANG": "EN",
    })
    assert settings.db_url.startswith("postgresql+psycopg://")
    assert settings.mlflow_tracking_uri == "http://127.0.0.1:5000"
    assert settings.language == "en"


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SANDBOX_LANG": "fr"}, "SANDBOX_LANG"),
        ({"SANDBOX_DB_URL": "not a url"}, "SANDBOX_DB_URL"),
        ({"MLFLOW_TRACKING_URI": "localhost"}, "MLFLOW_TRACKING_URI"),
    ],
)
def test_bad_env_values_are_refused_in_both_languages(tmp_path: Path, env: dict[str, str], name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _read_settings({"SANDBOX_HOME": str(tmp_path), **env})
    assert caught.value.key == "errors.env_invalid"
    text = caught.value.render()
    assert f"环境变量 {name} 的值无效" in text
    assert f"Environment variable {name} has an invalid value" in text


def test_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _read_settings({"SANDBOX_HOME": str(target)})
    assert caught.value.key == "errors.home_not_dir"


def test_home_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    settings = _read_settings({"SANDBOX_HOME": str(blocker / "sub")})
    with pytest.raises(ConfigError) as caught:
        settings.ensure_home()
    assert caught.value.key == "errors.home_unusable"
    assert str(blocker / "sub") in caught.value.render("en")
