#!/usr/bin/env python3
"""Creates N services by pulsing them over keep-alive connections, in parallel.

Usage: bench/seed_services.py URL N [PREFIX] [FIRST]   (password in $WATCHTOWER_PASSWORD)

Names are PREFIX + a zero-padded number (default prefix `svc-`), numbered from
FIRST (default 0), each due in a day, so that none dies during a benchmark.
Prints the rate it reached.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

THREADS = 16


ERRORS = []


def seed(url, password, names):
    try:
        pulse_all(url, password, names)
    except Exception as error:  # noqa: BLE001 - reported after the threads end
        ERRORS.append(error)


def pulse_all(url, password, names):
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    headers = {"password": password, "Content-Type": "application/json"}
    for name in names:
        body = json.dumps({"service": name, "alertType": "webhook", "alertTarget": "ops", "nextIn": 86400})
        conn.request("POST", "/", body, headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"pulse of {name} answered {response.status}")


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    prefix = sys.argv[3] if len(sys.argv) > 3 else "svc-"
    password = os.environ["WATCHTOWER_PASSWORD"]
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    names = [f"{prefix}{i:07d}" for i in range(first, first + count)]
    started = time.monotonic()
    threads = [
        threading.Thread(target=seed, args=(url, password, names[i::THREADS]))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if ERRORS:
        raise SystemExit(f"seeding failed: {ERRORS[0]}")
    print(f"seeded {count} services in {elapsed:.1f} s ({count / elapsed:.0f}/s)")


if __name__ == "__main__":
    main()
