"""Review: a full review (open → quorum → checklist → votes → decision), signing, verifying, exporting."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import Figure

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
REVIEWS = 20


def _setup() -> list[int]:
    from sqlalchemy import select

    from sandbox.demo.people import seed_people
    from sandbox.review import DEMO_COMMITTEE, DEMO_MEMBERS, create_committee, list_committees
    from sandbox.store import session_scope
    from sandbox.store.tables import Trial, Vendor
    from sandbox.users import actor_for

    seed_people()
    if not any(c["name"] == DEMO_COMMITTEE for c in list_committees(actor=actor_for("chair"))):
        create_committee(actor=None, name=DEMO_COMMITTEE, members=[dict(m) for m in DEMO_MEMBERS])
    with session_scope() as s:
        vendor = s.scalar(select(Vendor).where(Vendor.name == "智联政务科技有限公司"))
        trials = [Trial(vendor_id=vendor.id, model_name=f"bench-review-{i}", model_version="1", service_domain="养老",
                        status="in_trial", created_by="bench") for i in range(REVIEWS)]
        s.add_all(trials)
        s.flush()
        return [t.id for t in trials]


def run() -> list[Figure]:
    from sandbox.review import (
        CHECKLIST,
        answer_item,
        decide,
        export_record,
        open_review,
        record_attendance,
        sign_record,
        verify_all,
        verify_file,
        vote,
    )
    from sandbox.users import actor_for

    trial_ids = _setup()
    actors = {u: actor_for(u) for u in [*ALL, "steward", "vendor_a"]}
    flows, signs, records = [], [], []
    for trial in trial_ids:
        started = time.perf_counter()
        rid = open_review(actor=actors["chair"], trial_id=trial, questionnaire={"rights": 2, "scale": 2})["review_id"]
        record_attendance(actor=actors["chair"], review_id=rid, present=ALL)
        for item in CHECKLIST:
            answer_item(actor=actors["reviewer"], review_id=rid, item=item, answer="yes")
        for u in ALL:
            vote(actor=actors[u], review_id=rid, choice="修改后批准", password="sandbox-demo")
        rec = decide(actor=actors["chair"], review_id=rid, decision="修改后批准",
                     conditions=[{"text": "人工复核", "owner": "vendor_a", "due": "2027-01-31"}])["record_id"]
        flows.append(time.perf_counter() - started)
        for u, meaning in [("chair", "approved"), ("reviewer", "reviewed"), ("steward", "reviewed"),
                           ("vendor_a", "acknowledged")]:
            started = time.perf_counter()
            sign_record(actor=actors[u], record_id=rec, password="sandbox-demo", meaning=meaning)
            signs.append(time.perf_counter() - started)
        records.append(rec)
    started = time.perf_counter()
    checked = verify_all(actor=None)
    verify_s = time.perf_counter() - started
    from sandbox.review import chain_heads, due_list, head_text, parse_expected_head

    started = time.perf_counter()
    verify_all(actor=None, expect_heads=parse_expected_head(head_text(chain_heads(actor=None)[0])))
    head_s = time.perf_counter() - started
    started = time.perf_counter()
    due = due_list(actor=actors["chair"])
    due_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        out = Path(tmp) / "r.json"
        export_record(actor=actors["chair"], record_id=records[-1], fmt="json", out=out)
        started = time.perf_counter()
        verify_file(out)
        file_s = time.perf_counter() - started
        pdfs = []
        for i in range(4):  # the first one also parses the font (once per process)
            started = time.perf_counter()
            export_record(actor=actors["chair"], record_id=records[-1 - i], fmt="pdf", out=Path(tmp) / f"r{i}.pdf")
            pdfs.append(time.perf_counter() - started)
    return [
        Figure(area="review", name="full review to a frozen record (service, median)", value=statistics.median(flows),
               unit="s", note="open, quorum, 20 answers, 7 signed votes (scrypt unlock each), decision, record appended"),
        Figure(area="review", name="one signature (median, incl. scrypt key unlock)", value=statistics.median(signs),
               unit="s", target="under a second", note="first signature of a user also creates the key"),
        Figure(area="review", name=f"verify --all ({checked['records']} records, {checked['signatures']} signatures)",
               value=verify_s, unit="s", note="every hash, every Ed25519 signature, the chain"),
        Figure(area="review", name="verify one exported JSON record", value=file_s, unit="s",
               note="every counted vote's signature and the tally included"),
        Figure(area="review", name=f"verify --all --expect-head ({checked['votes']} signed votes)", value=head_s,
               unit="s", note="the whole chain walk plus the published head"),
        Figure(area="review", name=f"review due list ({len(due['followups_due'])} follow-ups, "
                                   f"{len(due['overdue_conditions'])} overdue conditions)", value=due_s, unit="s",
               target="well under the 2 s page budget", note="newest record of every trial parsed, condition steps"),
        Figure(area="review", name="export one record as Chinese PDF (first in the process)", value=pdfs[0], unit="s",
               note="WenQuanYi Zen Hei embedded (subset); includes parsing the font once"),
        Figure(area="review", name="export one record as Chinese PDF (next ones, median)",
               value=statistics.median(pdfs[1:]), unit="s", note="font metrics cached per process"),
    ]
