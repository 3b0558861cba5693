"""Test alerts against a real server whose webhooks point at small HTTP receivers started here:
one that takes every alert, one that answers 503 to every alert."""

from __future__ import annotations

import json
import uuid
from typing import Iterator

import pytest
from conftest import Receiver, Server

from watchtower_client import (
    Client,
    Delivery,
    ForbiddenError,
    InvalidRequestError,
    RequestTimeoutError,
    ServerUnavailableError,
)


@pytest.fixture(scope="module")
def hook() -> Iterator[Receiver]:
    receiver = Receiver(200)
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def down() -> Iterator[Receiver]:
    receiver = Receiver(503)
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, hook: Receiver, down: Receiver
) -> Iterator[Server]:
    """A server whose webhooks `hook` and `also` reach the receiver that takes alerts, `down` the
    one that answers 503; the route `team` is hook and also, `oncall` is hook and down."""
    config = {
        "webhooks": {
            "hook": {"url": hook.url},
            "also": {"url": hook.url},
            "down": {"url": down.url},
        },
        "routes": {
            "team": [
                {"alertType": "webhook", "alertTarget": "hook"},
                {"alertType": "webhook", "alertTarget": "also"},
            ],
            "oncall": [
                {"alertType": "webhook", "alertTarget": "hook"},
                {"alertType": "webhook", "alertTarget": "down"},
            ],
        },
    }
    srv = Server(tmp_path_factory.mktemp("watchtower-alerts"), config)
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def fresh_receivers(hook: Receiver, down: Receiver) -> None:
    """Each test counts only the requests it caused."""
    hook.clear()
    down.clear()


def test_a_test_alert_reaches_the_webhook_and_says_it_is_a_test(
    client: Client, hook: Receiver, down: Receiver
) -> None:
    delivered = client.test_alert("webhook", "hook")
    assert delivered == [Delivery(alert_type="webhook", alert_target="hook")]
    assert str(delivered[0]) == "webhook:hook"
    received = hook.requests()
    assert len(received) == 1, received
    assert received[0]["method"] == "POST"
    alert = json.loads(received[0]["body"])
    assert alert["kind"] == "test"
    assert alert["service"] == "watchtower"
    assert alert["title"] == "Watchtower test alert"
    assert "test alert" in alert["message"] and "the password asked" in alert["message"]
    assert down.requests() == []


def test_a_route_is_tested_channel_by_channel(client: Client, hook: Receiver) -> None:
    delivered = client.test_alert("route", "team")
    assert delivered == [Delivery("webhook", "hook"), Delivery("webhook", "also")]
    kinds = [json.loads(r["body"])["kind"] for r in hook.requests()]
    assert kinds == ["test", "test"]


def test_a_refusal_is_server_unavailable_naming_the_channel_and_is_tried_once(
    client: Client, down: Receiver
) -> None:
    with pytest.raises(ServerUnavailableError) as info:
        client.test_alert("webhook", "down")
    error = info.value
    assert not isinstance(error, RequestTimeoutError)
    assert error.status == 502
    assert error.message.startswith("alertTarget: not delivered: webhook down: "), error.message
    assert "503" in error.message
    assert str(error) == f"{error.message} (HTTP 502)"
    assert len(down.requests()) == 1, "a test alert is sent once: neither the client nor the server retries it"


def test_a_route_with_a_refusing_channel_names_it_and_the_others_get_it(
    client: Client, hook: Receiver, down: Receiver
) -> None:
    with pytest.raises(ServerUnavailableError) as info:
        client.test_alert("route", "oncall")
    assert info.value.status == 502
    assert "webhook down: " in info.value.message and "503" in info.value.message
    assert "webhook hook" not in info.value.message
    assert len(hook.requests()) == 1
    assert len(down.requests()) == 1


def test_a_target_the_server_cannot_alert_is_an_invalid_request_naming_the_field(
    client: Client, hook: Receiver, down: Receiver
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.test_alert("webhook", "nowhere")
    assert info.value.status == 400
    assert info.value.field == "alertTarget"
    with pytest.raises(InvalidRequestError) as info:
        client.test_alert("mail", "ops@example.com")  # no mail channel configured
    assert info.value.field == "alertType"
    assert hook.requests() == [] and down.requests() == []


def test_a_read_key_may_not_send_a_test_alert(server: Server, client: Client, hook: Receiver) -> None:
    key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", "read")
    with Client(server.url, key.secret, timeout=10.0) as reader:
        with pytest.raises(ForbiddenError) as info:
            reader.test_alert("webhook", "hook")
    assert info.value.status == 403
    assert hook.requests() == []
