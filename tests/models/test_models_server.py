"""Against a real ``mlflow server`` on 127.0.0.1 (started here, stopped by process group)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import service
from models.registry import Registry
from tests._servers import mlflow_server as _mlflow_server
from tests.models.models_testkit import card

pytestmark = pytest.mark.server


@contextlib.contextmanager
def mlflow_server(root: Path) -> Iterator[str]:
    """A real ``mlflow server`` over a SQLite store in ``root`` (the shared test helper)."""
    with _mlflow_server(root, backend=f"sqlite:///{root / 'server.db'}", artifacts=root / "artifacts") as url:
        yield url


def test_submit_list_score_and_aliases_through_a_real_server(people, onnx_file, data_csv, tmp_path, monkeypatch) -> None:
    from sandbox.settings import reset_settings_cache

    root = tmp_path / "server"
    root.mkdir()
    with mlflow_server(root) as url:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        reset_settings_cache()
        try:
            submitted = service.submit_model(actor=people["vendor_a"], artifact=onnx_file, card=card())
            name = submitted["name"]
            assert submitted["mlflow_url"].startswith(f"{url}/#/models/")
            assert [r["name"] for r in service.list_models(actor=people["reviewer"])] == [name]
            assert service.list_models(actor=people["vendor_b"]) == []
            registry = Registry()
            assert registry.tracking_uri == url
            assert registry.version_tags(name, "1")["sha256"] == submitted["sha256"]
            assert "调度决策类" in registry.run_text(submitted["run_id"], "card.yaml")
            scored = service.score_version(actor=people["reviewer"], name=name, version="1", data=data_csv)
            assert len(scored) == 50 and scored["评分"].between(0, 1).all()
            for status, who in (("in_trial", "reviewer"), ("under_review", "reviewer"), ("approved", "chair")):
                service.transition_trial(actor=people[who], trial_id=submitted["trial_id"], to_status=status)
            service.set_approved_alias(name=name, version="1", sha256=submitted["sha256"])
            assert registry.version_by_alias(name, "approved") == "1"
            assert service.show_model(actor=people["vendor_a"], name=name)["aliases"] == ["approved", "trial"]
            assert registry.version_tags(name, "1")["trial_status"] == "approved"
            # The artifacts live on the server side, not under the data home.
            assert any((root / "artifacts").rglob("model.onnx"))
        finally:
            monkeypatch.delenv("MLFLOW_TRACKING_URI")
            reset_settings_cache()
