-- current_setting('bench.rows') pending calls spread over every workflow state, as a busy production table might hold
-- them, for the console benchmark. Triggers are skipped while seeding (session_replication_role)
-- so that seeding a million rows stays quick; the console reads pending_calls only.
SET session_replication_role = replica;
INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, clinic_timezone,
                           appointment_time, workflow_state, retry_count, next_action_at,
                           state_changed_at, last_error, created_at, updated_at)
SELECT 'EX-' || g,
       'Bench Person ' || g,
       date '1960-01-01' + (g % 15000),
       '+1415' || lpad((g % 10000000)::text, 7, '0'),
       'Clinic ' || (g % 500),
       (ARRAY['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'])[1 + g % 4],
       now() + (g % 1000) * interval '1 hour',
       (ARRAY['new', 'checking_classification', 'needs_classification', 'classifying',
              'classification_pending', 'ready_to_call', 'calling', 'retry_pending', 'completed',
              'completed', 'completed', 'completed', 'failed', 'classification_failed'])[1 + g % 14],
       g % 3,
       now() + (g % 7200 - 3600) * interval '1 second',
       now() - (g % 86400) * interval '1 second',
       CASE WHEN g % 14 IN (12, 13) THEN 'Max retries exceeded' END,
       now() - (g % 86400) * interval '1 second',
       now() - (g % 86400) * interval '1 second'
FROM generate_series(1, current_setting('bench.rows')::int) AS g;
RESET session_replication_role;
VACUUM ANALYZE pending_calls;
