"""The vendor's condition evidence on the 伦理审查 page: st.table renders cells as Markdown (Streamlit ≥ 1.46)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.review import list_conditions, submit_condition_evidence
from sandbox.users import actor_for

ROOT = Path(__file__).resolve().parents[3]
EVIL = "已上线 ![](http://vendor.example/beacon.png) [查看](http://vendor.example/phish)"


def test_condition_evidence_is_shown_as_text(seeded) -> None:  # type: ignore[no-untyped-def]
    vendor = actor_for("vendor_b")
    condition = next(c for c in list_conditions(actor=vendor) if c["status"] == "open")
    submit_condition_evidence(actor=vendor, condition=f"{condition['record_id']}/{condition['id']}", evidence=EVIL,
                              link="https://example.org/a.pdf")
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "ethics_review.py"), default_timeout=60)
    at.session_state["actor"] = vendor
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    cells = [str(v) for table in at.table for v in table.value.to_numpy().ravel()]
    shown = [c for c in cells if "beacon.png" in c]
    assert shown, cells                                                   # the evidence is on the page
    assert all(not re.search(r"(?<!\\)(!\[|\]\()", c) for c in shown)  # …as text: no image, no link
