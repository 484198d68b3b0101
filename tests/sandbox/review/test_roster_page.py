"""The review page after the committee changed: an open review keeps the roster it was opened with.

A member who joined after a review was opened is not on that review's attendance; the meeting tab looked
every current member up in it and the whole page failed (KeyError) for every role — found on a home
upgraded from an older release where a member had joined (README: reviews already open keep their members).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.review import add_member, open_review, record_attendance
from sandbox.users import actor_for, add_user
from tests.sandbox.review.conftest import ALL, IMPACT

ROOT = Path(__file__).resolve().parents[3]
NEW = {"username": "reviewer7", "category": "科技", "sex": "女", "affiliation": "市数据局", "is_chair": False}


def test_review_page_after_a_member_joined(world) -> None:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    opened = open_review(actor=chair, trial_id=world.trials["risk"], questionnaire=IMPACT)
    record_attendance(actor=chair, review_id=opened["review_id"], present=ALL)
    add_user(username="reviewer7", password="member-pw-7", role="reviewer", display_name="新委员")
    add_member(actor=world.actor("admin"), member=NEW, reason="新聘委员")
    for username in ("chair", "reviewer", "reviewer7"):
        at = AppTest.from_file(str(ROOT / "workbench_pages" / "ethics_review.py"), default_timeout=60)
        at.session_state["actor"] = actor_for(username)
        at.session_state["lang"] = "zh"
        at.run()
        assert not at.exception, (username, [e.value for e in at.exception])
        shown = [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
        assert "reviewer2" in shown and "reviewer7" not in shown  # the roster as opened
        if username == "chair":  # the attendance form offers the roster only (the service refuses others)
            options = " ".join(at.multiselect(key="attend_present").options)  # "陈晓东 (reviewer2)" …
            assert "(reviewer7)" not in options and "(reviewer2)" in options
