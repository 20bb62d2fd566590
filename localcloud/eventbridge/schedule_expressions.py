"""Schedule expressions: `rate(...)`, `cron(...)` in EventBridge's own six-field syntax, and the
Scheduler's one-time `at(...)`; when each fires next, in UTC or a schedule's time zone.

cron fields are minutes, hours, day-of-month, month, day-of-week (1-7 = SUN-SAT) and year, with
`, - * / ? L W #`; one of the two day fields must be `?`. aws-croniter parses, validates and steps them;
two forms it cannot step are handled here: `LW` (the month's last weekday) and a bare `L` in
day-of-week (Saturday, the last day of the week). A time zone follows the Scheduler's daylight-saving
rules: a local time that does not exist (clocks go forward) is skipped, and one that happens twice
(clocks go back) fires once.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aws_croniter import AwsCroniter
from aws_croniter.exceptions import AwsCroniterExpressionError

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_SEARCH_LIMIT = 5000  # candidate steps before giving up (a cron that never fires, e.g. 30 February)


class ScheduleError(ValueError):
    """A schedule expression EventBridge would refuse ("Parameter ScheduleExpression is not valid.")."""


@dataclass(frozen=True)
class ScheduleExpression:
    text: str
    kind: str  # "rate", "cron" or "at"
    period: int = 0  # seconds, for rate()
    fields: tuple[str, ...] = ()  # the six cron fields
    at: datetime | None = None  # naive local time, for at()
    timezone: str = "UTC"

    def next_after(self, after: datetime, anchor: datetime | None = None) -> datetime | None:
        """The first firing strictly after `after` (aware, UTC), or None if there is none.

        A rate counts its periods from `anchor` (when the rule was created, or its StartDate)."""
        if self.kind == "rate":
            start = anchor or after
            if after < start:
                return start
            periods = int((after - start).total_seconds() // self.period) + 1
            return start + timedelta(seconds=periods * self.period)
        zone = _zone(self.timezone)
        if self.kind == "at":
            assert self.at is not None
            when = _localize(self.at, zone)
            return when if when is not None and when > after else None
        return self._next_cron(after, zone)

    def _next_cron(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        wall = after.astimezone(zone).replace(tzinfo=None)
        for _ in range(_SEARCH_LIMIT):
            candidate = _next_wall(self.fields, wall)
            if candidate is None:
                return None
            when = _localize(candidate, zone)
            if when is not None and when > after:
                return when
            wall = candidate
        return None


def parse(expression: str, timezone: str | None = None) -> ScheduleExpression:
    text = (expression or "").strip()
    zone = timezone or "UTC"
    _zone(zone)
    rate = _RATE.match(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(f"{text}: use a singular unit for 1 and a plural one otherwise, e.g. rate(1 minute)")
        return ScheduleExpression(text, "rate", period=value * _UNIT_SECONDS[unit.rstrip("s")], timezone=zone)
    cron = _CRON.match(text)
    if cron:
        fields = tuple(cron.group(1).split())
        _check_cron(fields, text)
        return ScheduleExpression(text, "cron", fields=fields, timezone=zone)
    at = _AT.match(text)
    if at:
        try:
            when = datetime.fromisoformat(at.group(1))
        except ValueError:
            raise ScheduleError(f"{text}: not a valid date and time") from None
        return ScheduleExpression(text, "at", at=when, timezone=zone)
    raise ScheduleError(f"{text!r} is not a rate(...), cron(...) or at(...) expression")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r}") from None


def _check_cron(fields: tuple[str, ...], text: str) -> None:
    try:
        _croniter(fields)
    except (AwsCroniterExpressionError, ValueError) as exc:
        raise ScheduleError(f"{text}: {exc}") from None


def _croniter(fields: tuple[str, ...]) -> AwsCroniter:
    if len(fields) != 6:
        raise ScheduleError(f"cron takes 6 fields (minute hour day month weekday year), got {len(fields)}")
    minute, hour, day, month, weekday, year = fields
    if weekday.upper() == "L":
        weekday = "7"
    if day.upper() == "LW":
        day = "26-31"  # the last weekday is one of these; `_next_wall` keeps only it
    return AwsCroniter(" ".join((minute, hour, day, month, weekday, year)))


def _next_wall(fields: tuple[str, ...], wall: datetime) -> datetime | None:
    """The next matching wall-clock minute after `wall` (naive), stepping aws-croniter in fake UTC."""
    iterator = _croniter(fields)
    cursor = wall.replace(tzinfo=UTC)
    for _ in range(_SEARCH_LIMIT):
        found = iterator.get_next(cursor)[0]
        if found is None:
            return None
        if fields[2].upper() != "LW" or found.date() == last_weekday(found.year, found.month):
            return found.replace(tzinfo=None)
        cursor = found.replace(hour=23, minute=59)
    return None


def last_weekday(year: int, month: int) -> date:
    day = date(year, month, calendar.monthrange(year, month)[1])
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _localize(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall time: None when clocks skip it; the first one when it repeats."""
    local = wall.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant
