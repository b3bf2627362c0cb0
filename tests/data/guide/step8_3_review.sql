-- Query for manual review
SELECT * FROM pending_calls
WHERE workflow_state = 'failed'
  OR retry_count >= max_retries
ORDER BY failed_at DESC;
