"""De-identification: policy, operators (presidio-anonymizer + keyed pseudonyms), generalisation.

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
    from privacy.deid._apply import SUPPRESSED, DeidResult, deidentify_frame, deidentify_text, suppress_rare
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
    from privacy.deid._service import deidentify_file

_LAZY_API = {
    "DeidResult": "privacy.deid._apply",
    "SUPPRESSED": "privacy.deid._apply",
    "deidentify_frame": "privacy.deid._apply",
    "deidentify_text": "privacy.deid._apply",
    "suppress_rare": "privacy.deid._apply",
    "UNKNOWN": "privacy.deid._generalize",
    "age_band_labels": "privacy.deid._generalize",
    "generalize_address": "privacy.deid._generalize",
    "generalize_age": "privacy.deid._generalize",
    "generalize_date": "privacy.deid._generalize",
    "generalize_region": "privacy.deid._generalize",
    "anonymizer_engine": "privacy.deid._operators",
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
}

__all__ = [
    "OPERATORS",
    "SUPPRESSED",
    "UNKNOWN",
    "DPSettings",
    "DeidPolicy",
    "DeidResult",
    "OperatorSpec",
    "RiskSettings",
    "age_band_labels",
    "anonymizer_engine",
    "deidentify_file",
    "deidentify_frame",
    "deidentify_text",
    "generalize_address",
    "generalize_age",
    "generalize_date",
    "generalize_region",
    "keyed_pseudonym",
    "list_policies",
    "load_policy",
    "operator_classes",
    "partial_mask",
    "pseudonym_key",
    "pseudonymiser",
    "suppress_rare",
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
