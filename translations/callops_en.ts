<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CallTriggerReach</name>
    <message>
        <source>The call trigger&apos;s host %1 was not found (DNS): check SUPABASE_URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger&apos;s TLS certificate is not trusted on this machine (%1): install the CA certificates (Debian: ca-certificates) or look for a proxy that intercepts TLS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger at %1 did not answer within %2 ms: check SUPABASE_URL and this machine&apos;s way out (firewall, proxy).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the call trigger at %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallingWindow</name>
    <message>
        <source>write calling hours like &quot;mon-fri 08:00-17:00&quot; or &quot;mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bad day range %1: write a day (sat) or a range (mon-fri).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown day %1: use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bad hours %1: write HH:MM-HH:MM, for example 08:00-17:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bad time in %1: times are HH:MM from 00:00 to 23:59, and 24:00 as an end.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours %1 end before they start: for hours past midnight write two rules, for example &quot;fri 22:00-24:00; sat 00:00-02:00&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calling hours are too long (%1 characters, at most %2): %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calling hours contain control characters: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No calling hours given: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No hours for %1: write them after the days, for example &quot;%2 09:00-12:00&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours %1 without days: write the days first, for example &quot;mon-fri %2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected %1 in calling hours: %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CheckCommand</name>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not ready: fix the settings above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pass every %1 s, at most %2 calls a pass; calls per second for all schedulers together: %3 (0: no limit); calling hours %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not ready: callops --no-gui would not place calls; fix what FAIL says above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready: callops --no-gui would place calls with these settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls go to %1 with the key as %2 (this check calls nothing: the key is first tried by the first call).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger&apos;s host answers at %1 over TLS, with a certificate this machine trusts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger&apos;s host answers at %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>PostgreSQL URL or libpq keyword string (else DATABASE_URL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base URL of the call trigger (else SUPABASE_URL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows claimed per pass (default 50).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds between passes when nothing wakes the scheduler (default 30).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls started per second by all schedulers together; 0 = no limit (default 1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds a call may stay classifying or calling before it is retried (default 600).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic calling hours, e.g. &quot;mon-fri 08:00-17:00&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region for numbers without a country code (default US).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time zone assumed when a clinic&apos;s cannot be told (default America/New_York).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps: the operations console and scheduler for automated clinic calls.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the scheduler headless until SIGTERM or SIGINT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --no-gui: run one pass, print its JSON summary, exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply the database migrations and exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the self-contained demo: private PostgreSQL, simulated telephony.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --demo: throw away the demo database and start over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write failed calls to FILE (.csv or .pdf) and exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --export-failures: first day (YYYY-MM-DD).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --export-failures: last day (YYYY-MM-DD).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings file to use instead of the user&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language of the console, the reports and the messages (en, es; else CALLOPS_LANG, else the system&apos;s). Log lines stay in English.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 expects a date as YYYY-MM-DD, not &quot;%2&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--export-failures expects a file ending in .csv or .pdf, not &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: it is a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the file is read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the folder does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the folder is not writable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file &quot;%1&quot; given to --config does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; given to --config is a folder, not a settings file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the settings file &quot;%1&quot; given to --config: check its permissions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1; see --help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;; see --help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 and --%2 do not go together: choose one; see --help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--once does not go with --%1: it is for --no-gui alone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--once only goes with --no-gui</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--demo-reset only goes with --demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 only goes with --export-failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--until must not be before --since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 expects %2, not &quot;%3&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 expects a number of 0 or more, not &quot;%2&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check what --no-gui would run with (settings, the call trigger&apos;s host, database login, grants, migrations, the guide&apos;s pg_cron job) without placing a call, and exit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionSettings</name>
    <message>
        <source>No database given: pass --db URL, set DATABASE_URL, or configure one in the settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported database URL scheme in &quot;%1&quot;: use postgresql://user:password@host:port/database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a database URL or libpq keyword string: expected postgresql://... or host=... dbname=...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed database URL: port 0 is not a port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed database URL: the path must be just the database name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed connection string: a word without a value (expected key=value; quote values that contain spaces)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed connection string: &quot;%1&quot; has no value (expected key=value)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed connection string: unterminated quote in the value of &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed connection settings: port &quot;%1&quot; is not a number from 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown sslmode &quot;%1&quot;: use one of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed connection settings: connect_timeout &quot;%1&quot; is not a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown connection setting (not a libpq keyword; check the spelling of the keywords)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown connection setting &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown connection setting &quot;%1&quot; (did you mean %2?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>local socket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is Supabase&apos;s transaction pooler, which drops LISTEN/NOTIFY and prepared statements: use the session pooler (port 5432) or the direct host.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed database URL: expected postgresql://user:password@host:port/database[?sslmode=require], with special characters in the password percent-encoded (@ as %40, # as %23, / as %2F, : as %3A, space as %20)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsoleRepository</name>
    <message>
        <source>&quot;%1&quot; is not a call id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call %1 no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsoleWorker</name>
    <message>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (transaction pooler: no live updates, use port 5432)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (live updates unavailable)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected to the database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n failed call(s) to %1.</source>
        <translation>
            <numerusform>Wrote %n failed call to %1.</numerusform>
            <numerusform>Wrote %n failed calls to %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (migrated by a newer CallOps: update CallOps on this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 may not read %2: log in as a dispatcher (a role granted callops_dispatcher) or have SELECT on them granted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (read only: this role may not change calls)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CsvFailureReport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DatabaseConnection</name>
    <message>
        <source>The Qt PostgreSQL driver (QPSQL) is not installed: install the package libqt6sql6-psql.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect to the database at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer: the server closed the connection</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DemoCommand</name>
    <message>
        <source>The demo could not start:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the CallOps demo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo runs its own database; start callops without --demo to connect to another.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DemoRuntime</name>
    <message>
        <source>Applying the database migrations…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding the sample calls…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keeping the calls of the previous demo run (--demo-reset starts over).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1 sample calls.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo database is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The telephony simulator did not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Every call of the previous demo run is done: added %n new call(s) (--demo-reset starts over).</source>
        <translation>
            <numerusform>Every call of the previous demo run is done: added %n new call (--demo-reset starts over).</numerusform>
            <numerusform>Every call of the previous demo run is done: added %n new calls (--demo-reset starts over).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DemoSeeder</name>
    <message>
        <source>%1 (attempt %2 of %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid phone number &quot;%1&quot;: not a number that can be dialled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeding the demo database failed (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeding the demo database failed: could not begin a transaction: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeding the demo database failed (commit): %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EmbeddedPostgres</name>
    <message>
        <source>There is no &quot;postgres&quot; user on this machine: install the Debian package postgresql, which creates it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not give %1 to the postgres user: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CALLOPS_PG_BINDIR=%1 does not hold initdb, pg_ctl and postgres.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL&apos;s server programs (initdb, pg_ctl, postgres) were not found under %1. The demo runs its own private database with them: install the Debian package &quot;postgresql&quot; (sudo apt-get install postgresql) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running as root needs runuser (package util-linux) to start PostgreSQL as the postgres user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not run %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not finish within %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo directory %1 must not contain quotes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the demo directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not restrict %1 to its owner.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running as root, the demo starts PostgreSQL as the &quot;postgres&quot; user, which does not exist: install the Debian package postgresql.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running as root, the demo&apos;s PostgreSQL runs as the postgres user, which cannot enter %1 (needed for %2). Use a directory under /var/lib or /var/tmp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo cluster in %1 has lost its password file; start over with --demo-reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the demo database cluster in %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>initdb failed for the demo cluster in %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping a demo PostgreSQL server left running by an earlier run (pid %1)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PostgreSQL server (pid %1) still runs on %2 and would not stop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No free TCP port on 127.0.0.1 for the demo database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the demo PostgreSQL on 127.0.0.1:%1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo PostgreSQL did not start (log: %1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the database %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throwing away the demo database in %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PostgreSQL server (pid %1) still runs on %2; stop it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not delete %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another CallOps demo (process %1) is using %2; close it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reusing the demo database cluster in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo database is ready on 127.0.0.1:%1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping the demo PostgreSQL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo PostgreSQL (pid %1) did not stop.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportCommand</name>
    <message>
        <source>No database configured: set DATABASE_URL or pass --db.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n failed call(s) to %1.</source>
        <translation>
            <numerusform>Wrote %n failed call to %1.</numerusform>
            <numerusform>Wrote %n failed calls to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FailureReportOptions</name>
    <message>
        <source>the beginning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2, whole days in %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeychainStore</name>
    <message>
        <source>This build has no keychain support.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ManualAction</name>
    <message>
        <source>Retry now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset stuck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-classify</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MigrateCommand</name>
    <message>
        <source>Database %1 is up to date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Applied %n migration(s) to %1: %2.</source>
        <translation>
            <numerusform>Applied %n migration to %1: %2.</numerusform>
            <numerusform>Applied %n migrations to %1: %2.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Migrator</name>
    <message>
        <source>Cannot create the schema_migrations table: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No migrations found: the binary was built without its SQL resources.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot take the migration lock: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 could not start a transaction: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 failed at statement %2 and was rolled back: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 could not be recorded and was rolled back: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 could not be committed: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OutcomeRecorder</name>
    <message>
        <source>the outcome function returned nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a pending call id (a UUID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the outcome function answered %1 of %2 outcomes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PassPlanner</name>
    <message>
        <source>the phone number could not be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid phone number: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped: retry_count %1 / max_retries %2 are not valid; correct the row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>state &quot;%1&quot; is not one the scheduler acts on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>opens %1 (%2%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, zone assumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time zone assumed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification attempts exhausted: the last classification call did not finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1; calling hours of %2 assumed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PassResultText</name>
    <message>
        <source>Line already classified: ready for the task call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line not classified yet: a classification call is needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IVR wait over: ready for the task call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still in the IVR wait</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left alone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification failed: no attempts left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification to be tried again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task call to be retried</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: max retries exceeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting: another call to this line is classifying it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting: the number is being called already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the clinic&apos;s calling hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: the phone number cannot be dialled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification call waiting its turn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task call waiting its turn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification call placed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task call placed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call request failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not placed: given back for later (paused, stopped, or the call trigger refused)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retry %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a person answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an IVR menu only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an IVR menu, then a person</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PdfFailureReport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps failure report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: the PDF could not be started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed calls: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no reason recorded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Totals per failure reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failure reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exam</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Employee</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: the PDF could not be finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Period: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No call failed in this period.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps failure report, %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhoneNumberNormalizer</name>
    <message>
        <source>no valid country code: write the number with + and its country code, or set a valid default region (now &quot;%1&quot;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too short after the international prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too short to be a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too long to be a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too long to be a phone number (%1 characters, at most %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>contains control characters, not a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no phone number given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a valid number for region %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhoneText</name>
    <message>
        <source>not a number CallOps can dial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stored as “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchedulerConfig</name>
    <message>
        <source>Calls per second must be 0 (no limit) or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests at a time must be from 1 to %1, not %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The IVR wait cannot be negative</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry timings are not valid: base %1 s, cap %2 s, task retry delay %3 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calling hours &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown default region &quot;%1&quot;: use a two-letter country code such as US</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The in-flight timeout (%1 s) must be longer than the HTTP timeout (%2 s): raise CALLOPS_INFLIGHT_TIMEOUT or lower CALLOPS_HTTP_TIMEOUT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The batch size must be from %1 to %2, not %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interval must be from %1 to %2 seconds, not %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The HTTP timeout must be from 0.1 to %1 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The in-flight timeout must be from %1 to %2 seconds, not %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claims must last from %1 to %2 seconds, not %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchedulerGrants</name>
    <message>
        <source>The database role %1 may not do what the scheduler does on %2 (%3): log in as a role granted callops_scheduler (as the database&apos;s owner: GRANT callops_scheduler TO %1), or have these granted.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchedulerPreflight</name>
    <message>
        <source>%1 (the server refused the login: retrying will not help; fix the database settings, then start again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The login may do what the scheduler does.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database has every migration of this CallOps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is still active on this database (pg_cron job %1): CallOps places no calls while it is. Remove it as %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot tell whether the guide&apos;s scheduler (pg_cron job %1) is still active: %2. Make sure it is unscheduled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler (pg_cron job %1) is not active here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (process %2, since %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (process %2, in the console of %3, since %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedulers already running on this database: %1. They go on as before; the due calls are shared with them, and no call is placed twice.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchedulerStatusText</name>
    <message>
        <source>%1 (console of %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, process %2, a service, running since %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, process %2, started in the console of %3 at %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>holding calls: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no pass yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>last pass %n s ago</source>
        <translation>
            <numerusform>last pass %n s ago</numerusform>
            <numerusform>last pass %n s ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>reported %n s ago</source>
        <translation>
            <numerusform>reported %n s ago</numerusform>
            <numerusform>reported %n s ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n more elsewhere</source>
        <translation>
            <numerusform>%1 · %n more elsewhere</numerusform>
            <numerusform>%1 · %n more elsewhere</numerusform>
        </translation>
    </message>
    <message>
        <source>Scheduler: none running on this database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: holding calls on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: paused on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: running on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Schedulers: %n running elsewhere</source>
        <translation>
            <numerusform>Schedulers: %n running elsewhere</numerusform>
            <numerusform>Schedulers: %n running elsewhere</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No CallOps scheduler has reported itself in the last %n s: no calls are placed until one runs (Scheduler ▸ Start here, or callops --no-gui on a server). Schedulers of a CallOps older than the database&apos;s migration 0028 run without reporting themselves.</source>
        <translation>
            <numerusform>No CallOps scheduler has reported itself in the last %n s: no calls are placed until one runs (Scheduler ▸ Start here, or callops --no-gui on a server). Schedulers of a CallOps older than the database&apos;s migration 0028 run without reporting themselves.</numerusform>
            <numerusform>No CallOps scheduler has reported itself in the last %n s: no calls are placed until one runs (Scheduler ▸ Start here, or callops --no-gui on a server). Schedulers of a CallOps older than the database&apos;s migration 0028 run without reporting themselves.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SchemaState</name>
    <message>
        <source>The database %1 has no CallOps tables yet: run callops --migrate against it (as the database&apos;s owner).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database %1 lacks CallOps migrations %2 (it was migrated by an older CallOps): run callops --migrate against it (as the database&apos;s owner).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database %1 was migrated by a newer CallOps (migrations %2 are unknown to this one): update CallOps on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>The settings file %1 is malformed: fix or remove it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the settings file %1: check its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting %1 on the command line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment variable %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting %1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The default of setting %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be %2, not &quot;%3&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be a number of 0 or more, not &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 contains a control character or broken Unicode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a whole number of seconds from %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a whole number from %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment variable %1 is no CallOps setting and is ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment variable %1 is no CallOps setting and is ignored; did you mean %2?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TelephonySimulator</name>
    <message>
        <source>Simulator odds must be between 0 and 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At least one classification outcome needs odds above 0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The simulator&apos;s fault odds add up to more than 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The simulator&apos;s outcome delays need 0 &lt;= minimum &lt;= maximum.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulator delays cannot be negative.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The simulator&apos;s client error status must be a 4xx other than 409.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the record file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The telephony simulator cannot listen on 127.0.0.1:%1 (is the port in use?).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimeZoneResolver</name>
    <message>
        <source>No time zone given: use an IANA id such as America/New_York.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a time zone id (%1 characters): use an IANA id such as America/New_York.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a time zone id (unexpected characters): use an IANA id such as America/New_York.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown time zone &quot;%1&quot;: use an IANA id such as America/New_York or Europe/London.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown clinic_timezone &quot;%1&quot; ignored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorkflowState</name>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classifying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification pending (IVR wait)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready to call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::ActionDialog</name>
    <message numerus="yes">
        <source>%1 for all %n call(s) matching the current filter?</source>
        <translation>
            <numerusform>%1 for all %n call matching the current filter?</numerusform>
            <numerusform>%1 for all %n calls matching the current filter?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 for %n selected call(s)?</source>
        <translation>
            <numerusform>%1 for %n selected call?</numerusform>
            <numerusform>%1 for %n selected calls?</numerusform>
        </translation>
    </message>
    <message>
        <source>Required: why these calls failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional, kept in the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting retries become due now; failed calls start over with a fresh retry budget.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls in flight go back to Retry pending and are picked up again at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The calls are marked failed with your reason and are not called again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The classification is cleared and the calls start over from the look-up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Only %n of them can take this action now; the others are left alone (another state, or a call in flight that is not stuck).</source>
        <translation>
            <numerusform>Only %n of them can take this action now; the others are left alone (another state, or a call in flight that is not stuck).</numerusform>
            <numerusform>Only %n of them can take this action now; the others are left alone (another state, or a call in flight that is not stuck).</numerusform>
        </translation>
    </message>
    <message>
        <source>Calls in a state this action does not apply to, and calls in flight that are not stuck, are left alone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::CallDetailPane</name>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exam</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Employee</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appointment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failure reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In this state since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claimed by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No call selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exam %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from the number or the default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at the clinic (%2 here)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::CallTableModel</name>
    <message>
        <source>Unknown (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exam</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Employee</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In this computer&apos;s time zone (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::CallTrigger</name>
    <message>
        <source>The call trigger URL is not set: set SUPABASE_URL (or --supabase-url) to the project URL, e.g. https://&lt;ref&gt;.supabase.co.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger URL &quot;%1&quot; is not a valid URL: set SUPABASE_URL to the project URL, e.g. https://&lt;ref&gt;.supabase.co.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger URL must start with https:// (or http:// for a local server), not %1://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service key is not set: set SUPABASE_SERVICE_ROLE_KEY to the project&apos;s service_role (or sb_secret_...) key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service key in SUPABASE_SERVICE_ROLE_KEY contains spaces, line breaks or non-ASCII characters: copy the key again without them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request aborted at shutdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer within %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request aborted at shutdown before it was sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SUPABASE_URL is a function&apos;s URL: set it to the project URL, https://&lt;ref&gt;.supabase.co, without /functions/...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger timeout must be more than 0 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SUPABASE_URL contains a user name or password: remove it; the key goes in SUPABASE_SERVICE_ROLE_KEY.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::ConnectionDialog</name>
    <message>
        <source>Connect to a database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept in the system keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keychain: set SUPABASE_SERVICE_ROLE_KEY instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console reads and changes pending calls in this PostgreSQL database. Use Supabase&apos;s direct host or its session pooler (port 5432); the transaction pooler (6543) cannot deliver live updates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs CallOps with its own private database and simulated calls.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key could not be stored in the keychain: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is Supabase&apos;s transaction pooler (port 6543): live updates and prepared statements do not work through it. Use the session pooler on port 5432.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storing the key in the keychain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Database URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supabase &amp;URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service role &amp;key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Try the demo</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::ExportDialog</name>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All clinics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv);;PDF report (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include &amp;dates of birth (CSV only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B&amp;rowse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File (.csv or .pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed &amp;between</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cl&amp;inic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting… %1 of %2 calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name must end in .csv (a spreadsheet) or .pdf (a printable report).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::HistorySearchDialog</name>
    <message>
        <source>Search history by reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Words of the reason, e.g. clinic closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason contains</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::MainWindow</name>
    <message>
        <source>Connected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About CallOps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;CallOps %1&lt;/b&gt;&lt;p&gt;Operations console and scheduler for automated clinic calls.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search exam, employee, clinic or phone (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All clinics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any failure reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In state for up to 1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In state for up to 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In state for up to 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In state for up to 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s)</source>
        <translation>
            <numerusform>%n call</numerusform>
            <numerusform>%n calls</numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: not running in this console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last refresh %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stuck calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) stuck: in their state longer than its threshold.</source>
        <translation>
            <numerusform>%n call stuck: in its state longer than its threshold.</numerusform>
            <numerusform>%n calls stuck: in their state longer than its threshold.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>CallOps — %n stuck</source>
        <translation>
            <numerusform>CallOps — %n stuck</numerusform>
            <numerusform>CallOps — %n stuck</numerusform>
        </translation>
    </message>
    <message>
        <source>Counting the calls that match the filter…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No calls match the filter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: %n call(s) changed</source>
        <translation>
            <numerusform>%1: %n call changed</numerusform>
            <numerusform>%1: %n calls changed</numerusform>
        </translation>
    </message>
    <message>
        <source>Stuck thresholds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new thresholds apply now, but they could not be saved to %1: the console will start with the old ones next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search… (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• %1 — %2</source>
        <comment>exam id — employee</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Stuck calls only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• State: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Clinic: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Failure reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Search: &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Every call, in every state (no filter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln)</source>
        <comment>failure reason (number of calls)</comment>
        <translation>
            <numerusform>%1 (%Ln)</numerusform>
            <numerusform>%1 (%Ln)</numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected to the database: nothing was changed. Try again once the console is connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reason you gave is kept: it is filled in again when you try once more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>exam id — employee</comment>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>(%n left alone: not in a state the action applies to, in flight and not stuck, or moved on since)</source>
        <translation>
            <numerusform>(%n left alone: not in a state the action applies to, in flight and not stuck, or moved on since)</numerusform>
            <numerusform>(%n left alone: not in a state the action applies to, in flight and not stuck, or moved on since)</numerusform>
        </translation>
    </message>
    <message>
        <source>Call states</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clinic filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failure reason filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time in state filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry &amp;now…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset stuck…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Mark failed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-&amp;classify…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connection…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search &amp;history by reason…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export failures…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;All matching the filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Scheduler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;tuck thresholds…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About CallOps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>CallOps demo — %n stuck</source>
        <translation>
            <numerusform>CallOps demo — %n stuck</numerusform>
            <numerusform>CallOps demo — %n stuck</numerusform>
        </translation>
    </message>
    <message>
        <source>Demo: the scheduler runs here from the start and its calls go to a telephony simulator on this computer; no one is called.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit CallOps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A change to calls is still being written to the database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit when it is done, or quit now: the database then undoes the change if it has not finished it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit When &amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit &amp;Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quitting once the change is written…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This database role may only read: nothing was changed. Log in as a dispatcher (a role granted callops_dispatcher) to change calls.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::OfflineBanner</name>
    <message>
        <source>Reconnect now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not live since %1: the database cannot be reached. Counts and calls are as of %2; the console reconnects by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not live since %1: the database cannot be reached; the console reconnects by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not live since %1: the database refused the login. Correct it under File → Connection…, or press Reconnect now once it is put right elsewhere; a refused login is not tried again by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database connection lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not live since %1: %2 The console looks again by itself.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::SchedulerEngine</name>
    <message>
        <source>%1 looks like Supabase&apos;s transaction pooler (port 6543): LISTEN/NOTIFY and prepared statements do not work through it; use the session pooler (port 5432) or the direct host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost the database connection: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>database connection lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>another call to this number is in flight, or the call changed meanwhile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call %1 is in state %2 with no next_action_at: it never comes due; skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call %1 is in unknown state &quot;%2&quot;: skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger refused the request (%1): check SUPABASE_URL (the project URL, https://&lt;ref&gt;.supabase.co) and SUPABASE_SERVICE_ROLE_KEY. No calls are placed for %2 s; the calls go back to where they were without spending an attempt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The database refused the login: fix the database settings. Trying again in %n minute(s), not sooner: failed logins again and again get this machine blocked.</source>
        <translation>
            <numerusform>The database refused the login: fix the database settings. Trying again in %n minute, not sooner: failed logins again and again get this machine blocked.</numerusform>
            <numerusform>The database refused the login: fix the database settings. Trying again in %n minutes, not sooner: failed logins again and again get this machine blocked.</numerusform>
        </translation>
    </message>
    <message>
        <source>The call trigger&apos;s TLS certificate is not trusted on this machine (%1): install the CA certificates (Debian: ca-certificates) or look for a proxy that intercepts TLS. No calls are placed for %2 s; the calls go back to where they were without spending an attempt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is still active on this database: pg_cron job %1, posting to the scheduler Edge Function, which dials calls without CallOps&apos; claims, so a clinic could be called twice. No calls are placed while it is active; the calls stay as they are. Remove it as %2 (or a superuser): %3 (or switch it off: %4). CallOps looks again every %5 s and goes on by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger refuses its requests; trying again later</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::SchedulerPanel</name>
    <message>
        <source>Run one pass now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No pass yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off by default: a console only calls when started here. Servers run callops --no-gui.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: not running in this console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start the scheduler: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping: calls in progress are allowed to finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the scheduler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start placing calls from this console?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at most %1 calls per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>with no limit on calls per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due calls are dialled through %1, %2, until you stop the scheduler or close the console. Servers running the scheduler go on as before; a call is never dialled twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>call %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click or press Enter to show this call (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>processed %1, calls started %2, rescued %3 (%4 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is no longer active: placing calls again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: not calling while the guide&apos;s scheduler (pg_cron) is active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The call trigger accepts calls again: placing calls.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: not calling, the call trigger refuses the requests (see the log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: waiting for the database (see the log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due calls are dialled through %1, %2, until you stop the scheduler or close the console. Also running on this database: %3. They go on as before and share the due calls with this one; a call is never dialled twice.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::StateListView</name>
    <message>
        <source>All calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stuck</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::StuckBanner</name>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset all…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) stuck: in their state longer than its threshold.</source>
        <translation>
            <numerusform>%n call stuck: in its state longer than its threshold.</numerusform>
            <numerusform>%n calls stuck: in their state longer than its threshold.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stuck calls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only the stuck calls in the table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset every stuck call (asks first)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>callops::StuckRulesDialog</name>
    <message>
        <source>Stuck thresholds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A call counts as stuck when it has stayed longer than this: calls being placed since their call started, other calls since they were due and last changed. The banner, the Stuck filter and Reset stuck follow these values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chec&amp;king classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nee&amp;ds classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classi&amp;fying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification &amp;pending (IVR wait)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready &amp;to call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;lling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retr&amp;y pending</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>No display to open the console on: run with --no-gui for the headless scheduler, or set DISPLAY.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This mode is not available in this build yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CallOps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No translation for the language &quot;%1&quot;: English is used (translations: %2).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
