"""The city's calendar: dates of reviews in the configured time zone (``SANDBOX_TIMEZONE``).

Times are stored in UTC. A calendar date written into a review or a signed
record (application, acceptance, meeting, decision, the 30-day clock) is the
date in the city's zone: a decision taken at 07:30 in Beijing (23:30 UTC the day
before) is dated that morning, not the day before.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sandbox.settings import get_settings

__all__ = ["local_date", "local_today"]


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the configured zone (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_zone(get_settings().timezone)).date()


def local_today() -> date:
    """Today's date in the configured zone."""
    return local_date(datetime.now(UTC))
