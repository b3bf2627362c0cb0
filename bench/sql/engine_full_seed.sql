-- current_setting('bench.rows') ready_to_call pending calls for the engine's full-cycle benchmark:
-- classified (human), due, each with its own number (calls to one number wait for each other by
-- design; this measures the engine, not that rule), in a clinic time zone of their own, with the
-- E.164 form stored as the engine's own new -> ready_to_call pass leaves it (rows written straight
-- into ready_to_call by hand would have it stored by their first pass instead).
-- Triggers are skipped while seeding (session_replication_role): the benchmark times the cycle.
SET session_replication_role = replica;
INSERT INTO call_classifications (phone_number, phone_e164, classification_type, is_active)
SELECT '+1' || (ARRAY['212', '312', '415', '617', '713', '206', '305', '404', '503', '602'])[1 + g % 10]
       || (201 + (g / 100000) * 111)::text || lpad(((g / 10) % 10000)::text, 4, '0'),
       NULL, 'human', true
FROM generate_series(0, current_setting('bench.rows')::int - 1) AS g;
UPDATE call_classifications SET phone_e164 = phone_number;
INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, phone_e164, clinic_name, clinic_timezone,
                           appointment_time, workflow_state, classification_id, next_action_at)
SELECT 'EX-' || row_number() OVER (), 'Bench Person', date '1970-01-01', c.phone_number, c.phone_number, 'Clinic',
       'America/New_York', now() + interval '2 days', 'ready_to_call', c.id,
       now() - interval '10 minutes'
FROM call_classifications c;
RESET session_replication_role;
VACUUM ANALYZE pending_calls;
VACUUM ANALYZE call_classifications;
