"""Fairness audits across age bands and districts (算法公平性审计).

Public API::

    from audits import ColumnMap, run_audit, load_policy
    report = run_audit(actor=actor, data="data.csv", predictions="predictions.csv",
                       columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"))

The engine (:func:`compute_audit`) reduces rows to per-group sufficient
statistics, bootstraps the counts, corrects for multiple comparisons and gives
each check a verdict: pass, fail or insufficient evidence (with the n needed).
Heavy modules (fairlearn, mlflow, fpdf) are imported only where used.
"""

from audits._inputs import ColumnMap, map_binary, prepare
from audits.engine import AuditData, compute_audit
from audits.groups import DEFAULT_AGE_BANDS, UNKNOWN, AgeBands, age_from_id_card, encode_groups
from audits.policy import Check, Policy, list_policies, load_policy
from audits.service import list_audits, parse_model_spec, run_audit, show_audit

__all__ = [
    "DEFAULT_AGE_BANDS",
    "UNKNOWN",
    "AgeBands",
    "AuditData",
    "Check",
    "ColumnMap",
    "Policy",
    "age_from_id_card",
    "compute_audit",
    "encode_groups",
    "list_audits",
    "list_policies",
    "load_policy",
    "map_binary",
    "parse_model_spec",
    "prepare",
    "run_audit",
    "show_audit",
]
