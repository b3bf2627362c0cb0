-- Active pg_cron jobs that run the guide's scheduler (its Step 6): the job by the guide's name, or
-- any job whose command posts to the scheduler Edge Function, whatever it was named (the URL is
-- what dials calls; a renamed copy dials them just the same).
SELECT j.jobid, COALESCE(j.jobname, ''), j.schedule, j.username
  FROM cron.job j
 WHERE j.active
   AND (j.jobname = :name OR j.command ~ :command)
 ORDER BY j.jobid
