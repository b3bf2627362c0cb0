-- Insert a test pending call
INSERT INTO pending_calls (
  id,
  exam_id,
  employee_name,
  employee_dob,
  phone,
  clinic_name,
  appointment_time,
  workflow_state,
  next_action_at
) VALUES (
  gen_random_uuid(),
  'TEST-001',
  'Test Patient',
  '1990-01-01',
  '+1234567890',  -- Use a real test number
  'Test Clinic',
  NOW() + INTERVAL '1 day',
  'new',
  NOW()
);
