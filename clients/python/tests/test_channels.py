"""What the server can alert (``GET /channels``), against a real server configured with mail,
webhooks, ntfy, a route and ping keys, each with a secret that must never come back."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
import requests
from conftest import PASSWORD, Server

from watchtower_client import (
    TARGET_FORMS,
    Channel,
    Channels,
    Client,
    ForbiddenError,
    PingKey,
    Route,
    RouteStep,
)

#: Every secret in the server's configuration: none may appear in the answer.
SECRETS = {
    "webhook URL": "hook-path-SECRET-4f1c",
    "webhook header": "Bearer HEADER-SECRET-9d2e",
    "SMTP password": "SMTP-SECRET-77ab",
    "ntfy token": "tk_NTFY-SECRET-31cd",
    "ping key cron": "PINGKEY-SECRET-cron-0123456789",
    "ping key solo": "PINGKEY-SECRET-solo-0123456789",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with mail, the webhooks `dev` and `ops`, ntfy, the route `oncall` (dev, then ops)
    and the ping keys `cron` (prefix `cron-`, alerting the route) and `solo` (one service)."""
    config = {
        "mail": {
            "host": "127.0.0.1",
            "port": 9,
            "security": "none",
            "username": "watchtower",
            "password": SECRETS["SMTP password"],
            "from": "Watchtower <watchtower@example.com>",
        },
        "webhooks": {
            "dev": {
                "url": f"http://127.0.0.1:9/{SECRETS['webhook URL']}",
                "headers": {"Authorization": SECRETS["webhook header"]},
            },
            "ops": {"url": "http://127.0.0.1:9/ops"},
        },
        "channels": {"ntfy": {"url": "http://127.0.0.1:9", "token": SECRETS["ntfy token"]}},
        "routes": {
            "oncall": [
                {"alertType": "webhook", "alertTarget": "dev"},
                {"alertType": "webhook", "alertTarget": "ops"},
            ],
        },
        "pingKeys": {
            "cron": {
                "key": SECRETS["ping key cron"],
                "prefix": "cron-",
                "alertType": "route",
                "alertTarget": "oncall",
            },
            "solo": {
                "key": SECRETS["ping key solo"],
                "service": "solo-job",
                "services": ["solo-job", "solo-other"],
            },
        },
    }
    srv = Server(tmp_path_factory.mktemp("watchtower-channels"), config)
    yield srv
    srv.stop()


def test_channels_lists_the_configured_channels_routes_and_ping_keys(client: Client) -> None:
    offered = client.channels()
    assert isinstance(offered, Channels)
    assert offered.channels == (
        Channel(alert_type="mail", form="email"),
        Channel(alert_type="webhook", form="named", targets=("dev", "ops")),
        Channel(alert_type="ntfy", form="pattern", pattern="^[A-Za-z0-9_-]{1,64}$", max_chars=64),
        Channel(alert_type="route", form="named", targets=("oncall",)),
    )
    assert offered.alert_types == ("mail", "webhook", "ntfy", "route")
    assert all(channel.form in TARGET_FORMS for channel in offered)
    assert len(offered) == 4
    assert offered.routes == (
        Route(name="oncall", steps=(RouteStep("webhook", "dev"), RouteStep("webhook", "ops"))),
    )
    assert [str(step) for step in offered.routes[0].steps] == ["webhook:dev", "webhook:ops"]
    assert offered.ping_keys == (
        PingKey(name="cron", service=None, prefix="cron-", services=(),
                alert_type="route", alert_target="oncall"),
        PingKey(name="solo", service="solo-job", prefix=None,
                services=("solo-job", "solo-other"), alert_type=None, alert_target=None),
    )


def test_the_lookup_helpers_find_by_name(client: Client) -> None:
    offered = client.channels()
    webhook = offered.channel("webhook")
    assert webhook is not None and webhook.is_named and webhook.targets == ("dev", "ops")
    mail = offered.channel("mail")
    assert mail is not None and not mail.is_named and mail.targets == ()
    assert mail.pattern is None and mail.max_chars is None
    assert offered.channel("slack") is None  # not configured
    route = offered.route("oncall")
    assert route is not None and route.steps[0] == RouteStep("webhook", "dev")
    assert offered.route("nowhere") is None
    cron = offered.ping_key("cron")
    assert cron is not None and cron.prefix == "cron-"
    assert offered.ping_key("nope") is None


def test_a_pattern_channel_tells_which_targets_it_takes(client: Client) -> None:
    ntfy = client.channels().channel("ntfy")
    assert ntfy is not None and ntfy.pattern is not None and ntfy.max_chars is not None
    assert re.fullmatch(ntfy.pattern, "backup-alerts_1")
    assert not re.fullmatch(ntfy.pattern, "no spaces")
    assert not re.fullmatch(ntfy.pattern, "x" * (ntfy.max_chars + 1))


def test_what_the_channels_name_the_server_accepts(client: Client, name: str) -> None:
    """Every named target, and the route, is one a pulse may alert."""
    for channel in client.channels():
        for target in channel.targets:
            service = client.pulse(name, 3600, channel.alert_type, target)
            assert (service.alert_type, service.alert_target) == (channel.alert_type, target)
    client.cancel(name)


def test_no_secret_is_ever_in_the_answer(server: Server, client: Client) -> None:
    raw = requests.get(server.url + "/channels", headers={"password": PASSWORD}, timeout=10)
    assert raw.status_code == 200
    for what, secret in SECRETS.items():
        assert secret not in raw.text, f"the {what} is in GET /channels"
    assert "127.0.0.1:9" not in raw.text, "a channel's URL is in GET /channels"
    assert PASSWORD not in raw.text
    assert repr(client.channels()).count("SECRET") == 0


def test_a_read_key_may_list_channels_and_an_ingest_key_may_not(key_client: Any) -> None:
    reader = key_client("read")
    assert reader.channels().alert_types == ("mail", "webhook", "ntfy", "route")
    with pytest.raises(ForbiddenError) as info:
        key_client("ingest").channels()
    assert info.value.status == 403
    assert info.value.message.startswith("scope: "), info.value.message
