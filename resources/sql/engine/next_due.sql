-- When the earliest actionable row becomes due (NULL when none is waiting).
SELECT min(p.next_action_at)
  FROM pending_calls p
 WHERE p.workflow_state NOT IN ('completed', 'failed')
   AND p.workflow_state = ANY (CAST(:states AS text[]))
