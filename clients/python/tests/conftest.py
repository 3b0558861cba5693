"""Test fixtures: a real watchtower server per test module, webhook receivers, and helpers.

The server binary is ``$WATCHTOWER_BIN``, by default ``<repo>/target/debug/watchtower``
(built by ``cargo build -p watchtower``; these tests never build it).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from watchtower_client import Client

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "a-test-password-of-some-length"
WEBHOOK = "ops"


def watchtower_bin() -> Path:
    path = Path(os.environ.get("WATCHTOWER_BIN") or REPO_ROOT / "target" / "debug" / "watchtower")
    if not path.is_file():
        pytest.fail(
            f"no watchtower binary at {path}: build it with `cargo build -p watchtower`, "
            "or point WATCHTOWER_BIN at one",
            pytrace=False,
        )
    return path


class Server:
    """A watchtower server process, started on a free port with its own data directory."""

    def __init__(self, workdir: Path, extra_config: Optional[Dict[str, Any]] = None) -> None:
        self.workdir = workdir
        config: Dict[str, Any] = {
            "listen": "127.0.0.1:0",
            "dataDir": str(workdir / "data"),
            "password": PASSWORD,
            "webhooks": {WEBHOOK: {"url": "http://127.0.0.1:9/hook"}},
        }
        config.update(extra_config or {})
        config_path = workdir / "config.json"
        config_path.write_text(json.dumps(config))
        self.stderr_path = workdir / "stderr.log"
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [str(watchtower_bin()), "serve", "--config", str(config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._lines: List[str] = []
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        if not self._ready.wait(30) or not self.url:
            self.stop()
            pytest.fail(f"watchtower did not start:\n{self.log()}", pytrace=False)

    def _drain_stdout(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self._lines.append(line)
            m = re.search(r"watchtower listening on (https?://\S+)", line)
            if m and not self.url:
                self.url = m.group(1)
                self._ready.set()
        self._ready.set()  # the process ended: stop waiting

    def log(self) -> str:
        stderr = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return "\n".join(self._lines) + "\n" + stderr[-4000:]

    def client(self, **kwargs: Any) -> Client:
        kwargs.setdefault("timeout", 10.0)
        return Client(self.url, PASSWORD, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()


class Receiver:
    """A webhook receiver on a free port of 127.0.0.1: records every request, answers ``status``."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.received: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                with receiver._lock:
                    receiver.received.append({"method": "POST", "path": self.path, "body": body})
                answer = b"{}" if receiver.status < 400 else b"unavailable"
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def requests(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A plain-HTTP watchtower server, one per test module, stopped with SIGTERM at its end."""
    srv = Server(tmp_path_factory.mktemp("watchtower"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[Client]:
    with server.client() as c:
        yield c


@pytest.fixture
def name() -> str:
    """A service name no other test uses (the server keeps state for the module's length)."""
    return f"svc-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def key_client(server: Server, client: Client) -> Iterator[Any]:
    """Makes a client that sends the secret of a new key of the given scope and prefix."""
    clients: List[Client] = []

    def make(scope: str, prefix: Optional[str] = None) -> Client:
        key = client.create_key(f"key-{uuid.uuid4().hex[:12]}", scope, prefix=prefix)
        made = Client(server.url, key.secret, timeout=10.0)
        clients.append(made)
        return made

    yield make
    for c in clients:
        c.close()


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy, and return that; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
