#!/usr/bin/env python3
"""Writes an origin-tool database (usage_history_<machine>.db, the schema of
tests/unit/store/legacy_fixture.hpp) with N assistant records spread over a year.

usage: gen_origin_db.py FILE [RECORDS] [SEED]      (default 1,000,000 records)
About 40 sessions a day across 12 projects, 8 models, ~8 h of use a day; deterministic.
"""
import random
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

SCHEMA = """
CREATE TABLE usage_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, timestamp TEXT NOT NULL,
    session_id TEXT NOT NULL, message_uuid TEXT NOT NULL, message_type TEXT NOT NULL, model TEXT,
    folder TEXT NOT NULL, git_branch TEXT, version TEXT NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL, total_tokens INTEGER NOT NULL, machine_name TEXT,
    content TEXT, cost REAL, UNIQUE(session_id, message_uuid));
"""
MODELS = ["claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001",
          "claude-opus-4-1-20250805", "claude-sonnet-4-20250514", "claude-opus-4-5-20251101", "claude-3-5-haiku-20241022"]


def rows(n, rng):
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    per_day = max(1, n // 365)
    sessions_per_day = 40
    for i in range(n):
        day = i // per_day
        k = i % per_day
        session = day * sessions_per_day + k % sessions_per_day
        ts = start + timedelta(days=day, hours=8 + (k * 8 * 3600 // per_day) / 3600, milliseconds=rng.randrange(1000))
        inp, out = rng.randrange(1, 4000), rng.randrange(1, 3000)
        cc, cr = rng.randrange(0, 20000), rng.randrange(0, 200000)
        yield (ts.strftime("%Y-%m-%d"), ts.isoformat(), "s-%08d" % session, "u-%09d" % i, "assistant",
               MODELS[(session + k // 97) % len(MODELS)], "/home/dev/project-%d" % (session % 12), "main", "1.0.80",
               inp, out, cc, cr, inp + out + cc + cr, None, None, None)


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;" + SCHEMA)
    db.executemany("INSERT INTO usage_records (date, timestamp, session_id, message_uuid, message_type, model, folder, "
                   "git_branch, version, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, "
                   "total_tokens, machine_name, content, cost) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   rows(n, rng))
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
