-- Demo-like calls for the screenshots (scripts/screenshots.sh): a working day of a small call
-- centre, with a few calls stuck in flight and some operator actions in the history.
SELECT setseed(0.42);

INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, clinic_timezone,
                           appointment_time, workflow_state, retry_count, max_retries, next_action_at,
                           last_error, failure_reason, failed_at, created_at, updated_at, state_changed_at)
SELECT 'EX-' || (24000 + g),
       (ARRAY['Maria Garcia', 'James Smith', 'Linda Johnson', 'Robert Brown', 'Patricia Davis', 'Michael Miller',
              'Jennifer Wilson', 'David Moore', 'Elizabeth Taylor', 'Carlos Hernandez', 'Susan Anderson',
              'Daniel Thomas', 'Ana Martinez', 'Kevin Jackson', 'Laura White', 'Jose Lopez', 'Karen Harris',
              'Brian Clark', 'Nancy Lewis', 'Luis Gonzalez'])[1 + (g * 7 + g / 7) % 20],
       DATE '1958-01-01' + ((g * 367) % 15000),
       (ARRAY['+1 (312) 555-', '312-555-', '+13125550', '(773) 555-', '+1 415 555 '])[1 + g % 5]
           || lpad(((g * 37) % 10000)::text, 4, '0'),
       (ARRAY['Lakeside Occupational Health', 'North Shore Clinic', 'Riverside Medical Group',
              'Westgate Imaging Center', 'Oak Park Family Practice', 'Bay Area Diagnostics'])[1 + g % 6],
       (ARRAY['America/Chicago', 'America/Chicago', 'America/Chicago', 'America/Chicago', 'America/Chicago',
              'America/Los_Angeles'])[1 + g % 6],
       date_trunc('hour', now()) + ((g % 72) || ' hours')::interval,
       s.state,
       CASE WHEN s.state IN ('retry_pending', 'failed') THEN 1 + g % 3 ELSE 0 END,
       3,
       CASE WHEN s.state = 'retry_pending' THEN now() + ((5 + g % 50) || ' minutes')::interval
            WHEN s.state = 'ready_to_call' THEN now() + ((g % 20) || ' minutes')::interval
            ELSE now() END,
       CASE WHEN s.state = 'retry_pending' THEN (ARRAY['No answer', 'Busy', 'Voicemail reached'])[1 + g % 3]
            WHEN s.state = 'failed' THEN 'Max retries exceeded'
            WHEN s.state = 'classification_failed' THEN 'IVR menu not recognised' END,
       CASE WHEN s.state = 'failed' THEN (ARRAY['Max retries exceeded', 'Max retries exceeded',
                                               'Invalid phone number', 'Clinic closed'])[1 + g % 4]
            WHEN s.state = 'classification_failed' THEN 'Classification attempts exhausted' END,
       CASE WHEN s.state IN ('failed', 'classification_failed') THEN now() - ((g % 300) || ' minutes')::interval END,
       now() - ((60 + g % 600) || ' minutes')::interval,
       now() - ((g % 50) || ' minutes')::interval,
       CASE WHEN s.state IN ('classifying', 'calling') THEN now() - ((g % 8) || ' minutes')::interval
            ELSE now() - ((g % 50) || ' minutes')::interval END
FROM generate_series(1, 420) g
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN g % 20 < 3 THEN 'new'
        WHEN g % 20 < 4 THEN 'checking_classification'
        WHEN g % 20 < 6 THEN 'needs_classification'
        WHEN g % 20 < 7 THEN 'classification_pending'
        WHEN g % 20 < 10 THEN 'ready_to_call'
        WHEN g % 20 < 12 THEN 'retry_pending'
        WHEN g % 20 < 13 THEN 'classifying'
        WHEN g % 20 < 14 THEN 'calling'
        WHEN g % 20 < 18 THEN 'completed'
        WHEN g % 20 < 19 THEN 'failed'
        ELSE 'classification_failed' END AS state
) s;

-- In flight for long: stuck.
UPDATE pending_calls SET state_changed_at = now() - interval '25 minutes', updated_at = now() - interval '25 minutes'
WHERE exam_id IN ('EX-24013', 'EX-24033', 'EX-24052');

-- A call with a story: failed, retried by an operator, classified, waiting for its retry.
SELECT * FROM callops_apply_manual_action('mark_failed',
    ARRAY(SELECT id FROM pending_calls WHERE exam_id = 'EX-24011'), 'Clinic asked us to wait for a new number', 'maria.lopez');
SELECT * FROM callops_apply_manual_action('retry_now',
    ARRAY(SELECT id FROM pending_calls WHERE exam_id = 'EX-24011'), 'Clinic confirmed the number', 'maria.lopez');
UPDATE pending_calls SET workflow_state = 'ready_to_call', last_error = NULL WHERE exam_id = 'EX-24011';
UPDATE pending_calls SET workflow_state = 'calling' WHERE exam_id = 'EX-24011';
UPDATE pending_calls SET workflow_state = 'retry_pending', last_error = 'No answer', retry_count = 1,
       next_action_at = now() + interval '25 minutes' WHERE exam_id = 'EX-24011';

-- A scheduler running as a service on a server, as the status bar names it.
INSERT INTO callops_scheduler_presence (scheduler_id, host, pid, started_by, started_at, seen_at, last_pass_at)
VALUES ('sched-01:4121:9f3a', 'sched-01', 4121, NULL, now() - interval '3 hours', now(), now() - interval '12 seconds');
