UPDATE pending_calls p SET locked_by = NULL, locked_until = NULL WHERE p.locked_by = CAST(:scheduler AS text)
