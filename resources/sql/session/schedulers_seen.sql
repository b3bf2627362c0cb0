-- The schedulers running on this database as they last reported themselves (migration 0028): the ones
-- heard from within :within seconds, by the database's clock.
SELECT scheduler_id, host, pid, started_by, started_at,
       floor(extract(epoch FROM now() - seen_at))::bigint,
       coalesce(floor(extract(epoch FROM now() - last_pass_at))::bigint, -1),
       paused, held_reason
  FROM callops_scheduler_presence
 WHERE seen_at > now() - make_interval(secs => CAST(:within AS integer))
 ORDER BY started_at, scheduler_id
