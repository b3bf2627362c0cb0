-- Check call sessions
SELECT 
  cs.*,
  pc.workflow_state
FROM call_sessions cs
JOIN pending_calls pc ON cs.pending_call_id = pc.id
WHERE cs.created_at > NOW() - INTERVAL '1 hour'
ORDER BY cs.created_at DESC;
