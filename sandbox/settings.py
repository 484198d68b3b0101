"""Settings: the one place that reads the environment.

Every other module asks :func:`get_settings` and never touches ``os.environ``
for configuration. The data home (``SANDBOX_HOME``, default ``./.sandbox``)
holds the SQLite sandbox database, the MLflow backend store and artifact root,
the per-project pseudonym secret and the demo world.
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sandbox.errors import ConfigError

__all__ = ["Language", "Settings", "get_settings", "reset_settings_cache"]

Language = Literal["zh", "en"]

_LANGUAGES: tuple[Language, ...] = ("zh", "en")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Resolved configuration of one sandbox process.

    Parameters
    ----------
    home : Path
        The data home.
    db_url : str
        SQLAlchemy URL of the sandbox store.
    mlflow_tracking_uri : str
        MLflow tracking (and registry) URI.
    mlflow_artifact_root : Path
        Default artifact root for experiments created by the sandbox.
    language : {"zh", "en"}
        Default language of messages (``SANDBOX_LANG``).
    """

    home: Path
    db_url: str
    mlflow_tracking_uri: str
    mlflow_artifact_root: Path
    language: Language

    @property
    def demo_dir(self) -> Path:
        return self.home / "demo"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    def ensure_home(self) -> Path:
        """Create the data home (and its sub-folders) or raise a clear error."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            for sub in (self.demo_dir, self.secrets_dir, self.keys_dir, self.work_dir):
                sub.mkdir(exist_ok=True)
            # A unique probe name: several processes may start at once.
            with tempfile.NamedTemporaryFile(dir=self.home, prefix=".write-probe-"):
                pass
        except OSError as exc:
            raise ConfigError(
                "errors.home_unusable", path=str(self.home), reason=exc.strerror or str(exc)
            ) from exc
        return self.home


def _read_settings(env: os._Environ[str] | dict[str, str]) -> Settings:
    raw_home = env.get("SANDBOX_HOME", "").strip() or "./.sandbox"
    if "\x00" in raw_home:
        raise ConfigError("errors.env_invalid", name="SANDBOX_HOME", value=repr(raw_home))
    home = Path(raw_home).expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError("errors.home_not_dir", path=str(home))

    db_url = env.get("SANDBOX_DB_URL", "").strip() or f"sqlite:///{home / 'sandbox.db'}"
    if "://" not in db_url:
        raise ConfigError("errors.env_invalid", name="SANDBOX_DB_URL", value=db_url)

    tracking = env.get("MLFLOW_TRACKING_URI", "").strip() or f"sqlite:///{home / 'mlflow.db'}"
    if "://" not in tracking and not tracking.startswith("file:"):
        raise ConfigError("errors.env_invalid", name="MLFLOW_TRACKING_URI", value=tracking)

    language = env.get("SANDBOX_LANG", "zh").strip().lower() or "zh"
    if language not in _LANGUAGES:
        raise ConfigError("errors.env_invalid", name="SANDBOX_LANG", value=language)

    return Settings(
        home=home,
        db_url=db_url,
        mlflow_tracking_uri=tracking,
        mlflow_artifact_root=home / "mlartifacts",
        language=language,  # type: ignore[arg-type]
    )


@functools.cache
def get_settings() -> Settings:
    """Return the process settings, reading the environment once.

    Also switches MLflow telemetry off for this process and its children.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TLDEXTRACT_CACHE", str(Path(os.environ.get("SANDBOX_HOME", ".sandbox")) / "tldextract"))
    return _read_settings(os.environ)


def reset_settings_cache() -> None:
    """Forget cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()
