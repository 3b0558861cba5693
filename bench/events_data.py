#!/usr/bin/env python3
"""Generates and loads the event-log benchmark's data.

  events_data.py generate DIR BODIES      writes BODIES NDJSON files of 10,000 events each
  events_data.py load URL PASSWORD DIR N  posts those files (round robin) to /add-events
                                          until N events are stored; prints events/s

Events are spread over 1,000 services (`svc-0` .. `svc-999`) and five levels
(debug 30%, info 50%, warning 15%, error 4%, critical 1%), with log-like messages
of 40 to 120 bytes. A few words are rare on purpose: `quasar-<k>` appears once per
file, so among 10 million events each such word matches a handful of times. One
event in four carries attributes: `host` (`web-0` .. `web-19`) and `status` (200 in
three of five, 500, 503), for the attribute filter's query shape.
"""
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

PER_BODY = 10_000
LEVELS = ["debug"] * 30 + ["info"] * 50 + ["warning"] * 15 + ["error"] * 4 + ["critical"]
WORDS = ("request served cache miss retry upstream timeout connection reset user login "
         "logout session expired payment accepted declined queue depth worker started "
         "stopped disk usage memory pressure checkpoint vacuum replica lag").split()


def message(rng, i):
    kind = rng.randrange(4)
    if kind == 0:
        return f"GET /api/v1/items/{rng.randrange(10**6)} {rng.choice((200, 200, 200, 404, 500))} in {rng.randrange(1, 900)}ms"
    if kind == 1:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 14)))
    if kind == 2:
        return f"job {rng.randrange(10**5)} finished: {rng.randrange(10**4)} rows, {rng.random():.3f}s, worker w{rng.randrange(64)}"
    return f"user u{rng.randrange(10**6)} {rng.choice(WORDS)} from 10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"


def generate(directory, bodies):
    os.makedirs(directory, exist_ok=True)
    for b in range(bodies):
        rng = random.Random(b)
        rare = rng.randrange(PER_BODY)
        lines = []
        for i in range(PER_BODY):
            text = message(rng, i)
            if i == rare:
                text += f" quasar-{b % 40} spotted"
            event = {"service": f"svc-{rng.randrange(1000)}", "level": rng.choice(LEVELS),
                     "message": text}
            if i % 4 == 0:
                event["attributes"] = {"host": f"web-{rng.randrange(20)}",
                                       "status": rng.choice((200, 200, 200, 500, 503))}
            lines.append(json.dumps(event))
        with open(os.path.join(directory, f"body-{b:04d}.ndjson"), "w") as f:
            f.write("\n".join(lines) + "\n")


def load(url, password, directory, total, workers=4):
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory))
    bodies = [open(f, "rb").read() for f in files]
    parsed = urllib.parse.urlsplit(url)
    requests = (total + PER_BODY - 1) // PER_BODY
    counter = iter(range(requests))
    lock = threading.Lock()
    failures = []

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        while True:
            with lock:
                n = next(counter, None)
            if n is None or failures:
                return
            conn.request("POST", "/add-events", body=bodies[n % len(bodies)],
                         headers={"password": password, "content-type": "application/x-ndjson"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 201:
                failures.append(f"{response.status}: {body[:200]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if failures:
        sys.exit(f"bulk load failed: {failures[0]}")
    print(f"{requests * PER_BODY} {elapsed:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["generate"]:
        generate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["load"]:
        load(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
