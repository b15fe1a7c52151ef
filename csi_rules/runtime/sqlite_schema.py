"""Tables of the SQLite state database (schema version 1; a table added later is created
when an older database is opened, so it stays version 1)."""

from __future__ import annotations

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (
    adapter TEXT PRIMARY KEY, watermark TEXT, sync_state TEXT, synced_at TEXT);
CREATE TABLE IF NOT EXISTS wakeups (
    adapter TEXT NOT NULL, record_id TEXT NOT NULL, kind TEXT NOT NULL,
    due_at TEXT NOT NULL, reason TEXT NOT NULL, gen INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (adapter, record_id));
CREATE INDEX IF NOT EXISTS wakeups_due ON wakeups (due_at);
CREATE TABLE IF NOT EXISTS ledger (
    key TEXT PRIMARY KEY, decision_key TEXT NOT NULL, adapter TEXT NOT NULL,
    record_id TEXT NOT NULL, action_type TEXT NOT NULL, params TEXT NOT NULL,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '',
    platform_ref TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_state ON ledger (state);
CREATE TABLE IF NOT EXISTS inflight (
    id INTEGER PRIMARY KEY AUTOINCREMENT, decision_key TEXT NOT NULL, adapter TEXT NOT NULL,
    record_id TEXT NOT NULL, record_kind TEXT NOT NULL, decision TEXT NOT NULL,
    action_keys TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL, entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_record ON audit (record_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, scope TEXT NOT NULL,
    message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (
    adapter TEXT NOT NULL, record_id TEXT NOT NULL, first_seen TEXT NOT NULL,
    adopted TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (adapter, record_id));
CREATE TABLE IF NOT EXISTS deliveries (
    source TEXT NOT NULL, delivery_id TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (source, delivery_id));
"""
