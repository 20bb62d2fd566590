"""Schedule expressions (rate, cron in EventBridge's six-field syntax, at) and their next firing,
including time zones across daylight-saving changes. Pure functions with explicit times: no waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from localcloud.eventbridge.schedule_expressions import ScheduleError, parse


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def upcoming(expression: str, start: datetime, count: int = 4, timezone: str | None = None) -> list[datetime]:
    parsed = parse(expression, timezone)
    out, after = [], start
    for _ in range(count):
        after = parsed.next_after(after)
        if after is None:
            break
        out.append(after)
    return out


def test_rate_counts_periods_from_its_anchor():
    every_five = parse("rate(5 minutes)")
    created = utc(2026, 3, 2, 10, 0, 30)
    assert every_five.next_after(created, created) == utc(2026, 3, 2, 10, 5, 30)
    assert every_five.next_after(utc(2026, 3, 2, 10, 7), created) == utc(2026, 3, 2, 10, 10, 30)
    assert every_five.next_after(utc(2026, 3, 2, 10, 10, 30), created) == utc(2026, 3, 2, 10, 15, 30)
    assert parse("rate(1 day)").next_after(utc(2026, 1, 1), utc(2026, 1, 1)) == utc(2026, 1, 2)
    assert parse("rate(2 hours)").next_after(utc(2026, 1, 1), utc(2026, 6, 1)) == utc(2026, 6, 1)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 * * ? *)", [utc(2026, 1, 1, 12), utc(2026, 1, 2, 12), utc(2026, 1, 3, 12)]),
        ("cron(15 10 ? * 6L 2026)", [utc(2026, 1, 30, 10, 15), utc(2026, 2, 27, 10, 15), utc(2026, 3, 27, 10, 15)]),
        ("cron(0/15 * * * ? *)", [utc(2026, 1, 1, 0, 15), utc(2026, 1, 1, 0, 30), utc(2026, 1, 1, 0, 45)]),
        ("cron(0 18 ? * MON-FRI *)", [utc(2026, 1, 1, 18), utc(2026, 1, 2, 18), utc(2026, 1, 5, 18)]),
        ("cron(0 8 1 * ? *)", [utc(2026, 1, 1, 8), utc(2026, 2, 1, 8), utc(2026, 3, 1, 8)]),
        ("cron(0 9 ? * 2#1 *)", [utc(2026, 1, 5, 9), utc(2026, 2, 2, 9), utc(2026, 3, 2, 9)]),
        ("cron(0 9 L * ? *)", [utc(2026, 1, 31, 9), utc(2026, 2, 28, 9), utc(2026, 3, 31, 9)]),
        ("cron(0 9 L-2 * ? *)", [utc(2026, 1, 29, 9), utc(2026, 2, 26, 9), utc(2026, 3, 29, 9)]),
        ("cron(0 9 1W * ? *)", [utc(2026, 1, 1, 9), utc(2026, 2, 2, 9), utc(2026, 3, 2, 9)]),
        ("cron(0 9 LW * ? *)", [utc(2026, 1, 30, 9), utc(2026, 2, 27, 9), utc(2026, 3, 31, 9)]),
        ("cron(0 9 ? * L *)", [utc(2026, 1, 3, 9), utc(2026, 1, 10, 9), utc(2026, 1, 17, 9)]),
        ("cron(0 0 29 2 ? *)", [utc(2028, 2, 29), utc(2032, 2, 29), utc(2036, 2, 29)]),
        ("cron(0 10 * * ? 2027)", [utc(2027, 1, 1, 10), utc(2027, 1, 2, 10), utc(2027, 1, 3, 10)]),
        ("cron(0 10 * * ? 2025)", []),
    ],
)
def test_cron_in_eventbridge_syntax(expression, expected):
    assert upcoming(expression, utc(2026, 1, 1), 3) == expected


def test_cron_in_a_time_zone_follows_daylight_saving():
    # Europe/Paris: UTC+1 in winter, UTC+2 from 29 March 2026
    assert upcoming("cron(0 12 ? * MON-FRI *)", utc(2026, 3, 26), 3, "Europe/Paris") == [
        utc(2026, 3, 26, 11), utc(2026, 3, 27, 11), utc(2026, 3, 30, 10)
    ]  # fmt: skip
    # 02:30 does not exist on 8 March 2026 in New York: skipped that day
    assert upcoming("cron(30 2 * * ? *)", utc(2026, 3, 7, 12), 2, "America/New_York") == [
        utc(2026, 3, 9, 6, 30), utc(2026, 3, 10, 6, 30)
    ]  # fmt: skip
    # 01:30 happens twice on 1 November 2026 in New York: it fires once
    assert upcoming("cron(30 1 * * ? *)", utc(2026, 11, 1), 2, "America/New_York") == [
        utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)
    ]  # fmt: skip
    hourly = upcoming("cron(0 * * * ? *)", utc(2026, 11, 1, 4, 30), 3, "America/New_York")
    assert hourly == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)]


def test_at_fires_once_in_its_time_zone():
    once = parse("at(2026-05-01T09:00:00)", "Europe/Paris")
    assert once.next_after(utc(2026, 4, 1)) == utc(2026, 5, 1, 7)
    assert once.next_after(utc(2026, 5, 1, 7)) is None


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 seconds)", "rate(five minutes)",
     "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * * ?)", "cron(61 12 * * ? *)",
     "cron(0 12 ? * MON-FRI 1960)", "cron(0 12 ? * 9 *)", "every day", "", "at(2026-13-01T00:00:00)"],
)  # fmt: skip
def test_bad_expressions_are_refused(expression):
    with pytest.raises(ScheduleError):
        parse(expression)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ScheduleError, match="time zone"):
        parse("rate(1 hour)", "Mars/Olympus")


def test_next_is_strictly_after():
    daily = parse("cron(0 12 * * ? *)")
    noon = utc(2026, 1, 1, 12)
    assert daily.next_after(noon) == noon + timedelta(days=1)
    assert daily.next_after(noon - timedelta(seconds=1)) == noon
