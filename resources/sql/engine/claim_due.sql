-- Claims up to a batch of due rows in actionable states, oldest due first. Rows another scheduler
-- holds (row lock or unexpired lease) are skipped, not waited for. The literal NOT IN repeats
-- idx_pending_calls_scheduler's predicate so the planner can use that partial index.
-- The columns come from the locking SELECT itself: a row changed by a transaction that committed
-- while this statement ran is locked in its newest version, and only the locking scan returns that
-- version; reading the table again (a join) gave the statement's snapshot, the row as it was before,
-- and the pass decided from it and wrote over the change (tests/db/TestManualActionRaces.cpp).
WITH due AS (
    SELECT p.id, p.workflow_state, p.phone, p.phone_e164, p.clinic_timezone, p.retry_count, p.max_retries,
           p.classification_id, p.ivr_classified_at, p.updated_at, p.attempt, p.classification_attempts,
           p.next_action_at
      FROM pending_calls p
     WHERE p.workflow_state NOT IN ('completed', 'failed')
       AND p.workflow_state = ANY (CAST(:states AS text[]))
       AND p.next_action_at <= now()
       AND (p.locked_until IS NULL OR p.locked_until < now())
     ORDER BY p.next_action_at
     LIMIT :batch
       FOR UPDATE OF p SKIP LOCKED
)
SELECT id, workflow_state, phone, phone_e164, clinic_timezone, retry_count, max_retries,
       classification_id, ivr_classified_at, updated_at, attempt, classification_attempts
  FROM due
 ORDER BY next_action_at, id
