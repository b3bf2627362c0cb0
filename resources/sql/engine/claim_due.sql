-- Claims up to a batch of due rows in actionable states, oldest due first. Rows another scheduler
-- holds (row lock or unexpired lease) are skipped, not waited for. The literal NOT IN repeats
-- idx_pending_calls_scheduler's predicate so the planner can use that partial index.
WITH due AS (
    SELECT p.id
      FROM pending_calls p
     WHERE p.workflow_state NOT IN ('completed', 'failed')
       AND p.workflow_state = ANY (CAST(:states AS text[]))
       AND p.next_action_at <= now()
       AND (p.locked_until IS NULL OR p.locked_until < now())
     ORDER BY p.next_action_at
     LIMIT :batch
       FOR UPDATE OF p SKIP LOCKED
)
SELECT p.id, p.workflow_state, p.phone, p.phone_e164, p.clinic_timezone, p.retry_count, p.max_retries,
       p.classification_id, p.ivr_classified_at, p.updated_at, p.attempt, p.classification_attempts
  FROM pending_calls p
  JOIN due ON due.id = p.id
 ORDER BY p.next_action_at, p.id
