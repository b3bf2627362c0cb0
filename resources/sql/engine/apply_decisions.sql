-- Applies one pass's decisions in one statement. The decisions come as a JSON array of objects; absent
-- keys keep the column as it is. Leased rows are the pass's call candidates.
WITH d AS (
    SELECT *
      FROM jsonb_to_recordset(CAST(:decisions AS jsonb)) AS x (
               id uuid, state text, e164 text, next_action_at timestamptz, clear_next_action boolean,
               classification_id uuid, looked_up boolean, retry_count int, last_error text,
               failure_reason text, lease boolean)
)
UPDATE pending_calls p
   SET workflow_state = coalesce(d.state, p.workflow_state),
       phone_e164 = coalesce(d.e164, p.phone_e164),
       next_action_at = CASE WHEN d.clear_next_action THEN NULL ELSE coalesce(d.next_action_at, p.next_action_at) END,
       classification_id = coalesce(d.classification_id, p.classification_id),
       classification_lookup_at = CASE WHEN d.looked_up THEN now() ELSE p.classification_lookup_at END,
       retry_count = coalesce(d.retry_count, p.retry_count),
       last_error = coalesce(d.last_error, p.last_error),
       failure_reason = coalesce(d.failure_reason, p.failure_reason),
       failed_at = CASE WHEN d.state IN ('failed', 'classification_failed') THEN now() ELSE p.failed_at END,
       locked_by = CASE WHEN d.lease THEN CAST(:scheduler AS text) ELSE NULL END,
       locked_until = CASE WHEN d.lease THEN now() + make_interval(secs => CAST(:lease_seconds AS int)) ELSE NULL END
  FROM d
 WHERE p.id = d.id
