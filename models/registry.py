"""The one wrapper around MLflow: model registry, aliases and audit runs.

Nothing else in the product imports mlflow. The tracking URI comes from
:mod:`sandbox.settings` (sqlite store under the data home by default, or a
real ``mlflow server`` via ``MLFLOW_TRACKING_URI``). Aliases (``trial``,
``approved``), never the deprecated stages.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sandbox.settings import get_settings

__all__ = ["Registry", "save_sklearn_model"]

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


@functools.cache
def _client(tracking_uri: str):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

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
        self.client = _client(self.tracking_uri)

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
        run = self.client.create_run(self.experiment_id(experiment), run_name=run_name, tags=dict(tags or {}))
        run_id = run.info.run_id
        try:
            for key, value in (params or {}).items():
                self.client.log_param(run_id, key, str(value)[:6000])
            for key, value in (metrics or {}).items():
                self.client.log_metric(run_id, key, float(value))
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

    def download(self, uri: str, dest: Path) -> Path:
        from mlflow.artifacts import download_artifacts

        return Path(download_artifacts(artifact_uri=uri, dst_path=str(dest), tracking_uri=self.tracking_uri))


def save_sklearn_model(model: Any, path: Path, *, input_example: Any, pip_requirements: list[str]) -> Path:
    """Save a (trusted, our own) scikit-learn model as an MLflow model directory."""
    import mlflow.sklearn

    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staged = Path(tmp) / "model"
        mlflow.sklearn.save_model(
            model, str(staged), input_example=input_example, pip_requirements=pip_requirements,
            serialization_format="cloudpickle",
        )
        staged.rename(path)
    return path
