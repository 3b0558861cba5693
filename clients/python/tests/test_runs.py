"""A job's runs (``start`` and ``fail``) and the ping history (``pings``) against a real server."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

import pytest
import requests
from conftest import WEBHOOK, wait_for

from watchtower_client import (
    PING_KINDS,
    PING_SOURCES,
    Client,
    ForbiddenError,
    InvalidRequestError,
    Level,
    NotFoundError,
    Ping,
    Service,
    __version__,
)

USER_AGENT = f"watchtower-client-python/{__version__} {requests.utils.default_user_agent()}"


def find(client: Client, name: str) -> Optional[Service]:
    return next((s for s in client.list_services() if s.service == name), None)


def test_a_pulse_is_in_the_ping_history_with_where_it_came_from(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    pings = client.pings(name)
    assert len(pings) == 1
    ping = pings[0]
    assert isinstance(ping, Ping)
    assert ping.kind == "pulse" and ping.source == "api"
    assert ping.client == "127.0.0.1"
    assert ping.user_agent == USER_AGENT
    assert ping.body is None and ping.duration is None
    assert ping.date.tzinfo == timezone.utc


def test_start_with_settings_monitors_a_new_service_and_marks_it_running(
    client: Client, name: str
) -> None:
    assert find(client, name) is None
    started = client.start(name, 3600, "webhook", WEBHOOK, grace="5m")
    assert started.service == name
    assert started.is_up
    assert isinstance(started.running_since, datetime)
    assert started.running_since.tzinfo == timezone.utc and started.is_running
    assert (started.alert_type, started.alert_target, started.next_in, started.grace) == (
        "webhook", WEBHOOK, 3600, 300,
    )
    listed = find(client, name)
    assert listed is not None and listed.running_since == started.running_since
    newest = client.pings(name)[0]
    assert (newest.kind, newest.source, newest.duration) == ("start", "api", None)


def test_start_with_a_schedule_takes_it(client: Client, name: str) -> None:
    started = client.start(name, schedule="@daily", tz="Europe/Berlin", alert_type="webhook",
                           alert_target=WEBHOOK)
    assert (started.schedule, started.tz) == ("@daily", "Europe/Berlin")
    assert started.running_since is not None


def test_start_without_settings_of_an_unknown_service_is_not_found(
    client: Client, name: str
) -> None:
    with pytest.raises(NotFoundError) as info:
        client.start(name)
    assert info.value.status == 404
    assert name in info.value.message
    assert find(client, name) is None


def test_start_without_settings_keeps_the_services_own(client: Client, name: str) -> None:
    pulsed = client.pulse(name, 3600, "webhook", WEBHOOK, remind_every=600)
    started = client.start(name)
    assert started.running_since is not None
    assert (started.alert_type, started.alert_target, started.next_in, started.remind_every) == (
        pulsed.alert_type, pulsed.alert_target, pulsed.next_in, pulsed.remind_every,
    )
    assert [p.kind for p in client.pings(name)] == ["start", "pulse"]


def test_a_pulse_ends_the_run_with_its_duration(client: Client, name: str) -> None:
    started = client.start(name, 3600, "webhook", WEBHOOK)
    assert started.running_since is not None
    pulsed = client.pulse(name, 3600, "webhook", WEBHOOK)
    assert pulsed.running_since is None and not pulsed.is_running
    listed = find(client, name)
    assert listed is not None and listed.running_since is None
    pulse, start = client.pings(name)
    assert start.kind == "start" and start.duration is None
    assert pulse.kind == "pulse"
    assert pulse.duration is not None and pulse.duration >= 0
    assert pulse.date >= start.date


def test_fail_kills_the_service_at_once_and_records_its_message(client: Client, name: str) -> None:
    client.start(name, 3600, "webhook", WEBHOOK)
    message = f"exit status 2: tape drive not found ({name})"
    failed = client.fail(name, message)
    assert failed.service == name
    assert failed.status == "dead" and failed.is_dead
    assert failed.running_since is None
    listed = find(client, name)
    assert listed is not None and listed.is_dead
    newest = client.pings(name)[0]
    assert (newest.kind, newest.source, newest.body) == ("fail", "api", message)
    assert newest.client == "127.0.0.1" and newest.user_agent == USER_AGENT
    assert newest.duration is not None and newest.duration >= 0, "it ended the run"
    errors = client.list_events(service=name, level=Level.ERROR).events
    assert message in [e.message for e in errors]
    assert all(e.level >= Level.ERROR for e in errors)


def test_fail_without_a_message_sends_no_body(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    assert client.fail(name).is_dead
    newest = client.pings(name)[0]
    assert newest.kind == "fail"
    # The server words the failure itself.
    assert newest.body
    assert newest.body in [e.message for e in client.list_events(service=name, level="error")]


def test_fail_of_an_unknown_service_is_not_found(client: Client, name: str) -> None:
    with pytest.raises(NotFoundError) as info:
        client.fail(name, "never monitored")
    assert info.value.status == 404
    assert find(client, name) is None


def test_pings_are_newest_first_and_limit_keeps_the_newest(client: Client, name: str) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    client.start(name)
    client.fail(name, "boom")
    pings = client.pings(name)
    assert [p.kind for p in pings] == ["fail", "start", "pulse"]
    assert [p.date for p in pings] == sorted((p.date for p in pings), reverse=True)
    one = client.pings(name, limit=1)
    assert len(one) == 1
    assert one[0] == pings[0]
    assert client.pings(name, limit=10000) == pings


def test_identical_pulses_in_a_row_fold_into_one_entry(client: Client, name: str) -> None:
    for _ in range(3):
        client.pulse(name, 3600, "webhook", WEBHOOK)
    pings = client.pings(name)
    assert len(pings) == 1, pings
    folded = pings[0]
    assert (folded.kind, folded.source, folded.body, folded.duration) == (
        "pulse", "api", None, None,
    )
    assert folded.count == 3
    assert folded.last_date is not None and folded.last_date.tzinfo == timezone.utc
    assert folded.last_date >= folded.date


def test_the_pulse_ending_a_run_is_not_folded_into_nor_folds_the_next(
    client: Client, name: str
) -> None:
    client.start(name, 3600, "webhook", WEBHOOK)
    client.pulse(name, 3600, "webhook", WEBHOOK)
    client.pulse(name, 3600, "webhook", WEBHOOK)
    pings = client.pings(name)
    assert [p.kind for p in pings] == ["pulse", "pulse", "start"]
    after, ending = pings[0], pings[1]
    assert ending.duration is not None and ending.duration >= 0
    assert after.duration is None
    assert (ending.count, ending.last_date) == (1, None)
    assert (after.count, after.last_date) == (1, None)
    assert after.date >= ending.date


def test_pings_of_an_unknown_service_is_not_found(client: Client, name: str) -> None:
    with pytest.raises(NotFoundError) as info:
        client.pings(name)
    assert info.value.status == 404


@pytest.mark.parametrize("limit", [0, 10001, -1])
def test_a_limit_out_of_range_is_an_invalid_request(client: Client, name: str, limit: int) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    with pytest.raises(InvalidRequestError) as info:
        client.pings(name, limit=limit)
    assert info.value.status == 400
    assert info.value.field == "limit", info.value.message


def test_names_are_one_path_segment(client: Client, name: str) -> None:
    odd = f"{name} a/b?c#d é"
    started = client.start(odd, 3600, "webhook", WEBHOOK)
    assert started.service == odd and started.running_since is not None
    assert client.fail(odd, "odd").is_dead
    assert [p.kind for p in client.pings(odd)] == ["fail", "start"]


def test_start_with_some_settings_needs_the_alert(client: Client, name: str) -> None:
    with pytest.raises(TypeError, match="alert_type"):
        client.start(name, next_in=3600)
    with pytest.raises(TypeError, match="alert_target"):
        client.start(name, next_in=3600, alert_type="webhook")
    assert find(client, name) is None


def test_the_server_checks_starts_settings(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.start(name, alert_type="webhook", alert_target=WEBHOOK)
    assert info.value.field == "nextIn", info.value.message
    with pytest.raises(InvalidRequestError) as info:
        client.start(name, 3600, "webhook", WEBHOOK, tz="Mars/Olympus")
    assert info.value.field == "tz", info.value.message


def test_a_read_key_reads_pings_but_may_not_start_or_fail(
    client: Client, key_client: Callable[..., Client], name: str
) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    reader = key_client("read")
    assert [p.kind for p in reader.pings(name)] == ["pulse"]
    for call in (lambda: reader.start(name), lambda: reader.fail(name, "no")):
        with pytest.raises(ForbiddenError) as info:
            call()
        assert info.value.status == 403
    assert [p.kind for p in client.pings(name)] == ["pulse"]


def test_an_ingest_key_starts_and_fails_but_may_not_read_pings(
    client: Client, key_client: Callable[..., Client], name: str
) -> None:
    ingester = key_client("ingest")
    assert ingester.start(name, 3600, "webhook", WEBHOOK).running_since is not None
    assert ingester.fail(name, "ingest failed it").is_dead
    with pytest.raises(ForbiddenError) as info:
        ingester.pings(name)
    assert info.value.status == 403
    assert "scope" in info.value.message
    assert [p.kind for p in client.pings(name)] == ["fail", "start"]


def test_a_prefix_key_reads_only_its_services_pings(
    client: Client, key_client: Callable[..., Client], name: str
) -> None:
    client.pulse(name, 3600, "webhook", WEBHOOK)
    other = key_client("read", prefix=name + "-other")
    with pytest.raises(ForbiddenError):
        other.pings(name)
    mine = key_client("read", prefix=name)
    assert len(mine.pings(name)) == 1


class RecordingSession(requests.Session):
    """A session that records the keyword arguments of each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: List[Dict[str, Any]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.sent.append({"method": method, "url": url, **kwargs})
        return super().request(method, url, *args, **kwargs)


def test_start_and_fail_without_arguments_send_no_body(server: Any, name: str) -> None:
    session = RecordingSession()
    with server.client(session=session) as recording:
        recording.pulse(name, 3600, "webhook", WEBHOOK)
        recording.start(name)
        recording.fail(name)
        recording.start(name, 3600, "webhook", WEBHOOK)
        recording.fail(name, "boom")
    start, fail, start_with, fail_with = session.sent[1:]
    assert start["method"] == "POST" and start["url"].endswith(f"/services/{name}/start")
    assert fail["method"] == "POST" and fail["url"].endswith(f"/services/{name}/fail")
    assert "json" not in start and "data" not in start
    assert "json" not in fail and "data" not in fail
    assert start_with["json"] == {"alertType": "webhook", "alertTarget": WEBHOOK, "nextIn": 3600}
    assert fail_with["json"] == {"message": "boom"}
    session.close()


def test_a_ping_reads_every_field_and_keeps_unknown_kinds_and_sources() -> None:
    ping = Ping.from_json(
        {
            "date": "2026-12-03T02:15:04.120Z", "kind": "fail", "source": "ping",
            "client": "203.0.113.7", "userAgent": "curl/8.5.0", "body": "exit 2",
            "duration": 12.5, "newField": True,
        }
    )
    assert ping == Ping(
        date=datetime(2026, 12, 3, 2, 15, 4, 120000, tzinfo=timezone.utc), kind="fail",
        source="ping", client="203.0.113.7", user_agent="curl/8.5.0", body="exit 2",
        duration=12.5,
    )
    assert (ping.count, ping.last_date) == (1, None)
    bare = Ping.from_json({"date": "2026-12-03T02:15:04Z", "kind": "heartbeat", "source": "grpc",
                           "duration": 3})
    assert (bare.kind, bare.source) == ("heartbeat", "grpc")
    assert bare.client is None and bare.user_agent is None and bare.body is None
    assert (bare.count, bare.last_date) == (1, None)
    folded = Ping.from_json({"date": "2026-12-03T02:15:04Z", "kind": "pulse", "source": "api",
                             "count": 7, "lastDate": "2026-12-03T02:15:58.250Z"})
    assert folded.count == 7
    assert folded.last_date == datetime(2026, 12, 3, 2, 15, 58, 250000, tzinfo=timezone.utc)
    assert bare.duration == 3.0 and isinstance(bare.duration, float)
    assert PING_KINDS == ("pulse", "start", "fail", "log")
    assert PING_SOURCES == ("api", "cli", "ping", "kuma", "alertmanager")


def test_a_service_reads_running_since() -> None:
    base = {
        "service": "report", "alertType": "webhook", "alertTarget": "ops", "nextIn": 60,
        "lastPulse": "2026-12-03T02:15:04Z", "deadline": "2026-12-03T02:16:04Z", "status": "up",
    }
    idle = Service.from_json(base)
    assert idle.running_since is None and not idle.is_running
    running = Service.from_json({**base, "runningSince": "2026-12-03T02:15:04.500Z"})
    assert running.running_since == datetime(2026, 12, 3, 2, 15, 4, 500000, tzinfo=timezone.utc)
    assert running.is_running


def test_a_run_that_never_ends_dies_at_its_deadline(client: Client, name: str) -> None:
    # A hung run: started, never pulsed again. Dead at its deadline like any other service.
    client.start(name, 0.2, "webhook", WEBHOOK)
    dead = wait_for(lambda: (s := find(client, name)) is not None and s.is_dead and s,
                    what=f"{name} to be declared dead")
    assert dead.is_dead
