-- Whether pg_cron is installed in this database and what of its job table this user can read.
-- Asked before cron.job itself: without USAGE on the schema cron, naming the table is an error.
-- Row-level security on cron.job shows a user only the jobs it owns (pg_cron's own policy, and
-- Supabase's) unless the user is a superuser, bypasses RLS or owns the table.
SELECT c.oid IS NOT NULL AS installed,
       COALESCE(has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), false)
           AS readable,
       COALESCE(c.relrowsecurity AND NOT r.rolsuper AND NOT r.rolbypassrls
                AND NOT pg_has_role(c.relowner, 'USAGE'), false) AS own_jobs_only,
       current_user AS user_name
  FROM pg_roles r
  LEFT JOIN pg_namespace n ON n.nspname = 'cron'
  LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'job' AND c.relkind = 'r'
 WHERE r.rolname = current_user
