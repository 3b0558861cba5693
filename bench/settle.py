#!/usr/bin/env python3
"""Waits until a SQLite data directory is settled, so that what is measured next
does not share the cores with the server's background work.

  settle.py index DATA       until the search index covers every stored event
  settle.py checkpoint DATA  until the write-ahead log is copied into the database
                             (the server's checkpointer does it; this waits for,
                             and helps, it)
"""
import sqlite3
import sys
import time


def index(data):
    events = sqlite3.connect(f"file:{data}/watchtower.db?mode=ro", uri=True)
    search = sqlite3.connect(f"file:{data}/watchtower-search.db?mode=ro", uri=True)
    newest = events.execute("SELECT MAX(id) FROM events").fetchone()[0]
    while search.execute("SELECT indexed_upto FROM search_state").fetchone()[0] < newest:
        time.sleep(0.5)


def checkpoint(data):
    db = sqlite3.connect(f"{data}/watchtower.db", timeout=10)
    while True:
        _busy, log, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log == done:
            return
        time.sleep(0.5)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("index", "checkpoint"):
        sys.exit(__doc__)
    {"index": index, "checkpoint": checkpoint}[sys.argv[1]](sys.argv[2])
