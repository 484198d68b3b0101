"""Small input helpers for the 公平性审计 page (choices and uploads; no audit rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.roles import Actor

__all__ = ["column_choices", "demo_scenarios", "registered_versions", "save_upload", "score_profile"]


def demo_scenarios() -> dict[str, dict[str, Any]]:
    """Built demo scenarios (key → scenario.json with file paths)."""
    from sandbox.demo.scenarios import SCENARIOS, load_scenario
    from sandbox.errors import NotFoundError

    found = {}
    for key in SCENARIOS:
        try:
            found[key] = load_scenario(key)
        except NotFoundError:
            continue
    return found


def registered_versions(actor: Actor) -> list[str]:
    """``NAME/VERSION`` of the versions the actor may audit (empty when the registry is unavailable)."""
    try:
        from models.service import list_models
    except ImportError:
        return []
    return [f"{v['name']}/{v['version']}" for v in list_models(actor=actor)]


def save_upload(upload: Any) -> Path:
    """Keep an uploaded file under the data home's work folder and return its path."""
    from sandbox.files import keep_upload

    return keep_upload(upload.getvalue(), upload.name, folder="audit-uploads")


def column_choices(data: Path, predictions: Path | None) -> list[str]:
    """Column names of the data (and predictions) file, for the mapping widgets."""
    from sandbox.tabular import read_table

    frame, _ = read_table(data, long_numbers="keep")
    columns = [str(c) for c in frame.columns]
    if predictions is not None:
        pred, _ = read_table(predictions, long_numbers="keep")
        columns += [str(c) for c in pred.columns if str(c) not in columns]
    return columns


def score_profile(data: Path, predictions: Path | None, column: str, order: str | None = None) -> dict[str, Any]:
    """Kind, range and histogram of a score column (see :func:`audits._scores.profile_score`)."""
    from sandbox.tabular import read_table

    from ._scores import parse_order, profile_score

    frame, _ = read_table(data, long_numbers="keep")
    if column not in frame.columns and predictions is not None:
        frame, _ = read_table(predictions, long_numbers="keep")
    return profile_score(frame[column], order=parse_order(order))
