-- The guide's Step 1 (workflow columns, their defaults, the check constraint and the scheduler
-- index) and Step 8.3 (failed_at, failure_reason), written to also upgrade a database in place:
-- existing rows keep their data and get the Step 1 defaults. Then what CallOps adds.

-- Base columns a hand-made pre-Step-1 table might lack.
ALTER TABLE pending_calls
    ADD COLUMN IF NOT EXISTS exam_id text,
    ADD COLUMN IF NOT EXISTS employee_name text,
    ADD COLUMN IF NOT EXISTS employee_dob date,
    ADD COLUMN IF NOT EXISTS phone text,
    ADD COLUMN IF NOT EXISTS clinic_name text,
    ADD COLUMN IF NOT EXISTS appointment_time timestamptz,
    ADD COLUMN IF NOT EXISTS classification_id uuid,
    ADD COLUMN IF NOT EXISTS last_attempt_at timestamptz,
    ADD COLUMN IF NOT EXISTS ivr_classified_at timestamptz,
    ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at timestamptz DEFAULT now();

-- Step 1.1, column for column.
ALTER TABLE pending_calls
    ADD COLUMN IF NOT EXISTS workflow_state TEXT DEFAULT 'new',
    ADD COLUMN IF NOT EXISTS classification_lookup_at TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS retry_count INT DEFAULT 0,
    ADD COLUMN IF NOT EXISTS max_retries INT DEFAULT 3,
    ADD COLUMN IF NOT EXISTS next_action_at TIMESTAMPTZ DEFAULT NOW(),
    ADD COLUMN IF NOT EXISTS last_error TEXT,
    ADD COLUMN IF NOT EXISTS workflow_metadata JSONB DEFAULT '{}';

CREATE INDEX IF NOT EXISTS idx_pending_calls_scheduler
    ON pending_calls (next_action_at, workflow_state)
    WHERE workflow_state NOT IN ('completed', 'failed');

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'valid_workflow_state' AND conrelid = 'pending_calls'::regclass) THEN
        ALTER TABLE pending_calls
            ADD CONSTRAINT valid_workflow_state CHECK (
                workflow_state IN (
                    'new',
                    'checking_classification',
                    'needs_classification',
                    'classifying',
                    'classification_pending',
                    'ready_to_call',
                    'calling',
                    'retry_pending',
                    'completed',
                    'failed',
                    'classification_failed'
                )
            );
    END IF;
END
$$;

-- Step 8.3.
ALTER TABLE pending_calls
    ADD COLUMN IF NOT EXISTS failed_at TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS failure_reason TEXT;

-- CallOps' own columns.
ALTER TABLE pending_calls
    -- IANA zone of the clinic ("America/Chicago"); NULL: derived from the number, else the default.
    ADD COLUMN IF NOT EXISTS clinic_timezone text,
    -- When the row entered its current state; kept by the trigger of 0004, read for stuck alerts.
    ADD COLUMN IF NOT EXISTS state_changed_at timestamptz DEFAULT now(),
    ADD COLUMN IF NOT EXISTS completed_at timestamptz,
    -- The attempt a call in flight belongs to: part of the Idempotency-Key, and outcomes for an
    -- older attempt do not move the row.
    ADD COLUMN IF NOT EXISTS attempt int NOT NULL DEFAULT 0,
    -- Classification calls made for this row, against max_retries as well.
    ADD COLUMN IF NOT EXISTS classification_attempts int NOT NULL DEFAULT 0,
    -- Which scheduler holds the row and until when: a claim that outlives its holder expires.
    ADD COLUMN IF NOT EXISTS locked_by text,
    ADD COLUMN IF NOT EXISTS locked_until timestamptz;

-- The stuck-call query of Step 8.2 and the console's per-state counts.
CREATE INDEX IF NOT EXISTS idx_pending_calls_state_changed
    ON pending_calls (workflow_state, state_changed_at);
CREATE INDEX IF NOT EXISTS idx_pending_calls_phone ON pending_calls (phone);
CREATE INDEX IF NOT EXISTS idx_call_classifications_phone
    ON call_classifications (phone_number) WHERE is_active;
CREATE INDEX IF NOT EXISTS idx_call_sessions_pending_call ON call_sessions (pending_call_id);
