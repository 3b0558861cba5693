"""Every service's uptime per UTC day (``GET /uptime``), against a real server."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

import pytest
from conftest import WEBHOOK, wait_for

from watchtower_client import Client, DailyUptime, DayUptime, ForbiddenError, Service


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


def test_thirty_utc_days_oldest_first_today_last(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    before = utc_today()
    uptime = client.daily_uptime()
    after = utc_today()
    assert isinstance(uptime, DailyUptime)
    assert len(uptime.dates) == 30
    assert all(type(day) is date for day in uptime.dates)
    assert uptime.dates[-1] in (before, after)
    assert uptime.today == uptime.dates[-1]
    assert [b - a for a, b in zip(uptime.dates, uptime.dates[1:])] == [timedelta(days=1)] * 29
    assert all(len(values) == 30 for values in uptime.services.values())


def test_a_service_pulsed_today_is_up_all_of_today_and_unseen_before(
    client: Client, name: str
) -> None:
    service = client.pulse(name, 3600, "webhook", WEBHOOK)
    assert service.first_seen is not None
    first_day = service.first_seen.date()  # a UTC datetime: its UTC day
    uptime = client.daily_uptime()
    assert name in uptime
    values = uptime.services[name]
    assert values[-1] == 1.0
    for day, value in zip(uptime.dates, values):
        if day < first_day:
            assert value is None, f"{name} has an uptime on {day}, before it was first seen"
        else:
            assert value == 1.0, f"{name} was never down, yet its uptime on {day} is {value}"

    days = uptime.days(name)
    assert len(days) == 30
    assert days[-1] == DayUptime(date=uptime.dates[-1], uptime=1.0)
    assert [d.date for d in days] == list(uptime.dates)
    with pytest.raises(KeyError):
        uptime.days(f"{name}-never-pulsed")


def test_a_death_today_brings_todays_uptime_below_one(client: Client, name: str) -> None:
    client.pulse(name, 0.3, "webhook", WEBHOOK)
    wait_for(lambda: (s := find(client, name)) is not None and s.is_dead,
             what=f"{name} to be declared dead")
    time.sleep(0.5)  # dead for a while
    today = client.daily_uptime().services[name][-1]
    assert today is not None and 0.0 < today < 1.0, today

    client.pulse(name, 3600, "webhook", WEBHOOK)  # up again: the outage stays in the day
    recovered = client.daily_uptime().services[name][-1]
    assert recovered is not None and 0.0 < recovered < 1.0, recovered
    client.cancel(name)
    assert name not in client.daily_uptime()


def test_a_key_with_a_prefix_sees_only_its_services(
    client: Client, key_client: Any, name: str
) -> None:
    prefix = f"{name}-team-"
    client.pulse(prefix + "a", 3600, "webhook", WEBHOOK)
    client.pulse(name, 3600, "webhook", WEBHOOK)
    seen = key_client("read", prefix=prefix).daily_uptime()
    assert list(seen.services) == [prefix + "a"]
    assert seen.services[prefix + "a"][-1] == 1.0
    assert len(seen.dates) == 30


def test_an_ingest_key_may_not_read_uptime(key_client: Any) -> None:
    with pytest.raises(ForbiddenError) as info:
        key_client("ingest").daily_uptime()
    assert info.value.status == 403
