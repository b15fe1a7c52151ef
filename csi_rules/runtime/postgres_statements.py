"""The PostgreSQL store's hot statements, each written to need one round trip.

A runner's decision is begun, settled action by action and completed; on a database a network
hop away each statement costs a round trip, so the fence check (the lease row read `FOR SHARE`
in the same transaction, `postgres_store`) is folded into the write it guards with CTEs, and
the rows a write needs to find are locked by the same statement. The `lease` CTE is empty when
this runner does not hold the lease under the expected token: then nothing is written and no
row comes back, which the store turns into `LeaseLost`.
"""

from __future__ import annotations

_LEASE = ("SELECT token FROM leases WHERE name = %(lease)s AND holder = %(worker)s AND "
          "token = %(token)s AND expires_at > clock_timestamp() + %(margin)s * "
          "interval '1 second' FOR SHARE")
_NO_LEASE = "SELECT 0::bigint AS token"

_BEGIN = """
WITH lease AS ({lease}),
actions AS (
  INSERT INTO ledger (key, decision_key, adapter, record_id, part, action_type, params, state,
                      fence, created_at, updated_at)
  SELECT a.key, %(decision_key)s, %(adapter)s, %(record_id)s, %(part)s, a.type, a.params,
         'pending', lease.token, %(now)s, %(now)s
  FROM unnest(%(keys)s::text[], %(types)s::text[], %(params)s::text[]) AS a(key, type, params),
       lease
  ON CONFLICT (key) DO UPDATE SET state = 'pending', fence = excluded.fence,
                                  updated_at = excluded.updated_at)
INSERT INTO inflight (decision_key, adapter, record_id, part, record_kind, decision, action_keys,
                      fence, created_at)
SELECT %(decision_key)s, %(adapter)s, %(record_id)s, %(part)s, %(record_kind)s, %(decision)s,
       %(action_keys)s, lease.token, %(now)s FROM lease
RETURNING id"""

BEGIN_FENCED = _BEGIN.format(lease=_LEASE)
BEGIN_UNFENCED = _BEGIN.format(lease=_NO_LEASE)

_SETTLE = """UPDATE ledger SET state = %(state)s, detail = %(detail)s,
  platform_ref = %(ref)s, updated_at = %(now)s, attempts = attempts + %(counted)s
WHERE key = %(key)s"""

SETTLE_UNFENCED = _SETTLE
SETTLE_FENCED = """
WITH row AS (SELECT part, fence FROM ledger WHERE key = %(key)s FOR UPDATE),
lease AS (SELECT 1 FROM leases, row WHERE leases.name = 'part:' || row.part AND
          leases.holder = %(worker)s AND leases.token = row.fence AND
          leases.expires_at > clock_timestamp() FOR SHARE OF leases)
""" + _SETTLE + " AND EXISTS (SELECT 1 FROM lease) RETURNING 1"

INFLIGHT_ROW = "SELECT part, fence FROM inflight WHERE id = %(id)s FOR UPDATE"
INFLIGHT_LEASE = ("SELECT 1 FROM leases l JOIN inflight i ON l.name = 'part:' || i.part AND "
                  "l.token = i.fence WHERE i.id = %(id)s AND l.holder = %(worker)s AND "
                  "l.expires_at > clock_timestamp() FOR SHARE OF l")
AUDIT_HEAD = "SELECT seq, hash FROM audit_head FOR UPDATE"
APPEND_AND_FORGET = """
WITH entry AS (INSERT INTO audit VALUES (%(seq)s, %(record_id)s, %(entry)s, %(prev)s, %(hash)s)),
head AS (UPDATE audit_head SET seq = %(seq)s, hash = %(hash)s)
DELETE FROM inflight WHERE id = %(id)s"""
FORGET = "DELETE FROM inflight WHERE id = %(id)s"

# after a claimed wake-up's evaluation: replace it if unchanged (same gen), else keep the
# earlier of the two instants; one statement, the row locked by ON CONFLICT
RESCHEDULE = """
INSERT INTO wakeups (adapter, record_id, part, kind, due_at, reason)
VALUES (%(adapter)s, %(record_id)s, %(part)s, %(kind)s, %(due)s, %(reason)s)
ON CONFLICT (adapter, record_id) DO UPDATE SET due_at = excluded.due_at,
  reason = excluded.reason, gen = wakeups.gen + 1,
  kind = CASE WHEN wakeups.gen = %(gen)s THEN excluded.kind ELSE wakeups.kind END
WHERE wakeups.gen = %(gen)s OR excluded.due_at < wakeups.due_at"""
UNSCHEDULE = ("DELETE FROM wakeups WHERE adapter = %(adapter)s AND record_id = %(record_id)s "
              "AND gen = %(gen)s")
