"""Ethics review and tamper-evident sign-off records (科技伦理审查办法（试行）2023).

Committee and quorum rules, the risk tier questionnaire, the 20-item checklist
with ★ items pre-filled from evidence, votes and decisions, an append-only
hash chain of records and Ed25519 signatures, verification and exports.
"""

from sandbox.review._approvals import signed_approvals
from sandbox.review._checklist import answer_item, answer_items
from sandbox.review._committee import (
    DEMO_COMMITTEE,
    DEMO_MEMBERS,
    create_committee,
    declare_interest,
    list_committees,
    show_committee,
)
from sandbox.review._conditions import format_conditions, parse_conditions
from sandbox.review._evidence import NOT_PROVIDED
from sandbox.review._export import export_bytes, export_document, export_record, to_markdown
from sandbox.review._followup import (
    accept_condition,
    due_list,
    list_conditions,
    reject_condition,
    submit_condition_evidence,
)
from sandbox.review._head import HEAD_FORMAT, chain_heads, head_document, head_text, parse_expected_head
from sandbox.review._members_file import parse_members, read_members
from sandbox.review._membership import add_member, remove_member
from sandbox.review._queries import (
    find_review,
    list_records,
    list_reviews,
    re_review_triggers,
    reviewable_trials,
    reviews_due,
    show_review,
)
from sandbox.review._rules import CHECKLIST, DECISIONS, FOLLOWUP_DECISIONS, QUESTIONS, risk_tier
from sandbox.review._service import (
    amend_review,
    decide,
    open_review,
    record_attendance,
    update_details,
)
from sandbox.review._signing import sign_record, sync_alias
from sandbox.review._trial_status import record_decision, trial_line
from sandbox.review._verify import verify_all, verify_bytes, verify_document, verify_file, verify_message
from sandbox.review._verify_text import verify_markdown, verify_upload
from sandbox.review._votes import vote

__all__ = [
    "CHECKLIST",
    "DECISIONS",
    "DEMO_COMMITTEE",
    "DEMO_MEMBERS",
    "FOLLOWUP_DECISIONS",
    "HEAD_FORMAT",
    "NOT_PROVIDED",
    "QUESTIONS",
    "accept_condition",
    "add_member",
    "amend_review",
    "answer_item",
    "answer_items",
    "chain_heads",
    "create_committee",
    "decide",
    "declare_interest",
    "due_list",
    "export_bytes",
    "export_document",
    "export_record",
    "find_review",
    "format_conditions",
    "head_document",
    "head_text",
    "list_committees",
    "list_conditions",
    "list_records",
    "list_reviews",
    "open_review",
    "parse_conditions",
    "parse_expected_head",
    "parse_members",
    "re_review_triggers",
    "read_members",
    "record_attendance",
    "record_decision",
    "reject_condition",
    "remove_member",
    "reviewable_trials",
    "reviews_due",
    "risk_tier",
    "show_committee",
    "show_review",
    "sign_record",
    "signed_approvals",
    "submit_condition_evidence",
    "sync_alias",
    "to_markdown",
    "trial_line",
    "update_details",
    "verify_all",
    "verify_bytes",
    "verify_document",
    "verify_file",
    "verify_markdown",
    "verify_message",
    "verify_upload",
    "vote",
]
