"""Pulse, cancel and list services against a real server."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from conftest import PASSWORD, WEBHOOK, Server, wait_for

from watchtower_client import Client, NotFoundError, Service


def find(client: Client, name: str) -> Service | None:
    return next((s for s in client.list_services() if s.service == name), None)


def test_pulse_returns_the_service(client: Client, name: str) -> None:
    service = client.pulse(name, 90000, "webhook", WEBHOOK)
    assert service.service == name
    assert service.alert_type == "webhook"
    assert service.alert_target == WEBHOOK
    assert service.next_in == 90000
    assert service.status == "up" and service.is_up and not service.is_dead
    assert service.last_pulse.tzinfo == timezone.utc
    assert service.deadline - service.last_pulse == timedelta(seconds=90000)
    assert service.remind_every is None and service.depends_on is None
    assert service.flapping_since is None


def test_pulse_with_fractional_next_in_and_options(client: Client, name: str) -> None:
    service = client.pulse(
        name, next_in=1.5, alert_type="webhook", alert_target=WEBHOOK,
        remind_every=600, depends_on="database",
    )
    assert service.next_in == 1.5
    assert service.deadline - service.last_pulse == timedelta(seconds=1.5)
    assert service.remind_every == 600
    assert service.depends_on == "database"


def test_a_pulse_without_options_clears_them(client: Client, name: str) -> None:
    client.pulse(name, 60, "webhook", WEBHOOK, remind_every=600, depends_on="database")
    again = client.pulse(name, 60, "webhook", WEBHOOK)
    assert again.remind_every is None and again.depends_on is None
    listed = find(client, name)
    assert listed is not None
    assert listed.remind_every is None and listed.depends_on is None


def test_list_services_is_sorted_and_shows_what_was_pulsed(client: Client) -> None:
    names = ["list-c", "list-a", "list-b"]
    for n in names:
        client.pulse(n, 3600, "webhook", WEBHOOK)
    services = client.list_services()
    listed = [s.service for s in services]
    assert listed == sorted(listed)
    assert set(names) <= set(listed)
    by_name = {s.service: s for s in services}
    assert by_name["list-b"].next_in == 3600 and by_name["list-b"].is_up


def test_cancel_returns_the_removed_service(client: Client, name: str) -> None:
    pulsed = client.pulse(name, 3600, "webhook", WEBHOOK)
    removed = client.cancel(name)
    assert removed.service == name
    assert removed.deadline == pulsed.deadline
    assert find(client, name) is None
    with pytest.raises(NotFoundError):
        client.cancel(name)


def test_a_service_that_misses_its_deadline_is_dead(client: Client, name: str) -> None:
    client.pulse(name, 0.2, "webhook", WEBHOOK)
    dead = wait_for(lambda: (s := find(client, name)) is not None and s.is_dead and s,
                    what=f"{name} to be declared dead")
    assert dead.status == "dead"
    assert client.pulse(name, 3600, "webhook", WEBHOOK).is_up
    client.cancel(name)


def test_url_may_end_with_a_slash_and_client_is_a_context_manager(server: Server, name: str) -> None:
    with Client(server.url + "/", PASSWORD) as client:
        assert client.pulse(name, 60, "webhook", WEBHOOK).service == name
        assert repr(client) == f"Client({server.url!r})"
        assert PASSWORD not in repr(client)


def test_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError):
        Client("127.0.0.1:8080", PASSWORD)
