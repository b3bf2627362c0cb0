-- Fills a pending_calls-shaped table (:"tbl") with :rows due `new` rows for the raw claim
-- benchmark. Due times lie in the past, spread over a day, so every row is due and claimed rows
-- (next_action_at = now()) sort after all seeded ones.
TRUNCATE :"tbl" CASCADE;
INSERT INTO :"tbl" (exam_id, employee_name, phone, clinic_name, appointment_time, workflow_state,
                    next_action_at)
SELECT 'EX-' || g, 'Bench Person ' || g, '+1415555' || lpad((g % 10000)::text, 4, '0'),
       'Clinic ' || (g % 50), now() + interval '2 days', 'new',
       now() - interval '1 day' + (g * interval '1 millisecond')
FROM generate_series(1, :rows) AS g;
VACUUM ANALYZE :"tbl";
