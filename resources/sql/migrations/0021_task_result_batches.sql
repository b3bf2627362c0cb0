-- Task outcomes in batches, for writers that collect several before they write (a busy post-call
-- hook, the telephony simulator). The outcomes for the current attempt, nearly all of them, move
-- their rows in one UPDATE per kind: PostgreSQL sets up an update of pending_calls (its indexes,
-- triggers and foreign key) once per statement, which costs more than the row itself when each
-- outcome is a statement of its own (about 80 us per outcome one by one, 25 us in a batch). The
-- others (stale, unknown id, a call named again later in the batch) go through
-- callops_record_task_result one by one, in order, with its exact meaning.
-- p_outcomes: [{"id": uuid, "attempt": int, "success": bool, "detail": text}, ...]. One result
-- row per outcome, n = its 1-based position. An unknown id fails the whole call, as it does alone.
CREATE OR REPLACE FUNCTION callops_record_task_results(p_outcomes jsonb, p_retry_delay_seconds int DEFAULT 1800)
RETURNS TABLE (n bigint, id uuid, moved boolean, from_state text, to_state text, current_attempt int)
LANGUAGE plpgsql SECURITY DEFINER AS $$
#variable_conflict use_column
DECLARE
    v_success boolean;
    v_moved bigint[] := '{}';
BEGIN
    IF jsonb_typeof(p_outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'task outcomes must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_to_recordset(p_outcomes) AS x (id uuid, attempt int, success boolean)
                WHERE x.id IS NULL OR x.attempt IS NULL OR x.success IS NULL) THEN
        RAISE EXCEPTION 'every task outcome needs an id, an attempt and success' USING ERRCODE = '22023';
    END IF;
    -- The history trigger takes the event's name from a setting: successes, then failures.
    FOREACH v_success IN ARRAY ARRAY[true, false] LOOP
        PERFORM set_config('callops.event', CASE WHEN v_success THEN 'task_succeeded' ELSE 'task_failed' END, true);
        WITH firsts AS (
            SELECT DISTINCT ON (x.id) x.id, x.attempt, x.success, x.detail, x.n
              FROM ROWS FROM (jsonb_to_recordset(p_outcomes) AS (id uuid, attempt int, success boolean, detail text)) WITH ORDINALITY AS x (id, attempt, success, detail, n)
             ORDER BY x.id, x.n
        ), moved AS (
            UPDATE pending_calls p
               SET workflow_state = CASE WHEN v_success THEN 'completed' ELSE 'retry_pending' END,
                   completed_at = CASE WHEN v_success THEN now() ELSE p.completed_at END,
                   next_action_at = CASE WHEN v_success THEN NULL
                                         ELSE now() + make_interval(secs => p_retry_delay_seconds) END,
                   last_error = CASE WHEN v_success THEN p.last_error
                                     ELSE coalesce(f.detail, 'task call failed') END
              FROM firsts f
             WHERE p.id = f.id AND f.success = v_success
               AND p.workflow_state = 'calling' AND p.attempt = f.attempt
            RETURNING f.n
        )
        SELECT v_moved || coalesce(array_agg(moved.n), '{}') INTO v_moved FROM moved;
    END LOOP;

    RETURN QUERY
    SELECT x.n, x.id, true, 'calling'::text, CASE WHEN x.success THEN 'completed' ELSE 'retry_pending' END, x.attempt
      FROM ROWS FROM (jsonb_to_recordset(p_outcomes) AS (id uuid, attempt int, success boolean)) WITH ORDINALITY AS x (id, attempt, success, n)
     WHERE x.n = ANY (v_moved)
    UNION ALL
    SELECT x.n, x.id, r.moved, r.from_state, r.to_state, r.current_attempt
      FROM (SELECT * FROM ROWS FROM (jsonb_to_recordset(p_outcomes) AS (id uuid, attempt int, success boolean, detail text)) WITH ORDINALITY AS y (id, attempt, success, detail, n)
             WHERE NOT (y.n = ANY (v_moved)) ORDER BY y.n) x,
           LATERAL callops_record_task_result(x.id, x.attempt, x.success, x.detail, p_retry_delay_seconds) r
     ORDER BY 1;
END
$$;

-- Like the one-by-one function (0020): it writes the history, so it runs as the owner with the
-- schema pinned, and only the scheduler role (and the owner) may call it.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION callops_record_task_results(jsonb, int) SET search_path = %I, pg_temp',
                   current_schema());
    REVOKE EXECUTE ON FUNCTION callops_record_task_results(jsonb, int) FROM PUBLIC;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_scheduler') THEN
        GRANT EXECUTE ON FUNCTION callops_record_task_results(jsonb, int) TO callops_scheduler;
    END IF;
END
$$;
