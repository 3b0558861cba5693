"""Scheduled pulses (a cron ``schedule``, its ``tz``) and ``grace``, against a real server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import pytest
import requests
from conftest import WEBHOOK, Server

from watchtower_client import (
    Client,
    ForbiddenError,
    InvalidRequestError,
    ScheduleExplanation,
    Service,
)


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


def next_whole_hour(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class RecordingSession(requests.Session):
    """A session that keeps the JSON body of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: List[Optional[Dict[str, Any]]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.bodies.append(kwargs.get("json"))
        return super().request(method, url, *args, **kwargs)


def test_an_hourly_schedule_with_grace(client: Client, name: str) -> None:
    service = client.pulse(name, schedule="@hourly", grace="15m",
                           alert_type="webhook", alert_target=WEBHOOK)
    expected = next_whole_hour(service.last_pulse)
    assert service.deadline == expected + timedelta(seconds=900)
    assert service.next_in == pytest.approx((expected - service.last_pulse).total_seconds(), abs=0.002)
    assert service.schedule == "@hourly"
    assert service.tz == "UTC"
    assert service.grace == 900
    assert service.is_up

    listed = find(client, name)
    assert listed is not None
    assert (listed.schedule, listed.tz, listed.grace) == ("@hourly", "UTC", 900)
    assert listed.deadline == service.deadline


def test_a_schedule_is_read_in_its_time_zone(client: Client, name: str) -> None:
    # India is UTC+05:30 all year: its whole hours fall at minute 30 UTC.
    service = client.pulse(name, schedule="0 * * * *", tz="Asia/Kolkata",
                           alert_type="webhook", alert_target=WEBHOOK)
    assert (service.deadline.minute, service.deadline.second, service.deadline.microsecond) == (30, 0, 0)
    assert timedelta(0) < service.deadline - service.last_pulse <= timedelta(hours=1)
    assert service.schedule == "0 * * * *"
    assert service.tz == "Asia/Kolkata"
    assert service.grace is None


def test_grace_with_next_in_moves_the_deadline(client: Client, name: str) -> None:
    service = client.pulse(name, next_in=60, grace=30, alert_type="webhook", alert_target=WEBHOOK)
    assert service.deadline - service.last_pulse == timedelta(seconds=90)
    assert service.next_in == 60 and service.grace == 30
    assert service.schedule is None and service.tz is None

    positional = client.pulse(name, 60, "webhook", WEBHOOK, grace=timedelta(minutes=2))
    assert positional.grace == 120
    assert positional.deadline - positional.last_pulse == timedelta(seconds=180)

    fractional = client.pulse(name, 60, "webhook", WEBHOOK, grace=1.5)
    assert fractional.grace == 1.5
    assert fractional.deadline - fractional.last_pulse == timedelta(seconds=61.5)


def test_a_pulse_without_schedule_or_grace_clears_them(client: Client, name: str) -> None:
    client.pulse(name, schedule="@daily", tz="Europe/Berlin", grace="1h",
                 alert_type="webhook", alert_target=WEBHOOK)
    again = client.pulse(name, 60, "webhook", WEBHOOK)
    assert (again.schedule, again.tz, again.grace) == (None, None, None)
    assert again.deadline - again.last_pulse == timedelta(seconds=60)
    listed = find(client, name)
    assert listed is not None
    assert (listed.schedule, listed.tz, listed.grace) == (None, None, None)


def test_absent_fields_are_left_out_of_the_body(server: Server, name: str) -> None:
    session = RecordingSession()
    with server.client(session=session) as client:
        client.pulse(name, 60, "webhook", WEBHOOK)
        client.pulse(name, schedule="@weekly", alert_type="webhook", alert_target=WEBHOOK)
        client.pulse(name, schedule="0 9 * * MON-FRI", tz="Europe/Berlin", grace="90s",
                     alert_type="webhook", alert_target=WEBHOOK)
    session.close()
    plain, weekly, weekdays = session.bodies
    assert plain == {"service": name, "alertType": "webhook", "alertTarget": WEBHOOK, "nextIn": 60}
    assert weekly == {"service": name, "alertType": "webhook", "alertTarget": WEBHOOK,
                      "schedule": "@weekly"}
    assert weekdays == {"service": name, "alertType": "webhook", "alertTarget": WEBHOOK,
                        "schedule": "0 9 * * MON-FRI", "tz": "Europe/Berlin", "grace": "90s"}


def test_an_invalid_cron_expression_names_schedule(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.pulse(name, schedule="not a cron line", alert_type="webhook", alert_target=WEBHOOK)
    assert info.value.status == 400
    assert info.value.field == "schedule"


@pytest.mark.parametrize("schedule", ["0 0 30 2 *", "5-1 * * * *"])
def test_a_schedule_that_cannot_come_is_a_422_naming_schedule(
    client: Client, name: str, schedule: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.pulse(name, schedule=schedule, alert_type="webhook", alert_target=WEBHOOK)
    assert info.value.status == 422
    assert info.value.field == "schedule"
    assert find(client, name) is None


def test_an_unknown_time_zone_names_tz(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.pulse(name, schedule="@daily", tz="Mars/Olympus_Mons",
                     alert_type="webhook", alert_target=WEBHOOK)
    assert info.value.status == 400
    assert info.value.field == "tz"


@pytest.mark.parametrize("grace", [-1, "soon", "400d"])
def test_a_bad_grace_names_grace(client: Client, name: str, grace: Any) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.pulse(name, 60, "webhook", WEBHOOK, grace=grace)
    assert info.value.field == "grace"


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({}, "next_in"),
        ({"next_in": 60, "schedule": "@hourly"}, "not both"),
        ({"tz": "UTC"}, "next_in"),
        ({"next_in": 60, "tz": "UTC"}, "tz"),
    ],
)
def test_argument_errors_are_raised_before_any_request(
    server: Server, name: str, kwargs: Dict[str, Any], words: str
) -> None:
    session = RecordingSession()
    with server.client(session=session) as client:
        with pytest.raises(ValueError, match=words):
            client.pulse(name, alert_type="webhook", alert_target=WEBHOOK, **kwargs)
    session.close()
    assert session.bodies == []


def test_alert_type_and_target_are_still_required(client: Client, name: str) -> None:
    with pytest.raises(TypeError, match="alert_type"):
        client.pulse(name, schedule="@hourly", alert_target=WEBHOOK)
    with pytest.raises(TypeError, match="alert_target"):
        client.pulse(name, 60, "webhook")


def test_grace_must_be_a_duration(client: Client, name: str) -> None:
    for bad in (True, [15]):
        with pytest.raises(TypeError):
            client.pulse(name, 60, "webhook", WEBHOOK, grace=bad)


# -- explain_schedule ------------------------------------------------------------------------


def test_explain_schedule_gives_weekday_times_at_0230_berlin(client: Client) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    before = datetime.now(timezone.utc)
    explained = client.explain_schedule("30 2 * * 1-5", tz="Europe/Berlin", count=20)
    assert isinstance(explained, ScheduleExplanation)
    assert explained.schedule == "30 2 * * 1-5"
    assert explained.tz == "Europe/Berlin"
    assert "02:30" in explained.description and "Monday" in explained.description
    assert "Saturday" not in explained.description and "Sunday" not in explained.description
    assert len(explained.next) == 20
    assert all(when.tzinfo == timezone.utc for when in explained.next)
    assert list(explained.next) == sorted(set(explained.next))
    assert before < explained.next[0] <= before + timedelta(days=3, hours=1)
    local = [when.astimezone(berlin) for when in explained.next]
    for when in local:
        assert (when.hour, when.minute, when.second, when.microsecond) == (2, 30, 0, 0), when
        assert when.weekday() < 5, f"{when} is not a weekday"
    # no weekday is skipped: each time is on the weekday after the one before
    for earlier, later in zip(local, local[1:]):
        gap = (later.date() - earlier.date()).days
        assert gap == (3 if earlier.weekday() == 4 else 1), (earlier, later)


def test_explain_schedule_defaults_to_utc_and_five_times(client: Client) -> None:
    before = datetime.now(timezone.utc)
    explained = client.explain_schedule("@daily")
    assert explained.schedule == "@daily"
    assert explained.tz == "UTC"
    assert explained.description
    assert len(explained.next) == 5
    midnight = before.replace(hour=0, minute=0, second=0, microsecond=0)
    assert list(explained.next) == [midnight + timedelta(days=n) for n in range(1, 6)]


def test_explain_schedule_matches_what_a_pulse_expects(client: Client, name: str) -> None:
    service = client.pulse(name, schedule="*/15 * * * *", tz="Asia/Kolkata",
                           alert_type="webhook", alert_target=WEBHOOK)
    explained = client.explain_schedule("*/15 * * * *", tz="Asia/Kolkata", count=1)
    assert explained.next == (service.deadline,)


def test_explain_schedule_sends_only_what_is_given(server: Server) -> None:
    sent: List[str] = []

    class UrlSession(requests.Session):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            response = super().request(method, url, *args, **kwargs)
            sent.append(response.request.url or "")
            return response

    with server.client(session=UrlSession()) as client:
        client.explain_schedule("0 9 * * MON-FRI")
        client.explain_schedule("0 9 * * MON-FRI", tz="Europe/Berlin", count=2)
    assert sent[0].endswith("/schedule?schedule=0+9+%2A+%2A+MON-FRI"), sent[0]
    assert sent[1].endswith("/schedule?schedule=0+9+%2A+%2A+MON-FRI&tz=Europe%2FBerlin&count=2"), sent[1]


def test_explain_schedule_of_a_bad_expression_is_a_400_naming_schedule(client: Client) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.explain_schedule("not a cron line")
    assert info.value.status == 400
    assert info.value.field == "schedule"
    assert info.value.message.startswith("schedule: "), info.value.message
    assert "not a cron line" in info.value.message


def test_explain_schedule_that_never_comes_is_a_422_naming_schedule(client: Client) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.explain_schedule("0 0 30 2 *")
    assert info.value.status == 422
    assert info.value.field == "schedule"


def test_explain_schedule_with_an_unknown_zone_names_tz(client: Client) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.explain_schedule("@daily", tz="Mars/Olympus_Mons")
    assert info.value.status == 400
    assert info.value.field == "tz"
    assert "Mars/Olympus_Mons" in info.value.message


@pytest.mark.parametrize("count", [0, 21, -1])
def test_explain_schedule_with_a_count_out_of_range_names_count(client: Client, count: int) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.explain_schedule("@hourly", count=count)
    assert info.value.status == 400
    assert info.value.field == "count"


def test_a_read_key_may_explain_a_schedule_and_an_ingest_key_may_not(key_client: Any) -> None:
    assert len(key_client("read").explain_schedule("@hourly", count=2).next) == 2
    with pytest.raises(ForbiddenError) as info:
        key_client("ingest").explain_schedule("@hourly")
    assert info.value.status == 403
