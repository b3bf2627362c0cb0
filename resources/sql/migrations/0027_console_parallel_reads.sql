-- The console's whole-table reads (counts, a broad search's count, a sort by a column without an
-- index) may use PostgreSQL's parallel workers. The planner decides whether a query may run in
-- parallel before it inlines SQL functions, from how each function called is marked, and a
-- function not marked is PARALLEL UNSAFE: callops_call_matches in every console query kept them
-- all on one core. These functions only compute from their arguments or read tables.
ALTER FUNCTION callops_state_key(text) PARALLEL SAFE;
ALTER FUNCTION callops_digit_suffixes(text) PARALLEL SAFE;
ALTER FUNCTION callops_search_matches(uuid, text, text, text, text, text) PARALLEL SAFE;
ALTER FUNCTION callops_search_call_ids(text) PARALLEL SAFE;

-- Whether a call has stayed in its state past the moment p_cutoff (its state's threshold counted
-- back from now): classifying and calling by the time the state was entered; any other state once
-- it is due and has not been updated since (a lease does not count as an update, migration 0022).
-- The one definition of "stuck", for the table's filter (callops_call_matches, which works the
-- cutoff out per row) and the state counts (which work it out once per state).
CREATE OR REPLACE FUNCTION callops_call_is_stuck(c pending_calls, p_cutoff timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN c.workflow_state IN ('classifying', 'calling')
                THEN c.state_changed_at < p_cutoff
                ELSE c.updated_at < p_cutoff AND (c.next_action_at IS NULL OR c.next_action_at <= now()) END
$$;

-- Migration 0026's predicate, its stuck branch through callops_call_is_stuck; the same calls match.
CREATE OR REPLACE FUNCTION callops_call_matches(
    c pending_calls, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[]) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (f_states IS NULL
            OR (c.workflow_state = ANY (f_states) AND callops_state_key(c.workflow_state) = c.workflow_state)
            OR ('unknown' = ANY (f_states) AND callops_state_key(c.workflow_state) = 'unknown'))
       AND (f_clinic IS NULL OR c.clinic_name = f_clinic)
       AND (f_failure_reason IS NULL OR c.failure_reason = f_failure_reason)
       AND (f_since IS NULL OR c.state_changed_at >= f_since)
       AND (f_until IS NULL OR c.state_changed_at < f_until)
       AND (f_search IS NULL OR btrim(f_search) = ''
            OR callops_search_matches(c.id, c.exam_id, c.employee_name, c.clinic_name, c.phone_digits,
                                      f_search))
       AND (f_stuck_states IS NULL
            OR (c.workflow_state = ANY (f_stuck_states)
                AND callops_call_is_stuck(c, now() - make_interval(
                        secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)]))))
$$;

-- The console's state counts and how many calls are stuck, in one pass over the table, each
-- state's cutoff worked out once rather than per row (a million rows: 0.43 s for the stuck count
-- alone through callops_call_matches, 0.3 s for both here). States are counted as stored, so that a
-- state written by someone else is counted too; a state without a threshold is never stuck.
CREATE OR REPLACE FUNCTION callops_state_counts(f_stuck_states text[], f_stuck_seconds int[])
RETURNS TABLE (workflow_state text, calls bigint, stuck bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(pc.workflow_state, ''), count(*),
           count(*) FILTER (WHERE callops_call_is_stuck(pc, t.cutoff))
      FROM pending_calls pc
      LEFT JOIN (SELECT u.state, now() - make_interval(secs => u.seconds) AS cutoff
                   FROM unnest(f_stuck_states, f_stuck_seconds) AS u(state, seconds)) t
             ON t.state = pc.workflow_state
     GROUP BY 1
$$;
