SELECT c.id, c.phone_number
  FROM call_classifications c
 WHERE c.is_active AND c.phone_e164 IS NULL
 LIMIT :limit
