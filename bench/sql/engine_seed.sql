-- current_setting('bench.rows') due `new` pending calls for the engine's database-only benchmark. Numbers are shared by
-- two calls each and written in varied formats, as hand-entered data is; 60 % of the numbers have
-- an active, unexpired classification (stored in E.164, as the classification server writes it),
-- and some of the others have only an inactive or expired one, which must not match. The state each
-- row must reach is kept in workflow_metadata.bench_expect for the driver's check. Classifications
-- come with phone_e164 filled, as the engine's background normalisation leaves them once it has
-- caught up: the benchmark times the passes, not that catch-up.
-- Triggers are skipped while seeding (session_replication_role): the benchmark times the passes.
SET session_replication_role = replica;
CREATE TEMP TABLE bench_numbers AS
SELECT k,
       (ARRAY['212', '312', '415', '617', '713', '206', '305', '404', '503', '602'])[1 + k % 10] AS area,
       (201 + (k / 100000) * 111)::text AS exchange,
       lpad(((k / 10) % 10000)::text, 4, '0') AS line
FROM generate_series(0, (current_setting('bench.rows')::int + 1) / 2 - 1) AS k;

INSERT INTO call_classifications (phone_number, phone_e164, classification_type, is_active,
                                  classification_expires_at)
SELECT '+1' || area || exchange || line, '+1' || area || exchange || line,
       (ARRAY['human', 'ivr_only', 'ivr_then_human'])[1 + k % 3],
       true,
       CASE WHEN k % 2 = 0 THEN now() + interval '30 days' END
FROM bench_numbers WHERE k % 10 < 6
UNION ALL
SELECT '+1' || area || exchange || line, '+1' || area || exchange || line, 'human', k % 10 = 7,
       CASE WHEN k % 10 = 7 THEN now() - interval '1 day' END
FROM bench_numbers WHERE k % 10 IN (6, 7);

INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, appointment_time,
                           workflow_state, next_action_at, workflow_metadata)
SELECT 'EX-' || g,
       'Bench Person ' || g,
       date '1960-01-01' + (g % 15000),
       CASE g % 5
           WHEN 0 THEN '+1' || n.area || n.exchange || n.line
           WHEN 1 THEN '(' || n.area || ') ' || n.exchange || '-' || n.line
           WHEN 2 THEN n.area || '-' || n.exchange || '-' || n.line
           WHEN 3 THEN n.area || '.' || n.exchange || '.' || n.line
           ELSE '1 ' || n.area || ' ' || n.exchange || ' ' || n.line
       END,
       'Clinic ' || (g % 500),
       now() + interval '2 days',
       'new',
       now() - interval '1 hour' + (g % 3600) * interval '1 second' / 2,
       jsonb_build_object('bench_expect', CASE WHEN n.k % 10 < 6 THEN 'ready_to_call' ELSE 'needs_classification' END)
FROM generate_series(0, current_setting('bench.rows')::int - 1) AS g
JOIN bench_numbers AS n ON n.k = g / 2;
RESET session_replication_role;
VACUUM ANALYZE pending_calls;
VACUUM ANALYZE call_classifications;
