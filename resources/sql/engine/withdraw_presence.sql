DELETE FROM callops_scheduler_presence WHERE scheduler_id = CAST(:scheduler AS text)
