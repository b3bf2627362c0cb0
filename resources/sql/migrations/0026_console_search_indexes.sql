-- The console's search and state filter from indexes. At a million calls every search (a phone
-- number in any format, an exam id, a name, a clinic, a call id) read the whole table, twice (the
-- page and the count): 2.5-3.5 s for each term, and the state filter could not use the state index
-- because the state was wrapped in callops_state_key().
--
-- Trigram indexes (pg_trgm, in PostgreSQL's contrib and on Supabase) find "contains" matches for
-- ILIKE '%term%'. Where the extension cannot be created (not installed, or the role may not), the
-- search works as before, by reading the table.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION pg_trgm;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm is not available (%): the console searches without its index', SQLERRM;
        END;
    END IF;
END
$$;

-- One index for the four columns the search looks in (fewer index pages to update per new row
-- version than four indexes). The operator class is named with its schema: Supabase keeps
-- extensions in the schema "extensions".
DO $$
DECLARE
    v_ops text;
BEGIN
    SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO v_ops
      FROM pg_opclass o JOIN pg_namespace n ON n.oid = o.opcnamespace JOIN pg_am a ON a.oid = o.opcmethod
     WHERE o.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
     LIMIT 1;
    IF v_ops IS NOT NULL THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS idx_pending_calls_console_search ON pending_calls '
                       'USING gin (exam_id %1$s, employee_name %1$s, clinic_name %1$s, phone_digits %1$s)',
                       v_ops);
    END IF;
END
$$;

-- A stored number that lacks the term's country code ("4155550100" for "+1 415 555 0100") is one
-- of the term's last digits, seven or more of them: an equality lookup in this index.
CREATE INDEX IF NOT EXISTS idx_pending_calls_phone_digits ON pending_calls (phone_digits);

-- The suffixes of seven digits or more of p_digits, longest first.
CREATE OR REPLACE FUNCTION callops_digit_suffixes(p_digits text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(right(p_digits, n) ORDER BY n DESC), '{}')
      FROM generate_series(7, length(p_digits)) AS n
$$;

-- Migration 0010's predicate, matching the same calls, written so that PostgreSQL can use indexes:
-- the state compared as it is stored (the state index), a call id as a uuid (the primary key), the
-- "country code the stored number lacks" case as an equality on phone_digits. The parameters are
-- constants in the console's queries, so the branches a filter does not use fold away.
CREATE OR REPLACE FUNCTION callops_call_matches(
    c pending_calls, f_states text[], f_clinic text, f_failure_reason text,
    f_since timestamptz, f_until timestamptz, f_search text,
    f_stuck_states text[], f_stuck_seconds int[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f_states IS NULL
            OR (c.workflow_state = ANY (f_states) AND callops_state_key(c.workflow_state) = c.workflow_state)
            OR ('unknown' = ANY (f_states) AND callops_state_key(c.workflow_state) = 'unknown'))
       AND (f_clinic IS NULL OR c.clinic_name = f_clinic)
       AND (f_failure_reason IS NULL OR c.failure_reason = f_failure_reason)
       AND (f_since IS NULL OR c.state_changed_at >= f_since)
       AND (f_until IS NULL OR c.state_changed_at < f_until)
       AND (f_search IS NULL OR btrim(f_search) = ''
            OR c.id = CASE WHEN btrim(f_search) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                           THEN btrim(f_search)::uuid END
            OR c.exam_id ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR c.employee_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR c.clinic_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
            OR (btrim(f_search) ~ '^[0-9 +().\-/]+$'
                AND length(regexp_replace(f_search, '[^0-9]', '', 'g')) >= 3
                AND (c.phone_digits LIKE '%' || regexp_replace(f_search, '[^0-9]', '', 'g') || '%'
                     -- the term has a country code the stored number lacks ("+1 555 ..." for "555...")
                     OR c.phone_digits = ANY (callops_digit_suffixes(regexp_replace(f_search, '[^0-9]', '', 'g'))))))
       AND (f_stuck_states IS NULL
            OR (c.workflow_state = ANY (f_stuck_states)
                AND CASE WHEN c.workflow_state IN ('classifying', 'calling')
                         THEN c.state_changed_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                         ELSE c.updated_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                              AND (c.next_action_at IS NULL OR c.next_action_at <= now()) END))
$$;
