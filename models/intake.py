"""Staging a submission: detect the kind, unpack safely, validate, hash, smoke-test.

Nothing here registers anything: :func:`stage` either returns a
:class:`Staged` artifact ready to log, or raises a clear :class:`InputError`.
Vendor pickles are only ever loaded by the isolated child.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import yaml

from models._vendor_text import name_problem, vendor_text
from models.archive import FileHash, check_tree, extract_zip, hash_tree, tree_digest
from models.pickle_scan import scan_tree
from sandbox.errors import InputError
from sandbox.tabular import MAX_COLUMNS, MAX_FILE_BYTES, TABLE_SUFFIXES, read_table, require_columns

__all__ = [
    "ID_COLUMN_GUESSES",
    "PREDICTION_COLUMNS",
    "Kind",
    "Staged",
    "check_predictions_file",
    "detect_kind",
    "mlmodel_features",
    "probe_frame",
    "stage",
]

Kind = Literal["mlflow", "onnx", "predictions"]
KINDS: tuple[str, ...] = get_args(Kind)
PREDICTION_COLUMNS = ("预测", "prediction", "评分", "score")
ID_COLUMN_GUESSES = ("编号", "id", "ID")
Progress = Callable[[str, float], None]


@dataclass(kw_only=True)
class Staged:
    """A checked artifact ready for the registry."""

    kind: Kind
    root: Path
    artifact_path: str
    files: list[FileHash]
    sha256: str
    original_name: str
    id_column: str | None = None
    archive_sha256: str | None = None
    rows: int | None = None
    features: list[dict[str, Any]] = field(default_factory=list)
    isolation: str | None = None  # "bwrap" (or "weak", development only) when vendor code ran

    def manifest(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "original_name": self.original_name, "sha256": self.sha256,
            "archive_sha256": self.archive_sha256, "id_column": self.id_column, "rows": self.rows,
            "features": self.features, "isolation": self.isolation,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }


def detect_kind(path: Path, kind: str | None, *, display_name: str | None = None) -> Kind:
    """The artifact kind: given, or from the path (folder/.zip → mlflow, .onnx, tables → predictions)."""
    name = display_name or path.name
    if kind is not None:
        if kind not in KINDS:
            raise InputError("models.kind_unknown", kind=kind, allowed=", ".join(KINDS))
        return kind  # type: ignore[return-value]
    suffix = Path(name).suffix.lower()
    if path.is_dir() or suffix == ".zip":
        return "mlflow"
    if suffix == ".onnx":
        return "onnx"
    if suffix in TABLE_SUFFIXES:
        return "predictions"
    raise InputError("models.artifact_type", file=name, suffix=suffix or "-")


def _find_model_root(tree: Path, name: str) -> Path:
    if (tree / "MLmodel").is_file():
        return tree
    children = [p for p in tree.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(children) == 1 and (children[0] / "MLmodel").is_file():
        return children[0]
    raise InputError("models.mlmodel_missing", file=name)


MAX_MLMODEL_BYTES = 1_000_000
MAX_EXAMPLE_BYTES = 5_000_000


def _vendor_text(path: Path, limit: int, name: str) -> str:
    """A small vendor-controlled text file (MLmodel, input example), refused when larger than ``limit``."""
    if path.is_symlink() or not path.is_file():
        raise InputError("models.zip_link", file=name, member=path.name)
    if path.stat().st_size > limit:
        raise InputError("models.vendor_file_too_big", file=name, member=path.name, max_kb=limit // 1000)
    with path.open("rb") as handle:
        return handle.read(limit + 1).decode("utf-8")


def _mlmodel(root: Path, name: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(_vendor_text(root / "MLmodel", MAX_MLMODEL_BYTES, name))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:  # "[[[[…": RecursionError
        raise InputError("models.mlmodel_bad", file=name, reason=type(exc).__name__) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("flavors"), dict) or not meta["flavors"]:
        raise InputError("models.mlmodel_bad", file=name, reason="flavors")
    return meta


_VERSION = re.compile(r"\d{1,4}(?:\.\d{1,6}){1,3}")


def _parsed_mlmodel(root: Path) -> Any:
    """``root/MLmodel`` read with the vendor-file limit and parsed; ``{}`` when it is no YAML (too big: InputError)."""
    try:
        return yaml.safe_load(_vendor_text(root / "MLmodel", MAX_MLMODEL_BYTES, root.name)) or {}
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return {}


def saved_sklearn_version(root: Path) -> str | None:
    """The scikit-learn version the vendor saved the model with (MLmodel ``flavors.sklearn.sklearn_version``)."""
    try:
        meta = _parsed_mlmodel(root)
    except (InputError, OSError):  # called on a failure path: never a second error over the first
        return None
    flavors = meta.get("flavors") if isinstance(meta, dict) else None
    sklearn = flavors.get("sklearn") if isinstance(flavors, dict) else None
    saved = sklearn.get("sklearn_version") if isinstance(sklearn, dict) else None
    return saved if isinstance(saved, str) and _VERSION.fullmatch(saved) else None


def mlmodel_features(root: Path) -> list[dict[str, Any]]:
    """Column inputs from the MLmodel signature: ``[{"name", "type"}]`` (empty if none)."""
    meta = _parsed_mlmodel(root)
    signature = meta.get("signature") if isinstance(meta, dict) else None
    raw = signature.get("inputs") if isinstance(signature, dict) else None
    try:
        inputs = json.loads(raw) if isinstance(raw, str) else (raw or [])
    except (json.JSONDecodeError, RecursionError):
        return []
    if not isinstance(inputs, list):
        return []
    return [{"name": str(i["name"])[:200], "type": str(i.get("type", "string"))[:50]} for i in inputs[:2000]
            if isinstance(i, dict) and "name" in i]


def _example(root: Path) -> pd.DataFrame | None:
    for candidate in ("input_example.json", "serving_input_example.json"):
        path = root / candidate
        if not path.is_file():
            continue
        try:
            data = json.loads(_vendor_text(path, MAX_EXAMPLE_BYTES, root.name))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            continue
        data = data.get("dataframe_split", data) if isinstance(data, dict) else data
        if isinstance(data, dict) and isinstance(data.get("columns"), list) and len(data["columns"]) > MAX_COLUMNS:
            continue  # 250,000 columns in 5 MB: minutes of host CPU to build and send (the signature is capped too)
        if isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
            try:
                return pd.DataFrame(data["data"][:5], columns=data["columns"])
            except (ValueError, TypeError):
                return None
    return None


_ZERO = {"double": 0.0, "float": 0.0, "long": 0, "integer": 0, "boolean": False, "string": "0"}


def probe_frame(root: Path) -> pd.DataFrame | None:
    """A few rows to smoke-test a model: its saved input example, else zeros from the signature."""
    example = _example(root)
    if example is not None and len(example):
        return example.head(5)
    features = mlmodel_features(root)
    if not features:
        return None
    return pd.DataFrame([{f["name"]: _ZERO.get(f["type"], 0) for f in features}])


def _stage_mlflow(path: Path, scratch: Path, name: str, progress: Progress,
                  declared: Sequence[str] | None = None) -> Staged:
    archive_sha = None
    if path.is_dir():
        check_tree(path, display_name=name)
        tree = scratch / "model"
        shutil.copytree(path, tree, symlinks=True)
    else:
        progress("unpack", 0.1)
        archive_sha = hash_tree(path)[0].sha256
        tree = extract_zip(path, scratch / "unzipped", display_name=name)
    root = _find_model_root(tree, name)
    check_tree(root, display_name=name)
    from models.isolation import open_copy_to_sandbox, predict_isolated

    open_copy_to_sandbox(tree)
    _mlmodel(root, name)
    refuse_undeclared(mlmodel_features(root), declared, name=name)  # before any vendor code runs
    progress("hash", 0.3)
    files = hash_tree(root)
    dangerous = scan_tree(root)
    if dangerous:
        member, found = next(iter(dangerous.items()))
        raise InputError("models.pickle_dangerous", file=name, member=member, globals=", ".join(found))
    probe = probe_frame(root)
    if probe is None:
        raise InputError("models.signature_missing", file=name)
    progress("check", 0.5)
    smoke = predict_isolated(root, probe, model_label=name)
    features = mlmodel_features(root) or [{"name": str(c), "type": "auto"} for c in probe.columns]
    return Staged(kind="mlflow", root=root, artifact_path="model", files=files, sha256=tree_digest(files),
                  original_name=name, archive_sha256=archive_sha, features=features,
                  isolation=smoke.attrs.get("isolation"))


def _stage_onnx(path: Path, name: str, progress: Progress) -> Staged:
    if path.stat().st_size == 0:
        raise InputError("errors.file_empty", file=name)
    progress("hash", 0.3)
    files = hash_tree(path)
    progress("check", 0.5)
    from models.isolation import isolation_mode
    from models.onnx_runner import onnx_inputs

    features = onnx_inputs(path, display_name=name)
    return Staged(kind="onnx", root=path, artifact_path="model", files=files, sha256=files[0].sha256,
                  original_name=name, features=features, isolation=isolation_mode())


def check_predictions_file(path: Path, *, display_name: str | None = None) -> None:
    """Refuse a vendor's Parquet predictions file that would decode to more than ``MAX_FILE_BYTES``, or that
    has nested columns, before anything reads it (``models.predictions_expand`` / ``models.predictions_nested``).
    Other formats: nothing to do (read_table bounds them)."""
    from sandbox._parquet import Expands, parquet_footprint

    path = Path(path)
    name = display_name or path.name
    if path.suffix.lower() != ".parquet" and Path(name).suffix.lower() != ".parquet":
        return
    # the footer, each row group's dictionaries, and only where that bound is too loose the dictionary lengths
    # the rows point at (sandbox._parquet) — the exact dictionary read of every text column cost 1.3–4.4 s per 1M rows
    try:
        parquet_footprint(path, file=name, limit=MAX_FILE_BYTES)
    except Expands as exc:
        raise InputError("models.predictions_expand", file=name, size_mb=exc.decoded // 2**20,
                         max_mb=MAX_FILE_BYTES // 2**20) from None
    except InputError as exc:
        if exc.key == "errors.parquet_nested":
            raise InputError("models.predictions_nested", file=name, column=vendor_text(exc.params["column"], 100),
                             type=vendor_text(exc.params["type"], 60)) from None
        if exc.key == "errors.file_parse":
            return  # not Parquet at all: read_table says so
        raise


def _stage_predictions(path: Path, name: str, id_column: str | None, progress: Progress) -> Staged:
    progress("read", 0.2)
    check_predictions_file(path, display_name=name)
    frame, info = read_table(path, display_name=name)
    if id_column is None:
        raise InputError("models.id_column_required", file=name, available=", ".join(info.columns[:30]))
    require_columns(frame, {"id": id_column}, file=name)
    blank = frame[id_column].isna() | (frame[id_column].astype(str).str.strip() == "")
    if blank.any():
        raise InputError("models.id_blank", file=name, column=id_column, row=int(blank.to_numpy().argmax()) + 2)
    duplicated = frame[id_column].duplicated()
    if duplicated.any():
        at = int(duplicated.to_numpy().argmax())
        raise InputError("models.id_duplicate", file=name, column=id_column, value=str(frame[id_column].iloc[at]),
                         row=at + 2)
    if not any(c in frame.columns for c in PREDICTION_COLUMNS):
        raise InputError("models.prediction_column_missing", file=name, expected=" / ".join(PREDICTION_COLUMNS),
                         available=", ".join(info.columns[:30]))
    progress("hash", 0.4)
    files = hash_tree(path)
    return Staged(kind="predictions", root=path, artifact_path="predictions", files=files, sha256=files[0].sha256,
                  original_name=name, id_column=id_column, rows=len(frame),
                  features=[{"name": c, "type": "column"} for c in info.columns])


def refuse_undeclared(features: list[dict[str, Any]], declared: Sequence[str] | None, *, name: str) -> None:
    """The model's own list of input columns (MLmodel signature, ONNX inputs) must lie within the card's
    ``input_features``: the signature is vendor-written and chooses the columns the sandbox hands the
    model, so a column the card does not declare (the label, an ID number, anything else) would reach it
    unreviewed.

    Raises
    ------
    InputError
        ``models.signature_undeclared`` naming the columns (at most 10 shown) and the card's list.
    """
    if declared is None:
        return
    allowed = {str(x).strip() for x in declared}
    extra = list(dict.fromkeys(str(f["name"]) for f in features if str(f["name"]).strip() not in allowed))
    if extra:
        shown = "、".join(vendor_text(x, 80, name=True) for x in extra[:10]) + (f" …（+{len(extra) - 10}）"
                                                                                if len(extra) > 10 else "")
        raise InputError("models.signature_undeclared", file=vendor_text(name, 200, name=True), columns=shown,
                         count=len(extra), declared="、".join(vendor_text(str(x), 80, name=True) for x in declared[:20]))


def stage(path: Path, *, scratch: Path, kind: str | None = None, id_column: str | None = None,
          display_name: str | None = None, progress: Progress | None = None,
          declared: Sequence[str] | None = None) -> Staged:
    """Check one submitted artifact; return it staged under ``scratch`` (or in place for single files).

    ``declared`` (the card's ``input_features``): a model whose signature (or ONNX graph with one input per
    column) asks for any other column is refused before its code runs (:func:`refuse_undeclared`).
    """
    path = Path(path)
    name = display_name or path.name
    progress = progress or (lambda _step, _fraction: None)
    if not path.exists():
        raise InputError("errors.file_missing", file=str(path))
    shown = display_name if display_name is not None else (path.name if path.is_file() else None)
    if shown is not None and name_problem(shown) is not None:  # an upload's name becomes the artifact's name
        raise InputError("models.zip_name_unsafe", file=vendor_text(shown, 200, name=True), member=vendor_text(shown, 200, name=True))
    resolved = detect_kind(path, kind, display_name=name)
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("errors.file_empty", file=name)
    if resolved == "mlflow":
        return _stage_mlflow(path, scratch, name, progress, declared)
    if path.is_dir():
        raise InputError("models.artifact_type", file=name, suffix="/")
    # Keep the upload's own name for the logged artifact (uploads arrive as temporary files).
    target = scratch / "upload" / Path(name.replace("\\", "/")).name  # "..\\x.csv" from Windows: x.csv
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    if resolved == "onnx":  # the sandbox reads our copy, never the caller's file
        from models.isolation import open_copy_to_sandbox

        staged = _stage_onnx(open_copy_to_sandbox(target), name, progress)
        if len(staged.features) > 1:  # one input per column (a single tensor input takes the card's list)
            refuse_undeclared(staged.features, declared, name=name)
    else:
        staged = _stage_predictions(path, name, id_column, progress)
    staged.root = target
    staged.files = [FileHash(path=target.name, sha256=f.sha256, size=f.size) for f in staged.files]
    return staged
