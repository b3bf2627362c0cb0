-- The console's manual actions (Retry now, Reset stuck, Mark failed, Re-classify) as database
-- functions, so one action on one call or on a million runs in one transaction, checks every row
-- against the transition table under a row lock, and records the operator and the reason in the
-- history. SECURITY DEFINER with a fixed search_path: a role that may only EXECUTE these functions
-- (callops_dispatcher) can act without any right on the tables.

-- The manual-action rows of core/workflow/TransitionTable, as data the functions read. The console's
-- tests check that this table equals the C++ one exactly. 'unknown' stands for any state that is not
-- one of the eleven (written by someone else).
CREATE TABLE IF NOT EXISTS workflow_manual_transitions (
    action text NOT NULL,
    from_state text NOT NULL,
    to_state text NOT NULL,
    PRIMARY KEY (action, from_state)
);

DELETE FROM workflow_manual_transitions;
INSERT INTO workflow_manual_transitions (action, from_state, to_state) VALUES
    ('retry_now', 'retry_pending', 'retry_pending'),
    ('retry_now', 'failed', 'new'),
    ('retry_now', 'classification_failed', 'new'),
    ('reset_stuck', 'classifying', 'retry_pending'),
    ('reset_stuck', 'calling', 'retry_pending'),
    ('mark_failed', 'new', 'failed'),
    ('mark_failed', 'checking_classification', 'failed'),
    ('mark_failed', 'needs_classification', 'failed'),
    ('mark_failed', 'classifying', 'failed'),
    ('mark_failed', 'classification_pending', 'failed'),
    ('mark_failed', 'ready_to_call', 'failed'),
    ('mark_failed', 'calling', 'failed'),
    ('mark_failed', 'retry_pending', 'failed'),
    ('mark_failed', 'unknown', 'failed'),
    ('reclassify', 'checking_classification', 'new'),
    ('reclassify', 'needs_classification', 'new'),
    ('reclassify', 'classification_pending', 'new'),
    ('reclassify', 'ready_to_call', 'new'),
    ('reclassify', 'retry_pending', 'new'),
    ('reclassify', 'failed', 'new'),
    ('reclassify', 'classification_failed', 'new'),
    ('reclassify', 'unknown', 'new');

-- The digits of the phone number, kept by PostgreSQL, so that a search for a number in any format
-- compares digits without running a regular expression over every row.
ALTER TABLE pending_calls
    ADD COLUMN IF NOT EXISTS phone_digits text
        GENERATED ALWAYS AS (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) STORED;

-- The console's default order (latest change first), so its pages come from an index, not a sort of
-- the whole table.
CREATE INDEX IF NOT EXISTS idx_pending_calls_console_updated
    ON pending_calls (updated_at DESC NULLS LAST, id DESC);

-- The key of a row's state in workflow_manual_transitions.
CREATE OR REPLACE FUNCTION callops_state_key(p_state text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_state IN ('new', 'checking_classification', 'needs_classification', 'classifying',
                                 'classification_pending', 'ready_to_call', 'calling', 'retry_pending',
                                 'completed', 'failed', 'classification_failed')
                THEN p_state ELSE 'unknown' END
$$;

-- The console's filter as one predicate, shared by its pages, its counts and the bulk actions so
-- "all rows matching the filter" means the same everywhere. NULL parameters do not filter. The
-- search looks in exam id, employee and clinic (as text, wildcards taken literally) and, when the
-- term looks like a phone number, compares its digits with the digits of the phone column; a call id
-- finds that call.
CREATE OR REPLACE FUNCTION callops_call_matches(
    c pending_calls, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f_states IS NULL OR callops_state_key(c.workflow_state) = ANY (f_states))
       AND (f_clinic IS NULL OR c.clinic_name = f_clinic)
       AND (f_failure_reason IS NULL OR c.failure_reason = f_failure_reason)
       AND (f_since IS NULL OR c.state_changed_at >= f_since)
       AND (f_until IS NULL OR c.state_changed_at < f_until)
       AND (f_search IS NULL OR btrim(f_search) = ''
            OR c.id::text = lower(btrim(f_search))
            OR c.exam_id ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR c.employee_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR c.clinic_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR (btrim(f_search) ~ '^[0-9 +().\-/]+$'
                AND length(regexp_replace(f_search, '[^0-9]', '', 'g')) >= 3
                AND (c.phone_digits LIKE '%' || regexp_replace(f_search, '[^0-9]', '', 'g') || '%'
                     -- the term has a country code the stored number lacks ("+1 555 ..." for "555...")
                     OR (length(c.phone_digits) >= 7
                         AND regexp_replace(f_search, '[^0-9]', '', 'g') LIKE '%' || c.phone_digits))))
       AND (f_stuck_states IS NULL
            OR (c.workflow_state = ANY (f_stuck_states)
                AND CASE WHEN c.workflow_state IN ('classifying', 'calling')
                         THEN c.state_changed_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                         ELSE c.updated_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                              AND (c.next_action_at IS NULL OR c.next_action_at <= now()) END))
$$;

CREATE OR REPLACE FUNCTION callops_apply_manual_action(
    p_action text, p_ids uuid[], p_reason text, p_actor text)
RETURNS TABLE (id uuid, from_state text, to_state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_reason text := nullif(btrim(coalesce(p_reason, '')), '');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM workflow_manual_transitions t WHERE t.action = p_action) THEN
        RAISE EXCEPTION 'unknown manual action "%"', p_action USING ERRCODE = '22023';
    END IF;
    IF p_action = 'mark_failed' AND v_reason IS NULL THEN
        RAISE EXCEPTION 'Mark failed needs a reason' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('callops.actor', coalesce(nullif(btrim(p_actor), ''), session_user::text), true);
    PERFORM set_config('callops.reason', coalesce(v_reason, ''), true);
    PERFORM set_config('callops.event', 'manual_' || p_action, true);

    RETURN QUERY
    WITH targets AS (
        SELECT pc.id AS call_id, pc.workflow_state AS old_state, t.to_state AS new_state
        FROM pending_calls pc
        JOIN workflow_manual_transitions t
          ON t.action = p_action AND t.from_state = callops_state_key(pc.workflow_state)
        WHERE pc.id = ANY (p_ids)
        ORDER BY pc.id
        FOR UPDATE OF pc
    ), moved AS (
        UPDATE pending_calls pc
        SET workflow_state = tg.new_state,
            next_action_at = CASE WHEN tg.new_state = 'failed' THEN pc.next_action_at ELSE now() END,
            retry_count = CASE WHEN p_action = 'retry_now' AND tg.new_state = 'new' THEN 0 ELSE pc.retry_count END,
            classification_attempts = CASE WHEN p_action = 'retry_now' AND tg.new_state = 'new' THEN 0
                                           ELSE pc.classification_attempts END,
            classification_id = CASE WHEN p_action = 'reclassify' THEN NULL ELSE pc.classification_id END,
            failed_at = CASE WHEN tg.new_state = 'failed' THEN now()
                             WHEN tg.new_state = 'new' THEN NULL ELSE pc.failed_at END,
            failure_reason = CASE WHEN tg.new_state = 'failed' THEN v_reason
                                  WHEN tg.new_state = 'new' THEN NULL ELSE pc.failure_reason END,
            last_error = CASE WHEN tg.new_state = 'failed' THEN v_reason ELSE pc.last_error END,
            locked_by = NULL,
            locked_until = NULL
        FROM targets tg
        WHERE pc.id = tg.call_id
        RETURNING pc.id AS call_id, tg.old_state, pc.workflow_state AS new_state
    ), same_state AS (
        -- A move that keeps the state (Retry now on a waiting retry) fires no history trigger:
        -- record it here so every action is in the history.
        INSERT INTO workflow_events (pending_call_id, from_state, to_state, actor, reason, detail)
        SELECT m.call_id, m.old_state, m.new_state,
               current_setting('callops.actor', true), v_reason,
               jsonb_build_object('event', 'manual_' || p_action, 'database_user', session_user::text)
        FROM moved m WHERE m.old_state = m.new_state
    )
    SELECT m.call_id, m.old_state, m.new_state FROM moved m;
END
$$;

-- How many rows the filter matches, for the confirmation before a bulk action.
CREATE OR REPLACE FUNCTION callops_count_matching(
    f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[]) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT count(*) FROM pending_calls pc
    WHERE callops_call_matches(pc, f_states, f_clinic, f_failure_reason, f_since, f_until, f_search,
                                 f_stuck_states, f_stuck_seconds)
$$;

-- The action on every row matching the filter, in one transaction however many there are. Rows the
-- action is not allowed from are skipped, as in callops_apply_manual_action.
CREATE OR REPLACE FUNCTION callops_apply_manual_action_to_filter(
    p_action text, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[], p_reason text, p_actor text)
RETURNS TABLE (id uuid, from_state text, to_state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT r.id, r.from_state, r.to_state
    FROM callops_apply_manual_action(
        p_action,
        ARRAY(SELECT pc.id FROM pending_calls pc
              WHERE callops_call_matches(pc, f_states, f_clinic, f_failure_reason, f_since, f_until, f_search,
                                 f_stuck_states, f_stuck_seconds)),
        p_reason, p_actor) r;
END
$$;

-- Functions are executable by PUBLIC by default, and SECURITY DEFINER ones run with the owner's
-- rights: only roles granted EXECUTE explicitly (the owner, callops_dispatcher) may act. On Supabase
-- the API roles get EXECUTE on new functions through default privileges: take that back too.
REVOKE ALL ON FUNCTION callops_apply_manual_action(text, uuid[], text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION callops_apply_manual_action_to_filter(text, text[], text, text, timestamptz, timestamptz,
                                                            text, text[], int[], text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION callops_count_matching(text[], text, text, timestamptz, timestamptz, text, text[], int[])
    FROM PUBLIC;
DO $$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            EXECUTE format('REVOKE ALL ON FUNCTION callops_apply_manual_action(text, uuid[], text, text) FROM %I',
                           v_role);
            EXECUTE format('REVOKE ALL ON FUNCTION callops_apply_manual_action_to_filter(text, text[], text, text, '
                           'timestamptz, timestamptz, text, text[], int[], text, text) FROM %I', v_role);
            EXECUTE format('REVOKE ALL ON FUNCTION callops_count_matching(text[], text, text, timestamptz, '
                           'timestamptz, text, text[], int[]) FROM %I', v_role);
        END IF;
    END LOOP;
END
$$;
