-- When the earliest actionable row that nobody holds becomes due (NULL when none is waiting).
-- Leased rows are left out: their scheduler calls them, or its lease expires and the interval
-- timer's pass takes them over. Counting them made a scheduler whose own queue waits (calls per
-- second, busy numbers) or whose peer holds due rows wake and claim nothing 20 times a second.
-- Ordered by next_action_at so that idx_pending_calls_scheduler answers it; the leased rows it
-- steps over are at most a batch per scheduler.
SELECT p.next_action_at
  FROM pending_calls p
 WHERE p.workflow_state NOT IN ('completed', 'failed')
   AND p.workflow_state = ANY (CAST(:states AS text[]))
   AND p.next_action_at IS NOT NULL
   AND (p.locked_until IS NULL OR p.locked_until < now())
 ORDER BY p.next_action_at
 LIMIT 1
