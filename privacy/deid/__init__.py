"""De-identification: policy, operators (presidio-anonymizer + keyed pseudonyms), generalisation.

去标识化 (de-identification) keeps data personal information under PIPL; only
a release that passes its policy's anonymisation test may be called 匿名化.
"""

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
