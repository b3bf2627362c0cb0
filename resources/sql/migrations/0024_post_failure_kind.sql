-- A failed call request now names the kind of call it asked for, and may leave the attempt
-- uncounted.
--
-- Kind: a classification call that a person answers goes on as the task call in the same attempt
-- (classifying -> calling by callops_record_classification). If the classification request then
-- fails late (its answer lost, a timeout after the function had started the call), the row is in
-- `calling` with the same attempt, and the old function took the failure for a failed task request:
-- back to ready_to_call, and the number dialled again while the person may still be on the line.
-- A failure now moves the row only from the state its kind put it in.
--
-- Counted: when the call trigger refuses the request itself (401/403: the key; 404: no such
-- function at that URL) the call was never placed and the fault is the configuration's, not the
-- call's: the row goes back where it was without spending a retry or a classification attempt.
DROP FUNCTION IF EXISTS callops_record_post_failure(uuid, int, boolean, text, int);

CREATE OR REPLACE FUNCTION callops_record_post_failure(p_id uuid, p_attempt int, p_kind text,
                                                       p_transient boolean, p_error text,
                                                       p_backoff_seconds int, p_counted boolean DEFAULT true)
RETURNS TABLE (moved boolean, from_state text, to_state text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    r pending_calls%ROWTYPE;
    v_from text;
    v_to text;
    v_exhausted boolean;
BEGIN
    v_from := CASE p_kind WHEN 'classification' THEN 'classifying' WHEN 'task' THEN 'calling' END;
    IF v_from IS NULL THEN
        RAISE EXCEPTION 'unknown call kind "%": expected classification or task', p_kind USING ERRCODE = '22023';
    END IF;
    SELECT * INTO r FROM pending_calls p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND OR r.attempt <> p_attempt OR r.workflow_state IS DISTINCT FROM v_from THEN
        RETURN QUERY SELECT false, r.workflow_state, r.workflow_state;
        RETURN;
    END IF;
    IF v_from = 'classifying' THEN
        v_exhausted := p_counted AND r.classification_attempts >= coalesce(r.max_retries, 3);
        v_to := CASE WHEN NOT p_counted OR (p_transient AND NOT v_exhausted) THEN 'needs_classification'
                     ELSE 'classification_failed' END;
    ELSE
        v_exhausted := p_counted AND coalesce(r.retry_count, 0) + 1 > coalesce(r.max_retries, 3);
        v_to := CASE WHEN NOT p_counted OR (p_transient AND NOT v_exhausted) THEN 'ready_to_call' ELSE 'failed' END;
    END IF;
    PERFORM set_config('callops.event', CASE WHEN v_to IN ('failed', 'classification_failed')
                                             THEN 'permanent_post_failure' ELSE 'transient_post_failure' END, true);
    UPDATE pending_calls p
       SET workflow_state = v_to,
           last_error = p_error,
           retry_count = CASE WHEN p_counted AND v_from = 'calling' AND v_to = 'ready_to_call'
                              THEN coalesce(p.retry_count, 0) + 1 ELSE p.retry_count END,
           -- Started calls count their classification attempt when they start.
           classification_attempts = CASE WHEN NOT p_counted AND v_from = 'classifying'
                                          THEN greatest(coalesce(p.classification_attempts, 0) - 1, 0)
                                          ELSE p.classification_attempts END,
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

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callops_scheduler') THEN
        GRANT EXECUTE ON FUNCTION callops_record_post_failure(uuid, int, text, boolean, text, int, boolean)
            TO callops_scheduler;
    END IF;
END
$$;
