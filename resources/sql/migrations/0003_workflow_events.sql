-- An append-only history of every state change, written by a trigger so that changes made by
-- anyone (this program, the Edge Function, the Deepgram server, VAPI's hook, psql) are recorded.
-- The actor is what the writer put in callops.actor for its transaction, else the database user;
-- the reason is callops.reason, else the row's new last_error.

CREATE TABLE IF NOT EXISTS workflow_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pending_call_id uuid NOT NULL,
    from_state text,
    to_state text NOT NULL,
    actor text NOT NULL,
    reason text,
    detail jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX IF NOT EXISTS idx_workflow_events_call ON workflow_events (pending_call_id, at);
CREATE INDEX IF NOT EXISTS idx_workflow_events_at ON workflow_events (at);

CREATE OR REPLACE FUNCTION callops_record_workflow_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_actor text := coalesce(nullif(current_setting('callops.actor', true), ''), session_user::text);
    v_reason text := nullif(current_setting('callops.reason', true), '');
    v_event text := nullif(current_setting('callops.event', true), '');
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.workflow_state IS NOT DISTINCT FROM OLD.workflow_state THEN
            RETURN NULL;
        END IF;
        IF v_reason IS NULL AND NEW.last_error IS DISTINCT FROM OLD.last_error THEN
            v_reason := NEW.last_error;
        END IF;
    END IF;
    INSERT INTO workflow_events (pending_call_id, from_state, to_state, actor, reason, detail)
    VALUES (NEW.id,
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.workflow_state END,
            coalesce(NEW.workflow_state, 'new'),
            v_actor,
            v_reason,
            jsonb_strip_nulls(jsonb_build_object(
                'event', v_event,
                'attempt', NEW.attempt,
                'retry_count', NEW.retry_count,
                'database_user', session_user::text)));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS pending_calls_workflow_event ON pending_calls;
CREATE TRIGGER pending_calls_workflow_event
    AFTER INSERT OR UPDATE OF workflow_state ON pending_calls
    FOR EACH ROW EXECUTE FUNCTION callops_record_workflow_event();
