#!/usr/bin/env python3
"""Sends N syslog messages over TCP (RFC 5424, octet-counted, as rsyslog's omfwd
sends them) on CONNECTIONS connections at once, then waits until the server has
stored them all (its /metrics count of events); prints events/s from the first
byte sent to the last event stored, and the seconds that took.

  syslog_load.py URL PASSWORD PORT N [CONNECTIONS] [udp]

With `udp`, one datagram a message instead, and the count stored may fall short
(UDP drops are counted by the server): it waits until the count stops moving.
"""
import random
import re
import socket
import sys
import threading
import time
import urllib.request

url, password, port, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
connections = int(sys.argv[5]) if len(sys.argv) > 5 else 4
udp = len(sys.argv) > 6 and sys.argv[6] == "udp"
rng = random.Random(5)
severities = [3, 4, 5, 6, 6, 6, 7]


def message(i):
    return (f"<{16 * 8 + rng.choice(severities)}>1 2026-12-05T10:00:00.000Z web-{i % 8} app-{i % 50} "
            f"{1000 + i % 97} REQ [req@32473 id=\"{i}\" status=\"{rng.choice((200, 404, 500))}\"] "
            f"GET /api/v1/items/{rng.randrange(10**6)} served in {rng.randrange(900)}ms").encode()


def stored():
    request = urllib.request.Request(f"{url}/metrics", headers={"password": password})
    text = urllib.request.urlopen(request, timeout=30).read().decode()
    return sum(int(float(n)) for n in re.findall(r'^watchtower_events_total\{[^}]*\} (\S+)', text, re.M))


per = total // connections
frames = [message(i) for i in range(per)]
before = stored()


def send_tcp():
    buffer = b"".join(b"%d %s" % (len(f), f) for f in frames)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(buffer)


def send_udp():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for f in frames:
        sock.sendto(f, ("127.0.0.1", port))


started = time.monotonic()
threads = [threading.Thread(target=send_udp if udp else send_tcp) for _ in range(connections)]
for t in threads:
    t.start()
for t in threads:
    t.join()
expected = per * connections
last, still = -1, 0
while True:
    count = stored() - before
    if count >= expected:
        break
    still = still + 1 if count == last else 0
    if udp and still >= 10:
        break
    last = count
    time.sleep(0.05)
elapsed = time.monotonic() - started
print(f"{count} {elapsed:.2f} {expected}")
