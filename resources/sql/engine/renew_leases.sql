UPDATE pending_calls p
   SET locked_until = now() + make_interval(secs => CAST(:lease_seconds AS int))
 WHERE p.id = ANY (CAST(:ids AS uuid[]))
   AND p.locked_by = CAST(:scheduler AS text)
