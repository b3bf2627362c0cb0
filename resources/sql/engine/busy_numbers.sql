-- Which of these numbers have a call in flight, and of which kind.
SELECT DISTINCT p.phone_e164, p.workflow_state
  FROM pending_calls p
 WHERE p.workflow_state IN ('classifying', 'calling')
   AND p.phone_e164 = ANY (CAST(:numbers AS text[]))
