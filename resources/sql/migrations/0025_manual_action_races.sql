-- A dispatcher's manual action, the scheduler and an outcome at the same moment
-- (tests/db/TestManualActionRaces.cpp). In READ COMMITTED a statement that waits for a row lock
-- re-reads that row afterwards, but only what its own WHERE says of the row is checked again: what
-- a CTE or a sub-select read before the wait is not.
--
-- 1. callops_start_calls took state and lease from its candidates: a Mark failed or Re-classify
--    that committed while the start waited for the row was overwritten (failed -> calling) and the
--    call placed. The UPDATE now checks both again on the row it holds.
-- 2. A manual action decided each row's move from the state read before it waited: a row an
--    outcome moved meanwhile (calling -> retry_pending) was dropped as "not applicable", though
--    Mark failed applies to retry_pending too. Rows are now locked first and decided once held.
-- 3. Reset stuck on the calls the dispatcher saw cut short the attempt the engine had started
--    since (rescued, then dialled again): the number was dialled a third time while the second
--    call was live. An action now applies to the attempt the console showed, and to a call in
--    flight (classifying, calling) only once it is stuck by the console's thresholds: a live
--    call cut short here frees its number for another call while it goes on.
-- 4. The bulk action chose its rows by the filter, then locked them one by one without asking the
--    filter again: a call rescued and restarted while it waited was reset although no longer
--    stuck. The rows are now locked with the filter checked on each once it is held.

CREATE OR REPLACE FUNCTION callops_start_calls(p_ids uuid[], p_scheduler text)
RETURNS TABLE (id uuid, kind text, attempt int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('callops:number:' || n.phone_e164, 0))
       FROM (SELECT DISTINCT p.phone_e164 FROM pending_calls p
              WHERE p.id = ANY(p_ids) AND p.phone_e164 <> ''
              ORDER BY 1) n;
    PERFORM set_config('callops.actor', coalesce(nullif(current_setting('callops.actor', true), ''), p_scheduler),
                       true);
    RETURN QUERY
    WITH candidates AS (
        SELECT p.id, p.workflow_state,
               row_number() OVER (PARTITION BY p.phone_e164 ORDER BY p.next_action_at, p.id) AS rank
          FROM pending_calls p
         WHERE p.id = ANY(p_ids)
           AND p.locked_by = p_scheduler
           AND p.workflow_state IN ('needs_classification', 'ready_to_call')
           AND p.phone_e164 <> ''
           AND NOT EXISTS (SELECT 1 FROM pending_calls o
                            WHERE o.phone_e164 = p.phone_e164
                              AND o.workflow_state IN ('classifying', 'calling'))
    )
    UPDATE pending_calls p
       SET workflow_state = CASE c.workflow_state WHEN 'needs_classification' THEN 'classifying' ELSE 'calling' END,
           attempt = p.attempt + 1,
           classification_attempts = p.classification_attempts
               + CASE c.workflow_state WHEN 'needs_classification' THEN 1 ELSE 0 END,
           last_attempt_at = now(),
           locked_by = NULL,
           locked_until = NULL
      FROM candidates c
     WHERE p.id = c.id AND c.rank = 1
       -- Checked again on the row as it is once locked (see 1. above).
       AND p.workflow_state = c.workflow_state
       AND p.locked_by = p_scheduler
    RETURNING p.id,
              CASE p.workflow_state WHEN 'classifying' THEN 'classification' ELSE 'task' END,
              p.attempt;
END
$$;

-- The action on the given calls. p_seen_attempts (parallel to p_ids, or NULL) are the attempts the
-- console showed: a call that has started another attempt since is left alone. p_stuck_states and
-- p_stuck_seconds are the console's stuck thresholds (as callops_call_matches takes them): a call
-- in flight takes an action only once stuck by them; NULL leaves calls in flight to every action
-- the transition table allows.
CREATE OR REPLACE FUNCTION callops_apply_manual_action(
    p_action text, p_ids uuid[], p_seen_attempts int[], p_stuck_states text[], p_stuck_seconds int[],
    p_reason text, p_actor text)
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
    IF coalesce(cardinality(p_ids), 0) = 0 THEN
        RETURN;
    END IF;
    IF p_seen_attempts IS NOT NULL AND cardinality(p_seen_attempts) <> cardinality(p_ids) THEN
        RAISE EXCEPTION 'one seen attempt per call is needed' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('callops.actor', coalesce(nullif(btrim(p_actor), ''), session_user::text), true);
    PERFORM set_config('callops.reason', coalesce(v_reason, ''), true);
    PERFORM set_config('callops.event', 'manual_' || p_action, true);

    -- Held first, in id order; the statement below takes a snapshot of its own (this function is
    -- VOLATILE), so it decides from the rows as they are now that nobody else can move them.
    PERFORM 1 FROM pending_calls pc WHERE pc.id = ANY (p_ids) ORDER BY pc.id FOR UPDATE;

    RETURN QUERY
    WITH seen AS (
        SELECT DISTINCT ON (s.call_id) s.call_id, s.attempt
          FROM unnest(p_ids, coalesce(p_seen_attempts, array_fill(NULL::int, ARRAY[cardinality(p_ids)])))
               AS s(call_id, attempt)
         ORDER BY s.call_id
    ), targets AS (
        SELECT pc.id AS call_id, pc.workflow_state AS old_state, t.to_state AS new_state
        FROM pending_calls pc
        JOIN seen s ON s.call_id = pc.id
        JOIN workflow_manual_transitions t
          ON t.action = p_action AND t.from_state = callops_state_key(pc.workflow_state)
        WHERE (s.attempt IS NULL OR pc.attempt = s.attempt)
          AND (p_stuck_states IS NULL
               OR pc.workflow_state NOT IN ('classifying', 'calling')
               OR (pc.workflow_state = ANY (p_stuck_states)
                   AND pc.state_changed_at < now() - make_interval(
                           secs => p_stuck_seconds[array_position(p_stuck_states, pc.workflow_state)])))
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

-- The form of migration 0010, for whoever calls it by hand (psql): the same action, without the
-- attempts seen or the stuck thresholds.
CREATE OR REPLACE FUNCTION callops_apply_manual_action(p_action text, p_ids uuid[], p_reason text, p_actor text)
RETURNS TABLE (id uuid, from_state text, to_state text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.from_state, r.to_state
      FROM callops_apply_manual_action(p_action, p_ids, NULL, NULL, NULL, p_reason, p_actor) r
$$;

-- The action on every call matching the filter (f_*), in one transaction however many there are.
-- The rows are locked with the filter checked on each once it is held. p_stuck_states and
-- p_stuck_seconds are the console's thresholds for calls in flight, as above.
CREATE OR REPLACE FUNCTION callops_apply_manual_action_to_filter(
    p_action text, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[], p_stuck_states text[], p_stuck_seconds int[],
    p_reason text, p_actor text)
RETURNS TABLE (id uuid, from_state text, to_state text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_ids uuid[];
BEGIN
    SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') INTO v_ids
      FROM (SELECT pc.id FROM pending_calls pc
             WHERE callops_call_matches(pc, f_states, f_clinic, f_failure_reason, f_since, f_until, f_search,
                                        f_stuck_states, f_stuck_seconds)
             ORDER BY pc.id
               FOR UPDATE) m;
    RETURN QUERY
    SELECT r.id, r.from_state, r.to_state
      FROM callops_apply_manual_action(p_action, v_ids, NULL, p_stuck_states, p_stuck_seconds, p_reason,
                                       p_actor) r;
END
$$;

CREATE OR REPLACE FUNCTION callops_apply_manual_action_to_filter(
    p_action text, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[], p_reason text, p_actor text)
RETURNS TABLE (id uuid, from_state text, to_state text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.from_state, r.to_state
      FROM callops_apply_manual_action_to_filter(p_action, f_states, f_clinic, f_failure_reason, f_since, f_until,
                                                 f_search, f_stuck_states, f_stuck_seconds, NULL, NULL,
                                                 p_reason, p_actor) r
$$;

-- As migration 0010 did for its forms: nobody but the owner and callops_dispatcher may act.
DO $$
DECLARE
    v_function text;
    v_role text;
BEGIN
    FOREACH v_function IN ARRAY ARRAY[
            'callops_apply_manual_action(text, uuid[], int[], text[], int[], text, text)',
            'callops_apply_manual_action_to_filter(text, text[], text, text, timestamptz, timestamptz, text, '
            'text[], int[], text[], int[], text, text)'] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_function);
        FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', v_function, v_role);
            END IF;
        END LOOP;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_dispatcher') THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO callops_dispatcher', v_function);
        END IF;
    END LOOP;
END
$$;
