"""Versioned fairness policies (YAML shipped in ``audits/policies/``).

A policy fixes the age bands, the minimum group size, the reference group of
each dimension, the significance level and multiple-comparison correction, the
bootstrap size and — per service domain — which checks apply: the four-fifths
rule (``kind: ratio, min: 0.8``) and maximum differences (``kind: difference``),
including ``calibration_gap`` (groups agree at equal scores, see
:mod:`audits._calibration`; settings of the score sweep/calibration in ``scores``).
Its ``name`` and ``version`` are recorded with every audit.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, get_args

import yaml

from sandbox.errors import InputError

from .groups import AgeBands

__all__ = [
    "BINARY_METRICS",
    "ERR_POLICY_INVALID",
    "ERR_POLICY_UNKNOWN",
    "METRICS",
    "Check",
    "Correction",
    "Dimension",
    "Policy",
    "list_policies",
    "load_policy",
]

Correction = Literal["holm", "bh"]
Dimension = Literal["age_band", "district", "intersection", "county", "city", "province"]
CheckKind = Literal["ratio", "difference"]

BINARY_METRICS: tuple[str, ...] = (
    "selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
    "precision", "accuracy",
)
METRICS: tuple[str, ...] = (*BINARY_METRICS, "true_negative_rate", "count", "mean_prediction", "auc", "mae",
                            "calibration_gap")

ERR_POLICY_UNKNOWN = "audits.errors.policy_unknown"
ERR_POLICY_INVALID = "audits.errors.policy_invalid"
DEFAULT_POLICY = "standard"
FALLBACK_DOMAIN = "其他"


@dataclass(frozen=True, kw_only=True)
class Check:
    """One check: ``metric`` of each group vs the reference, as ratio or difference."""

    metric: str
    kind: CheckKind
    min: float | None = None  # ratio ≥ min (four-fifths: 0.8)
    max: float | None = None  # |difference| ≤ max

    @property
    def form(self) -> str:
        """``ratio`` (≥ min), ``ratio_max`` (≤ max, e.g. false alarms) or ``difference``."""
        return "ratio_max" if self.kind == "ratio" and self.min is None else self.kind

    @property
    def key(self) -> str:
        return f"{self.metric}_{self.form}"

    @property
    def threshold(self) -> float:
        return float(self.min if self.form == "ratio" else self.max)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class Policy:
    """A named, versioned set of thresholds."""

    name: str
    version: str
    title: dict[str, str]
    age_bands: AgeBands
    min_group_size: int
    reference: dict[str, str]
    alpha: float
    correction: Correction
    replicates: int
    seed: int
    threshold: float
    dimensions: tuple[str, ...]
    domains: dict[str, dict[str, Any]]
    scores: dict[str, Any] = field(default_factory=dict)  # sweep / calibration settings (see audits._scores)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def checks_for(self, domain: str | None) -> tuple[str, list[Check]]:
        """The headline metric and the checks of a service domain (fallback 其他)."""
        spec = self.domains.get(domain or "") or self.domains[FALLBACK_DOMAIN]
        return spec["headline"], [Check(**c) for c in spec["checks"]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "title": self.title,
            "age_bands": [list(b) for b in self.age_bands.bands], "min_group_size": self.min_group_size,
            "reference": self.reference, "alpha": self.alpha, "correction": self.correction,
            "replicates": self.replicates, "seed": self.seed, "threshold": self.threshold,
            "dimensions": list(self.dimensions), "domains": self.domains, "scores": self.scores,
        }


def _invalid(name: str, reason: str) -> InputError:
    return InputError(ERR_POLICY_INVALID, policy=name, reason=reason)


def _parse(data: dict[str, Any], name: str) -> Policy:
    try:
        bands = tuple((int(lo), None if hi is None else int(hi)) for lo, hi in data["age_bands"])
        if bands[-1][1] is not None:
            raise _invalid(name, "the last age band must be open (e.g. [80, null])")
        if any(b[0] <= a[0] for a, b in itertools.pairwise(bands)):
            raise _invalid(name, "age bands must increase")
        correction = data.get("correction", "holm")
        if correction not in get_args(Correction):
            raise _invalid(name, f"correction {correction!r} (holm | bh)")
        for domain, spec in data["domains"].items():
            for check in spec["checks"]:
                if check["metric"] not in METRICS or check["kind"] not in get_args(CheckKind):
                    raise _invalid(name, f"{domain}: {check}")
                bounds = [check.get("min"), check.get("max")] if check["kind"] == "ratio" else [check.get("max")]
                if sum(b is not None for b in bounds) != 1:
                    raise _invalid(name, f"{domain}: {check} needs exactly one threshold")
        if FALLBACK_DOMAIN not in data["domains"]:
            raise _invalid(name, f"domain {FALLBACK_DOMAIN} missing")
        return Policy(
            name=str(data["name"]), version=str(data["version"]), title=dict(data.get("title") or {}),
            age_bands=AgeBands(bands=bands), min_group_size=int(data["min_group_size"]),
            reference={k: str(v) for k, v in (data.get("reference") or {}).items()},
            alpha=float(data.get("alpha", 0.05)), correction=correction,
            replicates=int(data.get("replicates", 1000)), seed=int(data.get("seed", 0)),
            threshold=float(data.get("threshold", 0.5)),
            dimensions=tuple(data.get("dimensions", ("age_band", "district", "intersection"))),
            domains=dict(data["domains"]),
            scores={k: int(v) for k, v in (data.get("scores") or {}).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid(name, f"{type(exc).__name__}: {exc}") from exc


@functools.cache
def _shipped() -> dict[str, dict[str, Any]]:
    folder = resources.files("audits") / "policies"
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            found[str(data["name"])] = data
    return found


def list_policies() -> list[dict[str, str]]:
    """Name, version and title of every shipped policy."""
    return [{"name": p.name, "version": p.version, "title_zh": p.title.get("zh", ""),
             "title_en": p.title.get("en", "")} for p in (load_policy(n) for n in _shipped())]


def load_policy(name: str | None = None, /) -> Policy:
    """A shipped policy by name (default ``standard``).

    Raises
    ------
    InputError
        ``audits.errors.policy_unknown`` naming the available policies.
    """
    name = name or DEFAULT_POLICY
    data = _shipped().get(name)
    if data is None:
        raise InputError(ERR_POLICY_UNKNOWN, policy=name, available=", ".join(sorted(_shipped())))
    return _parse(data, name)
