"""AppTest smoke tests of the ethics review and records pages, for every role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sandbox.users import actor_for

ROOT = Path(__file__).resolve().parents[3]


def _page(name: str, username: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "workbench_pages" / name), default_timeout=60)
    at.session_state["actor"] = actor_for(username)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize("username", ["chair", "reviewer", "steward", "vendor_b", "admin"])
def test_ethics_review_page_renders_for_role(seeded, username: str) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", username)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.title[0].value == "伦理审查"
    if username == "vendor_b":
        assert any("修改后批准" in s.value for s in at.subheader)


def test_chair_opens_a_review_and_records_attendance(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", "chair", "en")
    at.button(key="FormSubmitter:review_open-Open review").click().run()
    assert not at.exception
    assert any("opened" in s.value for s in at.success), [e.value for e in at.error]
    at.multiselect(key="attend_present").set_value(["chair", "reviewer"])
    at.button(key="FormSubmitter:review_attend-Record attendance and check quorum").click().run()
    assert any("Only 2 voting members are present" in e.value for e in at.error)


def test_vendor_of_other_organisation_sees_nothing_of_it(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", "vendor_a")
    assert not at.exception
    labels = at.selectbox(key="review_pick").options
    assert all("pension" not in label for label in labels)


def test_records_page_lists_verifies_and_exports(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("records.py", "reviewer")
    assert not at.exception and not at.error
    assert at.title[0].value == "审查记录"
    at.button(key="records_verify_all").click().run()
    assert at.success[0].value.startswith("核验通过：1 份记录")
    at.radio(key="records_format").set_value("md")
    at.button(key="records_prepare").click().run()
    assert not at.exception and not at.error
