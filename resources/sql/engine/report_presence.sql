-- This engine's row in callops_scheduler_presence (migration 0028), written anew; rows of engines
-- not heard from for a day (killed, or their machine gone) are forgotten on the way.
WITH forgotten AS (
    DELETE FROM callops_scheduler_presence
     WHERE seen_at < now() - interval '1 day' AND scheduler_id <> CAST(:scheduler AS text)
)
INSERT INTO callops_scheduler_presence AS p
       (scheduler_id, host, pid, started_by, started_at, seen_at, last_pass_at, paused, held_reason)
VALUES (CAST(:scheduler AS text), CAST(:host AS text), CAST(:pid AS integer), CAST(:started_by AS text),
        now(), now(), CAST(:last_pass_at AS timestamptz), CAST(:paused AS boolean), CAST(:held_reason AS text))
ON CONFLICT (scheduler_id) DO UPDATE
   SET seen_at = now(), last_pass_at = EXCLUDED.last_pass_at, paused = EXCLUDED.paused,
       held_reason = EXCLUDED.held_reason
