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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.errors import ConfigError

__all__ = ["Engine", "Language", "ModelSandboxPolicy", "Settings", "get_settings", "reset_settings_cache"]

Language = Literal["zh", "en"]
Engine = Literal["pandas", "spark"]

_LANGUAGES: tuple[Language, ...] = ("zh", "en")
_ENGINES: tuple[Engine, ...] = ("pandas", "spark")


@dataclass(frozen=True, kw_only=True)
class ModelSandboxPolicy:
    """Policy of the bubblewrap sandbox that runs vendor model code (one run = one scoring or check).

    Parameters
    ----------
    memory_mb : int
        Address-space limit of the sandboxed process (``SANDBOX_MODEL_MEMORY_MB``).
    cpu_seconds : int
        CPU time limit (``SANDBOX_MODEL_CPU_SECONDS``).
    wall_seconds : int
        Wall-clock limit; the whole process group is killed (``SANDBOX_MODEL_WALL_SECONDS``).
    output_mb : int
        Largest predictions file and private ``/tmp`` of one run (``SANDBOX_MODEL_OUTPUT_MB``).
    bwrap : str
        The bubblewrap program (``SANDBOX_BWRAP``; default: ``bwrap`` on ``PATH``, else ``/usr/bin/bwrap``).
    allow_weak_isolation : bool
        Development only (``SANDBOX_ALLOW_WEAK_ISOLATION=1``): without bubblewrap, run the
        weaker child (network namespace only) and mark every result that used it.
    """

    memory_mb: int = 4096
    cpu_seconds: int = 600
    wall_seconds: int = 300
    output_mb: int = 256
    bwrap: str = ""
    allow_weak_isolation: bool = False


_MODEL_LIMITS = {"memory_mb": ("SANDBOX_MODEL_MEMORY_MB", 256, 65536),
                 "cpu_seconds": ("SANDBOX_MODEL_CPU_SECONDS", 1, 86400),
                 "wall_seconds": ("SANDBOX_MODEL_WALL_SECONDS", 1, 86400),
                 "output_mb": ("SANDBOX_MODEL_OUTPUT_MB", 1, 65536)}


def _model_sandbox(env: os._Environ[str] | dict[str, str]) -> ModelSandboxPolicy:
    values: dict[str, int] = {}
    for field_name, (name, low, high) in _MODEL_LIMITS.items():
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ConfigError("errors.env_invalid", name=name, value=raw)
        values[field_name] = int(raw)
    weak = env.get("SANDBOX_ALLOW_WEAK_ISOLATION", "").strip().lower()
    if weak not in {"", "0", "1", "true", "false", "yes", "no"}:
        raise ConfigError("errors.env_invalid", name="SANDBOX_ALLOW_WEAK_ISOLATION", value=weak)
    return ModelSandboxPolicy(**values, bwrap=env.get("SANDBOX_BWRAP", "").strip(),
                              allow_weak_isolation=weak in {"1", "true", "yes"})


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
    engine : {"pandas", "spark"}
        Engine of the data-heavy operations (``SANDBOX_ENGINE``, default pandas).
    spark_master : str
        Spark master URL (``SANDBOX_SPARK_MASTER``, default ``local[*]``).
    spark_conf : dict
        Extra Spark settings (``SANDBOX_SPARK_CONF="key=value;key=value"``),
        e.g. ``spark.sql.catalogImplementation=hive`` or executor memory.
    condition_grace_days : int
        Days a mandatory review condition may be overdue before its approval is
        flagged for suspension (``SANDBOX_CONDITION_GRACE_DAYS``, default 30).
    model_sandbox : ModelSandboxPolicy
        Limits of the sandbox that runs vendor model code (``SANDBOX_MODEL_*``).
    large_sources : dict
        Large sources the workbench offers for Spark
        (``SANDBOX_LARGE_SOURCES="name=/data/path;name2=db.table"``).
    mlflow_backend_uri : str or None
        With an ``mlflow server`` (``MLFLOW_TRACKING_URI=http…``): the
        server's backend store, ``MLFLOW_BACKEND_STORE_URI`` (the same
        variable ``mlflow server`` reads). Only backups and restores use it.
    mlflow_artifacts_dir : Path or None
        The server's ``MLFLOW_ARTIFACTS_DESTINATION`` folder (backups only).
    timezone : str
        IANA time zone of the city (``SANDBOX_TIMEZONE``, default
        ``Asia/Shanghai``): the calendar dates of reviews (application,
        acceptance, meeting, decision and its 30-day clock) are this zone's,
        whatever zone the server runs in; times are stored in UTC.
    """

    home: Path
    db_url: str
    mlflow_tracking_uri: str
    mlflow_artifact_root: Path
    language: Language
    engine: Engine = "pandas"
    spark_master: str = "local[*]"
    spark_conf: dict[str, str] = field(default_factory=dict)
    condition_grace_days: int = 30
    model_sandbox: ModelSandboxPolicy = field(default_factory=lambda: ModelSandboxPolicy())
    large_sources: dict[str, str] = field(default_factory=dict)
    mlflow_backend_uri: str | None = None
    mlflow_artifacts_dir: Path | None = None
    timezone: str = "Asia/Shanghai"

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
        """Create the data home (and its sub-folders) or raise a clear error.

        The home is private to the account that runs the sandbox (0700): it holds
        the databases (password hashes, sealed signing keys, audits), the secrets,
        vendor models and personal data, and the files in it are written with the
        process's umask. A home another account may enter (a folder an
        administrator made with ``mkdir``, a home from an older release) is closed
        here, on every start; so are ``secrets/``, ``keys/``, ``work/`` and a local
        ``MLFLOW_ARTIFACTS_DESTINATION`` this account owns.
        """
        try:
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
            for sub in (self.demo_dir, self.secrets_dir, self.keys_dir, self.work_dir):
                sub.mkdir(mode=0o700, exist_ok=True)
            self.close_home()
            # A unique probe name: several processes may start at once.
            with tempfile.NamedTemporaryFile(dir=self.home, prefix=".write-probe-"):
                pass
        except OSError as exc:
            raise ConfigError(
                "errors.home_unusable", path=str(self.home), reason=exc.strerror or str(exc)
            ) from exc
        return self.home

    def close_home(self) -> None:
        """Make the existing home, ``secrets/``, ``keys/``, ``work/`` and a local artifact folder 0700 where this
        account owns them and others may enter; creates nothing (a server store's home may not exist yet)."""
        for folder in (self.home, self.secrets_dir, self.keys_dir, self.work_dir, self.mlflow_artifacts_dir):
            if folder is not None and folder.is_dir():
                _make_private(folder)


def _make_private(folder: Path) -> None:
    """``chmod 0700`` a folder this account owns when another account may enter or read it."""
    info = folder.stat()
    if info.st_uid == os.geteuid() and info.st_mode & 0o077:
        os.chmod(folder, 0o700)


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

    engine = env.get("SANDBOX_ENGINE", "pandas").strip().lower() or "pandas"
    if engine not in _ENGINES:
        raise ConfigError("errors.env_invalid", name="SANDBOX_ENGINE", value=engine)
    master = env.get("SANDBOX_SPARK_MASTER", "").strip() or "local[*]"
    spark_conf: dict[str, str] = {}
    for item in env.get("SANDBOX_SPARK_CONF", "").split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise ConfigError("errors.env_invalid", name="SANDBOX_SPARK_CONF", value=item.strip())
        spark_conf[key.strip()] = value.strip()
    grace = env.get("SANDBOX_CONDITION_GRACE_DAYS", "").strip() or "30"
    if not grace.isdigit() or int(grace) > 3650:
        raise ConfigError("errors.env_invalid", name="SANDBOX_CONDITION_GRACE_DAYS", value=grace)
    large_sources: dict[str, str] = {}
    for item in env.get("SANDBOX_LARGE_SOURCES", "").split(";"):
        if not item.strip():
            continue
        name, sep, where = item.partition("=")
        if not sep or not name.strip() or not where.strip():
            raise ConfigError("errors.env_invalid", name="SANDBOX_LARGE_SOURCES", value=item.strip())
        large_sources[name.strip()] = where.strip()
    backend = env.get("MLFLOW_BACKEND_STORE_URI", "").strip() or None
    if backend is not None and "://" not in backend:
        raise ConfigError("errors.env_invalid", name="MLFLOW_BACKEND_STORE_URI", value=backend)
    artifacts = env.get("MLFLOW_ARTIFACTS_DESTINATION", "").strip().removeprefix("file://") or None
    timezone = env.get("SANDBOX_TIMEZONE", "").strip() or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("errors.env_invalid", name="SANDBOX_TIMEZONE", value=timezone) from None

    return Settings(
        home=home,
        engine=engine,  # type: ignore[arg-type]
        spark_master=master,
        spark_conf=spark_conf,
        large_sources=large_sources,
        db_url=db_url,
        mlflow_tracking_uri=tracking,
        mlflow_artifact_root=home / "mlartifacts",
        language=language,  # type: ignore[arg-type]
        condition_grace_days=int(grace),
        model_sandbox=_model_sandbox(env),
        mlflow_backend_uri=backend,
        mlflow_artifacts_dir=Path(artifacts).expanduser().resolve() if artifacts else None,
        timezone=timezone,
    )


@functools.cache
def get_settings() -> Settings:
    """Return the process settings, reading the environment once.

    Also switches MLflow's and onnxruntime's telemetry (and MLflow's run-URL
    printing) off for this process and its children.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    # With an mlflow server, MLflow writes "🏃 View run … at: http…" to stdout at each run's end,
    # which would corrupt the CLI's --json output.
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # onnxruntime (the name model) has telemetry on Linux too
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TLDEXTRACT_CACHE", str(Path(os.environ.get("SANDBOX_HOME", ".sandbox")) / "tldextract"))
    return _read_settings(os.environ)


def reset_settings_cache() -> None:
    """Forget cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()
