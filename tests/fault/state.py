#!/usr/bin/env python3
"""Prints what a fault run must leave as a fault-free run does.

Usage: state.py DB.  One line each: how many messages and quarantine
rows, the threading (each ticket as the sorted Message-IDs of its
messages, the tickets sorted), and, in the last lines, the checks that
must hold in any run: duplicates, integrity, foreign keys, orphan blobs.
"""
import sqlite3
import sys

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
q = db.execute
groups = {}
for ticket, mid in q("SELECT ticket_id, message_id FROM messages"):
    groups.setdefault(ticket, []).append(mid)
threads = sorted(" ".join(sorted(g)) for g in groups.values())
print("messages", q("SELECT count(*) FROM messages").fetchone()[0])
print("quarantine", q("SELECT count(*) FROM quarantine").fetchone()[0])
print("tickets", len(threads))
for t in threads:
    print("thread", t)
dups = q("SELECT count(*) FROM (SELECT 1 FROM messages GROUP BY "
         "message_id, body_hash HAVING count(*) > 1)").fetchone()[0]
print("check duplicates", dups)
print("check integrity", q("PRAGMA integrity_check").fetchone()[0])
print("check foreign_keys", len(q("PRAGMA foreign_key_check").fetchall()))
orphans = q("""SELECT count(*) FROM blobs b WHERE
    NOT EXISTS (SELECT 1 FROM messages WHERE raw_sha256 = b.sha256) AND
    NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = b.sha256) AND
    NOT EXISTS (SELECT 1 FROM quarantine WHERE raw_sha256 = b.sha256) AND
    NOT EXISTS (SELECT 1 FROM outbox WHERE raw_sha256 = b.sha256)""")
print("check orphan_blobs", orphans.fetchone()[0])
