-- Which CallOps schedulers are running on this database, so that a dispatcher's console can say so:
-- a scheduler running headless on a server is otherwise invisible to it. Each engine writes its row
-- when it connects, again every half minute or so (and when it pauses or resumes), and deletes it when
-- it stops. A row not written for a few periods is of an engine that died or lost the database: the
-- console leaves it out, and engines delete such rows after a day. No trigger, no NOTIFY: the rows
-- change on a timer, and the console reads them with its own refresh.
CREATE TABLE IF NOT EXISTS callops_scheduler_presence (
    scheduler_id text PRIMARY KEY, -- as in the leases (locked_by) and the history's actor
    host text NOT NULL,
    pid integer NOT NULL,
    started_by text, -- the dispatcher who started it in a console; NULL: a service (--no-gui)
    started_at timestamptz NOT NULL,
    seen_at timestamptz NOT NULL,
    last_pass_at timestamptz,
    paused boolean NOT NULL DEFAULT false,
    held_reason text -- why it places no calls, when something outside it holds them
);

-- Supabase grants every new table of the public schema to its API roles: nobody on the API may claim
-- a scheduler runs, remove one, or read the servers' names. (The same for the rate limit's slot,
-- migration 0006, which an API user could otherwise push far ahead and stop every call.)
DO $$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            EXECUTE format('REVOKE ALL ON callops_scheduler_presence, callops_rate_limit FROM %I', v_role);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_scheduler') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON callops_scheduler_presence TO callops_scheduler;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_dispatcher') THEN
        GRANT SELECT ON callops_scheduler_presence TO callops_dispatcher;
    END IF;
END
$$;
