-- Add workflow state management columns
ALTER TABLE pending_calls 
ADD COLUMN workflow_state TEXT DEFAULT 'new',
ADD COLUMN classification_lookup_at TIMESTAMPTZ,
ADD COLUMN retry_count INT DEFAULT 0,
ADD COLUMN max_retries INT DEFAULT 3,
ADD COLUMN next_action_at TIMESTAMPTZ DEFAULT NOW(),
ADD COLUMN last_error TEXT,
ADD COLUMN workflow_metadata JSONB DEFAULT '{}';

-- Add index for efficient scheduling queries
CREATE INDEX idx_pending_calls_scheduler 
ON pending_calls(next_action_at, workflow_state) 
WHERE workflow_state NOT IN ('completed', 'failed');

-- Add check constraint for valid workflow states
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
