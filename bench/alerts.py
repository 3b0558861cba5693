#!/usr/bin/env python3
"""How fast the alert pipeline (deadline index, triage, delivery) turns a mass death
into alerts.

Usage: bench/alerts.py [SERVICES] [sqlite|postgres]     (default 2000 sqlite)

Starts the release server with one webhook pointing at a local receiver, pulses
SERVICES services with nextIn 2 s, lets them all die at once, and measures from
their deadline until every death has reached the receiver, twice: with storm
control on (the default: a few alerts alone, the rest in digests) and off (one
webhook request per death, 16 at a time). Figures are for reading, not asserted.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password-0123456789"
NEXT_IN = 2.0


class Receiver:
    """Records (arrival time, alert) for every webhook request."""

    def __init__(self):
        self.alerts, self.lock = [], threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real webhook endpoints

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    outer.alerts.append((time.monotonic(), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            # The default backlog (5) drops connections under 16 concurrent senders,
            # and each drop costs the sender a one-second SYN retry.
            request_queue_size = 1024
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def deaths(self):
        with self.lock:
            seen = []
            for at, alert in self.alerts:
                if alert["kind"] == "digest":
                    seen += [(at, m["service"]) for m in alert["details"]["members"]]
                elif alert["kind"] == "down":
                    seen.append((at, alert["service"]))
            return seen, len(self.alerts)


def start_server(work, storage, storm):
    config = {
        "listen": "127.0.0.1:0", "dataDir": os.path.join(work, "data"), "password": PASSWORD,
        "webhooks": {"ops": {"url": RECEIVER.url}},
        "alerts": {"storm": {"enabled": storm}},
    }
    if storage:
        config["storage"] = storage
    path = os.path.join(work, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/watchtower"), "serve", "--config", path],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "RUST_LOG": "error"},
    )
    for line in server.stdout:
        if line.startswith("watchtower listening on "):
            return server, line.split()[-1]
    raise SystemExit("the server did not start")


def pulse(url, service):
    body = json.dumps({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": NEXT_IN})
    request = urllib.request.Request(url + "/", body.encode(), {"password": PASSWORD}, method="POST")
    urllib.request.urlopen(request).read()


def scenario(label, services, storage, storm):
    with tempfile.TemporaryDirectory() as work:
        server, url = start_server(work, storage, storm)
        try:
            RECEIVER.alerts.clear()
            names = [f"{label}-{i:05}" for i in range(services)]
            with ThreadPoolExecutor(32) as pool:
                started = time.monotonic()
                list(pool.map(lambda name: pulse(url, name), names))
            pulsed = time.monotonic() - started
            # The first deadline falls NEXT_IN after the first pulse, the last one at
            # most NEXT_IN after the last pulse was answered.
            first_deadline, last_deadline = started + NEXT_IN, started + pulsed + NEXT_IN
            while True:
                seen, requests = RECEIVER.deaths()
                if len(seen) >= services or time.monotonic() > last_deadline + 120:
                    break
                time.sleep(0.05)
            first = min(at for at, _ in seen) - first_deadline
            last = max(at for at, _ in seen) - last_deadline
            distinct = len({name for _, name in seen})
            print(f"{label:<27} {distinct} of {services} deaths reported ({len(seen) - distinct} twice) "
                  f"in {requests} requests; first {first:+.2f} s after the first deadline, "
                  f"last {last:+.2f} s after the last")
        finally:
            server.terminate()
            server.wait()


def main():
    services = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"watchtower {revision}, {os.cpu_count()} cores; {backend}; {services} services die at once")
    databases = []
    server_url = os.environ.get("WATCHTOWER_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")

    def storage():
        if backend != "postgres":
            return None
        name = f"wt_bench_{os.urandom(6).hex()}"
        subprocess.run(["psql", server_url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        databases.append(name)
        base, _, query = server_url.partition("?")
        return {"backend": "postgres", "url": f"{base.rsplit('/', 1)[0]}/{name}?{query}"}

    try:
        scenario("storm control on (default)", services, storage(), True)
        scenario("storm control off", services, storage(), False)
    finally:
        for name in databases:
            subprocess.run(["psql", server_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


RECEIVER = Receiver()
if __name__ == "__main__":
    main()
