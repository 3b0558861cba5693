"""Pause and resume services, and the statuses a service may have, against a real server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional

import pytest
from conftest import WEBHOOK, Server, wait_for

from watchtower_client import (
    SERVICE_STATUSES,
    Client,
    ForbiddenError,
    NotFoundError,
    Service,
)

# The server keeps dates to the millisecond; allow that much either side of a bound.
SLACK = timedelta(milliseconds=2)


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_a_paused_service_does_not_die(client: Client, name: str) -> None:
    paused_name, control_name = name + "-paused", name + "-control"
    client.pulse(paused_name, 0.4, "webhook", WEBHOOK)
    paused = client.pause(paused_name)
    assert paused.service == paused_name
    assert paused.status == "paused" and paused.is_paused
    assert not paused.is_up and not paused.is_dead and not paused.is_late
    # Pulsed after the pause, the control's deadline is later than the paused one's: once the
    # control is dead, the paused service's deadline has passed too.
    client.pulse(control_name, 0.4, "webhook", WEBHOOK)
    wait_for(lambda: (s := find(client, control_name)) is not None and s.is_dead,
             what=f"{control_name} to be declared dead")
    still = find(client, paused_name)
    assert still is not None and still.status == "paused"

    before = now()
    resumed = client.resume(paused_name)
    after = now()
    assert resumed.service == paused_name
    assert resumed.status == "up" and resumed.is_up and not resumed.is_paused
    # A fresh window from now: due within nextIn of the resume.
    window = timedelta(seconds=resumed.next_in)
    assert resumed.next_in == 0.4
    assert before + window - SLACK <= resumed.deadline <= after + window + SLACK


def test_pausing_twice_answers_the_service_unchanged(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    first = client.pause(name)
    again = client.pause(name)
    assert again == first
    assert again.is_paused


def test_resume_counts_the_grace_from_now(client: Client, name: str) -> None:
    client.pulse(name, 60, "webhook", WEBHOOK, grace="30s")
    client.pause(name)
    before = now()
    resumed = client.resume(name)
    after = now()
    assert resumed.is_up and resumed.grace == 30
    window = timedelta(seconds=60 + 30)
    assert before + window - SLACK <= resumed.deadline <= after + window + SLACK


def test_resuming_a_service_that_is_not_paused_answers_it_unchanged(
    client: Client, name: str
) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    listed = find(client, name)
    assert listed is not None and listed.is_up
    assert client.resume(name) == listed
    # And once resumed from a pause, resuming again changes nothing either.
    client.pause(name)
    resumed = client.resume(name)
    assert resumed.is_up
    assert client.resume(name) == resumed
    assert find(client, name) == resumed


def test_a_pulse_ends_a_pause(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    assert client.pause(name).is_paused
    assert client.pulse(name, 3600, "webhook", WEBHOOK).is_up
    listed = find(client, name)
    assert listed is not None and listed.is_up


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_an_unknown_service_is_not_found(client: Client, name: str, action: str) -> None:
    with pytest.raises(NotFoundError) as info:
        getattr(client, action)(name)
    error = info.value
    assert error.status == 404
    assert error.message.startswith("name: ")
    assert name in error.message


@pytest.mark.parametrize(
    "suffix",
    ["/with/slashes", " a?b=c#frag", "/../up", "%2F and %", "été ✓"],
)
def test_a_name_is_one_path_segment(client: Client, name: str, suffix: str) -> None:
    odd = name + suffix
    client.pulse(odd, 3600, "webhook", WEBHOOK)
    paused = client.pause(odd)
    assert paused.service == odd and paused.is_paused
    listed = find(client, odd)
    assert listed is not None and listed.is_paused
    resumed = client.resume(odd)
    assert resumed.service == odd and resumed.is_up
    # Nothing else was created or touched on the way.
    assert find(client, name) is None
    client.cancel(odd)


def test_a_service_past_its_expected_time_within_its_grace_is_late(
    client: Client, name: str
) -> None:
    pulsed = client.pulse(name, 0.2, "webhook", WEBHOOK, grace=600)
    assert pulsed.is_up
    late = wait_for(lambda: (s := find(client, name)) is not None and s.is_late and s,
                    what=f"{name} to be late")
    assert late.status == "late"
    assert not late.is_up and not late.is_dead and not late.is_paused
    assert late.deadline == pulsed.deadline
    assert client.pulse(name, 3600, "webhook", WEBHOOK).is_up
    client.cancel(name)


def service_json(status: str) -> Dict[str, Any]:
    return {
        "service": "backup",
        "alertType": "webhook",
        "alertTarget": WEBHOOK,
        "nextIn": 60,
        "lastPulse": "2026-11-25T06:12:32.660Z",
        "deadline": "2026-11-25T06:13:32.660Z",
        "status": status,
    }


@pytest.mark.parametrize("status", SERVICE_STATUSES)
def test_each_known_status_has_its_helper(status: str) -> None:
    service = Service.from_json(service_json(status))
    assert service.status == status
    helpers = {
        "up": service.is_up,
        "late": service.is_late,
        "dead": service.is_dead,
        "paused": service.is_paused,
        "new": service.is_new,
    }
    assert set(helpers) == set(SERVICE_STATUSES)
    assert [s for s, on in helpers.items() if on] == [status]


def test_an_unknown_status_is_kept_as_it_is() -> None:
    service = Service.from_json(service_json("snoozed"))
    assert service.status == "snoozed"
    assert not (service.is_up or service.is_late or service.is_dead or service.is_paused
                or service.is_new)


def test_pausing_needs_write_within_the_key_prefix(
    client: Client, key_client: Any, name: str
) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    for scope in ("read", "ingest"):
        limited = key_client(scope)
        for action in (limited.pause, limited.resume):
            with pytest.raises(ForbiddenError) as info:
                action(name)
            assert info.value.status == 403
            assert f"scope `{scope}`" in info.value.message
    outsider = key_client("write", prefix="team-a-")
    with pytest.raises(ForbiddenError) as info:
        outsider.pause(name)
    assert "team-a-" in info.value.message
    writer = key_client("write")
    assert writer.pause(name).is_paused
    assert writer.resume(name).is_up
