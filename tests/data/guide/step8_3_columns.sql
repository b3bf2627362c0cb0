-- Add column for permanent failures
ALTER TABLE pending_calls 
ADD COLUMN failed_at TIMESTAMPTZ,
ADD COLUMN failure_reason TEXT;
