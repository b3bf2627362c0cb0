-- Least privilege (docs/RELIABILITY.md, "Database roles"). Two group roles, NOLOGIN, to be granted
-- to the login users that run CallOps:
--   callops_scheduler   what the scheduler engine needs: read and move pending calls, keep
--                       classifications, write call sessions, run the engine's functions.
--   callops_dispatcher  what the console needs: read everything it shows; change calls only
--                       through the SECURITY DEFINER manual-action functions, which check the
--                       transition table and write the history. No direct UPDATE/DELETE.
-- Nobody but the owner writes workflow_events: the history trigger and the outcome functions
-- run as the owner (SECURITY DEFINER with a fixed search_path), so every change is recorded
-- whoever makes it, and nobody can forge or erase history.
--
-- Roles are cluster-wide: they are created only when absent. A migrating user without CREATEROLE
-- (possible on a managed Supabase project) cannot create them: the migration then says so in a
-- NOTICE and goes on without them; the history protection below applies either way. An
-- administrator can create the two roles later and run the GRANTs of this file by hand.

DO $$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['callops_scheduler', 'callops_dispatcher'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
            EXCEPTION
                WHEN insufficient_privilege THEN
                    RAISE NOTICE 'callops: role % not created: user % lacks CREATEROLE; least-privilege roles skipped (see docs/RELIABILITY.md)',
                        v_role, current_user;
                WHEN duplicate_object OR unique_violation THEN
                    NULL; -- another database of this cluster created it at the same moment
            END;
        END IF;
    END LOOP;
END
$$;

-- History: written only by the trigger (as the owner), never by hand.
ALTER FUNCTION callops_record_workflow_event() SECURITY DEFINER;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION callops_record_workflow_event() SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON workflow_events FROM PUBLIC;
-- Supabase grants every table of the public schema to its API roles by default privileges.
DO $$
DECLARE
    v_role text;
BEGIN
    FOR v_role IN SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON workflow_events FROM %I', v_role);
    END LOOP;
END
$$;

-- The outcome functions insert "stale outcome" rows into the history themselves: they run as
-- the owner too, and only the scheduler role (and the owner) may call them.
DO $$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = current_schema()::regnamespace
           AND p.proname IN ('callops_record_classification', 'callops_record_task_result')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp', v_function,
                       current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_function);
    END LOOP;
END
$$;

DO $$
DECLARE
    v_function regprocedure;
    v_relation text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_scheduler') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO callops_scheduler', current_schema());
        GRANT SELECT ON schema_migrations TO callops_scheduler;
        GRANT SELECT, UPDATE ON pending_calls TO callops_scheduler;
        GRANT SELECT, INSERT, UPDATE ON call_classifications TO callops_scheduler;
        GRANT SELECT, INSERT ON call_sessions TO callops_scheduler;
        GRANT SELECT ON workflow_events TO callops_scheduler;
        GRANT SELECT, INSERT, UPDATE ON callops_rate_limit TO callops_scheduler;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON workflow_events FROM callops_scheduler;
        REVOKE DELETE, TRUNCATE ON pending_calls FROM callops_scheduler;
        -- The engine's functions (0006 and later ones of the same family).
        FOR v_function IN
            SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace
               AND p.proname IN ('callops_reserve_call_slot', 'callops_start_calls', 'callops_record_post_failure',
                                 'callops_record_classification', 'callops_record_task_result',
                                 'callops_rescue_inflight')
        LOOP
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO callops_scheduler', v_function);
        END LOOP;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_dispatcher') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO callops_dispatcher', current_schema());
        GRANT SELECT ON schema_migrations TO callops_dispatcher;
        -- Everything the console reads: the tables and every view of this schema.
        GRANT SELECT ON pending_calls, call_classifications, call_sessions, workflow_events
            TO callops_dispatcher;
        IF to_regclass('workflow_manual_transitions') IS NOT NULL THEN
            GRANT SELECT ON workflow_manual_transitions TO callops_dispatcher;
        END IF;
        FOR v_relation IN
            SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = current_schema()
        LOOP
            EXECUTE format('GRANT SELECT ON %s TO callops_dispatcher', v_relation);
        END LOOP;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON pending_calls, workflow_events, call_classifications,
            call_sessions FROM callops_dispatcher;
        -- Manual actions only through the console's SECURITY DEFINER functions (migration 0010:
        -- one call or many, every call matching a filter, and the count a bulk action confirms),
        -- which nobody else may call.
        FOR v_function IN
            SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace
               AND (p.proname LIKE 'callops\_apply\_manual\_action%' OR p.proname = 'callops_count_matching')
        LOOP
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_function);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO callops_dispatcher', v_function);
        END LOOP;
    END IF;
END
$$;
