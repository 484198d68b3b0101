"""ONNX models: inputs and predictions, both computed by onnxruntime inside the sandbox.

onnxruntime parses an untrusted graph and has had memory-safety bugs on
crafted models, so it never runs in the workbench or CLI process: these
functions delegate to :mod:`models.isolation` (the same bubblewrap sandbox
as MLflow models). The parent process never imports onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["onnx_inputs", "predict_onnx"]


def onnx_inputs(path: Path, *, display_name: str | None = None) -> list[dict[str, Any]]:
    """Inputs of an ONNX model: ``[{"name", "type", "shape"}]``; raises if the file is not a usable model."""
    from models.isolation import onnx_inputs_isolated

    return onnx_inputs_isolated(path, display_name=display_name)


def predict_onnx(path: Path, frame: pd.DataFrame, *, feature_columns: list[str], display_name: str = "") -> pd.DataFrame:
    """``预测`` (first output) and ``评分`` (positive-class probability for binary classifiers)."""
    from models.isolation import predict_onnx_isolated

    return predict_onnx_isolated(path, frame, feature_columns=feature_columns, display_name=display_name)
