-- Rows the scheduler cannot act on and must report: a state it does not know, or an actionable
-- state without a due time (next_action_at NULL never comes due).
SELECT p.id, p.workflow_state, p.next_action_at IS NULL AS no_due_time
  FROM pending_calls p
 WHERE p.workflow_state IS NULL
    OR NOT (p.workflow_state = ANY (CAST(:known AS text[])))
    OR (p.workflow_state = ANY (CAST(:actionable AS text[])) AND p.next_action_at IS NULL)
 LIMIT 50
