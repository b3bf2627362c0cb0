-- What the CallOps scheduler needs beyond the guide's schema: normalised numbers, leases that do
-- not count as changes, a rate limit shared by every scheduler on the database, and the moves of
-- the transition table that must be atomic in the database (starting calls, recording outcomes,
-- failed POSTs, the in-flight rescue).

-- E.164 form of the number, filled by the scheduler (libphonenumber); '' when unparsable.
ALTER TABLE pending_calls ADD COLUMN IF NOT EXISTS phone_e164 text;
ALTER TABLE call_classifications ADD COLUMN IF NOT EXISTS phone_e164 text;
CREATE INDEX IF NOT EXISTS idx_pending_calls_phone_e164_inflight
    ON pending_calls (phone_e164) WHERE workflow_state IN ('classifying', 'calling');
CREATE INDEX IF NOT EXISTS idx_call_classifications_e164
    ON call_classifications (phone_e164, created_at DESC) WHERE is_active;

-- A lease taken or released is not a change of the call: it must not move updated_at (the
-- guide's stuck-call query reads it) nor wake every console. A changed phone forgets its E.164.
CREATE OR REPLACE FUNCTION callops_touch_pending_call() RETURNS trigger
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    IF (NEW.locked_by IS DISTINCT FROM OLD.locked_by OR NEW.locked_until IS DISTINCT FROM OLD.locked_until)
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

-- Notify on what consoles and schedulers care about: rows added or removed, a state or a due
-- time changed. pg_notify folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION callops_notify_pending_calls() RETURNS trigger
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_notify('pending_calls', lower(TG_OP));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS pending_calls_notify ON pending_calls;
CREATE TRIGGER pending_calls_notify
    AFTER INSERT OR DELETE ON pending_calls
    FOR EACH STATEMENT EXECUTE FUNCTION callops_notify_pending_calls();
DROP TRIGGER IF EXISTS pending_calls_notify_update ON pending_calls;
CREATE TRIGGER pending_calls_notify_update
    AFTER UPDATE ON pending_calls
    FOR EACH ROW
    WHEN (OLD.workflow_state IS DISTINCT FROM NEW.workflow_state
          OR OLD.next_action_at IS DISTINCT FROM NEW.next_action_at)
    EXECUTE FUNCTION callops_notify_pending_calls();

-- The calls-per-second limit of the telephony account, shared by all schedulers: each call
-- reserves the next free slot; the row lock serialises the reservations.
CREATE TABLE IF NOT EXISTS callops_rate_limit (
    name text PRIMARY KEY,
    next_slot timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION callops_reserve_call_slot(p_spacing interval)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_slot timestamptz;
BEGIN
    INSERT INTO callops_rate_limit (name, next_slot) VALUES ('calls', clock_timestamp())
    ON CONFLICT (name) DO NOTHING;
    UPDATE callops_rate_limit
       SET next_slot = greatest(next_slot, clock_timestamp()) + p_spacing
     WHERE name = 'calls'
    RETURNING next_slot - p_spacing INTO v_slot;
    RETURN v_slot;
END
$$;

-- Start the calls of the given leased rows: commits the move to classifying / calling (a new
-- attempt) just before the scheduler sends their POSTs. A row is started only when it is still
-- in the state the scheduler saw, still leased by it, and no other call to its number is in
-- flight; at most one row per number. Numbers are locked in a fixed order so concurrent
-- schedulers serialise per number and never deadlock.
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
    RETURNING p.id,
              CASE p.workflow_state WHEN 'classifying' THEN 'classification' ELSE 'task' END,
              p.attempt;
END
$$;

-- A POST that failed. Transient (timeout, 5xx, network): back to the state before with a
-- backoff, counted as an attempt; permanent (4xx) or attempts exhausted: failed /
-- classification_failed. Only the current attempt of a row still in flight is moved.
CREATE OR REPLACE FUNCTION callops_record_post_failure(p_id uuid, p_attempt int, p_transient boolean,
                                                       p_error text, p_backoff_seconds int)
RETURNS TABLE (moved boolean, from_state text, to_state text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    r pending_calls%ROWTYPE;
    v_to text;
    v_exhausted boolean;
BEGIN
    SELECT * INTO r FROM pending_calls p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND OR r.attempt <> p_attempt OR r.workflow_state NOT IN ('classifying', 'calling') THEN
        RETURN QUERY SELECT false, r.workflow_state, r.workflow_state;
        RETURN;
    END IF;
    IF r.workflow_state = 'classifying' THEN
        v_exhausted := r.classification_attempts >= coalesce(r.max_retries, 3);
        v_to := CASE WHEN p_transient AND NOT v_exhausted THEN 'needs_classification' ELSE 'classification_failed' END;
    ELSE
        v_exhausted := coalesce(r.retry_count, 0) + 1 > coalesce(r.max_retries, 3);
        v_to := CASE WHEN p_transient AND NOT v_exhausted THEN 'ready_to_call' ELSE 'failed' END;
    END IF;
    PERFORM set_config('callops.event', CASE WHEN v_to IN ('failed', 'classification_failed')
                                             THEN 'permanent_post_failure' ELSE 'transient_post_failure' END, true);
    UPDATE pending_calls p
       SET workflow_state = v_to,
           last_error = p_error,
           retry_count = CASE WHEN r.workflow_state = 'calling' AND v_to = 'ready_to_call'
                              THEN coalesce(p.retry_count, 0) + 1 ELSE p.retry_count END,
           next_action_at = CASE WHEN v_to IN ('failed', 'classification_failed') THEN NULL
                                 ELSE now() + make_interval(secs => p_backoff_seconds) END,
           failed_at = CASE WHEN v_to IN ('failed', 'classification_failed') THEN now() ELSE p.failed_at END,
           failure_reason = CASE WHEN v_to IN ('failed', 'classification_failed')
                                 THEN CASE WHEN p_transient THEN 'Attempts exhausted: ' || p_error ELSE p_error END
                                 ELSE p.failure_reason END
     WHERE p.id = p_id;
    RETURN QUERY SELECT true, r.workflow_state, v_to;
END
$$;

-- Outcomes (guide Step 4) for the attempt they answer; an outcome for an attempt that is no
-- longer current is kept in the history without moving the row. A classification is kept for
-- the number either way: what the line is does not depend on which attempt found it out.
CREATE OR REPLACE FUNCTION callops_record_classification(
    p_id uuid, p_attempt int, p_result text, p_detail text DEFAULT NULL,
    p_ivr_wait_seconds int DEFAULT 30, p_valid_days int DEFAULT 30,
    p_backoff_base_seconds int DEFAULT 30, p_backoff_cap_seconds int DEFAULT 3600)
RETURNS TABLE (moved boolean, from_state text, to_state text, current_attempt int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    r pending_calls%ROWTYPE;
    v_classification uuid;
    v_to text;
    v_backoff double precision;
BEGIN
    IF p_result NOT IN ('human', 'ivr_only', 'ivr_then_human', 'failed') THEN
        RAISE EXCEPTION 'unknown classification result "%": expected human, ivr_only, ivr_then_human or failed', p_result
            USING ERRCODE = '22023';
    END IF;
    SELECT * INTO r FROM pending_calls p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pending call % does not exist', p_id USING ERRCODE = 'P0002';
    END IF;
    IF p_result <> 'failed' THEN
        INSERT INTO call_classifications (phone_number, phone_e164, classification_type, is_active,
                                          classification_expires_at)
        VALUES (coalesce(r.phone, ''), r.phone_e164, p_result, true, now() + make_interval(days => p_valid_days))
        RETURNING id INTO v_classification;
    END IF;

    IF r.workflow_state IS DISTINCT FROM 'classifying' OR r.attempt <> p_attempt THEN
        INSERT INTO workflow_events (pending_call_id, from_state, to_state, actor, reason, detail)
        VALUES (r.id, r.workflow_state, r.workflow_state,
                coalesce(nullif(current_setting('callops.actor', true), ''), session_user::text),
                format('stale classification outcome %s for attempt %s; current attempt %s in state %s',
                       p_result, p_attempt, r.attempt, r.workflow_state),
                jsonb_build_object('event', 'stale_outcome', 'outcome', p_result, 'attempt', p_attempt,
                                   'current_attempt', r.attempt));
        RETURN QUERY SELECT false, r.workflow_state, r.workflow_state, r.attempt;
        RETURN;
    END IF;

    IF p_result = 'human' THEN
        v_to := 'calling';
        PERFORM set_config('callops.event', 'human_answered', true);
    ELSIF p_result IN ('ivr_only', 'ivr_then_human') THEN
        v_to := 'classification_pending';
        PERFORM set_config('callops.event', 'ivr_detected', true);
    ELSIF r.classification_attempts >= coalesce(r.max_retries, 3) THEN
        v_to := 'classification_failed';
        PERFORM set_config('callops.event', 'classification_attempts_exhausted', true);
    ELSE
        v_to := 'needs_classification';
        PERFORM set_config('callops.event', 'classification_call_failed', true);
    END IF;
    v_backoff := least(p_backoff_cap_seconds,
                       p_backoff_base_seconds * power(2, greatest(r.classification_attempts, 1) - 1))
                 * (0.8 + random() * 0.4);

    UPDATE pending_calls p
       SET workflow_state = v_to,
           classification_id = coalesce(v_classification, p.classification_id),
           ivr_classified_at = CASE WHEN v_to = 'classification_pending' THEN now() ELSE p.ivr_classified_at END,
           next_action_at = CASE v_to
                                WHEN 'classification_pending' THEN now() + make_interval(secs => p_ivr_wait_seconds)
                                WHEN 'needs_classification' THEN now() + make_interval(secs => least(v_backoff, p_backoff_cap_seconds))
                                WHEN 'classification_failed' THEN NULL
                                ELSE p.next_action_at END,
           workflow_metadata = coalesce(p.workflow_metadata, '{}'::jsonb)
               || jsonb_build_object('classification_completed_at', now(), 'classification_type', p_result),
           last_error = CASE WHEN p_result = 'failed' THEN coalesce(p_detail, 'classification call failed')
                             ELSE p.last_error END,
           failed_at = CASE WHEN v_to = 'classification_failed' THEN now() ELSE p.failed_at END,
           failure_reason = CASE WHEN v_to = 'classification_failed'
                                 THEN 'Classification attempts exhausted: ' || coalesce(p_detail, 'no answer')
                                 ELSE p.failure_reason END
     WHERE p.id = p_id;
    RETURN QUERY SELECT true, r.workflow_state, v_to, r.attempt;
END
$$;

CREATE OR REPLACE FUNCTION callops_record_task_result(
    p_id uuid, p_attempt int, p_success boolean, p_detail text DEFAULT NULL,
    p_retry_delay_seconds int DEFAULT 1800)
RETURNS TABLE (moved boolean, from_state text, to_state text, current_attempt int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    r pending_calls%ROWTYPE;
    v_to text := CASE WHEN p_success THEN 'completed' ELSE 'retry_pending' END;
BEGIN
    SELECT * INTO r FROM pending_calls p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pending call % does not exist', p_id USING ERRCODE = 'P0002';
    END IF;
    IF r.workflow_state IS DISTINCT FROM 'calling' OR r.attempt <> p_attempt THEN
        INSERT INTO workflow_events (pending_call_id, from_state, to_state, actor, reason, detail)
        VALUES (r.id, r.workflow_state, r.workflow_state,
                coalesce(nullif(current_setting('callops.actor', true), ''), session_user::text),
                format('stale task outcome %s for attempt %s; current attempt %s in state %s',
                       CASE WHEN p_success THEN 'success' ELSE 'failure' END, p_attempt, r.attempt, r.workflow_state),
                jsonb_build_object('event', 'stale_outcome', 'outcome',
                                   CASE WHEN p_success THEN 'success' ELSE 'failure' END,
                                   'attempt', p_attempt, 'current_attempt', r.attempt));
        RETURN QUERY SELECT false, r.workflow_state, r.workflow_state, r.attempt;
        RETURN;
    END IF;
    PERFORM set_config('callops.event', CASE WHEN p_success THEN 'task_succeeded' ELSE 'task_failed' END, true);
    UPDATE pending_calls p
       SET workflow_state = v_to,
           completed_at = CASE WHEN p_success THEN now() ELSE p.completed_at END,
           next_action_at = CASE WHEN p_success THEN NULL ELSE now() + make_interval(secs => p_retry_delay_seconds) END,
           last_error = CASE WHEN p_success THEN p.last_error ELSE coalesce(p_detail, 'task call failed') END
     WHERE p.id = p_id;
    RETURN QUERY SELECT true, r.workflow_state, v_to, r.attempt;
END
$$;

-- Calls in flight longer than the timeout go back to retry_pending; their next attempt gets a
-- new attempt number, so a late outcome of the old one no longer moves them.
CREATE OR REPLACE FUNCTION callops_rescue_inflight(p_timeout_seconds int)
RETURNS TABLE (id uuid, from_state text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('callops.event', 'inflight_timeout', true);
    PERFORM set_config('callops.reason', 'in-flight timeout', true);
    RETURN QUERY
    WITH stuck AS (
        SELECT p.id, p.workflow_state FROM pending_calls p
         WHERE p.workflow_state IN ('classifying', 'calling')
           AND coalesce(p.state_changed_at, p.updated_at, p.last_attempt_at)
               < now() - make_interval(secs => p_timeout_seconds)
         FOR UPDATE SKIP LOCKED
    )
    UPDATE pending_calls p
       SET workflow_state = 'retry_pending',
           next_action_at = now(),
           last_error = 'in-flight timeout',
           locked_by = NULL,
           locked_until = NULL
      FROM stuck
     WHERE p.id = stuck.id
    RETURNING p.id, stuck.workflow_state;
    PERFORM set_config('callops.reason', '', true);
END
$$;
