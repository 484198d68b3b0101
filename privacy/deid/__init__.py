"""De-identification: content classification, policy, operators, generalisation, re-scan.

Every column is classified by what it holds (never by its header alone), the
policy maps entity types to operators (column names only override), and the
result is re-scanned: personal information without a rule, or left after
de-identification, refuses the run with nothing written.

去标识化 (de-identification) keeps data personal information under PIPL; only
a release that passes its policy's anonymisation test may be called 匿名化.

The names below load on first use: ``privacy.deid._policy`` (loading a
policy, the budget ledger) must not pull in pandas and the operators, so a
command that fails on its input (a missing file) answers at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from privacy.deid._apply import (
        SUPPRESSED,
        DeidResult,
        deidentify_frame,
        deidentify_text,
        rescan_frame,
        suppress_rare,
        transform_frame,
    )
    from privacy.deid._classify import ColumnPlan, classify_frame
    from privacy.deid._generalize import (
        UNKNOWN,
        age_band_labels,
        generalize_address,
        generalize_age,
        generalize_date,
        generalize_region,
    )
    from privacy.deid._operators import (
        anonymizer_engine,
        id_mask,
        keyed_pseudonym,
        operator_classes,
        partial_mask,
        pseudonym_key,
        pseudonymiser,
    )
    from privacy.deid._policy import (
        OPERATORS,
        DeidPolicy,
        DPSettings,
        OperatorSpec,
        RiskSettings,
        list_policies,
        load_policy,
    )
    from privacy.deid._service import deidentify_file, deidentify_source

_LAZY_API = {
    "DeidResult": "privacy.deid._apply",
    "SUPPRESSED": "privacy.deid._apply",
    "deidentify_frame": "privacy.deid._apply",
    "deidentify_text": "privacy.deid._apply",
    "rescan_frame": "privacy.deid._apply",
    "suppress_rare": "privacy.deid._apply",
    "transform_frame": "privacy.deid._apply",
    "ColumnPlan": "privacy.deid._classify",
    "classify_frame": "privacy.deid._classify",
    "UNKNOWN": "privacy.deid._generalize",
    "age_band_labels": "privacy.deid._generalize",
    "generalize_address": "privacy.deid._generalize",
    "generalize_age": "privacy.deid._generalize",
    "generalize_date": "privacy.deid._generalize",
    "generalize_region": "privacy.deid._generalize",
    "anonymizer_engine": "privacy.deid._operators",
    "id_mask": "privacy.deid._operators",
    "keyed_pseudonym": "privacy.deid._operators",
    "operator_classes": "privacy.deid._operators",
    "partial_mask": "privacy.deid._operators",
    "pseudonym_key": "privacy.deid._operators",
    "pseudonymiser": "privacy.deid._operators",
    "DPSettings": "privacy.deid._policy",
    "DeidPolicy": "privacy.deid._policy",
    "OPERATORS": "privacy.deid._policy",
    "OperatorSpec": "privacy.deid._policy",
    "RiskSettings": "privacy.deid._policy",
    "list_policies": "privacy.deid._policy",
    "load_policy": "privacy.deid._policy",
    "deidentify_file": "privacy.deid._service",
    "deidentify_source": "privacy.deid._service",
}

__all__ = [
    "OPERATORS",
    "SUPPRESSED",
    "UNKNOWN",
    "ColumnPlan",
    "DPSettings",
    "DeidPolicy",
    "DeidResult",
    "OperatorSpec",
    "RiskSettings",
    "age_band_labels",
    "anonymizer_engine",
    "classify_frame",
    "deidentify_file",
    "deidentify_frame",
    "deidentify_source",
    "deidentify_text",
    "generalize_address",
    "generalize_age",
    "generalize_date",
    "generalize_region",
    "id_mask",
    "keyed_pseudonym",
    "list_policies",
    "load_policy",
    "operator_classes",
    "partial_mask",
    "pseudonym_key",
    "pseudonymiser",
    "rescan_frame",
    "suppress_rare",
    "transform_frame",
]


def __getattr__(name: str) -> Any:
    module = _LAZY_API.get(name)
    if module is None:
        raise AttributeError(f"module 'privacy.deid' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
