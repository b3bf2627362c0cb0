-- Watch workflow state changes
SELECT 
  id,
  employee_name,
  workflow_state,
  retry_count,
  next_action_at,
  last_error,
  updated_at
FROM pending_calls
WHERE created_at > NOW() - INTERVAL '1 hour'
ORDER BY updated_at DESC;
