"""ONNX models run in-process through onnxruntime (a graph, no code execution on load)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError

__all__ = ["onnx_inputs", "predict_onnx"]

_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
          "tensor(int32)": np.int32, "tensor(string)": np.str_, "tensor(bool)": np.bool_}


def _session(path: Path, name: str):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 2
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph/… types
        raise InputError("models.onnx_bad", file=name, reason=str(exc).splitlines()[0][:300]) from None


def onnx_inputs(path: Path, *, display_name: str | None = None) -> list[dict[str, Any]]:
    """Inputs of an ONNX model: ``[{"name", "type", "shape"}]``; raises if the file is not a usable model."""
    session = _session(path, display_name or path.name)
    return [{"name": i.name, "type": i.type, "shape": [d if isinstance(d, int) else None for d in i.shape]}
            for i in session.get_inputs()]


def _feeds(session, frame: pd.DataFrame, feature_columns: list[str], name: str) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    inputs = session.get_inputs()
    if len(inputs) == 1 and inputs[0].name not in frame.columns:
        spec = inputs[0]
        dtype = _TYPES.get(spec.type, np.float32)
        width = spec.shape[-1] if spec.shape and isinstance(spec.shape[-1], int) else len(feature_columns)
        if width != len(feature_columns):
            raise InputError("models.onnx_width", file=name, expected=width, got=len(feature_columns))
        return {spec.name: frame[feature_columns].to_numpy(dtype=dtype)}
    feeds = {}
    for spec in inputs:
        if spec.name not in frame.columns:
            raise InputError("errors.column_missing", file=name, column=spec.name, purpose="onnx",
                             available=", ".join(map(str, frame.columns[:30])))
        dtype = _TYPES.get(spec.type, np.float32)
        feeds[spec.name] = frame[[spec.name]].to_numpy(dtype=dtype)
    return feeds


def predict_onnx(path: Path, frame: pd.DataFrame, *, feature_columns: list[str], display_name: str = "") -> pd.DataFrame:
    """``预测`` (first output) and ``评分`` (positive-class probability for binary classifiers)."""
    name = display_name or path.name
    session = _session(path, name)
    try:
        outputs = session.run(None, _feeds(session, frame, feature_columns, name))
    except InputError:
        raise
    except Exception as exc:
        raise InputError("models.onnx_failed", file=name, reason=str(exc).splitlines()[0][:300]) from None
    label = np.asarray(outputs[0]).reshape(len(frame), -1)[:, 0]
    out = pd.DataFrame({"预测": label if label.dtype != object else label.astype(str)})
    if len(outputs) > 1:
        proba = outputs[1]
        if isinstance(proba, list) and proba and isinstance(proba[0], dict):  # ZipMap output
            keys = sorted(proba[0])
            if len(keys) == 2:
                out["评分"] = [float(row[keys[1]]) for row in proba]
        else:
            proba = np.asarray(proba)
            if proba.ndim == 2 and proba.shape[1] == 2:
                out["评分"] = proba[:, 1].astype("float64")
    return out
