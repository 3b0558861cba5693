#!/usr/bin/env python3
"""Idle keep-alive connections against a server: what each costs it in memory,
and what it keeps once they close.

Usage: bench/idle_connections.py URL PID N

Opens N connections, sends one request on each (so each is accepted and served,
then idle), reads the server's resident memory (VmRSS of PID), closes them all,
and reads it again two seconds later. Prints the figures and KiB per connection.
"""
import os
import socket
import sys
import time
import urllib.parse


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no process {pid}")


def main():
    url, pid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    parsed = urllib.parse.urlsplit(url)
    request = b"GET /healthz HTTP/1.1\r\nhost: bench\r\n\r\n"
    before = rss_kib(pid)
    sockets = []
    for _ in range(count):
        conn = socket.create_connection((parsed.hostname, parsed.port))
        conn.sendall(request)
        sockets.append(conn)
    for conn in sockets:
        answer = conn.recv(65536)
        if not answer.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"a connection was answered {answer[:40]!r}")
    time.sleep(1)
    during = rss_kib(pid)
    for conn in sockets:
        conn.close()
    time.sleep(2)
    after = rss_kib(pid)
    per = (during - before) / count
    print(f"{count} idle connections: RSS {before // 1024} MiB before, {during // 1024} MiB open "
          f"({per:.1f} KiB each), {after // 1024} MiB 2 s after they closed "
          f"({(after - before) / count:.1f} KiB each kept)")


if __name__ == "__main__":
    main()
