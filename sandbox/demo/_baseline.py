"""Baseline scikit-learn models of the demo vendors, saved as MLflow model directories.

Tabular scenarios: ``ColumnTransformer`` (one-hot categoricals, numeric
pass-through) + ``HistGradientBoostingClassifier``. Hotline: TF-IDF over
character n-grams of the ticket text + ``LogisticRegression``. Models are
fit on the *historical* labels (which carry the planted disparity) with fixed
seeds, so the same data gives the same predictions.
"""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from models.registry import save_sklearn_model
from sandbox.files import atomic_write_text

__all__ = ["PIP_REQUIREMENTS", "fit_tabular", "fit_text", "save_model"]

PIP_REQUIREMENTS: list[str] = ["scikit-learn==1.7.2", "pandas", "numpy"]
_CREATED = "2026-01-01 00:00:00.000000"


def fit_tabular(
    frame: pd.DataFrame, target: np.ndarray, *, categorical: Sequence[str], numeric: Sequence[str]
) -> Pipeline:
    """Fit the tabular baseline on ``frame[categorical + numeric]``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Training rows.
    target : numpy.ndarray
        0/1 historical decisions.
    categorical, numeric : sequence of str
        Model input columns by type.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted pipeline that takes a DataFrame with those columns.
    """
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(categorical)),
            ("num", "passthrough", list(numeric)),
        ]
    )
    model = Pipeline(
        [
            ("prepare", pre),
            ("classify", HistGradientBoostingClassifier(
                max_iter=150, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False, random_state=0,
            )),
        ]
    )
    model.fit(frame[list(categorical) + list(numeric)], target)
    return model


def fit_text(frame: pd.DataFrame, target: np.ndarray, *, text: str) -> Pipeline:
    """Fit the hotline router: character 1–2-gram TF-IDF + multinomial logistic regression."""
    pre = ColumnTransformer(
        [("text", TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=3, sublinear_tf=True), text)]
    )
    model = Pipeline([("prepare", pre), ("classify", LogisticRegression(C=2.0, max_iter=400))])
    model.fit(frame[[text]], target)
    return model


def save_model(model: Pipeline, target: Path, *, input_example: pd.DataFrame, seed: int) -> Path:
    """Save ``model`` as an MLflow model directory at ``target`` (must not exist).

    The creation time and model UUID in ``MLmodel`` are fixed (derived from
    ``seed``) so that rebuilding the demo world yields the same files.
    """
    example = input_example.copy()
    # pandas 3 string-dtype column labels make MLflow's ``columns == range(n)`` check warn.
    example.columns = pd.Index(list(example.columns), dtype=object)
    with warnings.catch_warnings():
        # Integer inputs are never missing in the demo data; MLflow's hint does not apply.
        warnings.filterwarnings("ignore", message=r"Hint: Inferred schema contains integer", category=UserWarning)
        save_sklearn_model(model, target, input_example=example, pip_requirements=list(PIP_REQUIREMENTS))
    mlmodel = target / "MLmodel"
    text = mlmodel.read_text(encoding="utf-8")
    fixed_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-demo/{seed}").hex
    text = re.sub(r"(?m)^utc_time_created: .*$", f"utc_time_created: '{_CREATED}'", text)
    text = re.sub(r"(?m)^model_uuid: .*$", f"model_uuid: {fixed_uuid}", text)
    atomic_write_text(mlmodel, text)
    return target
