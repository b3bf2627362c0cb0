-- What the engine does that this login may not: the grants migrations 0020, 0021 and 0024 give
-- callops_scheduler. A table or function this database does not have yet is left to the schema
-- check (a database not migrated this far), not reported here. FOR UPDATE needs UPDATE as well.
WITH tables (name, privilege) AS (
    VALUES ('schema_migrations', 'SELECT'),
           ('pending_calls', 'SELECT'), ('pending_calls', 'UPDATE'),
           ('call_classifications', 'SELECT'), ('call_classifications', 'INSERT'),
           ('call_classifications', 'UPDATE'),
           ('call_sessions', 'SELECT'), ('call_sessions', 'INSERT'),
           ('callops_rate_limit', 'SELECT'), ('callops_rate_limit', 'INSERT'),
           ('callops_rate_limit', 'UPDATE')
),
functions (name) AS (
    VALUES ('callops_reserve_call_slot'), ('callops_start_calls'), ('callops_record_post_failure'),
           ('callops_record_classification'), ('callops_record_task_result'),
           ('callops_record_task_results'), ('callops_rescue_inflight')
)
SELECT quote_ident(current_user) AS role_name, missing
  FROM (SELECT t.privilege || ' ' || t.name AS missing, 1 AS kind, t.name AS name
          FROM tables t
         WHERE to_regclass(t.name) IS NOT NULL AND NOT has_table_privilege(t.name, t.privilege)
        UNION ALL
        SELECT 'EXECUTE ' || f.name, 2, f.name
          FROM functions f
         WHERE EXISTS (SELECT 1 FROM pg_proc p
                        WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = f.name)
           AND NOT EXISTS (SELECT 1 FROM pg_proc p
                            WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = f.name
                              AND has_function_privilege(p.oid, 'EXECUTE'))) AS lacking
 ORDER BY kind, name, missing
