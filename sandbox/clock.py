"""The city's calendar: dates of reviews and times shown to people, in the configured zone (``SANDBOX_TIMEZONE``).

Times are stored in UTC. A calendar date written into a review or a signed
record (application, acceptance, meeting, decision, the 30-day clock) is the
date in the city's zone: a decision taken at 07:30 in Beijing (23:30 UTC the day
before) is dated that morning, not the day before. A time shown on a page or a
printed record is the city's wall-clock time with its offset
(:func:`local_time_text`); the signed JSON and its Markdown copy keep UTC.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sandbox.settings import get_settings

__all__ = ["local_date", "local_time_text", "local_today"]


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the configured zone (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_zone(get_settings().timezone)).date()


def local_time_text(moment: datetime | str | None) -> str:
    """A stored moment as people in the city read it: ``2026-12-07 15:30:00 UTC+08:00``.

    Parameters
    ----------
    moment : datetime, str or None
        A moment as stored (an aware or naive ``datetime``, or its ISO text; naive means UTC).
        ``None`` or an empty string gives ``""``; text that is not an ISO moment is returned unchanged.

    Returns
    -------
    str
        The local wall-clock time in the configured zone (``SANDBOX_TIMEZONE``) with its UTC offset, so a
        screenshot or a printed page is never ambiguous.
    """
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(get_settings().timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} UTC{offset[:3]}:{offset[3:]}"


def local_today() -> date:
    """Today's date in the configured zone."""
    return local_date(datetime.now(UTC))
