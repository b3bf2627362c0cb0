-- The console's search and state filter from indexes. At a million calls every search (a phone
-- number in any format, an exam id, a name, a clinic, a call id) read the whole table, twice (the
-- page and the count): 2.5-3.5 s for each term, and the state filter could not use the state index
-- because the state was wrapped in callops_state_key().
--
-- Trigram indexes (pg_trgm, in PostgreSQL's contrib and on Supabase) find "contains" matches for
-- ILIKE '%term%'. Where the extension cannot be created (not installed, or the role may not), the
-- search works as before, by reading the table.
--
-- The searched columns (exam id, employee, clinic, number as typed) are written when a call is
-- created and hardly ever after, while the scheduler changes every call's state several times, and
-- a change of an indexed column (the state) adds the new row version to every index of the table.
-- A trigram index on pending_calls itself took a fifth of the scheduler's database throughput
-- (engine-db 12,300 -> 9,800 rows/s). So the searched columns are copied to pending_call_search,
-- kept by triggers that fire only when a call is created, deleted or one of them changes, and the
-- indexes live there.
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

CREATE TABLE IF NOT EXISTS pending_call_search (
    call_id uuid PRIMARY KEY,
    exam_id text,
    employee_name text,
    clinic_name text,
    phone_digits text
);

-- Kept by the owner whoever writes pending_calls (the scheduler's role may not write this table).
-- Created and deleted calls come a statement at a time (a bulk insert is one INSERT ... SELECT);
-- a change of a searched column a row at a time, as a statement trigger with transition tables
-- cannot be limited to some columns and would copy every row the scheduler updates.
CREATE OR REPLACE FUNCTION callops_search_rows_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO pending_call_search (call_id, exam_id, employee_name, clinic_name, phone_digits)
    SELECT id, exam_id, employee_name, clinic_name, phone_digits FROM added
    ON CONFLICT (call_id) DO UPDATE
        SET exam_id = EXCLUDED.exam_id, employee_name = EXCLUDED.employee_name,
            clinic_name = EXCLUDED.clinic_name, phone_digits = EXCLUDED.phone_digits;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION callops_search_rows_removed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM pending_call_search s USING removed r WHERE s.call_id = r.id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION callops_search_row_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        DELETE FROM pending_call_search WHERE call_id = OLD.id;
    END IF;
    INSERT INTO pending_call_search (call_id, exam_id, employee_name, clinic_name, phone_digits)
    VALUES (NEW.id, NEW.exam_id, NEW.employee_name, NEW.clinic_name, NEW.phone_digits)
    ON CONFLICT (call_id) DO UPDATE
        SET exam_id = EXCLUDED.exam_id, employee_name = EXCLUDED.employee_name,
            clinic_name = EXCLUDED.clinic_name, phone_digits = EXCLUDED.phone_digits;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION callops_search_rows_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    TRUNCATE pending_call_search;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    v_function text;
BEGIN
    -- Trigger functions only; nobody calls them.
    FOREACH v_function IN ARRAY ARRAY['callops_search_rows_added()', 'callops_search_rows_removed()',
                                      'callops_search_row_changed()', 'callops_search_rows_truncated()'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_function);
    END LOOP;
END
$$;

DROP TRIGGER IF EXISTS pending_calls_search_insert ON pending_calls;
CREATE TRIGGER pending_calls_search_insert AFTER INSERT ON pending_calls
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION callops_search_rows_added();
DROP TRIGGER IF EXISTS pending_calls_search_delete ON pending_calls;
CREATE TRIGGER pending_calls_search_delete AFTER DELETE ON pending_calls
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION callops_search_rows_removed();
DROP TRIGGER IF EXISTS pending_calls_search_update ON pending_calls;
CREATE TRIGGER pending_calls_search_update
    AFTER UPDATE OF id, exam_id, employee_name, clinic_name, phone ON pending_calls FOR EACH ROW
    WHEN (NEW.id IS DISTINCT FROM OLD.id OR NEW.exam_id IS DISTINCT FROM OLD.exam_id
          OR NEW.employee_name IS DISTINCT FROM OLD.employee_name
          OR NEW.clinic_name IS DISTINCT FROM OLD.clinic_name OR NEW.phone IS DISTINCT FROM OLD.phone)
    EXECUTE FUNCTION callops_search_row_changed();
DROP TRIGGER IF EXISTS pending_calls_search_truncate ON pending_calls;
CREATE TRIGGER pending_calls_search_truncate AFTER TRUNCATE ON pending_calls
    FOR EACH STATEMENT EXECUTE FUNCTION callops_search_rows_truncated();

-- Also for writers that skip the other triggers (session_replication_role = replica: the demo's
-- back-dated histories, bulk loads, logical replication): search must find every call.
ALTER TABLE pending_calls ENABLE ALWAYS TRIGGER pending_calls_search_insert;
ALTER TABLE pending_calls ENABLE ALWAYS TRIGGER pending_calls_search_delete;
ALTER TABLE pending_calls ENABLE ALWAYS TRIGGER pending_calls_search_update;
ALTER TABLE pending_calls ENABLE ALWAYS TRIGGER pending_calls_search_truncate;

INSERT INTO pending_call_search (call_id, exam_id, employee_name, clinic_name, phone_digits)
SELECT id, exam_id, employee_name, clinic_name, phone_digits FROM pending_calls
ON CONFLICT (call_id) DO NOTHING;

-- One index for the four columns the search looks in, built after the copy (a bulk build, not a
-- million inserts). The operator class is named with its schema: Supabase keeps extensions in the
-- schema "extensions".
DO $$
DECLARE
    v_ops text;
BEGIN
    SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO v_ops
      FROM pg_opclass o JOIN pg_namespace n ON n.oid = o.opcnamespace JOIN pg_am a ON a.oid = o.opcmethod
     WHERE o.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
     LIMIT 1;
    IF v_ops IS NOT NULL THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS idx_pending_call_search_text ON pending_call_search '
                       'USING gin (exam_id %1$s, employee_name %1$s, clinic_name %1$s, phone_digits %1$s)',
                       v_ops);
    END IF;
END
$$;

-- A stored number that lacks the term's country code ("4155550100" for "+1 415 555 0100") is one
-- of the term's last digits, seven or more of them: an equality lookup in this index.
CREATE INDEX IF NOT EXISTS idx_pending_call_search_digits ON pending_call_search (phone_digits);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_dispatcher') THEN
        GRANT SELECT ON pending_call_search TO callops_dispatcher;
    END IF;
END
$$;

-- The suffixes of seven digits or more of p_digits, longest first.
CREATE OR REPLACE FUNCTION callops_digit_suffixes(p_digits text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(right(p_digits, n) ORDER BY n DESC), '{}')
      FROM generate_series(7, length(p_digits)) AS n
$$;

-- What a search term matches in a call: its id, an exam id, employee or clinic containing the
-- term, or a number containing its digits (or, when the stored number lacks the term's country
-- code, equal to its last digits). One definition for callops_call_matches and the search table's
-- candidates; inlined into both, so that each column's comparison reaches its index.
CREATE OR REPLACE FUNCTION callops_search_matches(
    p_id uuid, p_exam_id text, p_employee_name text, p_clinic_name text, p_phone_digits text,
    f_search text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_id = CASE WHEN btrim(f_search) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                       THEN btrim(f_search)::uuid END
        OR p_exam_id ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
        OR p_employee_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
        OR p_clinic_name ILIKE '%' || replace(replace(replace(btrim(f_search), '\', '\\'), '%', '\%'), '_', '\_') || '%'
        OR (btrim(f_search) ~ '^[0-9 +().\-/]+$'
            AND length(regexp_replace(f_search, '[^0-9]', '', 'g')) >= 3
            AND (p_phone_digits LIKE '%' || regexp_replace(f_search, '[^0-9]', '', 'g') || '%'
                 -- the term has a country code the stored number lacks ("+1 555 ..." for "555...")
                 OR p_phone_digits = ANY (callops_digit_suffixes(regexp_replace(f_search, '[^0-9]', '', 'g')))))
$$;

-- Migration 0010's predicate, matching the same calls, written so that PostgreSQL can use the
-- state index: the state compared as it is stored, a call id as a uuid (the primary key). The
-- parameters are constants in the console's queries, so the branches a filter does not use fold
-- away. A search term's candidates come from callops_search_call_ids (below), which the console's
-- queries join; this function has the last word on every candidate.
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
            OR callops_search_matches(c.id, c.exam_id, c.employee_name, c.clinic_name, c.phone_digits,
                                      f_search))
       AND (f_stuck_states IS NULL
            OR (c.workflow_state = ANY (f_stuck_states)
                AND CASE WHEN c.workflow_state IN ('classifying', 'calling')
                         THEN c.state_changed_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                         ELSE c.updated_at < now() - make_interval(
                                  secs => f_stuck_seconds[array_position(f_stuck_states, c.workflow_state)])
                              AND (c.next_action_at IS NULL OR c.next_action_at <= now()) END))
$$;

-- The calls a search term may match, found through pending_call_search's indexes. Inlined into the
-- console's queries, which keep only the calls callops_call_matches also accepts.
CREATE OR REPLACE FUNCTION callops_search_call_ids(f_search text) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
    SELECT s.call_id
      FROM pending_call_search s
     WHERE callops_search_matches(s.call_id, s.exam_id, s.employee_name, s.clinic_name, s.phone_digits,
                                  f_search)
$$;
