-- csi-rules state on PostgreSQL, version 1: the Store tables (as in SQLite) plus work sharing.
-- Every row a runner acts on carries `part`, the partition of its ticket (a hash of
-- adapter + record id); `fence` is the lease token the writing runner held.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE cursors (
    adapter TEXT PRIMARY KEY, watermark TIMESTAMPTZ, sync_state TEXT, synced_at TIMESTAMPTZ);

CREATE TABLE wakeups (
    adapter TEXT NOT NULL, record_id TEXT NOT NULL, part INTEGER NOT NULL, kind TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL, reason TEXT NOT NULL, gen BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (adapter, record_id));
CREATE INDEX wakeups_due ON wakeups (part, due_at);

CREATE TABLE ledger (
    key TEXT PRIMARY KEY, decision_key TEXT NOT NULL, adapter TEXT NOT NULL,
    record_id TEXT NOT NULL, part INTEGER NOT NULL, action_type TEXT NOT NULL,
    params TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '', platform_ref TEXT NOT NULL DEFAULT '',
    fence BIGINT NOT NULL DEFAULT 0, created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL);
CREATE INDEX ledger_state ON ledger (state);

CREATE TABLE inflight (
    id BIGSERIAL PRIMARY KEY, decision_key TEXT NOT NULL, adapter TEXT NOT NULL,
    record_id TEXT NOT NULL, part INTEGER NOT NULL, record_kind TEXT NOT NULL,
    decision TEXT NOT NULL, action_keys TEXT NOT NULL, fence BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL);
CREATE INDEX inflight_part ON inflight (part);

-- One hash chain for all runners: appends are serialized on the single audit_head row.
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_record ON audit (record_id);
CREATE TABLE audit_head (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), seq BIGINT NOT NULL,
    hash TEXT NOT NULL);
INSERT INTO audit_head VALUES (TRUE, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE errors (
    id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, scope TEXT NOT NULL,
    message TEXT NOT NULL);

CREATE TABLE positions (
    adapter TEXT NOT NULL, record_id TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL,
    adopted TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (adapter, record_id));

CREATE TABLE deliveries (
    source TEXT NOT NULL, delivery_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, delivery_id));

-- Work sharing. `leases` holds one row per partition ('part:N') and per adapter poller
-- ('poll:NAME'); a lease is held while expires_at is in the future (database clock), and each
-- new holder gets a fresh token from fence_tokens, so a writer with an older token is refused.
CREATE SEQUENCE fence_tokens;
CREATE TABLE leases (
    name TEXT PRIMARY KEY, holder TEXT NOT NULL DEFAULT '', token BIGINT NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch');
CREATE TABLE workers (
    id TEXT PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL);
