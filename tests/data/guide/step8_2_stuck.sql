-- Alert on stuck calls
SELECT * FROM pending_calls
WHERE workflow_state NOT IN ('completed', 'failed')
  AND updated_at < NOW() - INTERVAL '1 hour';
