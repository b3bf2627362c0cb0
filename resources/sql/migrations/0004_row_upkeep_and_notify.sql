-- updated_at and state_changed_at kept by the database whoever writes, and a notification on
-- every change so consoles refresh live and an idle scheduler wakes at once.

CREATE OR REPLACE FUNCTION callops_touch_pending_call() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A writer that sets updated_at itself (a migration, a test back-dating a row) is obeyed.
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    IF NEW.workflow_state IS DISTINCT FROM OLD.workflow_state
       AND NEW.state_changed_at IS NOT DISTINCT FROM OLD.state_changed_at THEN
        NEW.state_changed_at := now();
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS pending_calls_touch ON pending_calls;
CREATE TRIGGER pending_calls_touch
    BEFORE UPDATE ON pending_calls
    FOR EACH ROW EXECUTE FUNCTION callops_touch_pending_call();

-- One notification per statement, not per row: a bulk update of a million rows sends one.
CREATE OR REPLACE FUNCTION callops_notify_pending_calls() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pending_calls', lower(TG_OP));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS pending_calls_notify ON pending_calls;
CREATE TRIGGER pending_calls_notify
    AFTER INSERT OR UPDATE OR DELETE ON pending_calls
    FOR EACH STATEMENT EXECUTE FUNCTION callops_notify_pending_calls();
