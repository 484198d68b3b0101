"""The one wrapper around MLflow: model registry, aliases and audit runs.

Nothing else in the product imports mlflow, and this module imports it only
inside the functions that need it (importing the module is cheap:
:func:`ui_url` and list/show pages never load mlflow). The tracking URI comes from
:mod:`sandbox.settings` (sqlite store under the data home by default, or a
real ``mlflow server`` via ``MLFLOW_TRACKING_URI``). Aliases (``trial``,
``approved``), never the deprecated stages.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from models._mlflow_store import mlflow_store_url, schema_state, upgrade_store
from sandbox.settings import get_settings

__all__ = [
    "SUBMISSIONS_EXPERIMENT",
    "Registry",
    "mlflow_store_url",
    "save_sklearn_model",
    "schema_state",
    "ui_url",
    "upgrade_mlflow_store",
]

SUBMISSIONS_EXPERIMENT = "sandbox-submissions"

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no tqdm bars on the CLI's stderr


def _create_local_store(tracking_uri: str, artifact_root: Path | None) -> None:
    """Create a new sqlite MLflow store whose artifacts (the "Default" experiment's too) live in ``artifact_root``.

    ``MlflowClient`` alone would create the store with MLflow's default
    artifact root ``./mlruns``, relative to whatever folder the person runs
    the CLI from; the "Default" experiment (id 0) would point there for ever.
    Creating the store first with an explicit root makes it point into the
    data home (``artifact_root``; None: ``mlartifacts`` beside the database
    file, for a store named by an explicit tracking URI). Every other
    experiment gets its location in :meth:`Registry.experiment_id`.
    """
    db = Path(tracking_uri.removeprefix("sqlite:///"))
    if not tracking_uri.startswith("sqlite:///") or (db.exists() and db.stat().st_size > 0):
        return
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    db.parent.mkdir(parents=True, exist_ok=True)
    root = (artifact_root or db.parent / "mlartifacts").resolve()
    store = SqlAlchemyStore(tracking_uri, root.as_uri())
    store.engine.dispose()


def _announce(upgraded: dict[str, Any] | None) -> None:
    """An MLflow store migrated on first use: said on stderr and kept in the activity log."""
    if upgraded is None:
        return
    from sandbox.i18n import t

    logging.getLogger("sandbox.models").warning(t("models.mlflow_store_upgraded", **{
        "store": upgraded["store"], "from_rev": upgraded["from"], "to_rev": upgraded["to"],
        "backup": upgraded["backup"]}))
    _record(upgraded)


def _record(upgraded: dict[str, Any]) -> None:
    from sandbox.activity import log_activity
    from sandbox.store import session_scope

    with session_scope() as s:
        log_activity(s, None, "mlflow.store_upgraded", upgraded["store"], **upgraded)


def mlflow_alembic_config() -> Any:
    """MLflow's own Alembic configuration of its tracking store (its migrations and their head)."""
    from mlflow.store.db.utils import _get_alembic_config

    return _get_alembic_config("")


def mlflow_upgrade_db(engine: Any) -> None:
    """Run MLflow's own migrations of its tracking store on ``engine`` (a SQLAlchemy engine)."""
    from mlflow.store.db.utils import _upgrade_db

    _upgrade_db(engine)


def upgrade_mlflow_store() -> dict[str, Any] | None:
    """``sandbox upgrade``: migrate this deployment's MLflow store (local, or an ``mlflow server``'s
    ``MLFLOW_BACKEND_STORE_URI`` — stop the server first) if the installed MLflow is newer; copy kept first."""
    upgraded = upgrade_store()
    if upgraded is not None:
        _record(upgraded)
    return upgraded


@functools.cache
def _client(tracking_uri: str, artifact_root: Path | None):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    # MLflow logs its store migrations at INFO on first use; users need not see them.
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    if tracking_uri.startswith("sqlite:///"):  # an `mlflow server`'s store is upgraded by `sandbox upgrade`
        _announce(upgrade_store(tracking_uri))
    _create_local_store(tracking_uri, artifact_root)
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


class Registry:
    """Small facade over ``MlflowClient`` for the sandbox's needs.

    Parameters
    ----------
    tracking_uri : str, optional
        Defaults to the configured ``MLFLOW_TRACKING_URI`` (sqlite under the
        data home).
    """

    def __init__(self, *, tracking_uri: str | None = None) -> None:
        settings = get_settings()
        self.tracking_uri = tracking_uri or settings.mlflow_tracking_uri
        self.artifact_root = settings.mlflow_artifact_root
        self.client = _client(self.tracking_uri, None if tracking_uri else self.artifact_root)

    # -- experiments and runs -------------------------------------------------
    def experiment_id(self, name: str) -> str:
        found = self.client.get_experiment_by_name(name)
        if found is not None:
            return found.experiment_id
        location = None
        if self.tracking_uri.startswith("sqlite:"):
            self.artifact_root.mkdir(parents=True, exist_ok=True)
            location = (self.artifact_root / name).resolve().as_uri()
        return self.client.create_experiment(name, artifact_location=location)

    def log_run(
        self,
        *,
        experiment: str,
        run_name: str,
        params: Mapping[str, Any] | None = None,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, str] | None = None,
        artifacts: Mapping[str, str | Path] | None = None,
        texts: Mapping[str, str] | None = None,
    ) -> str:
        """Create a finished run with params, metrics, tags and files; return its id.

        ``artifacts`` maps an artifact sub-folder ("" for the root) to a local
        file; ``texts`` maps an artifact file name to its text content.
        """
        from mlflow.entities import Metric, Param

        run = self.client.create_run(self.experiment_id(experiment), run_name=run_name, tags=dict(tags or {}))
        run_id = run.info.run_id
        try:
            now = int(run.info.start_time or 0)
            self.client.log_batch(  # one round trip for every param and metric
                run_id,
                metrics=[Metric(key, float(value), now, 0) for key, value in (metrics or {}).items()],
                params=[Param(key, str(value)[:6000]) for key, value in (params or {}).items()],
            )
            for sub, local in (artifacts or {}).items():
                self.client.log_artifact(run_id, str(local), artifact_path=sub or None)
            for name, text in (texts or {}).items():
                self.client.log_text(run_id, text, name)
        except BaseException:
            self.client.set_terminated(run_id, status="FAILED")
            raise
        self.client.set_terminated(run_id, status="FINISHED")
        return run_id

    def log_model_dir(self, *, experiment: str, run_name: str, model_dir: Path, tags: Mapping[str, str]) -> tuple[str, str]:
        """Upload an MLflow model directory as a run's ``model`` artifact; return (run_id, source URI)."""
        run = self.client.create_run(self.experiment_id(experiment), run_name=run_name, tags=dict(tags))
        run_id = run.info.run_id
        self.client.log_artifacts(run_id, str(model_dir), artifact_path="model")
        self.client.set_terminated(run_id, status="FINISHED")
        return run_id, f"runs:/{run_id}/model"

    # -- registered models and versions ---------------------------------------
    def ensure_registered_model(self, name: str, *, tags: Mapping[str, str] | None = None, description: str = ""):  # type: ignore[no-untyped-def]
        from mlflow.exceptions import MlflowException

        try:
            return self.client.get_registered_model(name)
        except MlflowException:
            return self.client.create_registered_model(name, tags=dict(tags or {}), description=description)

    def create_version(self, name: str, *, source: str, run_id: str | None, tags: Mapping[str, str], description: str = ""):  # type: ignore[no-untyped-def]
        return self.client.create_model_version(
            name, source=source, run_id=run_id, tags=dict(tags), description=description
        )

    def get_version(self, name: str, version: str):  # type: ignore[no-untyped-def]
        return self.client.get_model_version(name, str(version))

    def versions(self, name: str | None = None) -> list[Any]:
        filter_string = f"name = '{name}'" if name else None
        return list(self.client.search_model_versions(filter_string))

    def set_tag(self, name: str, version: str, key: str, value: str) -> None:
        self.client.set_model_version_tag(name, str(version), key, value)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        self.client.set_registered_model_alias(name, alias, str(version))

    def delete_alias(self, name: str, alias: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self.client.delete_registered_model_alias(name, alias)
        except MlflowException:
            pass

    def version_by_alias(self, name: str, alias: str) -> str | None:
        from mlflow.exceptions import MlflowException

        try:
            return str(self.client.get_model_version_by_alias(name, alias).version)
        except MlflowException:
            return None

    # -- submissions (models area) ------------------------------------------
    def log_submission(
        self,
        *,
        run_name: str,
        artifact: Path,
        artifact_path: str,
        card_yaml: str,
        manifest: Mapping[str, Any],
        tags: Mapping[str, str],
    ) -> tuple[str, str]:
        """One run holding the submitted artifact, ``card.yaml`` and ``manifest.json``.

        Returns (run_id, source URI of the artifact for the model version).
        """
        import json

        run = self.client.create_run(self.experiment_id(SUBMISSIONS_EXPERIMENT), run_name=run_name, tags=dict(tags))
        run_id = run.info.run_id
        try:
            for key, value in tags.items():
                self.client.log_param(run_id, key, str(value)[:6000])
            if artifact.is_dir():
                self.client.log_artifacts(run_id, str(artifact), artifact_path=artifact_path)
            else:
                self.client.log_artifact(run_id, str(artifact), artifact_path=artifact_path)
            self.client.log_text(run_id, card_yaml, "card.yaml")
            self.client.log_text(run_id, json.dumps(manifest, ensure_ascii=False, indent=2), "manifest.json")
        except BaseException:
            self.client.set_terminated(run_id, status="FAILED")
            self.delete_run(run_id)
            raise
        self.client.set_terminated(run_id, status="FINISHED")
        return run_id, f"runs:/{run_id}/{artifact_path}"

    def delete_run(self, run_id: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self.client.delete_run(run_id)
        except MlflowException:
            pass

    def delete_version(self, name: str, version: str) -> None:
        """Remove a version (compensation after a failed submission); drop the model if now empty."""
        from mlflow.exceptions import MlflowException

        try:
            self.client.delete_model_version(name, str(version))
        except MlflowException:
            pass
        try:
            if not self.versions(name):
                self.client.delete_registered_model(name)
        except MlflowException:
            pass

    def delete_registered_model_if_empty(self, name: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            if not self.versions(name):
                self.client.delete_registered_model(name)
        except MlflowException:
            pass

    def has_registered_model(self, name: str) -> bool:
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_registered_model(name)
        except MlflowException:
            return False
        return True

    def aliases(self) -> dict[str, dict[str, str]]:
        """Registered model name → {alias: version} for every model (one search)."""
        out: dict[str, dict[str, str]] = {}
        token = None
        while True:
            page = self.client.search_registered_models(max_results=1000, page_token=token)
            for model in page:
                out[model.name] = {alias: str(v) for alias, v in (model.aliases or {}).items()}
            token = page.token
            if not token:
                return out

    def version_tags(self, name: str, version: str) -> dict[str, str]:
        return dict(self.get_version(name, version).tags or {})

    def run_text(self, run_id: str, path: str) -> str:
        """Read a small text artifact of a run (the card, the manifest)."""
        with tempfile.TemporaryDirectory() as tmp:
            local = self.client.download_artifacts(run_id, path, tmp)
            return Path(local).read_text(encoding="utf-8")

    def ui_url(self, name: str, version: str) -> str:
        """Where the version is shown in the MLflow UI (see :func:`ui_url`)."""
        return ui_url(name, version, tracking_uri=self.tracking_uri)

    def download_run_artifacts(self, run_id: str, path: str, dest: Path) -> Path:
        """Copy a run's artifact folder/file to ``dest`` (works for the sqlite store and a server)."""
        dest.mkdir(parents=True, exist_ok=True)
        return Path(self.client.download_artifacts(run_id, path, str(dest)))

    def download(self, uri: str, dest: Path) -> Path:
        from mlflow.artifacts import download_artifacts

        return Path(download_artifacts(artifact_uri=uri, dst_path=str(dest), tracking_uri=self.tracking_uri))


def ui_url(name: str, version: str, *, tracking_uri: str | None = None) -> str:
    """Where a version is shown in the MLflow UI, computed without importing mlflow.

    Parameters
    ----------
    name, version : str
        Registered model and version.
    tracking_uri : str, optional
        Defaults to the configured ``MLFLOW_TRACKING_URI``; an ``http(s)``
        server is linked directly, the sqlite store to a local ``mlflow ui``.
    """
    from urllib.parse import quote

    uri = tracking_uri or get_settings().mlflow_tracking_uri
    base = uri.rstrip("/") if uri.startswith("http") else "http://127.0.0.1:5000"
    return f"{base}/#/models/{quote(name, safe='')}/versions/{version}"


def save_sklearn_model(model: Any, path: Path, *, input_example: Any, pip_requirements: list[str]) -> Path:
    """Save a (trusted, our own) scikit-learn model as an MLflow model directory."""
    import logging
    import warnings

    import mlflow.sklearn

    path = Path(path)
    # MLflow warns about pickling and integer schemas on every save; for our own
    # demo models both are known and intended, and the user should not see them.
    log = logging.getLogger("mlflow.sklearn")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Hint: Inferred schema contains integer", category=UserWarning)
            staged = Path(tmp) / "model"
            mlflow.sklearn.save_model(
                model, str(staged), input_example=input_example, pip_requirements=pip_requirements,
                serialization_format="cloudpickle",
            )
            staged.rename(path)
    finally:
        log.setLevel(level)
    return path
