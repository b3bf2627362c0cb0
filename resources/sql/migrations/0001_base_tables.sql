-- The tables as they stood before the guide's Step 1. On a database that already has them
-- (an existing Supabase project) nothing here changes anything.

CREATE TABLE IF NOT EXISTS call_classifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    phone_number text NOT NULL,
    classification_type text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    classification_expires_at timestamptz,
    ivr_details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS pending_calls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id text,
    employee_name text,
    employee_dob date,
    phone text,
    clinic_name text,
    appointment_time timestamptz,
    classification_id uuid REFERENCES call_classifications (id) ON DELETE SET NULL,
    last_attempt_at timestamptz,
    ivr_classified_at timestamptz,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);

CREATE TABLE IF NOT EXISTS call_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pending_call_id uuid REFERENCES pending_calls (id) ON DELETE CASCADE,
    call_sid text,
    kind text,
    ivr_detection_state text,
    status text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
