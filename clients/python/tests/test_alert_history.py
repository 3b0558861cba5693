"""List alerts as they fared (``GET /alerts``) against a real server whose webhooks point at two
receivers started here: ``fine`` takes every alert, ``broken`` answers 503 to every alert, so the
alert sent there stays pending, retried, with the channel's error."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, NamedTuple, Optional

import pytest
from conftest import Receiver, Server, wait_for

from watchtower_client import (
    AlertRecord,
    Client,
    ForbiddenError,
    InvalidRequestError,
)


@pytest.fixture(scope="module")
def fine() -> Iterator[Receiver]:
    receiver = Receiver(200)
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def broken() -> Iterator[Receiver]:
    receiver = Receiver(503)
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, fine: Receiver, broken: Receiver
) -> Iterator[Server]:
    """A server whose webhook `fine` takes alerts and `broken` refuses them, retrying quickly, and
    without storm control (which could fold the two deaths into a digest)."""
    config = {
        "webhooks": {"fine": {"url": fine.url}, "broken": {"url": broken.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": False}},
    }
    srv = Server(tmp_path_factory.mktemp("watchtower-alert-history"), config)
    yield srv
    srv.stop()


class Dead(NamedTuple):
    """The two services that died, and their alerts once each has been tried."""

    prefix: str
    delivered: str
    refused: str
    sent: AlertRecord
    failing: AlertRecord


@pytest.fixture(scope="module")
def dead(client: Client) -> Dead:
    """One service alerting `fine` and one alerting `broken`, both dead 0.2 s after their pulse;
    waits (bounded) until the first alert was sent and the other tried and refused."""
    prefix = f"hist-{uuid.uuid4().hex[:8]}-"
    delivered, refused = prefix + "a-fine", prefix + "b-lost"
    client.pulse(delivered, next_in=0.2, alert_type="webhook", alert_target="fine")
    client.pulse(refused, next_in=0.2, alert_type="webhook", alert_target="broken")

    def newest(service: str) -> Optional[AlertRecord]:
        alerts = client.list_alerts(service=service)
        return alerts[0] if alerts else None

    def tried() -> Optional[AlertRecord]:
        alert = newest(refused)
        return alert if alert is not None and alert.attempts >= 1 else None

    def sent() -> Optional[AlertRecord]:
        alert = newest(delivered)
        return alert if alert is not None and alert.state == "sent" else None

    failing = wait_for(tried, what=f"a failed attempt of {refused}'s alert")
    return Dead(prefix, delivered, refused, wait_for(sent, what=f"{delivered}'s alert to be sent"), failing)


def test_a_refused_alert_is_pending_with_the_channels_error_and_its_next_attempt(dead: Dead) -> None:
    alert = dead.failing
    assert isinstance(alert, AlertRecord)
    assert alert.service == dead.refused
    assert alert.kind == "down"
    assert (alert.alert_type, alert.alert_target) == ("webhook", "broken")
    assert alert.state == "pending" and alert.is_failing
    assert alert.attempts >= 1
    assert alert.last_error is not None and "503" in alert.last_error, alert
    assert isinstance(alert.next_attempt, datetime) and alert.next_attempt.tzinfo == timezone.utc
    assert alert.created.tzinfo == timezone.utc
    assert alert.fanned_from is None
    assert isinstance(alert.id, int)


def test_a_delivered_alert_is_sent_without_an_error_or_a_next_attempt(dead: Dead, fine: Receiver) -> None:
    alert = dead.sent
    assert alert.service == dead.delivered
    assert (alert.kind, alert.alert_type, alert.alert_target) == ("down", "webhook", "fine")
    assert alert.state == "sent" and not alert.is_failing
    assert alert.attempts == 1
    assert alert.last_error is None and alert.next_attempt is None and alert.fanned_from is None
    assert any(dead.delivered in r["body"] for r in fine.requests()), "the receiver got it"


def test_state_failing_lists_only_the_refused_alert(client: Client, dead: Dead) -> None:
    failing = client.list_alerts(state="failing")
    assert [a.service for a in failing] == [dead.refused]
    assert failing[0].id == dead.failing.id
    assert [a.service for a in client.list_alerts(state="sent")] == [dead.delivered]
    assert client.list_alerts(state="cancelled") == []


def test_alerts_are_listed_newest_first_and_limit_keeps_that_many(client: Client, dead: Dead) -> None:
    alerts = client.list_alerts()
    assert {a.service for a in alerts} == {dead.delivered, dead.refused}
    assert [a.id for a in alerts] == sorted((a.id for a in alerts), reverse=True)
    one = client.list_alerts(limit=1)
    assert len(one) == 1
    assert one[0].id == alerts[0].id
    assert [a.service for a in client.list_alerts(dead.refused, "pending", 10)] == [dead.refused]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"state": "lost"}, "state"),
        ({"state": "Pending"}, "state"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
    ],
)
def test_an_invalid_parameter_is_an_invalid_request_naming_it(
    client: Client, kwargs: Dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.list_alerts(**kwargs)
    assert info.value.status == 400
    assert info.value.field == field, info.value.message


def test_a_key_with_a_prefix_sees_only_its_services_alerts(
    server: Server, client: Client, dead: Dead
) -> None:
    key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", "read", prefix=dead.prefix + "a-")
    with Client(server.url, key.secret, timeout=10.0) as reader:
        assert [a.service for a in reader.list_alerts()] == [dead.delivered]
        assert reader.list_alerts(state="failing") == []
        with pytest.raises(ForbiddenError) as info:
            reader.list_alerts(service=dead.refused)
    assert info.value.status == 403


def test_an_ingest_key_may_not_list_alerts(server: Server, client: Client) -> None:
    key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", "ingest")
    with Client(server.url, key.secret, timeout=10.0) as ingester:
        with pytest.raises(ForbiddenError) as info:
            ingester.list_alerts()
    assert info.value.status == 403


def test_an_alert_record_reads_every_field_and_keeps_unknown_kinds_and_states() -> None:
    alert = AlertRecord.from_json(
        {
            "id": 812, "kind": "down", "service": "backup", "alertType": "webhook",
            "alertTarget": "ops", "created": "2026-12-03T02:15:04.120Z", "state": "pending",
            "attempts": 3, "lastError": "transient: HTTP 503 Service Unavailable",
            "nextAttempt": "2026-12-03T02:16:10.000Z", "fannedFrom": 811, "newField": True,
        }
    )
    assert alert == AlertRecord(
        id=812, kind="down", service="backup", alert_type="webhook", alert_target="ops",
        created=datetime(2026, 12, 3, 2, 15, 4, 120000, tzinfo=timezone.utc),
        state="pending", attempts=3, last_error="transient: HTTP 503 Service Unavailable",
        next_attempt=datetime(2026, 12, 3, 2, 16, 10, tzinfo=timezone.utc), fanned_from=811,
    )
    assert alert.is_failing
    newer = AlertRecord.from_json(
        {
            "id": 9, "kind": "escalation", "service": "*", "alertType": "carrier-pigeon",
            "alertTarget": "loft", "created": "2026-12-03T02:15:04Z", "state": "rerouted",
            "attempts": 0,
        }
    )
    assert (newer.kind, newer.state, newer.alert_type) == ("escalation", "rerouted", "carrier-pigeon")
    assert newer.last_error is None and newer.next_attempt is None and newer.fanned_from is None
    assert not newer.is_failing
