-- pending_calls, call_classifications and call_sessions as an existing Supabase project has them
-- before the guide's Step 1: no workflow columns, no trigger, a few rows. Written independently
-- of CallOps' migrations on purpose (no defaults we rely on, FKs as people write them).
CREATE TABLE call_classifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    phone_number text,
    classification_type text,
    is_active boolean DEFAULT true,
    classification_expires_at timestamptz,
    created_at timestamptz DEFAULT now()
);
CREATE TABLE pending_calls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id text,
    employee_name text,
    employee_dob date,
    phone text,
    clinic_name text,
    appointment_time timestamptz,
    classification_id uuid REFERENCES call_classifications(id),
    last_attempt_at timestamptz,
    ivr_classified_at timestamptz,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);
CREATE TABLE call_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pending_call_id uuid REFERENCES pending_calls(id),
    call_sid text,
    created_at timestamptz DEFAULT now()
);
INSERT INTO call_classifications (id, phone_number, classification_type, classification_expires_at)
VALUES ('11111111-1111-1111-1111-111111111111', '+15555550100', 'ivr_only', now() + interval '30 days');
INSERT INTO pending_calls (id, exam_id, employee_name, employee_dob, phone, clinic_name, appointment_time,
                           classification_id, created_at, updated_at)
VALUES ('22222222-2222-2222-2222-222222222221', 'EX-1', 'Ana Ruiz', '1985-03-02', '+15555550100', 'North Clinic',
        now() + interval '2 days', '11111111-1111-1111-1111-111111111111', now() - interval '3 days',
        now() - interval '3 days'),
       ('22222222-2222-2222-2222-222222222222', 'EX-2', 'Bo Chen', '1979-11-20', '(555) 555-0101', 'South Clinic',
        now() + interval '3 days', NULL, now() - interval '1 day', now() - interval '1 day'),
       ('22222222-2222-2222-2222-222222222223', 'EX-3', 'Cy Diaz', '1990-07-14', '555-12', 'East Clinic',
        now() + interval '4 days', NULL, now(), now());
INSERT INTO call_sessions (pending_call_id, call_sid)
VALUES ('22222222-2222-2222-2222-222222222221', 'CA0001');
