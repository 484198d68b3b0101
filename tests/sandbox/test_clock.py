"""Times shown to people are the city's wall-clock times with their offset, not bare UTC strings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sandbox.clock import local_time_text
from sandbox.demo import DEMO_PASSWORD
from sandbox.settings import reset_settings_cache
from sandbox.users import authenticate

ROOT = Path(__file__).resolve().parents[2]
MORNING_IN_BEIJING = datetime(2026, 12, 6, 23, 30, 5, tzinfo=UTC)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def use(name: str) -> None:
        monkeypatch.setenv("SANDBOX_TIMEZONE", name)
        reset_settings_cache()

    yield use
    monkeypatch.delenv("SANDBOX_TIMEZONE", raising=False)
    reset_settings_cache()


def test_a_stored_moment_reads_as_the_citys_time_with_its_offset(zone) -> None:  # type: ignore[no-untyped-def]
    zone("Asia/Shanghai")
    assert local_time_text(MORNING_IN_BEIJING) == "2026-12-07 07:30:05 UTC+08:00"
    assert local_time_text("2026-12-06T23:30:05") == "2026-12-07 07:30:05 UTC+08:00"  # naive text = UTC
    assert local_time_text("2026-12-06T23:30:05+00:00") == "2026-12-07 07:30:05 UTC+08:00"
    zone("Asia/Kathmandu")  # a zone with minutes
    assert local_time_text(MORNING_IN_BEIJING) == "2026-12-07 05:15:05 UTC+05:45"
    zone("UTC")
    assert local_time_text(MORNING_IN_BEIJING) == "2026-12-06 23:30:05 UTC+00:00"
    assert local_time_text(None) == "" and local_time_text("") == ""
    assert local_time_text("—") == "—"  # not a moment: shown as it is


def test_the_home_pages_activity_shows_local_times(demo_home: Path, zone) -> None:  # type: ignore[no-untyped-def]
    from sandbox.activity import recent_activity

    zone("Asia/Shanghai")
    actor = authenticate("chair", DEMO_PASSWORD)
    stored = recent_activity(actor=actor, limit=1)[0]["at"]
    at = AppTest.from_file(str(ROOT / "workbench_pages/home.py"), default_timeout=60)
    at.session_state["actor"] = actor
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value.iloc[0, 0]
    assert shown == local_time_text(stored) and shown.endswith("UTC+08:00") and shown != stored
