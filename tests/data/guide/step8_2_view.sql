-- Create monitoring view
CREATE VIEW scheduler_dashboard AS
SELECT 
  workflow_state,
  COUNT(*) as count,
  MIN(next_action_at) as next_action,
  AVG(retry_count) as avg_retries
FROM pending_calls
WHERE workflow_state NOT IN ('completed', 'failed')
GROUP BY workflow_state;
