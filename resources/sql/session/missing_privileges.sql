-- What this session's role may not do of what a program needs: the table privileges asked for
-- (:tables and :privileges, pairwise) and EXECUTE on the functions named (:functions, any
-- signature). A table or function this database does not have yet is not reported: the schema
-- check says that (a database not migrated this far). In the order asked.
SELECT quote_ident(current_user) AS role_name, kind, name, privilege
  FROM (SELECT 1 AS kind, t.ord, t.name, t.privilege
          FROM unnest(CAST(:tables AS text[]), CAST(:privileges AS text[])) WITH ORDINALITY
               AS t (name, privilege, ord)
         WHERE to_regclass(t.name) IS NOT NULL AND NOT has_table_privilege(t.name, t.privilege)
        UNION ALL
        SELECT 2, f.ord, f.name, 'EXECUTE'
          FROM unnest(CAST(:functions AS text[])) WITH ORDINALITY AS f (name, ord)
         WHERE EXISTS (SELECT 1 FROM pg_proc p
                        WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = f.name)
           AND NOT EXISTS (SELECT 1 FROM pg_proc p
                            WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = f.name
                              AND has_function_privilege(p.oid, 'EXECUTE'))) AS lacking
 ORDER BY kind, ord
