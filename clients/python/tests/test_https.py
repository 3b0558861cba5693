"""HTTPS with a self-signed certificate, trusted through ``verify=``."""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path
from typing import Iterator

import pytest
from conftest import PASSWORD, WEBHOOK, Server

from watchtower_client import Client, ServerUnavailableError


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return directory


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, cert_dir: Path) -> Iterator[Server]:
    ssl = {"enabled": True, "cert": str(cert_dir / "cert.pem"), "key": str(cert_dir / "key.pem")}
    srv = Server(tmp_path_factory.mktemp("watchtower-tls"), {"ssl": ssl})
    yield srv
    srv.stop()


def test_the_server_speaks_https(tls_server: Server) -> None:
    assert tls_server.url.startswith("https://")


def test_a_request_trusting_the_certificate_succeeds(tls_server: Server, cert_dir: Path, name: str) -> None:
    with Client(tls_server.url, PASSWORD, verify=str(cert_dir / "cert.pem")) as client:
        assert client.pulse(name, 60, "webhook", WEBHOOK).service == name
        assert name in [s.service for s in client.list_services()]
        assert client.add_event(name, "info", "over TLS").message == "over TLS"
        assert client.cancel(name).service == name


def test_the_certificate_names_localhost_too(tls_server: Server, cert_dir: Path) -> None:
    url = tls_server.url.replace("127.0.0.1", "localhost")
    with Client(url, PASSWORD, verify=str(cert_dir / "cert.pem")) as client:
        assert isinstance(client.list_services(), list)


def test_without_the_certificate_the_request_fails(tls_server: Server) -> None:
    with Client(tls_server.url, PASSWORD) as client:
        with pytest.raises(ServerUnavailableError) as info:
            client.list_services()
    assert info.value.status is None
    assert "TLS" in info.value.message


def test_verify_false_skips_the_check(tls_server: Server) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Client(tls_server.url, PASSWORD, verify=False) as client:
            assert isinstance(client.list_services(), list)


def test_plain_http_to_an_https_server_fails(tls_server: Server) -> None:
    url = tls_server.url.replace("https://", "http://")
    with Client(url, PASSWORD, timeout=5) as client:
        with pytest.raises(ServerUnavailableError):
            client.list_services()
