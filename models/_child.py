"""The sandboxed child: load an untrusted model and predict. Self-contained: imports nothing of the project.

:mod:`models.isolation` copies this one file into the sandbox (read-only) and
runs it under bubblewrap as ``python -I /sandbox/child.py TASK ...``. Before
it touches the model it closes every inherited descriptor but its own and
lowers its own limits (soft = hard, so vendor code cannot raise them again).
The input arrives as Parquet on one inherited descriptor; predictions leave on another
(a file the parent caps with ``RLIMIT_FSIZE``) in the plain format ``sandbox-predictions/1``
that ``models/_channel.py`` checks before reading (header + raw columns: bool, int64,
float64 or fixed-width text — keep :func:`_encode` in step with it), a small JSON
status on a third (``--fds OUT,STATUS,IN``). Nothing is ever pickled back to the parent. Tasks:

- ``predict``: an MLflow model folder (sklearn flavour as plain cloudpickle,
  anything else through ``mlflow.pyfunc``);
- ``onnx-inputs``: the input names/types/shapes of an ONNX file;
- ``onnx-predict``: run an ONNX file (onnxruntime has had memory-safety bugs on
  crafted graphs, so it never runs in the parent).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import resource
import sys
import traceback

PREDICTION = "预测"
SCORE = "评分"
OUTPUT_FD, STATUS_FD, INPUT_FD = 3, 4, 5  # replaced by --fds
MAX_LABEL_CHARS = 2000  # models._channel.MAX_LABEL_CHARS


class ChildError(Exception):
    """An expected failure with a catalog key suffix and parameters (mapped by the parent)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = {k: str(v)[:300] for k, v in params.items()}


def _limit(which: int, value: int) -> None:
    if value > 0:
        resource.setrlimit(which, (value, value))


def _close_inherited() -> None:
    keep = {0, 1, 2, OUTPUT_FD, STATUS_FD, INPUT_FD}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _load(model_dir: str):  # type: ignore[no-untyped-def]
    import yaml

    with open(os.path.join(model_dir, "MLmodel"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle.read(1_000_000)) or {}
    flavors = meta.get("flavors") or {} if isinstance(meta, dict) else {}
    sk = flavors.get("sklearn") or {} if isinstance(flavors, dict) else {}
    pickled = sk.get("pickled_model") if isinstance(sk, dict) else None
    if isinstance(pickled, str) and sk.get("serialization_format") in {"cloudpickle", "pickle"}:
        # The sklearn flavour is a plain (cloud)pickle: load it without importing mlflow.
        import cloudpickle

        path = os.path.realpath(os.path.join(model_dir, pickled))
        if not path.startswith(os.path.realpath(model_dir) + os.sep):
            raise ChildError("bad_path", member=pickled)
        with open(path, "rb") as handle:
            return cloudpickle.load(handle), None
    import mlflow.pyfunc

    pyfunc = mlflow.pyfunc.load_model(model_dir)
    try:
        raw = pyfunc.get_raw_model()
    except Exception:
        raw = None
    return pyfunc, raw


def _predict(model, raw, frame):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    predicted = model.predict(frame)
    if isinstance(predicted, pd.DataFrame):
        predicted = predicted.iloc[:, 0]
    out = pd.DataFrame({PREDICTION: np.asarray(predicted).reshape(len(frame), -1)[:, 0]})
    scorer = raw if raw is not None else model
    if hasattr(scorer, "predict_proba"):
        proba = np.asarray(scorer.predict_proba(frame))
        if proba.ndim == 2 and proba.shape[1] == 2:
            out[SCORE] = proba[:, 1].astype("float64")
    if out[PREDICTION].dtype == object:
        out[PREDICTION] = out[PREDICTION].astype(str)
    return out


def _onnx_session(path: str):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph/… types
        raise ChildError("onnx_bad", reason=(str(exc).splitlines() or [type(exc).__name__])[0]) from None


def _onnx_inputs(session) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [{"name": str(i.name), "type": str(i.type),
             "shape": [d if isinstance(d, int) else None for d in (i.shape or [])]} for i in session.get_inputs()]


def _onnx_feeds(session, frame, feature_columns: list[str]):  # type: ignore[no-untyped-def]
    import numpy as np

    types = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
             "tensor(int32)": np.int32, "tensor(string)": np.str_, "tensor(bool)": np.bool_}
    inputs = session.get_inputs()
    if len(inputs) == 1 and inputs[0].name not in frame.columns:
        spec = inputs[0]
        width = spec.shape[-1] if spec.shape and isinstance(spec.shape[-1], int) else len(feature_columns)
        if width != len(feature_columns):
            raise ChildError("onnx_width", expected=width, got=len(feature_columns))
        return {spec.name: frame[feature_columns].to_numpy(dtype=types.get(spec.type, np.float32))}
    feeds = {}
    for spec in inputs:
        if spec.name not in frame.columns:
            raise ChildError("column_missing", column=spec.name, available=", ".join(map(str, frame.columns[:30])))
        feeds[spec.name] = frame[[spec.name]].to_numpy(dtype=types.get(spec.type, np.float32))
    return feeds


def _onnx_predict(path: str, frame, feature_columns: list[str]):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    session = _onnx_session(path)
    feeds = _onnx_feeds(session, frame, feature_columns)
    try:
        outputs = session.run(None, feeds)
    except Exception as exc:
        raise ChildError("onnx_failed", reason=(str(exc).splitlines() or [type(exc).__name__])[0]) from None
    label = np.asarray(outputs[0]).reshape(len(frame), -1)[:, 0]
    out = pd.DataFrame({PREDICTION: label if label.dtype != object else label.astype(str)})
    if len(outputs) > 1:
        proba = outputs[1]
        if isinstance(proba, list) and proba and isinstance(proba[0], dict):  # ZipMap output
            keys = sorted(proba[0])
            if len(keys) == 2:
                out[SCORE] = [float(row[keys[1]]) for row in proba]
        else:
            proba = np.asarray(proba)
            if proba.ndim == 2 and proba.shape[1] == 2:
                out[SCORE] = proba[:, 1].astype("float64")
    return out


def _encode(out) -> bytes:  # type: ignore[no-untyped-def]
    """``out`` (预测, optional 评分) as ``sandbox-predictions/1``: JSON header, then each column's bytes."""
    import struct

    import numpy as np

    columns, bodies = [], []
    for name in (PREDICTION, SCORE):
        if name not in out.columns:
            continue
        values = np.asarray(out[name])
        if name == SCORE or values.dtype.kind == "f":
            values = values.astype("<f8")
        elif values.dtype.kind == "b":
            values = values.astype("|b1")
        elif values.dtype.kind in "iu" and (values.size == 0 or int(values.max()) < 2**63):
            values = values.astype("<i8")
        else:
            texts = [str(v) for v in values]
            longest = max(map(len, texts), default=1)
            if longest > MAX_LABEL_CHARS:
                raise ChildError("label_too_long", chars=longest, max=MAX_LABEL_CHARS)
            values = np.asarray(texts, dtype=f"<U{max(1, longest)}")
        columns.append({"name": name, "dtype": values.dtype.str})
        bodies.append(values.tobytes())
    header = json.dumps({"format": "sandbox-predictions/1", "rows": len(out), "columns": columns},
                        ensure_ascii=False).encode("utf-8")
    return struct.pack("<I", len(header)) + header + b"".join(bodies)


def _rewind(fd: int) -> None:
    """Vendor code may have written into the descriptor already: start it afresh."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)


def _status(payload: dict[str, object]) -> None:
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")[:65_536]
    try:
        _rewind(STATUS_FD)
        os.write(STATUS_FD, data)
    except OSError:
        pass


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="child")
    parser.add_argument("task", choices=["predict", "onnx-inputs", "onnx-predict"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--features", default="[]")
    parser.add_argument("--nproc", type=int, default=0)
    parser.add_argument("--fds", default="3,4,5")
    args = parser.parse_args(argv)
    global OUTPUT_FD, STATUS_FD, INPUT_FD
    OUTPUT_FD, STATUS_FD, INPUT_FD = (int(fd) for fd in args.fds.split(","))
    _close_inherited()
    # RLIMIT_NPROC counts per user namespace here, so it is set inside, before any vendor code.
    _limit(resource.RLIMIT_NPROC, args.nproc)
    _limit(resource.RLIMIT_CORE, 0)
    stage = "load"
    try:
        import pandas as pd

        if args.task == "onnx-inputs":
            _status({"ok": True, "inputs": _onnx_inputs(_onnx_session(args.model))})
            return 0
        with os.fdopen(INPUT_FD, "rb", closefd=True) as handle:
            frame = pd.read_parquet(handle)
        if args.task == "onnx-predict":
            stage = "predict"
            out = _onnx_predict(args.model, frame, json.loads(args.features))
        else:
            model, raw = _load(args.model)
            stage = "predict"
            out = _predict(model, raw, frame)
        stage = "write"
        _rewind(OUTPUT_FD)
        data = _encode(out)
        with os.fdopen(OUTPUT_FD, "wb", closefd=True) as handle:
            handle.write(data)
    except ChildError as exc:
        _status({"ok": False, "stage": stage, "code": exc.code, "params": exc.params})
        return 3
    except MemoryError:
        _status({"ok": False, "stage": stage, "error": "MemoryError", "message": ""})
        return 4
    except OSError as exc:
        if exc.errno != errno.EFBIG:  # RLIMIT_FSIZE: the output cap (Python ignores SIGXFSZ)
            _status({"ok": False, "stage": stage, "error": type(exc).__name__, "message": f"OSError: {exc}"[:800]})
            return 3
        _status({"ok": False, "stage": stage, "error": "EFBIG", "message": ""})
        return 5
    except BaseException as exc:  # vendor code may raise anything, even SystemExit
        _status({"ok": False, "stage": stage, "error": type(exc).__name__, "message": f"{type(exc).__name__}: {exc}"[:800]})
        traceback.print_exc(limit=5)
        return 3
    _status({"ok": True, "rows": len(out), "columns": [str(c) for c in out.columns]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
