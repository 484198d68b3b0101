"""Review dates are the city's calendar dates (SANDBOX_TIMEZONE, default Asia/Shanghai), not the server's UTC date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.clock import local_date
from sandbox.errors import ConfigError
from sandbox.settings import reset_settings_cache

# 07:30 in Beijing on 7 December is 23:30 UTC on 6 December.
MORNING_IN_BEIJING = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def use(name: str | None) -> None:
        if name is None:
            monkeypatch.delenv("SANDBOX_TIMEZONE", raising=False)
        else:
            monkeypatch.setenv("SANDBOX_TIMEZONE", name)
        reset_settings_cache()

    yield use
    monkeypatch.delenv("SANDBOX_TIMEZONE", raising=False)
    reset_settings_cache()


def test_the_city_date_is_the_configured_zones(zone) -> None:  # type: ignore[no-untyped-def]
    zone(None)
    assert local_date(MORNING_IN_BEIJING) == date(2026, 12, 7)
    assert local_date(MORNING_IN_BEIJING.replace(tzinfo=None)) == date(2026, 12, 7)  # naive = UTC
    zone("UTC")
    assert local_date(MORNING_IN_BEIJING) == date(2026, 12, 6)
    zone("Asia/Urumqi")  # UTC+6
    assert local_date(MORNING_IN_BEIJING) == date(2026, 12, 7)


def test_an_unknown_zone_is_refused_naming_the_variable(zone) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        zone("Beijing")
        local_date(MORNING_IN_BEIJING)
    assert err.value.params["name"] == "SANDBOX_TIMEZONE" and "Beijing" in err.value.render("zh")


def test_a_decision_taken_on_a_beijing_morning_is_dated_that_morning(world, zone,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import sandbox.review._service as service
    from sandbox.review import export_document

    zone(None)
    monkeypatch.setattr(service, "_now", lambda: MORNING_IN_BEIJING)
    result = world.to_decision()
    record = export_document(actor=world.actor("chair"), record_id=result["record_id"])["record"]
    dates = record["groups"]["A"]["dates"]
    assert dates["decision"] == "2026-12-07" and dates["acceptance"] == "2026-12-07"
    assert dates["meeting"] == "2026-12-07"
