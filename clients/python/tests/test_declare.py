"""Declaring services before their first pulse (``PUT /services/{name}``), against a real server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from conftest import WEBHOOK, Server, wait_for

from watchtower_client import Client, ForbiddenError, InvalidRequestError, Service


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


class RecordingSession(requests.Session):
    """A session that keeps the method, URL, JSON body and answer status of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: List[Dict[str, Any]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        self.sent.append({"method": method, "url": url, "json": kwargs.get("json"),
                          "status": response.status_code})
        return response


@pytest.fixture
def recorded(server: Server) -> Iterator[Any]:
    """A client whose requests are recorded, and the session recording them."""
    session = RecordingSession()
    with server.client(session=session) as c:
        yield c, session
    session.close()


def test_declaring_a_new_service(recorded: Any, client: Client, name: str) -> None:
    declarer, session = recorded
    service = declarer.declare(name, 60, "webhook", WEBHOOK)
    assert service.service == name
    assert service.status == "new" and service.is_new
    assert not (service.is_up or service.is_late or service.is_dead or service.is_paused)
    assert service.never_pulsed is True
    assert service.next_in == 60
    assert service.first_seen == service.last_pulse
    assert service.deadline - service.last_pulse == timedelta(seconds=60)
    assert (service.alert_type, service.alert_target) == ("webhook", WEBHOOK)

    (sent,) = session.sent
    assert sent["method"] == "PUT"
    assert sent["url"] == f"{declarer.url}/services/{name}"
    assert sent["status"] == 201
    # The name is in the path: the body leaves `service` out, and every absent field too.
    assert sent["json"] == {"alertType": "webhook", "alertTarget": WEBHOOK, "nextIn": 60}

    assert find(client, name) == service


def test_declaring_again_unchanged_changes_nothing(recorded: Any, name: str) -> None:
    declarer, session = recorded
    first = declarer.declare(name, 60, "webhook", WEBHOOK, grace="30s")
    again = declarer.declare(name, 60, "webhook", WEBHOOK, grace=30)
    assert again == first
    assert again.deadline == first.deadline
    assert [s["status"] for s in session.sent] == [201, 200]


def test_changing_next_in_recounts_the_deadline_and_keeps_the_status(
    recorded: Any, client: Client, name: str
) -> None:
    declarer, session = recorded
    first = declarer.declare(name, 60, "webhook", WEBHOOK)
    changed = declarer.declare(name, 120, "webhook", WEBHOOK)
    assert session.sent[-1]["status"] == 200
    assert changed.next_in == 120
    assert changed.status == "new" and changed.never_pulsed
    assert changed.last_pulse == first.last_pulse
    assert changed.first_seen == first.first_seen
    assert changed.deadline - changed.last_pulse == timedelta(seconds=120)
    assert find(client, name) == changed

    # A service that pulsed keeps its status, "up", when its settings change.
    pulsed = client.pulse(name, 120, "webhook", WEBHOOK)
    redeclared = declarer.declare(name, 300, "webhook", WEBHOOK)
    assert session.sent[-1]["status"] == 200
    assert redeclared.is_up and not redeclared.never_pulsed
    assert redeclared.next_in == 300
    assert redeclared.last_pulse == pulsed.last_pulse
    assert redeclared.deadline - redeclared.last_pulse == timedelta(seconds=300)


def test_a_pulse_after_the_declaration_makes_it_up(client: Client, name: str) -> None:
    declared = client.declare(name, 3600, "webhook", WEBHOOK)
    pulsed = client.pulse(name, 3600, "webhook", WEBHOOK)
    assert pulsed.status == "up" and pulsed.is_up
    assert pulsed.never_pulsed is False
    assert pulsed.first_seen == declared.first_seen
    assert pulsed.last_pulse >= declared.last_pulse
    listed = find(client, name)
    assert listed is not None and listed.is_up and not listed.never_pulsed


def test_a_declared_service_that_never_pulses_dies(client: Client, name: str) -> None:
    declared = client.declare(name, 0.3, "webhook", WEBHOOK)
    assert declared.is_new and declared.never_pulsed
    dead = wait_for(lambda: (s := find(client, name)) is not None and s.is_dead and s,
                    what=f"{name} to be declared dead")
    assert dead.status == "dead"
    assert dead.never_pulsed is True
    assert dead.deadline == declared.deadline
    assert dead.first_seen == declared.first_seen

    revived = client.pulse(name, 3600, "webhook", WEBHOOK)
    assert revived.is_up and not revived.never_pulsed


def test_declaring_with_a_schedule(recorded: Any, name: str) -> None:
    declarer, session = recorded
    service = declarer.declare(name, schedule="0 * * * *", tz="Asia/Kolkata", grace="15m",
                               alert_type="webhook", alert_target=WEBHOOK)
    assert service.is_new and service.never_pulsed
    assert (service.schedule, service.tz, service.grace) == ("0 * * * *", "Asia/Kolkata", 900)
    # India is UTC+05:30 all year: its whole hours fall at minute 30 UTC, plus 15 m of grace.
    expected = service.deadline - timedelta(seconds=900)
    assert (expected.minute, expected.second, expected.microsecond) == (30, 0, 0)
    assert timedelta(0) < expected - service.last_pulse <= timedelta(hours=1)
    assert session.sent[-1]["json"] == {
        "alertType": "webhook", "alertTarget": WEBHOOK,
        "schedule": "0 * * * *", "tz": "Asia/Kolkata", "grace": "15m",
    }


def test_declaring_without_next_in_or_schedule_names_next_in(
    client: Client, name: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.declare(name, alert_type="webhook", alert_target=WEBHOOK)
    assert info.value.status == 400
    assert info.value.field == "nextIn"
    assert find(client, name) is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"next_in": 60, "schedule": "@hourly"}, "schedule"),
        ({"next_in": 60, "tz": "UTC"}, "tz"),
        ({"next_in": 60, "grace": "soon"}, "grace"),
        ({"next_in": -1}, "nextIn"),
        ({"schedule": "not a cron line"}, "schedule"),
    ],
)
def test_a_bad_declaration_names_its_field(
    client: Client, name: str, kwargs: Dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.declare(name, alert_type="webhook", alert_target=WEBHOOK, **kwargs)
    assert info.value.field == field
    assert find(client, name) is None


def test_alert_type_and_target_are_required(client: Client, name: str) -> None:
    with pytest.raises(TypeError, match="alert_type"):
        client.declare(name, 60, alert_target=WEBHOOK)
    with pytest.raises(TypeError, match="alert_target"):
        client.declare(name, 60, "webhook")


@pytest.mark.parametrize("suffix", ["/with/slashes", " a?b=c#frag", "/../up", "%2F and %", "été ✓"])
def test_a_name_is_one_path_segment(client: Client, name: str, suffix: str) -> None:
    odd = name + suffix
    declared = client.declare(odd, 3600, "webhook", WEBHOOK)
    assert declared.service == odd and declared.is_new
    listed = find(client, odd)
    assert listed is not None and listed.is_new
    assert find(client, name) is None
    client.cancel(odd)


def test_declaring_needs_write_within_the_key_prefix(
    client: Client, key_client: Any, name: str
) -> None:
    reader = key_client("read")
    with pytest.raises(ForbiddenError) as info:
        reader.declare(name, 60, "webhook", WEBHOOK)
    assert info.value.status == 403
    assert "scope `read`" in info.value.message
    assert find(client, name) is None

    outsider = key_client("write", prefix="team-a-")
    with pytest.raises(ForbiddenError) as info:
        outsider.declare(name, 60, "webhook", WEBHOOK)
    assert "team-a-" in info.value.message
    assert find(client, name) is None

    writer = key_client("write")
    assert writer.declare(name, 60, "webhook", WEBHOOK).is_new


def service_json(**extra: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "service": "backup",
        "alertType": "webhook",
        "alertTarget": WEBHOOK,
        "nextIn": 60,
        "lastPulse": "2026-11-25T06:12:32.660Z",
        "deadline": "2026-11-25T06:13:32.660Z",
        "status": "up",
    }
    data.update(extra)
    return data


def test_first_seen_and_never_pulsed_default_when_absent() -> None:
    service = Service.from_json(service_json())
    assert service.first_seen is None
    assert service.never_pulsed is False


def test_first_seen_and_never_pulsed_are_read() -> None:
    service = Service.from_json(
        service_json(status="new", firstSeen="2026-11-25T06:12:32.660Z", neverPulsed=True)
    )
    assert service.is_new and service.never_pulsed is True
    assert service.first_seen == service.last_pulse
