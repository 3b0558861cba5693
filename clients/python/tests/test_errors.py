"""Typed errors and timeouts: against the real server, a closed port, a silent socket, and a
stand-in for a proxy or a server whose storage is down."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Iterator, Tuple

import pytest
from conftest import PASSWORD, WEBHOOK, Server

from watchtower_client import (
    AuthenticationError,
    Client,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    RequestTimeoutError,
    ServerUnavailableError,
    WatchtowerError,
)
from watchtower_client.errors import error_for_status


def test_wrong_password_is_an_authentication_error(server: Server, name: str) -> None:
    client = Client(server.url, "not-the-password")
    for call in (client.list_services, lambda: client.pulse(name, 60, "webhook", WEBHOOK)):
        with pytest.raises(AuthenticationError) as info:
            call()
        assert info.value.status == 401
        assert "password" in info.value.message


def test_bad_next_in_is_an_invalid_request_naming_the_field(client: Client, name: str) -> None:
    for bad in (-1, 0, 31536001):
        with pytest.raises(InvalidRequestError) as info:
            client.pulse(name, bad, "webhook", WEBHOOK)
        error = info.value
        assert error.status == 400
        assert error.field == "nextIn"
        assert error.message.startswith("nextIn: ")
        assert isinstance(error, WatchtowerError)


def test_unknown_alert_target_names_the_field(client: Client, name: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.pulse(name, 60, "webhook", "nobody")
    assert info.value.field == "alertTarget"
    assert "nobody" in info.value.message


def test_cancel_unknown_is_not_found(client: Client, name: str) -> None:
    with pytest.raises(NotFoundError) as info:
        client.cancel(name)
    assert info.value.status == 404
    assert name in info.value.message


def test_a_body_too_large_is_a_watchtower_error_with_its_status(client: Client, name: str) -> None:
    with pytest.raises(WatchtowerError) as info:
        client.add_event(name, "info", "x" * (2 << 20))
    assert info.value.status == 413


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_is_server_unavailable() -> None:
    client = Client(f"http://127.0.0.1:{free_port()}", PASSWORD, timeout=5)
    with pytest.raises(ServerUnavailableError) as info:
        client.list_services()
    assert info.value.status is None
    assert "cannot reach" in info.value.message


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections (in the kernel's backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_timeout(silent_server: str) -> None:
    client = Client(silent_server, PASSWORD, timeout=0.3)
    with pytest.raises(RequestTimeoutError) as info:
        client.list_services()
    assert isinstance(info.value, ServerUnavailableError)
    assert info.value.status is None
    assert "0.3" in info.value.message


def test_connect_and_read_timeouts_apart(silent_server: str) -> None:
    with pytest.raises(RequestTimeoutError):
        Client(silent_server, PASSWORD, timeout=(5, 0.3)).list_events()


class FakeHandler(BaseHTTPRequestHandler):
    """Answers what the path says: /503 as Watchtower does when storage is down, /502 as a proxy."""

    def do_GET(self) -> None:
        if self.path.startswith("/503"):
            body = json.dumps({"error": "storage: the database is unavailable"}).encode()
            kind, status = "application/json", 503
        elif self.path.startswith("/502"):
            body, kind, status = b"<html>Bad Gateway</html>", "text/html", 502
        elif self.path.startswith("/302"):
            body, kind, status = b"", "text/plain", 302
        else:
            body, kind, status = b"<html>not json</html>", "text/html", 200
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if status == 302:
            self.send_header("Location", "https://elsewhere.example/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake() -> Iterator[Tuple[str, HTTPServer]]:
    httpd = HTTPServer(("127.0.0.1", 0), FakeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()
    httpd.server_close()


def test_storage_unavailable_is_server_unavailable_with_the_message(fake: Tuple[str, HTTPServer]) -> None:
    with pytest.raises(ServerUnavailableError) as info:
        Client(fake[0] + "/503", PASSWORD).list_services()
    assert info.value.status == 503
    assert info.value.message == "storage: the database is unavailable"


def test_a_proxy_error_page_is_server_unavailable(fake: Tuple[str, HTTPServer]) -> None:
    with pytest.raises(ServerUnavailableError) as info:
        Client(fake[0] + "/502", PASSWORD).list_services()
    assert info.value.status == 502
    assert "Bad Gateway" in info.value.message


def test_an_answer_that_is_not_json_is_a_watchtower_error(fake: Tuple[str, HTTPServer]) -> None:
    with pytest.raises(WatchtowerError) as info:
        Client(fake[0] + "/other", PASSWORD).list_services()
    assert "not JSON" in info.value.message


def test_a_redirect_is_not_followed(fake: Tuple[str, HTTPServer]) -> None:
    with pytest.raises(WatchtowerError) as info:
        Client(fake[0] + "/302", PASSWORD).list_services()
    assert info.value.status == 302
    assert "elsewhere.example" in info.value.message


def test_errors_print_their_message_and_status() -> None:
    error = InvalidRequestError("nextIn: must be a positive number of seconds")
    assert error.field == "nextIn" and error.status == 400
    assert str(error) == "nextIn: must be a positive number of seconds (HTTP 400)"
    assert InvalidRequestError("no field here").field is None
    assert str(ServerUnavailableError("cannot reach it")) == "cannot reach it"


def test_statuses_map_to_their_errors() -> None:
    forbidden = error_for_status(
        403, "scope: key `ci` has scope `read`; POST / needs ingest, write or admin"
    )
    assert type(forbidden) is ForbiddenError and forbidden.status == 403
    assert not isinstance(forbidden, (AuthenticationError, InvalidRequestError))
    taken = error_for_status(
        409, "name: a live key is named `ci`; revoke it first, or choose another name"
    )
    assert type(taken) is ConflictError and isinstance(taken, InvalidRequestError)
    assert taken.status == 409 and taken.field == "name"
    assert ConflictError("the request conflicted with a concurrent change; try again").field is None
    assert type(error_for_status(405, "method PUT is not allowed on this path")) is WatchtowerError
