"""The background heartbeat helper against a real server."""

from __future__ import annotations

import logging
import socket
from typing import Optional

import pytest
from conftest import PASSWORD, WEBHOOK, wait_for

from watchtower_client import (
    Client,
    Heartbeat,
    InvalidRequestError,
    ServerUnavailableError,
    Service,
)


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


def test_pulses_repeatedly_until_stopped(client: Client, name: str) -> None:
    heartbeat = Heartbeat(client, name, interval=0.1, next_in=30, alert_type="webhook",
                          alert_target=WEBHOOK, remind_every=600)
    heartbeat.start()
    try:
        assert heartbeat.running
        first = wait_for(lambda: find(client, name), what="the first pulse")
        assert first.next_in == 30 and first.remind_every == 600
        later = wait_for(
            lambda: (s := find(client, name)) is not None and s.last_pulse > first.last_pulse and s,
            what="lastPulse to advance",
        )
        wait_for(
            lambda: (s := find(client, name)) is not None and s.last_pulse > later.last_pulse,
            what="lastPulse to advance again",
        )
        assert heartbeat.pulses >= 3
        assert heartbeat.last_error is None
        assert heartbeat.last_service is not None and heartbeat.last_service.service == name
    finally:
        heartbeat.stop()
    assert not heartbeat.running
    stopped = find(client, name)
    assert stopped is not None, "without cancel_on_stop the service stays monitored"
    count = heartbeat.pulses
    assert find(client, name) == stopped and heartbeat.pulses == count
    client.cancel(name)


def test_cancels_on_stop_when_asked(client: Client, name: str) -> None:
    with Heartbeat(client, name, interval=0.1, alert_type="webhook", alert_target=WEBHOOK,
                   cancel_on_stop=True) as heartbeat:
        wait_for(lambda: heartbeat.pulses >= 2, what="two pulses")
        assert find(client, name) is not None
    assert not heartbeat.running
    assert find(client, name) is None


def test_a_with_block_left_by_an_exception_does_not_cancel(client: Client, name: str) -> None:
    with pytest.raises(RuntimeError):
        with Heartbeat(client, name, interval=0.1, alert_type="webhook", alert_target=WEBHOOK,
                       cancel_on_stop=True) as heartbeat:
            wait_for(lambda: heartbeat.pulses >= 1, what="a pulse")
            raise RuntimeError("the work failed")
    assert not heartbeat.running
    assert find(client, name) is not None, "a failed program should be left to be declared dead"
    client.cancel(name)


def test_stop_can_override_cancel_on_stop(client: Client, name: str) -> None:
    heartbeat = Heartbeat(client, name, interval=0.1, alert_type="webhook", alert_target=WEBHOOK)
    heartbeat.start()
    wait_for(lambda: heartbeat.pulses >= 1, what="a pulse")
    heartbeat.stop(cancel=True)
    assert find(client, name) is None


def test_can_start_again_after_stop_but_not_twice(client: Client, name: str) -> None:
    heartbeat = Heartbeat(client, name, interval=0.1, alert_type="webhook", alert_target=WEBHOOK,
                          cancel_on_stop=True)
    heartbeat.start()
    with pytest.raises(RuntimeError):
        heartbeat.start()
    wait_for(lambda: heartbeat.pulses >= 1, what="a pulse")
    heartbeat.stop()
    heartbeat.start()
    wait_for(lambda: find(client, name) is not None, what="a pulse after the restart")
    heartbeat.stop()
    assert find(client, name) is None


def test_failures_are_logged_and_the_thread_goes_on(
    client: Client, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="watchtower_client.heartbeat")
    with Heartbeat(client, name, interval=0.05, alert_type="webhook", alert_target="nobody") as heartbeat:
        wait_for(lambda: len(caplog.records) >= 3, what="three failed pulses logged")
        assert heartbeat.running
        assert isinstance(heartbeat.last_error, InvalidRequestError)
        assert heartbeat.last_error.field == "alertTarget"
        assert heartbeat.pulses == 0
    assert "alertTarget" in caplog.records[0].getMessage()
    assert find(client, name) is None


def test_an_unreachable_server_does_not_stop_the_thread(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = Client(f"http://127.0.0.1:{port}", PASSWORD, timeout=1)
    caplog.set_level(logging.WARNING, logger="watchtower_client.heartbeat")
    with Heartbeat(dead, "anything", interval=0.05, alert_type="webhook", alert_target=WEBHOOK,
                   cancel_on_stop=True) as heartbeat:
        wait_for(lambda: len([r for r in caplog.records if "pulse" in r.getMessage()]) >= 2,
                 what="two failed pulses logged")
        assert heartbeat.running
        assert isinstance(heartbeat.last_error, ServerUnavailableError)
    # The cancel on stop fails too: logged, not raised.
    assert any("could not cancel" in r.getMessage() for r in caplog.records)


def test_an_unexpected_exception_is_logged_and_the_thread_goes_on(
    client: Client, name: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def flaky_pulse(*args: object, **kwargs: object) -> Service:
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("surprise")
        return real_pulse(*args, **kwargs)  # type: ignore[arg-type]

    real_pulse = client.pulse
    flaky = Client(client.url, PASSWORD)
    monkeypatch.setattr(flaky, "pulse", flaky_pulse)
    caplog.set_level(logging.ERROR, logger="watchtower_client.heartbeat")
    with Heartbeat(flaky, name, interval=0.05, alert_type="webhook", alert_target=WEBHOOK,
                   cancel_on_stop=True) as heartbeat:
        wait_for(lambda: heartbeat.pulses >= 1, what="a pulse after the surprise")
    assert caplog.records and caplog.records[0].exc_info is not None
    assert find(client, name) is None


@pytest.mark.parametrize("interval, next_in", [(10, 10), (10, 5), (0, 5), (-1, None)])
def test_interval_must_be_positive_and_less_than_next_in(
    client: Client, interval: float, next_in: Optional[float]
) -> None:
    with pytest.raises(ValueError):
        Heartbeat(client, "x", interval=interval, next_in=next_in, alert_type="webhook",
                  alert_target=WEBHOOK)


@pytest.mark.parametrize("interval, next_in", [(0.01, 0.05), (0.04, None)])
def test_next_in_must_be_at_least_a_tenth_of_a_second(
    client: Client, interval: float, next_in: Optional[float]
) -> None:
    with pytest.raises(ValueError, match=r"^next_in must be at least 0\.1 seconds \(100 ms\)"):
        Heartbeat(client, "x", interval=interval, next_in=next_in, alert_type="webhook",
                  alert_target=WEBHOOK)
    assert Heartbeat(client, "x", interval=0.05, next_in=0.1, alert_type="webhook",
                     alert_target=WEBHOOK).next_in == 0.1


def test_next_in_defaults_to_twice_the_interval(client: Client) -> None:
    heartbeat = Heartbeat(client, "x", interval=15, alert_type="webhook", alert_target=WEBHOOK)
    assert heartbeat.next_in == 30
    assert "stopped" in repr(heartbeat)


def test_a_heartbeat_pulses_with_next_in_never_a_schedule(client: Client) -> None:
    with pytest.raises(TypeError, match="schedule"):
        Heartbeat(client, "x", interval=15, schedule="@hourly",  # type: ignore[call-arg]
                  alert_type="webhook", alert_target=WEBHOOK)
