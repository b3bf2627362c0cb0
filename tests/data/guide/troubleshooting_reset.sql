-- The guide writes "WHERE ..."; the condition is its own item 3: 'classifying' or 'calling' > 10 minutes.
UPDATE pending_calls SET workflow_state = 'retry_pending' WHERE workflow_state IN ('classifying', 'calling') AND updated_at < NOW() - INTERVAL '10 minutes';
