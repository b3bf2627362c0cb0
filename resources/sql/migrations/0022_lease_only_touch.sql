-- A lease taken, renewed or released is not a change of the call: it must not move updated_at
-- (0006; the guide's stuck-call query and the console's default order read it). Since 0010 added
-- the stored generated column phone_digits that test never held: in a BEFORE trigger NEW's
-- generated columns are still NULL, so NEW and OLD always differed there, every lease moved
-- updated_at, and a pass reordered the console's table. It also made each lease an update of all
-- of the table's indexes (updated_at is in one), where a lease alone can be a HOT update.
-- The row is now compared as a record with the lease and the generated column taken from OLD,
-- which is also cheaper than building two jsonb documents per row. A generated column added
-- later must be copied over here too.
CREATE OR REPLACE FUNCTION callops_touch_pending_call() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_without_lease pending_calls;
BEGIN
    IF NEW.workflow_state IS NOT DISTINCT FROM OLD.workflow_state
       AND NEW.next_action_at IS NOT DISTINCT FROM OLD.next_action_at
       AND (NEW.locked_by IS DISTINCT FROM OLD.locked_by OR NEW.locked_until IS DISTINCT FROM OLD.locked_until) THEN
        v_without_lease := NEW;
        v_without_lease.locked_by := OLD.locked_by;
        v_without_lease.locked_until := OLD.locked_until;
        v_without_lease.phone_digits := OLD.phone_digits;
        IF v_without_lease IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
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
