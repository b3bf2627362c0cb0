SELECT workflow_state, COUNT(*) FROM pending_calls GROUP BY 1;
