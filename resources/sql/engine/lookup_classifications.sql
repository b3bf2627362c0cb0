-- The newest active, unexpired classification of each number (several are not an error).
SELECT DISTINCT ON (c.phone_e164) c.phone_e164, c.id, c.classification_type
  FROM call_classifications c
 WHERE c.is_active
   AND c.phone_e164 = ANY (CAST(:numbers AS text[]))
   AND (c.classification_expires_at IS NULL OR c.classification_expires_at >= now())
 ORDER BY c.phone_e164, c.created_at DESC, c.id
