-- Gives back leased rows this scheduler will not start now; they become due again after the given delay.
UPDATE pending_calls p
   SET locked_by = NULL,
       locked_until = NULL,
       next_action_at = greatest(p.next_action_at, now() + make_interval(secs => CAST(:delay_seconds AS int)))
 WHERE p.id = ANY (CAST(:ids AS uuid[]))
   AND p.locked_by = CAST(:scheduler AS text)
