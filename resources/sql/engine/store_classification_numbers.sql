UPDATE call_classifications c
   SET phone_e164 = x.e164
  FROM jsonb_to_recordset(CAST(:numbers AS jsonb)) AS x (id uuid, e164 text)
 WHERE c.id = x.id
