-- The scheduler normalises every active classification's number before each look-up; this keeps
-- finding the ones still to do cheap when there are none.
CREATE INDEX IF NOT EXISTS idx_call_classifications_unnormalised
    ON call_classifications (id) WHERE phone_e164 IS NULL AND is_active;

-- The lease-only test compares whole rows as JSON; a move of state or due time is never
-- lease-only, so those (every call started, every outcome) skip the comparison.
CREATE OR REPLACE FUNCTION callops_touch_pending_call() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.workflow_state IS NOT DISTINCT FROM OLD.workflow_state
       AND NEW.next_action_at IS NOT DISTINCT FROM OLD.next_action_at
       AND (NEW.locked_by IS DISTINCT FROM OLD.locked_by OR NEW.locked_until IS DISTINCT FROM OLD.locked_until)
       AND to_jsonb(NEW) - 'locked_by' - 'locked_until' = to_jsonb(OLD) - 'locked_by' - 'locked_until' THEN
        RETURN NEW;
    END IF;
    IF NEW.phone IS DISTINCT FROM OLD.phone AND NEW.phone_e164 IS NOT DISTINCT FROM OLD.phone_e164 THEN
        NEW.phone_e164 := NULL;
    END IF;
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
