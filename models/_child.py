"""The isolated child: load an untrusted model and predict. Run only as ``python -m models._child``.

It lowers its own resource limits (soft and hard, so vendor code cannot raise
them) before it touches the model, reads its input from Parquet, writes
predictions to Parquet and a small JSON status. Nothing is ever pickled back
to the parent.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import traceback
from pathlib import Path

PREDICTION = "预测"
SCORE = "评分"


def _limit(which: int, value: int) -> None:
    if value > 0:
        resource.setrlimit(which, (value, value))


def _load(model_dir: Path):  # type: ignore[no-untyped-def]
    import yaml

    meta = yaml.safe_load((model_dir / "MLmodel").read_text(encoding="utf-8")) or {}
    flavors = meta.get("flavors") or {}
    sk = flavors.get("sklearn") or {}
    if sk.get("pickled_model") and sk.get("serialization_format") in {"cloudpickle", "pickle"}:
        # The sklearn flavour is a plain (cloud)pickle: load it without importing mlflow.
        import cloudpickle

        with (model_dir / sk["pickled_model"]).open("rb") as handle:
            return cloudpickle.load(handle), None
    from models.registry import load_pyfunc

    pyfunc = load_pyfunc(model_dir)
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="models._child")
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-seconds", type=int, default=0)
    args = parser.parse_args(argv)
    status = Path(args.status)
    _limit(resource.RLIMIT_AS, args.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, args.cpu_seconds)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 8 * 1024**3)
    stage = "load"
    try:
        import pandas as pd

        model, raw = _load(Path(args.model))
        stage = "predict"
        frame = pd.read_parquet(args.input)
        out = _predict(model, raw, frame)
        stage = "write"
        out.to_parquet(args.output, index=False)
    except MemoryError:
        status.write_text(json.dumps({"ok": False, "stage": stage, "error": "MemoryError", "message": ""}))
        return 4
    except BaseException as exc:  # vendor code may raise anything, even SystemExit
        message = f"{type(exc).__name__}: {exc}"[:800]
        status.write_text(json.dumps({"ok": False, "stage": stage, "error": type(exc).__name__,
                                      "message": message}, ensure_ascii=False))
        traceback.print_exc(limit=5)
        return 3
    status.write_text(json.dumps({"ok": True, "rows": len(out), "columns": list(out.columns)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
